import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import type { EducationLevel, Proficiency } from './user.types';

/** One data row of an import file, keyed by our field names; `row` is the spreadsheet row number (header is 1). */
export interface ImportRow {
  row: number;
  fields: Partial<Record<ImportField, string>>;
}

export type ImportField =
  'username' | 'displayName' | 'password' | 'phone' | 'email' | 'education' | 'proficiency' | 'orgUnitCode' | 'orgUnit';

export class ImportFileError extends Error {}

export const MAX_IMPORT_ROWS = 5000;
/**
 * Lines (CSV) or rows (XLSX) read at most, blank ones included: the data rows, the header
 * and room for blank rows and cells spanning lines. Checked before parsing, so a file of
 * millions of blank lines is refused at once instead of blocking the event loop.
 */
const MAX_IMPORT_LINES = MAX_IMPORT_ROWS + 1000;
/** Columns read at most: every row is walked column by column. */
const MAX_IMPORT_COLUMNS = 200;
/** Unzipped size of a workbook read at most: ExcelJS holds the whole workbook in memory while loading it. */
const MAX_XLSX_UNZIPPED_BYTES = 20 * 1024 * 1024;

const tooManyLines = () =>
  new ImportFileError(
    `At most ${MAX_IMPORT_ROWS} rows can be imported at once (the file has more than ${MAX_IMPORT_LINES} lines, blank ones included)`,
  );
const tooManyColumns = () => new ImportFileError(`The file has more than ${MAX_IMPORT_COLUMNS} columns`);

/** Column headers as people write them, in English or Chinese (compared without case, spaces or punctuation). */
const HEADER_ALIASES: Record<ImportField, string[]> = {
  username: ['username', 'user', 'login', '用户名', '账号', '帐号', '登录名'],
  displayName: ['displayname', 'name', 'fullname', '姓名', '名字'],
  password: ['password', '密码', '初始密码'],
  phone: ['phone', 'mobile', 'tel', '手机', '手机号', '手机号码', '电话', '联系电话'],
  email: ['email', 'mail', '邮箱', '电子邮箱', '电子邮件'],
  education: ['education', '学历', '文化程度'],
  proficiency: ['proficiency', 'computerproficiency', '计算机水平', '计算机能力', '电脑水平', '计算机熟练程度'],
  orgUnitCode: ['orgunitcode', 'unitcode', 'code', '单位编码', '单位代码'],
  orgUnit: ['orgunit', 'orgunitname', 'unit', 'township', 'village', '单位', '所属单位', '乡镇', '村', '服务点'],
};

function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）*]/g, '');
}

const HEADER_LOOKUP = new Map<string, ImportField>(
  (Object.entries(HEADER_ALIASES) as [ImportField, string[]][]).flatMap(([field, aliases]) =>
    aliases.map((a) => [normaliseHeader(a), field] as const),
  ),
);

const EDUCATION_WORDS = new Map(
  Object.entries<EducationLevel>({
    primary: 'primary',
    小学: 'primary',
    secondary: 'secondary',
    初中: 'secondary',
    高中: 'secondary',
    中专: 'secondary',
    职高: 'secondary',
    技校: 'secondary',
    tertiary: 'tertiary',
    大专: 'tertiary',
    专科: 'tertiary',
    本科: 'tertiary',
    大学: 'tertiary',
    研究生: 'tertiary',
    硕士: 'tertiary',
    博士: 'tertiary',
  }),
);

const PROFICIENCY_WORDS = new Map(
  Object.entries<Proficiency>({
    none: 'none',
    无: 'none',
    不会: 'none',
    basic: 'basic',
    基础: 'basic',
    入门: 'basic',
    初级: 'basic',
    intermediate: 'intermediate',
    中级: 'intermediate',
    一般: 'intermediate',
    熟练: 'intermediate',
    advanced: 'advanced',
    高级: 'advanced',
    精通: 'advanced',
  }),
);

/** Maps an English or Chinese education word to our band; undefined when unknown (a Map: no prototype keys). */
export function educationFrom(value: string): EducationLevel | undefined {
  return EDUCATION_WORDS.get(value.trim().toLowerCase());
}

export function proficiencyFrom(value: string): Proficiency | undefined {
  return PROFICIENCY_WORDS.get(value.trim().toLowerCase());
}

/**
 * Decodes a CSV as Chinese Excel saves it: UTF-8 (with or without BOM), or GB18030
 * (the superset of GBK/GB2312) when the bytes are not valid UTF-8.
 */
export function decodeCsv(buffer: Buffer): string {
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
    return buffer.subarray(3).toString('utf8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return iconv.decode(buffer, 'gb18030');
  }
}

function isZip(buffer: Buffer): boolean {
  return buffer.length > 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04;
}

function isLegacyXls(buffer: Buffer): boolean {
  return buffer.length > 4 && buffer[0] === 0xd0 && buffer[1] === 0xcf && buffer[2] === 0x11 && buffer[3] === 0xe0;
}

