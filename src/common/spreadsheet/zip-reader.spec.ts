import { buildZip, deflateBomb, type ZipFile } from '../../../test/support/xlsx-fixtures';
import { type ZipErrorReason, ZipReader } from './zip-reader';

const limits = { maxEntries: 10, maxUnzippedBytes: 1024 * 1024 };

async function readAll(zip: ZipReader, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.read(zip.find(name)!)) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function refusal(open: () => unknown): ZipErrorReason | 'accepted' {
  try {
    open();
    return 'accepted';
  } catch (e) {
    return (e as { reason: ZipErrorReason }).reason;
  }
}

async function readRefusal(zip: ZipReader, name: string): Promise<ZipErrorReason | 'accepted'> {
  try {
    await readAll(zip, name);
    return 'accepted';
  } catch (e) {
    return (e as { reason: ZipErrorReason }).reason;
  }
}

const files: ZipFile[] = [
  { name: 'a.txt', data: 'hello '.repeat(100) },
  { name: 'dir/b.txt', data: 'stored as is', method: 0 },
];

describe('ZipReader', () => {
  it('reads deflated and stored entries, finding names without regard to case', async () => {
    const zip = ZipReader.open(buildZip(files), limits);
    expect(zip.entries.map((e) => e.name)).toEqual(['a.txt', 'dir/b.txt']);
    expect(await readAll(zip, 'A.TXT')).toBe('hello '.repeat(100));
    expect(await readAll(zip, 'dir/b.txt')).toBe('stored as is');
    expect(zip.find('c.txt')).toBeUndefined();
  });

  it('stops a bomb once the bytes actually inflated pass the cap, whatever size it declares', async () => {
    const bomb = deflateBomb(400);
    const zip = ZipReader.open(buildZip([{ name: 'bomb', data: '', raw: bomb, declaredSize: 10, crc: 0 }]), limits);
    // Counted, not timed: what the reader handed out before refusing stays within the cap (of 400 MB).
    let handedOut = 0;
    let reason: ZipErrorReason | 'accepted' = 'accepted';
    try {
      for await (const chunk of zip.read(zip.find('bomb')!)) handedOut += chunk.length;
    } catch (e) {
      reason = (e as { reason: ZipErrorReason }).reason;
    }
    expect(reason).toBe('too_large');
    expect(handedOut).toBeLessThanOrEqual(limits.maxUnzippedBytes);
  });

  it('counts the cap across entries, not per entry', async () => {
    const half = 'x'.repeat(600 * 1024);
    const zip = ZipReader.open(
      buildZip([
        { name: 'one', data: half, declaredSize: 1 },
        { name: 'two', data: half, declaredSize: 1 },
      ]),
      limits,
    );
    // The declared sizes lie, so the first entry fails its size check, but its bytes still count.
    expect(await readRefusal(zip, 'one')).toBe('corrupt');
    expect(await readRefusal(zip, 'two')).toBe('too_large');
  });

  it('refuses at once when the declared sizes already pass the cap', () => {
    expect(refusal(() => ZipReader.open(buildZip([{ name: 'big', data: 'x'.repeat(1024 * 1024 + 1) }]), limits))).toBe(
      'too_large',
    );
  });

  it.each([
    ['fewer', 1],
    ['more', 3],
  ])('walks the whole directory and refuses an end record that counts %s entries than it has', (_what, count) => {
    expect(refusal(() => ZipReader.open(buildZip(files, { declaredCount: count }), limits))).toBe('corrupt');
  });

  it('refuses more entries than the limit', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
    expect(refusal(() => ZipReader.open(buildZip(many), limits))).toBe('too_many_entries');
    expect(refusal(() => ZipReader.open(buildZip(many.slice(0, 10)), limits))).toBe('accepted');
  });

  it.each<[string, Partial<ZipFile>, ZipErrorReason]>([
    ['an encrypted entry', { flags: 0x0001 }, 'unsupported'],
    ['strong encryption', { flags: 0x0041 }, 'unsupported'],
    ['bzip2 compression', { method: 12, raw: Buffer.from('BZh9') }, 'unsupported'],
    ['LZMA compression', { method: 14, raw: Buffer.from('x') }, 'unsupported'],
    ['a stored entry whose sizes differ', { method: 0, declaredSize: 3 }, 'corrupt'],
  ])('refuses %s', (_what, change, reason) => {
    expect(refusal(() => ZipReader.open(buildZip([{ ...files[0], ...change }]), limits))).toBe(reason);
  });

  it('refuses two entries of one name, even in another case', () => {
    const twice = buildZip([files[0], { name: 'A.txt', data: 'other' }]);
    expect(refusal(() => ZipReader.open(twice, limits))).toBe('corrupt');
  });

  it('refuses entries that share their bytes (an overlapping bomb)', () => {
    const overlapping = buildZip([files[0], { ...files[0], name: 'copy.txt', sameDataAs: 'a.txt' }]);
    expect(refusal(() => ZipReader.open(overlapping, limits))).toBe('corrupt');
  });

  it('refuses an entry whose content fails its checksum', async () => {
    const zip = ZipReader.open(buildZip([{ ...files[0], crc: 12345 }]), limits);
    expect(await readRefusal(zip, 'a.txt')).toBe('corrupt');
  });

  it('refuses damaged deflate data', async () => {
    const zip = ZipReader.open(buildZip([{ name: 'bad', data: 'x', raw: Buffer.from([0xff, 0xff, 0xff]) }]), limits);
    expect(await readRefusal(zip, 'bad')).toBe('corrupt');
  });

  it('refuses a local header that disagrees with the directory', () => {
    const zip = buildZip(files);
    zip.write('A', 30); // the first local header's name: a.txt → A.txt
    expect(refusal(() => ZipReader.open(zip, limits))).toBe('corrupt');
  });

  it('refuses files that are not zips, and truncated ones', () => {
    expect(refusal(() => ZipReader.open(Buffer.from('PK\x03\x04 not really'), limits))).toBe('not_zip');
    const zip = buildZip(files);
    expect(refusal(() => ZipReader.open(zip.subarray(0, zip.length - 1), limits))).toBe('not_zip');
    expect(refusal(() => ZipReader.open(zip.subarray(40), limits))).toBe('corrupt');
  });

  it('refuses ZIP64 archives (no honest workbook of a few MB needs one)', () => {
    const zip = buildZip(files);
    zip.writeUInt32LE(0xffffffff, zip.length - 6); // directory offset
    expect(refusal(() => ZipReader.open(zip, limits))).toBe('unsupported');
  });

  it('ends the inflation when the reader stops early', async () => {
    const zip = ZipReader.open(buildZip([{ name: 'bomb', data: '', raw: deflateBomb(400), declaredSize: 10 }]), {
      ...limits,
      maxUnzippedBytes: 1024 * 1024 * 1024,
    });
    let seen = 0;
    for await (const chunk of zip.read(zip.find('bomb')!)) {
      seen += chunk.length;
      if (seen > 1024 * 1024) break;
    }
    expect(seen).toBeLessThan(2 * 1024 * 1024);
  });
});
