import { DateTime } from 'luxon';
import { ImportFileError, readTable, tooManyRows } from '../common/spreadsheet/table-reader';
import { isIsoDate } from '../common/time/zoned-time';
import { hasForbiddenCharacter, SINGLE_LINE } from '../common/validation/text';
import { MAX_HEAD_COUNT, MAX_MATERIAL, MAX_NOTES, MAX_TITLE } from './dto/event.dto';
import type { EventKind } from './outreach-event.entity';

export const MAX_EVENT_IMPORT_ROWS = 2000;
const LIMITS = { maxRows: MAX_EVENT_IMPORT_ROWS, maxLines: MAX_EVENT_IMPORT_ROWS + 1000, maxColumns: 50 };

/** The columns of an event file, by our names. */
export type EventColumn = 'kind' | 'title' | 'date' | 'unit' | 'headCount' | 'books' | 'discs' | 'leaflets' | 'notes';

function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）*]/g, '');
}

const HEADER_ALIASES: Record<EventColumn, string[]> = {
  kind: ['kind', 'type', '类型', '活动类型'],
  title: ['title', 'name', '标题', '名称', '活动名称'],
  date: ['date', '日期', '活动日期'],
  unit: ['unit', 'orgunit', 'orgunitcode', '单位', '单位编码', '举办单位'],
  headCount: ['headcount', 'persontimes', 'attendees', '人数', '人次', '参加人数'],
  books: ['books', '图书', '图书册数'],
  discs: ['discs', '光盘'],
  leaflets: ['leaflets', '宣传册', '宣传资料'],
  notes: ['notes', '备注'],
};

const HEADER_LOOKUP = new Map<string, EventColumn>(
  Object.entries(HEADER_ALIASES).flatMap(([column, aliases]) =>
    aliases.map((a) => [normaliseHeader(a), column as EventColumn] as const),
  ),
);

const KIND_WORDS = new Map<string, EventKind>(
  Object.entries<EventKind>({
    lecture: 'lecture',
    讲座: 'lecture',
    screening: 'screening',
    放映: 'screening',
    电影放映: 'screening',
    outreach: 'outreach',
    下乡: 'outreach',
    文化下乡: 'outreach',
    guidance: 'guidance',
    指导: 'guidance',
    现场指导: 'guidance',
    other: 'other',
    其他: 'other',
  }),
);

/** An event kind as a spreadsheet names it (讲座, 放映, 下乡, 指导, 其他, or the English kinds). */
export function eventKindFrom(value: string): EventKind | undefined {
  return KIND_WORDS.get(value.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ''));
}

/** Excel's day 0 (its serial dates count days from 1899-12-30, leap-year bug included). */
const EXCEL_EPOCH = DateTime.fromISO('1899-12-30', { zone: 'UTC' });

/**
 * A date cell as a local date `YYYY-MM-DD`: written so (or `2027/3/5`, `2027.3.5`), a date
 * cell (Excel's serial number, a time of day dropped) or an ISO date-time cell; undefined
 * when it is none of those or no real date.
 */
export function eventDateFrom(value: string): string | undefined {
  const text = value.normalize('NFKC').trim();
  if (/^\d{1,6}(\.\d+)?$/.test(text)) {
    const days = Math.floor(Number(text));
    if (days < 1 || days > 2_958_465) return undefined; // 9999-12-31
    return EXCEL_EPOCH.plus({ days }).toISODate() ?? undefined;
  }
  const parts = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?$/.exec(text);
  if (!parts) return undefined;
  const date = `${parts[1]}-${parts[2].padStart(2, '0')}-${parts[3].padStart(2, '0')}`;
  return isIsoDate(date) ? date : undefined;
}

/** A whole number within [min, max] written in a cell (`1,200` allowed); a code otherwise. */
function countFrom(value: string, min: number, max: number): number | 'NUMBER' | 'RANGE' {
  const text = value.normalize('NFKC').trim().replace(/,/g, '');
  if (!/^-?\d+(\.0+)?$/.test(text)) return 'NUMBER';
  const n = Number(text);
  return n < min || n > max ? 'RANGE' : n;
}

/** An event as a row writes it, checked in itself; the unit is named, found by the service. */
export interface EventRowInput {
  kind: EventKind;
  title: string;
  date: string;
  unit: string;
  headCount: number;
  books: number;
  discs: number;
  leaflets: number;
  notes: string | null;
}

