import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import type { EducationLevel, Proficiency } from './user.types';
import { readFirstSheet, type SheetRow, XlsxError } from './xlsx-reader';

/** One data row of an import file, keyed by our field names; `row` is the spreadsheet row number (header is 1). */
export interface ImportRow {
  row: number;
  fields: Partial<Record<ImportField, string>>;
}

export type ImportField =
  'username' | 'displayName' | 'password' | 'phone' | 'email' | 'education' | 'proficiency' | 'orgUnitCode' | 'orgUnit';

/**
 * A file that cannot be imported: an English message for logs and tests, and the reason's
 * key (`IMPORT_INVALID_FILE#<reason>` among the `errors` translations) with what it quotes.
 */
export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly args: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export const MAX_IMPORT_ROWS = 5000;
/**
 * Lines (CSV) or rows (XLSX) read at most, blank ones included: the data rows, the header
 * and room for blank rows and cells spanning lines. Checked before parsing, so a file of
 * millions of blank lines is refused at once instead of blocking the event loop.
 */
const MAX_IMPORT_LINES = MAX_IMPORT_ROWS + 1000;
/** Columns read at most: every row is walked column by column. */
const MAX_IMPORT_COLUMNS = 200;
/** Bytes inflated from a workbook at most, counted as they are inflated (the sizes it declares may lie). */
const MAX_XLSX_UNZIPPED_BYTES = 20 * 1024 * 1024;
/** Files inside a workbook at most: a sheet has two or three, a picture one. */
const MAX_XLSX_ENTRIES = 1000;

const tooManyLines = () =>
  new ImportFileError(
    `At most ${MAX_IMPORT_ROWS} rows can be imported at once (the file has more than ${MAX_IMPORT_LINES} lines, blank ones included)`,
    'tooManyLines',
    { maxRows: MAX_IMPORT_ROWS, maxLines: MAX_IMPORT_LINES },
  );
const tooManyColumns = () =>
  new ImportFileError(`The file has more than ${MAX_IMPORT_COLUMNS} columns`, 'tooManyColumns', {
    max: MAX_IMPORT_COLUMNS,
  });

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

function startsWith(buffer: Buffer, ...bytes: number[]): boolean {
  return buffer.length >= bytes.length && bytes.every((b, i) => buffer[i] === b);
}

const gb18030 = () => new TextDecoder('gb18030', { fatal: true });

function isGb18030(bytes: Uint8Array): boolean {
  try {
    gb18030().decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Where each line of a text starts, whatever its line endings (CRLF, LF or CR alone). */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) i++;
    if (bytes[i] === 10 || bytes[i] === 13) starts.push(i + 1);
  }
  return starts;
}

/**
 * The spreadsheet row a line of a CSV belongs to: a quoted cell may span lines. `before` is
 * the text of the lines above it (readable: it is the first line that is not).
 */
function rowOfLine(before: string): number {
  let row = 1;
  let quoted = false;
  for (let i = 0; i < before.length; i++) {
    const c = before.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && (c === 10 || (c === 13 && before.charCodeAt(i + 1) !== 10))) row++;
  }
  return row;
}

/** A CSV's lines as bytes; the encodings read here never use CR or LF inside a character. */
function splitLines(bytes: Buffer): { starts: number[]; lines: Buffer[] } {
  const starts = lineStarts(bytes);
  return { starts, lines: starts.map((start, i) => bytes.subarray(start, starts[i + 1] ?? bytes.length)) };
}

