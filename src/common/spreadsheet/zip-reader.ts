import { setImmediate as nextTurn } from 'node:timers/promises';
import { crc32, createInflateRaw } from 'node:zlib';

/** Why an archive was refused: `not_zip` and `corrupt` are damaged files, the rest are limits. */
export type ZipErrorReason = 'not_zip' | 'corrupt' | 'unsupported' | 'too_many_entries' | 'too_large';

/** `message` is a lower-case clause, for the caller to put in its own sentence. */
export class ZipError extends Error {
  constructor(
    readonly reason: ZipErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated: the only two methods read. */
  readonly method: 0 | 8;
  readonly crc32: number;
  readonly compressedSize: number;
  /** The size the directory claims; checked against the bytes actually inflated, never trusted. */
  readonly declaredSize: number;
  readonly headerStart: number;
  readonly dataStart: number;
}

export interface ZipLimits {
  /** Central-directory entries read at most. */
  maxEntries: number;
  /** Bytes produced by inflating, all entries read together. */
  maxUnzippedBytes: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_MASKED_DIRECTORY = 0x2000;
/** Inflated bytes per step: each step is one trip to the thread pool, so the event loop runs in between. */
const CHUNK_BYTES = 16 * 1024;

const corrupt = (detail: string) => new ZipError('corrupt', `the archive is damaged: ${detail}`);
const unsupported = (what: string) => new ZipError('unsupported', `the archive uses ${what}, which is not supported`);
/** An entry name as it goes into a message: the archive chose it, so it is quoted and cut short. */
const shown = (name: string) => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);

/** The end-of-directory record: the last one whose comment runs exactly to the end of the file. */
function findEndOfDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY && at + 22 + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  throw new ZipError('not_zip', 'the file is not a zip archive');
}

/**
 * A zip archive held in memory, read from its central directory only. Every entry of the
 * directory is walked and checked against its local header before anything is inflated; the
 * entry count and sizes the archive declares are cross-checked, never relied on. Inflating is
 * capped by the bytes actually produced, for all entries read together, so a small file that
 * inflates to gigabytes (a "zip bomb") is stopped after `maxUnzippedBytes`.
 */
export class ZipReader {
  private unzipped = 0;
  private readonly byName: Map<string, ZipEntry>;

  private constructor(
    private readonly zip: Buffer,
    readonly entries: readonly ZipEntry[],
    private readonly limits: ZipLimits,
  ) {
    // Part names in office files are case-insensitive.
    this.byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  }

  static open(zip: Buffer, limits: ZipLimits): ZipReader {
    if (zip.length < 22) throw new ZipError('not_zip', 'the file is not a zip archive');
    const end = findEndOfDirectory(zip);
    const disk = zip.readUInt16LE(end + 4);
    const directoryDisk = zip.readUInt16LE(end + 6);
    const entriesOnDisk = zip.readUInt16LE(end + 8);
    const entriesDeclared = zip.readUInt16LE(end + 10);
    const directorySize = zip.readUInt32LE(end + 12);
    const directoryStart = zip.readUInt32LE(end + 16);
    if (
      entriesDeclared === 0xffff ||
      directorySize === 0xffffffff ||
      directoryStart === 0xffffffff ||
      (end >= 20 && zip.readUInt32LE(end - 20) === ZIP64_LOCATOR)
    ) {
      throw unsupported('ZIP64');
    }
    if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entriesDeclared) throw unsupported('several disks');
    if (directoryStart + directorySize !== end) throw corrupt('the central directory is not where the archive says');

    const entries: ZipEntry[] = [];
    const names = new Set<string>();
    let declaredTotal = 0;
    // Walk the directory to its end, however many entries the end record claims.
    for (let at = directoryStart; at < end;) {
      if (entries.length === limits.maxEntries) {
        throw new ZipError('too_many_entries', `the archive holds more than ${limits.maxEntries} files`);
      }
      if (at + 46 > end || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw corrupt('broken central directory');
      const flags = zip.readUInt16LE(at + 8);
      const method = zip.readUInt16LE(at + 10);
      const crc = zip.readUInt32LE(at + 16);
      const compressedSize = zip.readUInt32LE(at + 20);
      const declaredSize = zip.readUInt32LE(at + 24);
      const nameLength = zip.readUInt16LE(at + 28);
      const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
      const startDisk = zip.readUInt16LE(at + 34);
      const headerStart = zip.readUInt32LE(at + 42);
      if (next > end || nameLength === 0) throw corrupt('broken central directory');
      const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
      const name = nameBytes.toString('utf8');

      if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_DIRECTORY)) throw unsupported('encryption');
      if (method !== 0 && method !== 8) throw unsupported(`compression method ${method}`);
      if (compressedSize === 0xffffffff || declaredSize === 0xffffffff || headerStart === 0xffffffff) {
        throw unsupported('ZIP64');
      }
      if (startDisk !== 0) throw unsupported('several disks');
      if (method === 0 && compressedSize !== declaredSize) throw corrupt(`${shown(name)} has two sizes`);
      // Two entries of one name would let two readers see two different files.
      if (names.has(name.toLowerCase())) throw corrupt(`${shown(name)} appears twice`);
      names.add(name.toLowerCase());

