import { isIsoDate, formatInstant, zonedInstant } from '../../common/time/zoned-time';
import type { FormFields } from '../forms';

/**
 * The year plan's forms (年度计划) as pure functions: the friendly recurrence builder turned into
 * the RRULE the API takes, the holidays list, local date and time fields turned into instants.
 * What a field holds is kept as typed (strings) so a refused form is shown back unchanged.
 */

/** RFC 5545 weekday codes, Monday first (as the centre's calendar and the rule's WKST). */
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

/** How the sessions repeat: on weekdays every N weeks, every N days, on days of the month, or a raw RRULE. */
export const PATTERNS = ['weekly', 'daily', 'monthly', 'rrule'] as const;
export type Pattern = (typeof PATTERNS)[number];

/** The recurrence part of the new-class form, as typed. */
export interface RuleFields {
  pattern: Pattern;
  /** Weeks (weekly) or days (daily) between sessions, `1`–`52`. */
  interval: string;
  days: WeekdayCode[];
  /** `5,15,25` (also with Chinese commas or spaces). */
  monthDays: string;
  /** Optional: at most this many sessions (COUNT). */
  count: string;
  /** Optional local date: no session after it (UNTIL). */
  until: string;
  /** The raw RRULE (pattern `rrule`). */
  rrule: string;
}

/** Which builder field is wrong, and the catalogue key that says so. */
export type RuleProblem = { field: 'days' | 'interval' | 'monthDays' | 'count' | 'until' | 'rrule'; key: string };

/** The builder's fields from a posted form (`day_MO=on` … for the weekdays). */
export function ruleFieldsOf(body: FormFields): RuleFields {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
  const pattern = (PATTERNS as readonly string[]).includes(text('pattern')) ? (text('pattern') as Pattern) : 'weekly';
  return {
    pattern,
    interval: text('interval'),
    days: WEEKDAY_CODES.filter((d) => body[`day_${d}`] !== undefined),
    monthDays: text('monthDays'),
    count: text('count'),
    until: text('until'),
    rrule: text('rrule'),
  };
}

/** Splits a list typed by a person: commas (also `，` and `、`), semicolons or white space. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The RRULE the builder's fields mean, or what is wrong with them. The rule itself is then read
 * by the same code the API uses (SessionsService.expandFor), which refuses what it cannot use.
 */
export function buildRule(f: RuleFields): { rrule: string } | { problems: RuleProblem[] } {
  if (f.pattern === 'rrule') {
    if (!f.rrule) return { problems: [{ field: 'rrule', key: 'plan_err_rruleEmpty' }] };
    return { rrule: f.rrule.replace(/^RRULE:/i, '') };
  }
  const problems: RuleProblem[] = [];
  const parts: string[] = [];
  if (f.pattern === 'weekly' || f.pattern === 'daily') {
    const interval = f.interval === '' ? 1 : Number(f.interval);
    if (!/^\d{1,2}$/.test(f.interval || '1') || interval < 1 || interval > 52) {
      problems.push({ field: 'interval', key: 'plan_err_interval' });
    }
    parts.push(`FREQ=${f.pattern === 'weekly' ? 'WEEKLY' : 'DAILY'}`);
    if (interval > 1) parts.push(`INTERVAL=${interval}`);
    if (f.pattern === 'weekly') {
      if (f.days.length === 0) problems.push({ field: 'days', key: 'plan_err_days' });
      else parts.push(`BYDAY=${f.days.join(',')}`);
    }
  } else {
    const days = splitList(f.monthDays);
    const valid = days.length > 0 && days.every((d) => /^\d{1,2}$/.test(d) && Number(d) >= 1 && Number(d) <= 31);
    if (!valid) problems.push({ field: 'monthDays', key: 'plan_err_monthDays' });
    else parts.push('FREQ=MONTHLY', `BYMONTHDAY=${[...new Set(days.map(Number))].sort((a, b) => a - b).join(',')}`);
  }
  if (f.count !== '') {
    if (!/^\d{1,3}$/.test(f.count) || Number(f.count) < 1) problems.push({ field: 'count', key: 'plan_err_count' });
    else parts.push(`COUNT=${Number(f.count)}`);
  }
  if (f.until !== '') {
    if (!isIsoDate(f.until)) problems.push({ field: 'until', key: 'plan_err_until' });
    else if (f.count !== '') problems.push({ field: 'until', key: 'plan_err_countAndUntil' });
    else parts.push(`UNTIL=${f.until.replace(/-/g, '')}`);
  }
  return problems.length ? { problems } : { rrule: parts.join(';') };
}

/** The holidays to skip, typed one per line or separated by commas: real `YYYY-MM-DD` dates, else the bad ones. */
export function parseDates(text: string): { dates: string[] } | { bad: string[] } {
  const items = splitList(text);
  const bad = items.filter((d) => !isIsoDate(d));
  return bad.length ? { bad } : { dates: [...new Set(items)].sort() };
}

/**
 * A local date and time (`YYYY-MM-DD`, `HH:mm`) in `zone` as the instant the API takes, with the
 * centre's offset (`2027-01-05T09:00:00+08:00`); undefined when either is not a real date or time.
 */
export function instantText(date: string, time: string, zone: string): string | undefined {
  if (!isIsoDate(date) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return undefined;
  return formatInstant(zonedInstant(date, time, zone), zone) ?? undefined;
}

/** A whole number typed in a field, or undefined when empty; NaN (refused by the DTO) when not a number. */
export function intOf(text: string): number | undefined {
  if (text === '') return undefined;
  return /^-?\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

/** First and last local dates of a quarter of a year. */
export function quarterDates(year: number, quarter: number): { startDate: string; endDate: string } {
  const first = (quarter - 1) * 3 + 1;
  const last = quarter * 3;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { startDate: `${year}-${pad(first)}-01`, endDate: `${year}-${pad(last)}-${pad(lastDay)}` };
}