/** The refusal of a CSV whose line `index` (0-based) is the first that `encoding` cannot read. */
function unreadableCsv(
  bytes: Buffer,
  starts: number[],
  index: number,
  encoding: 'utf8' | 'gb18030',
  bom: boolean,
): ImportFileError {
  const before = bytes.subarray(0, starts[index]);
  const row = rowOfLine(encoding === 'utf8' ? before.toString('utf8') : gb18030().decode(before));
  const where = row === index + 1 ? `row ${row}` : `row ${row} (line ${index + 1} of the file)`;
  const opening = bom
    ? 'The file starts as UTF-8 but'
    : encoding === 'utf8'
      ? 'The file is UTF-8 text but'
      : 'The file is neither UTF-8 nor GB18030 text:';
  const name = encoding === 'utf8' ? 'UTF-8' : 'GB18030 (GBK)';
  return new ImportFileError(
    `${opening} ${where} has bytes that are not valid ${name}. Fix that row, or save the file again as "CSV UTF-8"`,
    row === index + 1 ? 'encoding' : 'encodingLine',
    { row, line: index + 1, encoding: name },
  );
}

/**
 * Decodes a CSV as Chinese Excel saves it: UTF-8 (with or without BOM), or GB18030 (the
 * superset of GBK/GB2312) when the bytes are not valid UTF-8. Bytes that cannot be read are
 * refused, naming their row, rather than turned into U+FFFD or mojibake in somebody's name.
 */
export function decodeCsv(buffer: Buffer): string {
  const bom = startsWith(buffer, 0xef, 0xbb, 0xbf);
  const bytes = bom ? buffer.subarray(3) : buffer;
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const { starts, lines } = splitLines(bytes);
  const badUtf8 = lines.flatMap((line, i) => (isUtf8(line) ? [] : [i]));
  // Chinese text in GBK is almost never valid UTF-8 by chance, so a file whose other Chinese
  // lines are UTF-8 is a UTF-8 file with a damaged (or pasted-in GBK) row. Read as GB18030,
  // its UTF-8 rows could still decode without an error, as mojibake.
  const utf8Chinese = lines.filter((line) => line.some((b) => b >= 0x80) && isUtf8(line)).length;
  if (bom || utf8Chinese > badUtf8.length) throw unreadableCsv(bytes, starts, badUtf8[0], 'utf8', bom);
  try {
    return gb18030().decode(bytes);
  } catch {
    // Neither reads it: name the first bad row in the encoding that reads more of the file.
  }
  const badGb18030 = lines.flatMap((line, i) => (isGb18030(line) ? [] : [i]));
  if (badUtf8.length < badGb18030.length) throw unreadableCsv(bytes, starts, badUtf8[0], 'utf8', false);
  throw unreadableCsv(bytes, starts, badGb18030[0] ?? 0, 'gb18030', false);
}

function isZip(buffer: Buffer): boolean {
  return buffer.length > 4 && startsWith(buffer, 0x50, 0x4b, 0x03, 0x04);
}

function isLegacyXls(buffer: Buffer): boolean {
  return buffer.length > 4 && startsWith(buffer, 0xd0, 0xcf, 0x11, 0xe0);
}

/**
 * Whether a file has more than `max` lines, whatever its line endings (CRLF, LF or CR alone).
 * Counted on the bytes: in UTF-8 and GB18030 alike, CR and LF never occur inside a character.
 */
function hasMoreLinesThan(bytes: Buffer, max: number): boolean {
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 10) lf++;
    else if (c === 13) cr++;
    if (lf >= max || cr >= max) return true;
  }
  return false;
}

/**
 * Bytes one CSV line may hold: a row of 200 columns of names, phones and units is a few KB.
 * Checked before parsing, so one enormous line (a megabyte of commas) is refused at once
 * instead of being parsed into a huge row to count its columns.
 */
const MAX_CSV_LINE_BYTES = 64 * 1024;

function hasLineLongerThan(bytes: Buffer, max: number): boolean {
  let start = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (i - start > max) return true;
    start = i + 1;
  }
  return bytes.length - start > max;
}

