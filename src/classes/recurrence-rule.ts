/**
 * The part of RFC 5545 recurrence rules (section 3.3.10) a training timetable needs, read
 * and expanded on plain calendar dates. Expansion walks only the periods (days, weeks,
 * months, years) that meet the asked dates, so a rule that never matches costs no more
 * than one that matches daily; a general iterator such as rrule.js instead looks period
 * after period, up to the year 9999, for a match that never comes.
 */

export type RecurrenceErrorCode = 'INVALID_RRULE' | 'RECURRENCE_TOO_LONG' | 'RECURRENCE_EMPTY';

/**
 * A rule that cannot be used, with an English message for logs and a `key` (and `args`)
 * naming the reason among the `errors` translations, for people.
 */
export class RecurrenceError extends Error {
  constructor(
    readonly code: RecurrenceErrorCode,
    message: string,
    readonly key: string = code,
    readonly args: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** Index 0 is Monday, WKST's default. */
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export interface WeekdayNum {
  /** 0 = Monday ... 6 = Sunday. */
  weekday: number;
  /** The nth such weekday of the month or year, negative from its end; absent: every one. */
  nth?: number;
}

/** RFC 5545: a `Z` value is an instant, one without is wall-clock time, a bare date the whole day. */
export type Until =
  { kind: 'date'; day: number } | { kind: 'local'; day: number; time: string } | { kind: 'utc'; instant: Date };

export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: Until;
  wkst: number;
  byMonth: number[];
  byMonthDay: number[];
  byDay: WeekdayNum[];
  bySetPos: number[];
}

const DAY = '(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)';
const list = (item: string) => new RegExp(`^${item}(?:,${item})*$`, 'i');
/**
 * The rule parts a training timetable needs, each with its values bounded. Anything else
 * is refused: out-of-range values (INTERVAL=-1, BYMONTH=13, BYYEARDAY=400) have no
 * meaning for a class, and other parts (BYHOUR, BYYEARDAY, BYWEEKNO) are not supported.
 */
const PARTS: Record<string, RegExp> = {
  FREQ: /^(DAILY|WEEKLY|MONTHLY|YEARLY)$/i,
  INTERVAL: /^([1-9]|[1-4]\d|5[0-2])$/,
  COUNT: /^([1-9]\d{0,2})$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/i,
  WKST: /^(MO|TU|WE|TH|FR|SA|SU)$/i,
  BYDAY: list(DAY),
  BYMONTHDAY: list('-?(?:[1-9]|[12]\\d|3[01])'),
  BYMONTH: list('(?:[1-9]|1[0-2])'),
  BYSETPOS: list('-?(?:[1-9]|[12]\\d|3[01])'),
};

const invalid = (reason: string, message: string, args: Record<string, string | number> = {}) =>
  new RecurrenceError('INVALID_RRULE', message, `INVALID_RRULE#${reason}`, args);

/** Reads an RRULE value (`FREQ=WEEKLY;BYDAY=TU`, optionally prefixed `RRULE:`), refusing what RFC 5545 forbids. */
export function parseRecurrenceRule(rrule: string): RecurrenceRule {
  const text = rrule.trim().replace(/^RRULE:/i, '');
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const [rawName, value, extra] = part.split('=');
    const name = rawName.toUpperCase();
    if (name === 'DTSTART' || name === 'TZID') {
      throw invalid('syntax', 'rrule must be an RRULE value such as FREQ=WEEKLY;BYDAY=TU (no DTSTART)');
    }
    const allowed = PARTS[name] as RegExp | undefined;
    if (!allowed || value === undefined || extra !== undefined || !allowed.test(value)) {
      throw invalid('part', `rrule part "${part.slice(0, 40)}" is not supported or out of range`, {
        part: part.slice(0, 40),
      });
    }
    if (parts.has(name)) throw invalid('repeated', `rrule part ${name} appears more than once`, { name });
    parts.set(name, value.toUpperCase());
  }
  const freq = parts.get('FREQ') as Frequency | undefined;
  if (!freq) throw invalid('freq', 'rrule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY');
  const numbers = (name: string) => parts.get(name)?.split(',').map(Number) ?? [];
  const rule: RecurrenceRule = {
    freq,
    interval: Number(parts.get('INTERVAL') ?? 1),
    count: parts.has('COUNT') ? Number(parts.get('COUNT')) : undefined,
    until: parts.has('UNTIL') ? parseUntil(parts.get('UNTIL')!) : undefined,
    wkst: WEEKDAYS.indexOf(parts.get('WKST') ?? 'MO'),
    byMonth: numbers('BYMONTH'),
    byMonthDay: numbers('BYMONTHDAY'),
    byDay: (parts.get('BYDAY')?.split(',') ?? []).map((v) => ({
      weekday: WEEKDAYS.indexOf(v.slice(-2)),
      nth: v.length > 2 ? Number(v.slice(0, -2)) : undefined,
    })),
    bySetPos: numbers('BYSETPOS'),
  };
  // The combinations section 3.3.10 forbids.
  if (rule.count !== undefined && rule.until) throw invalid('countUntil', 'rrule may have COUNT or UNTIL, not both');
  if (freq === 'WEEKLY' && rule.byMonthDay.length) {
    throw invalid('weeklyMonthDay', 'BYMONTHDAY cannot be used with FREQ=WEEKLY');
  }
  if ((freq === 'DAILY' || freq === 'WEEKLY') && rule.byDay.some((d) => d.nth !== undefined)) {
    throw invalid('ordinalDay', `BYDAY with a number (such as 1MO) needs FREQ=MONTHLY or YEARLY, not ${freq}`, {
      freq,
    });
  }
  if (rule.bySetPos.length && !rule.byMonth.length && !rule.byMonthDay.length && !rule.byDay.length) {
    throw invalid('setpos', 'BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH beside it');
  }
  return rule;
}

