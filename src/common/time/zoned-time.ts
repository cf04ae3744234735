import { DateTime, IANAZone } from 'luxon';

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
/** Whole days from the local date `from` to the local date `to` (`YYYY-MM-DD`; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** An ISO 8601 date-time that states its offset; a bare local time would silently be read as UTC. */
export const ZONED_INSTANT = /^\d{4}-\d{2}-\d{2}T[^Z+]*?(Z|[+-]\d{2}:?\d{2})$/;

/** The calendar year in `zone` at `now`: what "this year" means for the centre. */
export function currentYear(zone: string, now: Date = new Date()): number {
  return DateTime.fromJSDate(now, { zone }).year;
}

const HOUR_MS = 3_600_000;
const offsets = new Map<string, Map<number, number>>();

/**
 * `zone`'s UTC offset in minutes at `ms`. Asking the time-zone rules (Intl) costs several
 * microseconds, and every instant of every answer needs it, so offsets are kept per hour:
 * an hour whose first and last millisecond have the same offset has it throughout (offsets
 * change months apart), and an hour holding a change is answered exactly, uncached.
 */
export function offsetAt(zone: string, ms: number): number {
  let byHour = offsets.get(zone);
  if (!byHour) offsets.set(zone, (byHour = new Map<number, number>()));
  const hour = Math.floor(ms / HOUR_MS);
  const known = byHour.get(hour);
  if (known !== undefined) return known;
  const rules = IANAZone.create(zone);
  const first = rules.offset(hour * HOUR_MS);
  if (rules.offset(hour * HOUR_MS + HOUR_MS - 1) !== first) return rules.offset(ms);
  if (byHour.size >= 100_000) byHour.clear();
  byHour.set(hour, first);
  return first;
}

/**
 * An instant as ISO 8601 in `zone`'s offset, as people there read it:
 * `2027-01-05T09:00:00+08:00` (milliseconds only when there are some). Invalid dates give null,
 * as `JSON.stringify` does.
 */
export function formatInstant(instant: Date, zone: string): string | null {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) return null;
  // Whole minutes: before 1901 some zones' local mean time was not (Shanghai +08:05:43), and ISO 8601 offsets are.
  const offset = Math.round(offsetAt(zone, ms));
  const wall = new Date(ms + offset * 60_000).toISOString();
  const base = wall.endsWith('.000Z') ? wall.slice(0, -5) : wall.slice(0, -1);
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${base}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** A local date and time for messages people read: `2027-01-05 09:00`. */
export function formatLocalDateTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * `JSON.stringify` for answers: every Date becomes `formatInstant` in `zone`. (The replacer
 * sees a Date already turned into its UTC string by `toJSON`; the holder still has the Date.)
 */
export function jsonWithLocalInstants(zone: string): (value: unknown) => string {
  function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
    const raw = this[key];
    return raw instanceof Date ? formatInstant(raw, zone) : value;
  }
  return (value) => JSON.stringify(value, replacer);
}
