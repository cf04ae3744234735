import { zonedInstant } from '../common/time/zoned-time';

/**
 * The stretch of time a report covers: a calendar year, or one quarter of it, in the centre's
 * time zone. Dates are local (`YYYY-MM-DD`); `start`/`end` are the instants at which the
 * first day begins and the day after the last begins, so `start <= t < end` holds exactly
 * the instants that fall on the period's local dates.
 */
export interface ReportPeriod {
  year: number;
  quarter: number | null;
  /** First local date of the period. */
  from: string;
  /** Last local date of the period (inclusive). */
  to: string;
  /** The local date after `to`: the exclusive bound for `date` columns. */
  toExclusive: string;
  start: Date;
  end: Date;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The period of `year` (and `quarter` 1–4, when given) in `zone`. */
export function reportPeriod(year: number, quarter: number | null, zone: string): ReportPeriod {
  const firstMonth = quarter ? (quarter - 1) * 3 + 1 : 1;
  const months = quarter ? 3 : 12;
  const from = `${year}-${pad(firstMonth)}-01`;
  const nextMonth = firstMonth + months;
  const toExclusive = nextMonth > 12 ? `${year + 1}-01-01` : `${year}-${pad(nextMonth)}-01`;
  const lastDay = new Date(Date.UTC(year, nextMonth - 1, 0)).getUTCDate();
  const to = `${year}-${pad(nextMonth - 1)}-${pad(lastDay)}`;
  return {
    year,
    quarter,
    from,
    to,
    toExclusive,
    start: zonedInstant(from, '00:00', zone),
    end: zonedInstant(toExclusive, '00:00', zone),
  };
}