/**
 * The unzipped size a zip declares for its files, read from its central directory without
 * unzipping anything. (A ZIP64 size reads as 4 GiB, so it is refused as too large.)
 */
function declaredUnzippedBytes(zip: Buffer): number {
  const END_OF_DIRECTORY = 0x06054b50;
  const DIRECTORY_ENTRY = 0x02014b50;
  // The end-of-directory record is 22 bytes plus a comment of at most 64 KiB.
  let end = zip.length - 22;
  while (end >= Math.max(0, zip.length - 22 - 0xffff) && zip.readUInt32LE(end) !== END_OF_DIRECTORY) end--;
  if (end < 0 || zip.readUInt32LE(end) !== END_OF_DIRECTORY) throw new RangeError('no zip directory');
  let offset = zip.readUInt32LE(end + 16);
  let total = 0;
  for (let entries = zip.readUInt16LE(end + 10); entries > 0; entries--) {
    if (zip.readUInt32LE(offset) !== DIRECTORY_ENTRY) throw new RangeError('broken zip directory');
    total += zip.readUInt32LE(offset + 24);
    offset += 46 + zip.readUInt16LE(offset + 28) + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return total;
}

/** Whether a text has more than `max` lines, whatever its line endings (CRLF, LF or CR alone). */
function hasMoreLinesThan(text: string, max: number): boolean {
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lf++;
    else if (c === 13) cr++;
    if (lf >= max || cr >= max) return true;
  }
  return false;
}

async function readXlsx(buffer: Buffer): Promise<string[][]> {
  let unzipped: number;
  try {
    unzipped = declaredUnzippedBytes(buffer);
  } catch {
    throw new ImportFileError('The file is not a readable XLSX workbook');
  }
  if (unzipped > MAX_XLSX_UNZIPPED_BYTES) {
    throw new ImportFileError(`The workbook unzips to more than ${MAX_XLSX_UNZIPPED_BYTES / 1024 / 1024} MB`);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new ImportFileError('The file is not a readable XLSX workbook');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ImportFileError('The workbook has no sheet');
  // rowCount is the last row's number: eachRow with includeEmpty visits every row up to it.
  if (sheet.rowCount > MAX_IMPORT_LINES) throw tooManyLines();
  if (sheet.columnCount > MAX_IMPORT_COLUMNS) throw tooManyColumns();
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      // Excel stores a NUL as _x0000_; PostgreSQL text cannot hold one.
      cells[col - 1] = (cell.text ?? '').replaceAll('\u0000', '');
    });
    table[rowNumber - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(table, (r) => r ?? []);
}

function readCsv(buffer: Buffer): string[][] {
  const text = decodeCsv(buffer);
  if (text.includes('\u0000')) throw new ImportFileError('The file is neither CSV nor XLSX');
  if (hasMoreLinesThan(text, MAX_IMPORT_LINES)) throw tooManyLines();
  let table: string[][];
  try {
    table = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true });
  } catch (e) {
    throw new ImportFileError(`The CSV cannot be read: ${(e as Error).message}`);
  }
  if (table.some((row) => row.length > MAX_IMPORT_COLUMNS)) throw tooManyColumns();
  return table;
}

async function readTable(buffer: Buffer): Promise<string[][]> {
  if (isLegacyXls(buffer)) throw new ImportFileError('Old .xls files are not supported: save as .xlsx or .csv');
  return isZip(buffer) ? readXlsx(buffer) : readCsv(buffer);
}

/** Reads a CSV or XLSX of users into rows keyed by field; unknown columns are ignored. */
export async function parseUserImport(buffer: Buffer): Promise<{ rows: ImportRow[]; columns: ImportField[] }> {
  if (buffer.length === 0) throw new ImportFileError('The file is empty');
  const table = await readTable(buffer);
  const header = table[0] ?? [];
  const columns = header.map((h) => HEADER_LOOKUP.get(normaliseHeader(String(h))));
  const known = columns.filter((c): c is ImportField => c !== undefined);
  if (!known.includes('displayName') || (!known.includes('username') && !known.includes('phone'))) {
    throw new ImportFileError(
      'The first row must name the columns: at least displayName (姓名) and username (用户名) or phone (手机号)',
    );
  }
  const rows: ImportRow[] = [];
  for (let i = 1; i < table.length; i++) {
    const cells = table[i] ?? [];
    if (cells.every((c) => String(c ?? '').trim() === '')) continue;
    const fields: ImportRow['fields'] = {};
    columns.forEach((field, col) => {
      const value = String(cells[col] ?? '').trim();
      if (field && value !== '') fields[field] = value;
    });
    rows.push({ row: i + 1, fields });
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new ImportFileError(`At most ${MAX_IMPORT_ROWS} rows can be imported at once (got ${rows.length})`);
  }
  return { rows, columns: known };
}
