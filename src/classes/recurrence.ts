import { DateTime } from 'luxon';
import { isIsoDate, zonedInstant } from '../common/time/zoned-time';
import {
  dayNumber,
  dayOf,
  isoDate,
  parseRecurrenceRule,
  RecurrenceError,
  ruleDates,
  type Until,
} from './recurrence-rule';

export { RecurrenceError, type RecurrenceErrorCode } from './recurrence-rule';

export interface RecurrenceInput {
  /** An RFC 5545 RRULE without DTSTART, e.g. `FREQ=MONTHLY;BYMONTHDAY=5,15,25` or `FREQ=WEEKLY;BYDAY=TU`. */
  rrule: string;
  /** Local start time, `HH:mm`. */
  startTime: string;
  durationMinutes: number;
  /** Local dates (`YYYY-MM-DD`) to skip, e.g. holidays. */
  exdates?: string[];
}

export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
  /** The local date it falls on. */
  date: string;
}

export const MAX_OCCURRENCES = 200;
/** Classes last two quarters at most; the work grows with the range, so a longer one is refused, not expanded. */
export const MAX_RANGE_DAYS = 731;

/**
 * Expands a recurrence between two local dates (inclusive) in `zone`, with DTSTART on
 * `fromDate` at `startTime`. The rule runs on local dates and each occurrence is then
 * placed in the zone at `startTime`, so 09:00 stays 09:00 local across daylight-saving
 * changes. Exdates do not give COUNT's occurrences back (RFC 5545 takes them out of the
 * set the rule made).
 */
export function expandRecurrence(input: RecurrenceInput, fromDate: string, toDate: string, zone: string): Occurrence[] {
  const rule = parseRecurrenceRule(input.rrule);
  const skip = new Set(input.exdates ?? []);
  for (const d of skip) {
    if (!isIsoDate(d)) {
      throw new RecurrenceError('INVALID_RRULE', `exdate "${d}" is not a YYYY-MM-DD date`, 'INVALID_RRULE#exdate', {
        date: d,
      });
    }
  }
  if (dayOf(toDate) - dayOf(fromDate) >= MAX_RANGE_DAYS) {
    throw new RecurrenceError(
      'RECURRENCE_TOO_LONG',
      `A recurrence may span at most ${MAX_RANGE_DAYS} days`,
      'RECURRENCE_TOO_LONG#days',
      { max: MAX_RANGE_DAYS },
    );
  }
  const lastDay = rule.until ? Math.min(dayOf(toDate), lastDayUntil(rule.until, input.startTime, zone)) : dayOf(toDate);
  const out: Occurrence[] = [];
  for (const date of ruleDates(rule, fromDate, isoDate(lastDay))) {
    if (skip.has(date)) continue;
    if (out.length === MAX_OCCURRENCES) {
      throw new RecurrenceError(
        'RECURRENCE_TOO_LONG',
        `A recurrence may create at most ${MAX_OCCURRENCES} sessions`,
        'RECURRENCE_TOO_LONG',
        { max: MAX_OCCURRENCES },
      );
    }
    const startsAt = zonedInstant(date, input.startTime, zone);
    out.push({ date, startsAt, endsAt: new Date(startsAt.getTime() + input.durationMinutes * 60_000) });
  }
  if (out.length === 0) {
    throw new RecurrenceError('RECURRENCE_EMPTY', 'The recurrence gives no date inside the class dates');
  }
  return out;
}

/**
 * The last local date (a day number) whose occurrence at `startTime` is not after UNTIL.
 * A UTC UNTIL is compared as an instant with the occurrence's instant, which also settles
 * the hour repeated when clocks go back.
 */
function lastDayUntil(until: Until, startTime: string, zone: string): number {
  switch (until.kind) {
    case 'date':
      return until.day;
    case 'local':
      return `${startTime}:00` <= until.time ? until.day : until.day - 1;
    case 'utc': {
      const local = DateTime.fromJSDate(until.instant, { zone });
      const day = dayNumber(local.year, local.month, local.day);
      return zonedInstant(isoDate(day), startTime, zone) <= until.instant ? day : day - 1;
    }
  }
}
