import { RRule, type Options } from 'rrule';
import { isIsoDate, zonedInstant } from '../common/time/zoned-time';

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

export class RecurrenceError extends Error {
  constructor(
    readonly code: 'INVALID_RRULE' | 'RECURRENCE_TOO_LONG' | 'RECURRENCE_EMPTY',
    message: string,
  ) {
    super(message);
  }
}

export const MAX_OCCURRENCES = 200;
const ALLOWED_FREQ = new Set([RRule.DAILY, RRule.WEEKLY, RRule.MONTHLY, RRule.YEARLY]);

const DAY = '[+-]?(?:[1-9]|[1-4]\\d|5[0-3])?(?:MO|TU|WE|TH|FR|SA|SU)';
const list = (item: string) => new RegExp(`^${item}(?:,${item})*$`, 'i');
/**
 * The rule parts a training timetable needs, each with its values bounded. Anything else
 * is refused before rrule sees it: out-of-range values (INTERVAL=-1, BYMONTH=13,
 * BYYEARDAY=400) make the library loop forever or throw.
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

function parseRule(rrule: string): Partial<Options> {
  const text = rrule.trim().replace(/^RRULE:/i, '');
  for (const part of text.split(';')) {
    const [name, value, extra] = part.split('=');
    const allowed = PARTS[name?.toUpperCase()];
    if (!allowed || value === undefined || extra !== undefined || !allowed.test(value)) {
      throw new RecurrenceError('INVALID_RRULE', `rrule part "${part.slice(0, 40)}" is not supported or out of range`);
    }
  }
  if (!/^[A-Z0-9=;,+-]+$/i.test(text) || /(^|;)(DTSTART|TZID)=/i.test(text)) {
    throw new RecurrenceError(
      'INVALID_RRULE',
      'rrule must be an RRULE value such as FREQ=WEEKLY;BYDAY=TU (no DTSTART)',
    );
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(text);
  } catch {
    throw new RecurrenceError('INVALID_RRULE', `rrule "${text}" cannot be read`);
  }
  if (options.freq === undefined || !ALLOWED_FREQ.has(options.freq)) {
    throw new RecurrenceError('INVALID_RRULE', 'rrule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY');
  }
  return options;
}

/**
 * Expands a recurrence between two local dates (inclusive) in `zone`. The rule runs on
 * wall-clock time ("floating", UTC fields standing for local ones) and each occurrence is
 * then placed in the zone, so 09:00 stays 09:00 local across daylight-saving changes.
 */
export function expandRecurrence(input: RecurrenceInput, fromDate: string, toDate: string, zone: string): Occurrence[] {
  const options = parseRule(input.rrule);
  const [fy, fm, fd] = fromDate.split('-').map(Number);
  const [ty, tm, td] = toDate.split('-').map(Number);
  const [hour, minute] = input.startTime.split(':').map(Number);
  const floatingUntil = new Date(Date.UTC(ty, tm - 1, td, 23, 59, 59));
  const until = options.until && options.until < floatingUntil ? options.until : floatingUntil;
  const rule = new RRule({
    ...options,
    dtstart: new Date(Date.UTC(fy, fm - 1, fd, hour, minute)),
    until,
    tzid: null,
    byhour: [hour],
    byminute: [minute],
    bysecond: [0],
  });
  const skip = new Set(input.exdates ?? []);
  for (const d of skip) {
    if (!isIsoDate(d)) throw new RecurrenceError('INVALID_RRULE', `exdate "${d}" is not a YYYY-MM-DD date`);
  }
  const out: Occurrence[] = [];
  let tooMany = false;
  const iterate = (fn: (floating: Date, i: number) => boolean) => {
    try {
      rule.all(fn);
    } catch {
      throw new RecurrenceError('INVALID_RRULE', 'The rrule cannot be expanded');
    }
  };
  iterate((floating, i) => {
    if (i >= MAX_OCCURRENCES + skip.size) {
      tooMany = true;
      return false;
    }
    const date = floating.toISOString().slice(0, 10);
    if (!skip.has(date)) {
      const startsAt = zonedInstant(date, input.startTime, zone);
      out.push({ date, startsAt, endsAt: new Date(startsAt.getTime() + input.durationMinutes * 60_000) });
    }
    return true;
  });
  if (tooMany || out.length > MAX_OCCURRENCES) {
    throw new RecurrenceError('RECURRENCE_TOO_LONG', `A recurrence may create at most ${MAX_OCCURRENCES} sessions`);
  }
  if (out.length === 0)
    throw new RecurrenceError('RECURRENCE_EMPTY', 'The recurrence gives no date inside the class dates');
  return out;
}
