/**
 * Dates relative to today, for tests that must pass on any day. Test data is planned in
 * the centres' zone, Asia/Shanghai (the default TZ_DEFAULT): UTC+8 all year, no daylight
 * saving, so a local date and time is written with a fixed offset.
 */
export const LOCAL_OFFSET = '+08:00';
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The local calendar date (`YYYY-MM-DD`) `days` days after `from` (negative: before). */
export function localDateIn(days: number, from: Date = new Date()): string {
  return new Date(from.getTime() + days * DAY_MS + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant the local clock shows `time` (`HH:mm`) on `date` (`YYYY-MM-DD`). */
export function localInstant(date: string, time: string): Date {
  return new Date(`${date}T${time}:00${LOCAL_OFFSET}`);
}

export interface Quarter {
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** First and last local dates of the quarter, `YYYY-MM-DD`. */
  startDate: string;
  endDate: string;
  /** The quarter's three months, `YYYY-MM`. */
  months: [string, string, string];
}

/** The quarter of a plan year that contains a local date. */
export function quarterContaining(date: string): Quarter {
  const year = Number(date.slice(0, 4));
  const quarter = (Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1) as Quarter['quarter'];
  const month = (i: number) => `${year}-${String((quarter - 1) * 3 + i + 1).padStart(2, '0')}`;
  const months: Quarter['months'] = [month(0), month(1), month(2)];
  // Day 0 of the following month is the last day of the quarter's last month.
  const lastDay = new Date(Date.UTC(year, quarter * 3, 0)).getUTCDate();
  return { year, quarter, startDate: `${months[0]}-01`, endDate: `${months[2]}-${lastDay}`, months };
}

/** The whole quarter after the one that contains `date`: every day of it is later than `date`. */
export function quarterAfter(date: string): Quarter {
  const [year, month] = quarterContaining(date).months[2].split('-').map(Number);
  return quarterContaining(month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`);
}