function parseUntil(value: string): Until {
  const [, y, m, d, hh = '00', mm = '00', ss = '00', z] = /^(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?$/i.exec(
    value,
  )!;
  const day = dayNumber(Number(y), Number(m), Number(d));
  if (civil(day).month !== Number(m) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) {
    throw invalid('until', `UNTIL=${value} is not a real date and time`, { value });
  }
  if (value.length === 8) return { kind: 'date', day };
  const time = `${hh}:${mm}:${ss}`;
  if (z) return { kind: 'utc', instant: new Date(`${isoDate(day)}T${time}Z`) };
  return { kind: 'local', day, time };
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01. setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are. */
export function dayNumber(year: number, month: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  return Math.round(t.getTime() / DAY_MS);
}

/** `YYYY-MM-DD` to a day number. */
export function dayOf(isoDate: string): number {
  return dayNumber(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)), Number(isoDate.slice(8, 10)));
}

/** A day number to `YYYY-MM-DD`. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

interface Civil {
  year: number;
  month: number;
  /** Day of the month. */
  day: number;
  /** 0 = Monday. */
  weekday: number;
  monthLength: number;
  /** 1-based day of the year. */
  yearDay: number;
  yearLength: number;
}

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
/** Days before each month in a common year. */
const MONTH_STARTS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/** Arithmetic past the one Date: this runs for every day of every period. */
function civil(n: number): Civil {
  const t = new Date(n * DAY_MS);
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth() + 1;
  const day = t.getUTCDate();
  const leap = isLeapYear(year) ? 1 : 0;
  return {
    year,
    month,
    day,
    weekday: (t.getUTCDay() + 6) % 7,
    monthLength: MONTH_STARTS[month] - MONTH_STARTS[month - 1] + (month === 2 ? leap : 0),
    yearDay: MONTH_STARTS[month - 1] + (month > 2 ? leap : 0) + day,
    yearLength: 365 + leap,
  };
}

/**
 * The dates from `from` to `to` (inclusive, `YYYY-MM-DD`) on which the rule falls, in
 * order, with DTSTART on `from`. Each period's set is built whole (BYSETPOS=-1 needs the
 * month's end even when `to` comes before it), then cut to the dates asked; COUNT counts
 * from `from`. The work is bounded by the number of days between `from` and `to`.
 */
