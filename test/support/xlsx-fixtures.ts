import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Hand-built zip archives and workbooks for the import tests: a real spreadsheet program
 * cannot write a lying, encrypted or bomb archive, and building big sheets by string is fast.
 */
export interface ZipFile {
  name: string;
  data: Buffer | string;
  /** 8 (deflate, the default) or 0 (stored); anything else is written as is, to be refused. */
  method?: number;
  /** Compressed bytes to write instead of compressing `data` (a bomb); sizes and CRC then come from the fields below. */
  raw?: Buffer;
  declaredSize?: number;
  crc?: number;
  flags?: number;
  /** Write this entry's directory record pointing at another entry's local header (an overlapping archive). */
  sameDataAs?: string;
}

export function buildZip(files: ZipFile[], options: { declaredCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const file of files) {
    const data = Buffer.from(file.data);
    const method = file.method ?? 8;
    // Level 1: the tests build sheets of many MB, and the ratio does not matter to them.
    const body = file.raw ?? (method === 8 ? deflateRawSync(data, { level: 1 }) : data);
    const crc = file.crc ?? crc32(data);
    const size = file.declaredSize ?? data.length;
    const name = Buffer.from(file.name);
    const fields = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at); // version needed
      header.writeUInt16LE(file.flags ?? 0, at + 2);
      header.writeUInt16LE(method, at + 4);
      header.writeUInt16LE(0, at + 6); // time
      header.writeUInt16LE(0x21, at + 8); // date: 1980-01-01
      header.writeUInt32LE(crc, at + 10);
      header.writeUInt32LE(body.length, at + 14);
      header.writeUInt32LE(size, at + 18);
      header.writeUInt16LE(name.length, at + 22);
    };
    let localOffset = offsets.get(file.sameDataAs ?? '');
    if (localOffset === undefined) {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      fields(local, 4);
      localOffset = offset;
      offsets.set(file.name, offset);
      locals.push(local, name, body);
      offset += local.length + name.length + body.length;
    }
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    fields(entry, 6);
    entry.writeUInt32LE(localOffset, 42);
    directory.push(entry, name);
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = options.declaredCount ?? files.length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

/**
 * Raw deflate data for `prefix`, then `unit` repeated to about `mib` MiB, then `suffix`, without
 * ever holding the inflated text: a fully flushed block forgets what came before, so one
 * compressed 1 MiB block can be repeated as is. 400 MiB of one byte compress to ~410 KB.
 */
export function deflateBomb(mib: number, unit = 'a', prefix = '', suffix = ''): Buffer {
  const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.from(unit.repeat(Math.floor((1024 * 1024) / unit.length))), flush);
  return Buffer.concat([
    deflateRawSync(Buffer.from(prefix), flush),
    ...Array<Buffer>(mib).fill(block),
    deflateRawSync(Buffer.from(suffix)),
  ]);
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const SHEET_OPEN =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>';
const SHEET_CLOSE = '</sheetData></worksheet>';

/** A worksheet part from rows of cells; strings go into `shared` (as Excel writes them), numbers stay numbers. */
export function sheetXml(rows: (string | number)[][], shared: string[]): string {
  const index = new Map(shared.map((s, i) => [s, i]));
  const body = rows.map((cells, r) => {
    const xml = cells.map((value, c) => {
      const ref = `${columnName(c + 1)}${r + 1}`;
      if (typeof value === 'number') return `<c r="${ref}"><v>${value}</v></c>`;
      let i = index.get(value);
      if (i === undefined) {
        i = shared.push(value) - 1;
        index.set(value, i);
      }
      return `<c r="${ref}" t="s"><v>${i}</v></c>`;
    });
    return `<row r="${r + 1}">${xml.join('')}</row>`;
  });
  return `${SHEET_OPEN}${body.join('')}${SHEET_CLOSE}`;
}

export function sheetXmlWith(sheetData: string): string {
  return `${SHEET_OPEN}${sheetData}${SHEET_CLOSE}`;
}

export function columnName(column: number): string {
  let name = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The parts of a one-sheet workbook, in the order Excel writes them (sheet before shared strings). */
export function workbookFiles(sheet: string | ZipFile, shared?: string[]): ZipFile[] {
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const rel = (id: string, type: string, target: string) =>
    `<Relationship Id="${id}" Type="${ns}/${type}" Target="${target}"/>`;
  const rels = (...items: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items.join('')}</Relationships>`;
  const files: ZipFile[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types/>' },
    { name: '_rels/.rels', data: rels(rel('rId1', 'officeDocument', 'xl/workbook.xml')) },
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        `xmlns:r="${ns}"><sheets><sheet name="学员" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: rels(
        rel('rId1', 'worksheet', 'worksheets/sheet1.xml'),
        ...(shared ? [rel('rId2', 'sharedStrings', 'sharedStrings.xml')] : []),
      ),
    },
    typeof sheet === 'string' ? { name: 'xl/worksheets/sheet1.xml', data: sheet } : sheet,
  ];
  if (shared) {
    const items = shared.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('');
    files.push({
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}" uniqueCount="${shared.length}">${items}</sst>`,
    });
  }
  return files;
}

/** A one-sheet workbook from rows, as Excel would store them (shared strings). */
export function buildXlsx(rows: (string | number)[][]): Buffer {
  const shared: string[] = [];
  const sheet = sheetXml(rows, shared);
  return buildZip(workbookFiles(sheet, shared));
}
