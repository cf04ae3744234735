import { DateTime } from 'luxon';

/**
 * When a message may go out: during quiet hours (`HH:mm-HH:mm` in the centre's time zone,
 * the window may span midnight) SMS and e-mail wait for the window's end; they are never
 * dropped. Answers the instant the window ends, or null outside it (and for an empty window).
 * The start is quiet, the end is not: 21:00-08:00 holds 21:00 and lets 08:00 go.
 */
export function quietUntil(now: Date, quietHours: string, zone: string): Date | null {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(quietHours);
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) return null;
  const local = DateTime.fromJSDate(now, { zone });
  const minute = local.hour * 60 + local.minute;
  const spansMidnight = start > end;
  const quiet = spansMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!quiet) return null;
  const endToday = local.startOf('day').set({ hour: Math.floor(end / 60), minute: end % 60 });
  return (minute < end ? endToday : endToday.plus({ days: 1 })).toJSDate();
}

/** A message about something starting this soon after the quiet hours end is not held back. */
export const URGENT_WITHIN_MS = 2 * 3_600_000;

/**
 * When a message may go out, given what it is about: held until the quiet hours end
 * (`quietUntil`), unless what it is about (`startsAt`: a session) begins before then or
 * within two hours after, when waiting would make it useless (a class cancelled at 22:00 for
 * 08:30 the next morning is sent at once). Null: send now.
 */
export function holdUntil(now: Date, quietHours: string, zone: string, startsAt?: Date): Date | null {
  const until = quietUntil(now, quietHours, zone);
  if (!until) return null;
  if (startsAt && startsAt.getTime() - until.getTime() < URGENT_WITHIN_MS) return null;
  return until;
}

/** What a message's data may name as when it matters: a session's start, its old start, a class's first session. */
const START_FIELDS = ['startsAt', 'previousStartsAt', 'firstSessionAt'] as const;

/** The earliest of the starts a message's data names (ISO instants), if any: what makes it urgent. */
export function startOf(payload: Record<string, unknown>): Date | undefined {
  const starts = START_FIELDS.map((field) => payload[field])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => new Date(v))
    .filter((d) => !Number.isNaN(d.getTime()));
  return starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))) : undefined;
}