export function* ruleDates(rule: RecurrenceRule, from: string, to: string): Generator<string> {
  const start = dayOf(from);
  const end = dayOf(to);
  if (!(start <= end)) return; // also when a date was unreadable (NaN), which would never end a period loop
  const matches = matcher(rule, civil(start));
  let left = rule.count ?? Infinity;
  for (const days of periods(rule, start, end)) {
    let set = days.filter((n) => matches(civil(n)));
    if (rule.bySetPos.length) set = pickPositions(set, rule.bySetPos);
    for (const n of set) {
      if (n < start) continue;
      if (n > end) return;
      yield isoDate(n);
      if (--left === 0) return;
    }
  }
}

/** The days of each period that meets [start, end], skipping INTERVAL - 1 periods after each. */
function* periods(rule: RecurrenceRule, start: number, end: number): Generator<number[]> {
  const span = (first: number, length: number) => Array.from({ length }, (_, i) => first + i);
  const c = civil(start);
  switch (rule.freq) {
    case 'DAILY':
      for (let n = start; n <= end; n += rule.interval) yield [n];
      return;
    case 'WEEKLY':
      for (let n = start - ((c.weekday - rule.wkst + 7) % 7); n <= end; n += 7 * rule.interval) yield span(n, 7);
      return;
    case 'MONTHLY':
      for (let m = c.month; ; m += rule.interval) {
        const first = dayNumber(c.year, m, 1);
        if (first > end) return;
        yield span(first, dayNumber(c.year, m + 1, 1) - first);
      }
    case 'YEARLY':
      for (let y = c.year; ; y += rule.interval) {
        const first = dayNumber(y, 1, 1);
        if (first > end) return;
        yield span(first, dayNumber(y + 1, 1, 1) - first);
      }
  }
}

/**
 * Whether a day of a period belongs to the rule's set. For the parts supported, RFC 5545's
 * table of which BYxxx expands and which limits comes down to: every BYxxx present must
 * hold. What the rule leaves open comes from DTSTART, as section 3.3.10 says
 * (FREQ=MONTHLY alone repeats DTSTART's day of the month).
 */
function matcher(rule: RecurrenceRule, dtstart: Civil): (c: Civil) => boolean {
  let { byMonth, byMonthDay, byDay } = rule;
  if (!byMonthDay.length && !byDay.length) {
    if (rule.freq === 'YEARLY') {
      byMonth = byMonth.length ? byMonth : [dtstart.month];
      byMonthDay = [dtstart.day];
    } else if (rule.freq === 'MONTHLY') {
      byMonthDay = [dtstart.day];
    } else if (rule.freq === 'WEEKLY') {
      byDay = [{ weekday: dtstart.weekday }];
    }
  }
  // A numbered BYDAY counts within the month, except in a YEARLY rule without BYMONTH.
  const inYear = rule.freq === 'YEARLY' && !byMonth.length;
  return (c) => {
    if (byMonth.length && !byMonth.includes(c.month)) return false;
    if (byMonthDay.length && !byMonthDay.some((v) => v === c.day || v === c.day - c.monthLength - 1)) return false;
    if (!byDay.length) return true;
    const [index, length] = inYear ? [c.yearDay, c.yearLength] : [c.day, c.monthLength];
    const nth = Math.floor((index - 1) / 7) + 1;
    const nthFromEnd = -(Math.floor((length - index) / 7) + 1);
    return byDay.some((d) => d.weekday === c.weekday && (d.nth === undefined || d.nth === nth || d.nth === nthFromEnd));
  };
}

/** BYSETPOS: the nth days of a period's set (negative from its end), in order, once each. */
function pickPositions(set: number[], positions: number[]): number[] {
  const picked = new Set<number>();
  for (const p of positions) {
    const n = set[p > 0 ? p - 1 : set.length + p] as number | undefined;
    if (n !== undefined) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b);
}