export interface EventRowProblem {
  field: EventColumn;
  code: string;
  value?: string;
}

/** One data row: the event when the row reads well, and every problem of the row itself. */
export interface EventRow {
  row: number;
  input?: EventRowInput;
  problems: EventRowProblem[];
}

type Cells = Partial<Record<EventColumn, string>>;

/** Checks a row by the rules of `POST /api/events`, but for the unit (code or name, in scope). */
export function eventRowFrom(cells: Cells, row: number): EventRow {
  const problems: EventRowProblem[] = [];
  const required = (field: EventColumn): string | undefined => {
    const value = cells[field];
    if (value === undefined) problems.push({ field, code: 'REQUIRED' });
    return value;
  };
  const kindText = required('kind');
  const kind = kindText === undefined ? undefined : eventKindFrom(kindText);
  if (kindText !== undefined && !kind) problems.push({ field: 'kind', code: 'INVALID', value: kindText });

  const title = required('title');
  if (title !== undefined) {
    if (title.length > MAX_TITLE) problems.push({ field: 'title', code: 'TOO_LONG' });
    else if (!SINGLE_LINE.test(title) || hasForbiddenCharacter(title)) {
      problems.push({ field: 'title', code: 'INVALID_CHARACTER' });
    }
  }

  const dateText = required('date');
  const date = dateText === undefined ? undefined : eventDateFrom(dateText);
  if (dateText !== undefined && !date) problems.push({ field: 'date', code: 'INVALID', value: dateText });

  const unit = required('unit');

  const count = (field: EventColumn, min: number, max: number, fallback?: number): number | undefined => {
    const text = fallback === undefined ? required(field) : cells[field];
    if (text === undefined) return fallback;
    const n = countFrom(text, min, max);
    if (typeof n === 'number') return n;
    problems.push({ field, code: n, value: text });
    return undefined;
  };
  const headCount = count('headCount', 1, MAX_HEAD_COUNT);
  const books = count('books', 0, MAX_MATERIAL, 0);
  const discs = count('discs', 0, MAX_MATERIAL, 0);
  const leaflets = count('leaflets', 0, MAX_MATERIAL, 0);

  const notes = cells.notes ?? null;
  if (notes !== null && notes.length > MAX_NOTES) problems.push({ field: 'notes', code: 'TOO_LONG' });

  if (problems.length > 0) return { row, problems };
  return {
    row,
    problems,
    input: {
      kind: kind!,
      title: title!,
      date: date!,
      unit: unit!,
      headCount: headCount!,
      books: books!,
      discs: discs!,
      leaflets: leaflets!,
      notes,
    },
  };
}

/**
 * Reads a CSV or XLSX of outreach events, one row per event, headers in Chinese or English
 * (unknown columns are ignored); blank rows are skipped. Answers each row checked in itself,
 * and each column of ours with its header as the file writes it (what row errors name).
 */
export async function parseEventImport(buffer: Buffer): Promise<{ rows: EventRow[]; headers: Map<string, string> }> {
  const table = readTable(buffer, LIMITS);
  let columns: (EventColumn | undefined)[] | undefined;
  const rows: EventRow[] = [];
  const headers = new Map<string, string>();
  for await (const { row, cells } of table) {
    if (columns === undefined) {
      columns = row === 1 ? cells.map((h) => HEADER_LOOKUP.get(normaliseHeader(h))) : [];
      checkHeader(columns);
      columns.forEach((column, i) => {
        if (column && !headers.has(column)) headers.set(column, cells[i].trim());
      });
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    const values: Cells = {};
    columns.forEach((column, i) => {
      const value = (cells[i] ?? '').trim();
      if (column && value !== '' && values[column] === undefined) values[column] = value;
    });
    rows.push(eventRowFrom(values, row));
    if (rows.length > MAX_EVENT_IMPORT_ROWS) throw tooManyRows(MAX_EVENT_IMPORT_ROWS);
  }
  checkHeader(columns ?? []);
  return { rows, headers };
}

const REQUIRED_COLUMNS: EventColumn[] = ['kind', 'title', 'date', 'unit', 'headCount'];

function checkHeader(columns: (EventColumn | undefined)[]): void {
  if (!REQUIRED_COLUMNS.every((c) => columns.includes(c))) {
    throw new ImportFileError(
      'The first row must name the columns: at least kind (类型), title (标题), date (日期), unit (单位) and headCount (人数)',
      'eventHeader',
    );
  }
}
