import { DateTime } from 'luxon';

/**
 * Conversions between UTC instants (what PostgreSQL stores) and wall-clock dates and
 * times in a centre's time zone (what people plan in). Luxon does the zone rules,
 * daylight saving included.
 */

/** The local calendar date (`YYYY-MM-DD`) of an instant in `zone`. */
export function localDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/** The local time (`HH:mm`) of an instant in `zone`. */
export function localTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm');
}

/**
 * The instant at which the wall clock in `zone` shows `date` `time`. A time skipped by a
 * daylight-saving jump is moved forward by the jump, as clocks do.
 */
export function zonedInstant(date: string, time: string, zone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromObject({ year, month, day, hour, minute }, { zone }).toJSDate();
}

/** The first instant of a local date, and of the day after it: [start, end). */
export function localDayBounds(date: string, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** Quarter (1-4) of a `YYYY-MM-DD` date. */
export function quarterOf(date: string): number {
  return Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** An ISO 8601 date-time that states its offset; a bare local time would silently be read as UTC. */
export const ZONED_INSTANT = /^\d{4}-\d{2}-\d{2}T[^Z+]*?(Z|[+-]\d{2}:?\d{2})$/;
