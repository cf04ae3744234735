import { posix } from 'node:path';
import { XmlError, type XmlEvent, XmlScanner } from './xml-scanner';
import { type ZipEntry, ZipError, ZipReader } from './zip-reader';

export type XlsxErrorReason = 'unreadable' | 'too_large' | 'too_many_rows' | 'too_many_columns';

export class XlsxError extends Error {
  constructor(
    readonly reason: XlsxErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface XlsxLimits {
  /** Bytes inflated at most, all parts read together. */
  maxUnzippedBytes: number;
  /** Files in the archive at most. */
  maxEntries: number;
  /** Highest row number read. */
  maxRows: number;
  /** Highest column number read. */
  maxColumns: number;
}

/** One row of a sheet as text, `cells[0]` being column A; `row` is the spreadsheet row number. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** Excel's own limit for the text of one cell. */
const MAX_CELL_CHARS = 32767;

const unreadable = (detail: string) =>
  new XlsxError('unreadable', `The file is not a readable XLSX workbook: ${detail}`);

/** Cell text as Excel escapes it: `_x000D_` is a character, and a NUL cannot go into PostgreSQL. */
function cleanText(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replaceAll('\u0000', '');
}

function appendCapped(text: string, more: string): string {
  if (text.length + more.length > MAX_CELL_CHARS)
    throw unreadable(`a cell holds more than ${MAX_CELL_CHARS} characters`);
  return text + more;
}

/** "AB12" → 28. */
function columnOf(reference: string): number {
  const letters = /^([A-Za-z]{1,3})\d*$/.exec(reference)?.[1];
  if (!letters) throw unreadable(`bad cell reference "${reference.slice(0, 20)}"`);
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + letter.charCodeAt(0) - 64;
  return column;
}

/** The XML events of one part, a batch per inflated chunk: the caller can stop between chunks. */
async function* partEvents(zip: ZipReader, entry: ZipEntry): AsyncGenerator<XmlEvent[]> {
  const scanner = new XmlScanner();
  for await (const chunk of zip.read(entry)) yield scanner.write(chunk);
  yield scanner.end();
}

interface Relationship {
  id: string;
  type: string;
  /** The part it points to, as a path inside the archive. */
  target: string;
}

/** The relationships of a part (`''` for the package itself), with targets resolved to archive paths. */
async function relationships(zip: ZipReader, source: string): Promise<Relationship[]> {
  const folder = posix.dirname(source);
  const entry = zip.find(source === '' ? '_rels/.rels' : posix.join(folder, '_rels', `${posix.basename(source)}.rels`));
  if (!entry) return [];
  const found: Relationship[] = [];
  for await (const events of partEvents(zip, entry)) {
    for (const e of events) {
      if (e.type !== 'open' || e.name !== 'Relationship' || e.attributes.get('TargetMode') === 'External') continue;
      const target = e.attributes.get('Target') ?? '';
      found.push({
        id: e.attributes.get('Id') ?? '',
        type: e.attributes.get('Type') ?? '',
        target: posix.normalize(target.startsWith('/') ? target.slice(1) : posix.join(folder, target)),
      });
    }
  }
  return found;
}

/** The relationship id of the workbook's first sheet (its first tab), if it has one. */
async function firstSheetId(zip: ZipReader, workbook: ZipEntry): Promise<string | undefined> {
  let id: string | undefined;
  let inSheets = false;
  for await (const events of partEvents(zip, workbook)) {
    for (const e of events) {
      if (e.type === 'open' && e.name === 'sheets') inSheets = true;
      else if (e.type === 'close' && e.name === 'sheets') inSheets = false;
      else if (e.type === 'open' && e.name === 'sheet' && inSheets) id ??= e.attributes.get('id');
    }
  }
  return id;
}

/** The shared-string table: every `<si>`, its runs joined, phonetic guides (`<rPh>`) left out. */
async function sharedStrings(zip: ZipReader, entry: ZipEntry): Promise<string[]> {
  const strings: string[] = [];
  let text: string | undefined;
  let inText = false;
  let phonetic = 0;
  for await (const events of partEvents(zip, entry)) {
    for (const e of events) {
      if (e.type === 'text') {
        if (text !== undefined && inText && phonetic === 0) text = appendCapped(text, e.text);
        continue;
      }
      const opens = e.type === 'open';
      if (e.name === 'si') {
        if (!opens && text !== undefined) strings.push(cleanText(text));
        text = opens ? '' : undefined;
      } else if (e.name === 't') {
        inText = opens;
      } else if (e.name === 'rPh') {
        phonetic = Math.max(0, phonetic + (opens ? 1 : -1));
      }
    }
  }
  return strings;
}

/** Turns the events of a worksheet into rows, refusing as soon as a limit is passed. */
class SheetRows {
  /** Rows completed and not yet handed out. */
  readonly done: SheetRow[] = [];
  private inSheetData = false;
  private lastRow = 0;
  private row: { number: number; cells: string[]; lastColumn: number } | undefined;
  private cell: { column: number; type: string; value: string } | undefined;
  private inInlineString = false;
  private collecting = false;
  private phonetic = 0;

  constructor(
    private readonly shared: readonly string[],
    private readonly limits: XlsxLimits,
  ) {}

  take(e: XmlEvent): void {
    if (e.type === 'text') {
      if (this.cell && this.collecting && this.phonetic === 0) this.cell.value = appendCapped(this.cell.value, e.text);
    } else if (e.type === 'open') {
      this.open(e.name, e.attributes);
    } else {
      this.close(e.name);
    }
  }

  private open(name: string, attributes: ReadonlyMap<string, string>): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        break;
      case 'row': {
        if (!this.inSheetData) break;
        const r = attributes.get('r');
        const number = r === undefined ? this.lastRow + 1 : Number(r);
        // Excel writes rows in order; one number twice would give two rows of one number.
        if (!Number.isInteger(number) || number <= this.lastRow) throw unreadable('its rows are out of order');
        if (number > this.limits.maxRows) {
          throw new XlsxError('too_many_rows', `The sheet has rows beyond row ${this.limits.maxRows}`);
        }
        this.row = { number, cells: [], lastColumn: 0 };
        break;
      }
      case 'c': {
        if (!this.row) break;
        const r = attributes.get('r');
        const column = r === undefined ? this.row.lastColumn + 1 : columnOf(r);
        if (column > this.limits.maxColumns) {
          throw new XlsxError('too_many_columns', `The sheet has cells beyond column ${this.limits.maxColumns}`);
        }
        this.row.lastColumn = column;
        this.cell = { column, type: attributes.get('t') ?? 'n', value: '' };
        break;
      }
      case 'v':
        this.collecting = this.cell !== undefined;
        break;
      case 'is':
        this.inInlineString = this.cell !== undefined;
        break;
      case 't':
        this.collecting = this.inInlineString;
        break;
      case 'rPh':
        this.phonetic++;
        break;
      default:
        break;
    }
  }