async function* readXlsx(buffer: Buffer): AsyncGenerator<SheetRow> {
  try {
    yield* readFirstSheet(buffer, {
      maxUnzippedBytes: MAX_XLSX_UNZIPPED_BYTES,
      maxEntries: MAX_XLSX_ENTRIES,
      maxRows: MAX_IMPORT_LINES,
      maxColumns: MAX_IMPORT_COLUMNS,
    });
  } catch (e) {
    if (!(e instanceof XlsxError)) throw e;
    switch (e.reason) {
      case 'too_many_rows':
        throw tooManyLines();
      case 'too_many_columns':
        throw tooManyColumns();
      case 'too_large':
        throw new ImportFileError(e.message, 'tooLarge', { mb: MAX_XLSX_UNZIPPED_BYTES / 1024 / 1024 });
      case 'unreadable':
        throw new ImportFileError(e.message, 'unreadable');
    }
  }
}

function readCsv(buffer: Buffer): SheetRow[] {
  // Excel's "Unicode text": every other byte is NUL, which would otherwise pass for binary.
  if (startsWith(buffer, 0xff, 0xfe) || startsWith(buffer, 0xfe, 0xff)) {
    throw new ImportFileError('UTF-16 ("Unicode") text files are not supported: save the file as "CSV UTF-8"', 'utf16');
  }
  if (buffer.includes(0)) throw new ImportFileError('The file is neither CSV nor XLSX', 'binary');
  if (hasMoreLinesThan(buffer, MAX_IMPORT_LINES)) throw tooManyLines();
  if (hasLineLongerThan(buffer, MAX_CSV_LINE_BYTES)) {
    throw new ImportFileError(`A line of the file is longer than ${MAX_CSV_LINE_BYTES} bytes`, 'lineTooLong', {
      kb: MAX_CSV_LINE_BYTES / 1024,
    });
  }
  const text = decodeCsv(buffer);
  let table: string[][];
  try {
    table = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true });
  } catch (e) {
    throw new ImportFileError(`The CSV cannot be read: ${(e as Error).message}`, 'csv');
  }
  if (table.some((row) => row.length > MAX_IMPORT_COLUMNS)) throw tooManyColumns();
  return table.map((cells, i) => ({ row: i + 1, cells }));
}

/**
 * Reads a CSV or XLSX of users into rows keyed by field; unknown columns are ignored. Rows
 * are taken as they are read, so a file with too many is refused as soon as it passes the limit.
 */
export async function parseUserImport(buffer: Buffer): Promise<{ rows: ImportRow[]; columns: ImportField[] }> {
  if (buffer.length === 0) throw new ImportFileError('The file is empty', 'empty');
  if (isLegacyXls(buffer)) {
    // Password-protected .xlsx files are wrapped the same way as old .xls ones.
    throw new ImportFileError(
      'Old .xls files and password-protected workbooks are not supported: save as .xlsx or .csv',
      'xls',
    );
  }
  const table = isZip(buffer) ? readXlsx(buffer) : readCsv(buffer);
  let columns: (ImportField | undefined)[] | undefined;
  const rows: ImportRow[] = [];
  for await (const { row, cells } of table) {
    if (columns === undefined) {
      // The header is the sheet's first row: a sheet whose row 1 is blank has none.
      columns = row === 1 ? cells.map((h) => HEADER_LOOKUP.get(normaliseHeader(h))) : [];
      checkHeader(columns);
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    const fields: ImportRow['fields'] = {};
    columns.forEach((field, col) => {
      const value = (cells[col] ?? '').trim();
      if (field && value !== '') fields[field] = value;
    });
    rows.push({ row, fields });
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new ImportFileError(
        `At most ${MAX_IMPORT_ROWS} rows can be imported at once (the file has more)`,
        'tooManyRows',
        { max: MAX_IMPORT_ROWS },
      );
    }
  }
  checkHeader(columns ?? []);
  return { rows, columns: (columns ?? []).filter((c): c is ImportField => c !== undefined) };
}

function checkHeader(columns: (ImportField | undefined)[]): void {
  if (!columns.includes('displayName') || (!columns.includes('username') && !columns.includes('phone'))) {
    throw new ImportFileError(
      'The first row must name the columns: at least displayName (姓名) and username (用户名) or phone (手机号)',
      'header',
    );
  }
}