      // The local header must agree with the directory: some readers trust one, some the other.
      if (headerStart + 30 > directoryStart || zip.readUInt32LE(headerStart) !== LOCAL_HEADER) {
        throw corrupt(`${shown(name)} has no local header`);
      }
      const localNameLength = zip.readUInt16LE(headerStart + 26);
      const localFlags = zip.readUInt16LE(headerStart + 6);
      if (
        !zip.subarray(headerStart + 30, headerStart + 30 + localNameLength).equals(nameBytes) ||
        zip.readUInt16LE(headerStart + 8) !== method ||
        localFlags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)
      ) {
        throw corrupt(`the local header of ${shown(name)} disagrees with the directory`);
      }
      const dataStart = headerStart + 30 + localNameLength + zip.readUInt16LE(headerStart + 28);
      if (dataStart + compressedSize > directoryStart) throw corrupt(`${shown(name)} runs into the directory`);

      entries.push({ name, method, crc32: crc, compressedSize, declaredSize, headerStart, dataStart });
      declaredTotal += declaredSize;
      at = next;
    }
    if (entries.length !== entriesDeclared) {
      throw corrupt(`the archive says it holds ${entriesDeclared} files but its directory lists ${entries.length}`);
    }
    // Entries sharing bytes are how a small archive claims many large files ("overlapping" bombs).
    const byOffset = [...entries].sort((a, b) => a.headerStart - b.headerStart);
    for (let i = 1; i < byOffset.length; i++) {
      const before = byOffset[i - 1];
      if (byOffset[i].headerStart < before.dataStart + before.compressedSize) throw corrupt('files overlap');
    }
    // Declared sizes can only make us refuse earlier (an honest large file), never accept.
    if (declaredTotal > limits.maxUnzippedBytes) throw tooLarge(limits);
    return new ZipReader(zip, entries, limits);
  }

  find(name: string): ZipEntry | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * Inflates one entry chunk by chunk. Throws once the bytes inflated so far, all entries
   * together, pass the limit; and at the end if the entry's size or CRC differs from the
   * directory's. Stopping early (returning from the loop) ends the inflation.
   */
  async *read(entry: ZipEntry): AsyncGenerator<Buffer> {
    const data = this.zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    let produced = 0;
    let crc = 0;
    const count = (chunk: Buffer) => {
      produced += chunk.length;
      this.unzipped += chunk.length;
      if (this.unzipped > this.limits.maxUnzippedBytes) throw tooLarge(this.limits);
      crc = crc32(chunk, crc);
    };
    if (entry.method === 0) {
      for (let at = 0; at < data.length; at += CHUNK_BYTES) {
        const chunk = data.subarray(at, at + CHUNK_BYTES);
        count(chunk);
        yield chunk;
        // Stored bytes are at hand: without this the whole entry would be read in one turn of the event loop.
        await nextTurn();
      }
    } else {
      const inflater = createInflateRaw({ chunkSize: CHUNK_BYTES });
      inflater.end(data);
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          count(chunk);
          yield chunk;
        }
      } catch (e) {
        if (e instanceof ZipError) throw e;
        throw corrupt(`${shown(entry.name)} cannot be inflated`);
      } finally {
        inflater.destroy();
      }
    }
    if (produced !== entry.declaredSize || crc >>> 0 !== entry.crc32)
      throw corrupt(`${shown(entry.name)} fails its checksum`);
  }
}

function tooLarge(limits: ZipLimits): ZipError {
  return new ZipError('too_large', `the archive unzips to more than ${limits.maxUnzippedBytes / 1024 / 1024} MB`);
}