  private close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.collecting = false;
        break;
      case 'is':
        this.inInlineString = false;
        break;
      case 'rPh':
        this.phonetic = Math.max(0, this.phonetic - 1);
        break;
      case 'c':
        if (this.row && this.cell) this.row.cells[this.cell.column - 1] = this.text(this.cell);
        this.cell = undefined;
        break;
      case 'row':
        if (!this.row) break;
        this.done.push({ row: this.row.number, cells: Array.from(this.row.cells, (c) => c ?? '') });
        this.lastRow = this.row.number;
        this.row = undefined;
        break;
      case 'sheetData':
        this.inSheetData = false;
        break;
      default:
        break;
    }
  }

  /** A cell's value as the text Excel shows for it (numbers without their display format). */
  private text({ type, value }: { type: string; value: string }): string {
    if (value === '') return '';
    switch (type) {
      case 's': {
        const shared = this.shared[Number(value)];
        if (shared === undefined) throw unreadable('a cell refers to a shared string that does not exist');
        return shared;
      }
      case 'b':
        return value === '1' ? 'TRUE' : value === '0' ? 'FALSE' : value;
      case 'n': {
        // A phone stored as a number comes back as its digits, whether written 13800138000 or 1.38001380E+10.
        const number = Number(value);
        return Number.isFinite(number) ? String(number) : value;
      }
      default:
        // 'inlineStr', 'str' (a formula's text), 'e' (#N/A…), 'd' (an ISO date).
        return cleanText(value);
    }
  }
}

async function* sheetRows(
  zip: ZipReader,
  sheet: ZipEntry,
  shared: readonly string[],
  limits: XlsxLimits,
): AsyncGenerator<SheetRow> {
  const rows = new SheetRows(shared, limits);
  for await (const events of partEvents(zip, sheet)) {
    for (const e of events) rows.take(e);
    yield* rows.done.splice(0);
  }
}

function fromZipError(e: ZipError, limits: XlsxLimits): XlsxError {
  switch (e.reason) {
    case 'too_large':
      return new XlsxError('too_large', `The workbook unzips to more than ${limits.maxUnzippedBytes / 1024 / 1024} MB`);
    case 'not_zip':
    case 'corrupt':
    case 'unsupported':
    case 'too_many_entries':
      return unreadable(e.message);
  }
}

/**
 * Streams the rows of a workbook's first sheet (its first tab), as text, in order; blank
 * rows Excel did not write are skipped. Only the parts needed are inflated: the package and
 * workbook relationships, the workbook, the shared strings and that sheet, under one cap on
 * the bytes inflated. A limit passed while reading ends it at once; so does the caller
 * stopping its loop.
 */
export async function* readFirstSheet(file: Buffer, limits: XlsxLimits): AsyncGenerator<SheetRow> {
  try {
    const zip = ZipReader.open(file, limits);
    const workbookPath =
      (await relationships(zip, '')).find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
    const workbook = zip.find(workbookPath);
    if (!workbook) throw unreadable('it has no workbook part');
    const sheetId = await firstSheetId(zip, workbook);
    if (sheetId === undefined) throw new XlsxError('unreadable', 'The workbook has no sheet');
    const parts = await relationships(zip, workbookPath);
    const sheetPath = parts.find((r) => r.id === sheetId)?.target;
    const sheet = sheetPath === undefined ? undefined : zip.find(sheetPath);
    if (!sheet) throw unreadable('its first sheet is missing');
    const sharedPath = parts.find((r) => r.type.endsWith('/sharedStrings'))?.target;
    const sharedEntry = sharedPath === undefined ? undefined : zip.find(sharedPath);
    const shared = sharedEntry ? await sharedStrings(zip, sharedEntry) : [];
    yield* sheetRows(zip, sheet, shared, limits);
  } catch (e) {
    if (e instanceof ZipError) throw fromZipError(e, limits);
    if (e instanceof XmlError) throw unreadable(e.message);
    throw e;
  }
}
