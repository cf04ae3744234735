import type { ValidationError } from 'class-validator';
import { DateTime } from 'luxon';
import { formatInstant, isIsoDate, zonedInstant } from '../../common/time/zoned-time';

/**
 * Small pure helpers of the console's question, quiz and certificate pages (题库与测验, 证书):
 * form numbers, and local date + time fields read in the centre's zone.
 */

/**
 * A number typed in a form: undefined when left empty, NaN when not a number (the DTO then says
 * so), else the number. Full-width digits are read as people type them on Chinese keyboards.
 */
export function formNumber(raw: string | undefined): number | undefined {
  const text = (raw ?? '').normalize('NFKC').trim();
  if (text === '') return undefined;
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

/** `HH:mm` as a time field sends it. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A local date and time (the `type="date"` and `type="time"` fields) as the API's instant in the
 * centre's zone (`2027-03-01T09:00:00+08:00`); `undefined` when both are empty, `null` when they
 * do not make an instant (one missing, or not a real date or time).
 */
export function localInstant(
  date: string | undefined,
  time: string | undefined,
  zone: string,
): string | null | undefined {
  const d = (date ?? '').trim();
  const t = (time ?? '').trim();
  if (d === '' && t === '') return undefined;
  if (!isIsoDate(d) || !TIME.test(t)) return null;
  return formatInstant(zonedInstant(d, t, zone), zone);
}

/** An instant as the date and time fields show it in `zone`. */
export function localFields(instant: Date, zone: string): { date: string; time: string } {
  const at = DateTime.fromJSDate(instant, { zone });
  return { date: at.toISODate()!, time: at.toFormat('HH:mm') };
}

/** The properties class-validator found fault with, nested ones (`draw.0.count`) named by their top property. */
export function faultyProperties(errors: ValidationError[]): Set<string> {
  return new Set(errors.map((e) => e.property));
}
