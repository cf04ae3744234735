import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { readFirstSheet, type SheetRow, XlsxError } from './xlsx-reader';

export type { SheetRow } from './xlsx-reader';

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

/** How much of a file an import reads at most. */
export interface TableLimits {
  /** Data rows (not blank) imported at once at most: see `tooManyRows`. */
  maxRows: number;
  /**
   * Lines (CSV) or rows (XLSX) read at most, blank ones included: the data rows, the header
   * and room for blank rows and cells spanning lines. Checked before parsing, so a file of
   * millions of blank lines is refused at once instead of blocking the event loop.
   */
  maxLines: number;
  /** Columns read at most: every row is walked column by column. */
  maxColumns: number;
}

/** Bytes inflated from a workbook at most, counted as they are inflated (the sizes it declares may lie). */
const MAX_XLSX_UNZIPPED_BYTES = 20 * 1024 * 1024;
/** Files inside a workbook at most: a sheet has two or three, a picture one. */
const MAX_XLSX_ENTRIES = 1000;

const tooManyLines = (limits: TableLimits) =>
  new ImportFileError(
    `At most ${limits.maxRows} rows can be imported at once (the file has more than ${limits.maxLines} lines, blank ones included)`,
    'tooManyLines',
    { maxRows: limits.maxRows, maxLines: limits.maxLines },
  );
const tooManyColumns = (limits: TableLimits) =>
  new ImportFileError(`The file has more than ${limits.maxColumns} columns`, 'tooManyColumns', {
    max: limits.maxColumns,
  });

/** The refusal of a file with more than `max` data rows. */
export const tooManyRows = (max: number) =>
  new ImportFileError(`At most ${max} rows can be imported at once (the file has more)`, 'tooManyRows', { max });

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

async function* readXlsx(buffer: Buffer, limits: TableLimits): AsyncGenerator<SheetRow> {
  try {
    yield* readFirstSheet(buffer, {
      maxUnzippedBytes: MAX_XLSX_UNZIPPED_BYTES,
      maxEntries: MAX_XLSX_ENTRIES,
      maxRows: limits.maxLines,
      maxColumns: limits.maxColumns,
    });
  } catch (e) {
    if (!(e instanceof XlsxError)) throw e;
    switch (e.reason) {
      case 'too_many_rows':
        throw tooManyLines(limits);
      case 'too_many_columns':
        throw tooManyColumns(limits);
      case 'too_large':
        throw new ImportFileError(e.message, 'tooLarge', { mb: MAX_XLSX_UNZIPPED_BYTES / 1024 / 1024 });
      case 'unreadable':
        throw new ImportFileError(e.message, 'unreadable');
    }
  }
}

function readCsv(buffer: Buffer, limits: TableLimits): SheetRow[] {
  // Excel's "Unicode text": every other byte is NUL, which would otherwise pass for binary.
  if (startsWith(buffer, 0xff, 0xfe) || startsWith(buffer, 0xfe, 0xff)) {
    throw new ImportFileError('UTF-16 ("Unicode") text files are not supported: save the file as "CSV UTF-8"', 'utf16');
  }
  if (buffer.includes(0)) throw new ImportFileError('The file is neither CSV nor XLSX', 'binary');
  if (hasMoreLinesThan(buffer, limits.maxLines)) throw tooManyLines(limits);
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
  if (table.some((row) => row.length > limits.maxColumns)) throw tooManyColumns(limits);
  return table.map((cells, i) => ({ row: i + 1, cells }));
}

/**
 * The rows of an import file as text, in order: a CSV (UTF-8 or GB18030) or the first sheet
 * of an XLSX workbook, told apart by their bytes. Refuses (ImportFileError) an empty file, an
 * old .xls, and a file past the line or column limits; the caller counts data rows against
 * `maxRows` (blank rows do not count) and throws `tooManyRows` past it.
 */
export function readTable(buffer: Buffer, limits: TableLimits): AsyncIterable<SheetRow> | Iterable<SheetRow> {
  if (buffer.length === 0) throw new ImportFileError('The file is empty', 'empty');
  if (isLegacyXls(buffer)) {
    // Password-protected .xlsx files are wrapped the same way as old .xls ones.
    throw new ImportFileError(
      'Old .xls files and password-protected workbooks are not supported: save as .xlsx or .csv',
      'xls',
    );
  }
  return isZip(buffer) ? readXlsx(buffer, limits) : readCsv(buffer, limits);
}
