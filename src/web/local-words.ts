import { DateTime } from 'luxon';
import type { Language } from '../common/i18n/i18n.loader';

/**
 * Dates and times as the 课程, 成绩, 证书 and 消息 pages write them, in the centre's zone: short
 * and plain (`12月5日`, `12月5日 14:30`, the year only when it is not this year's), or in
 * English `5 Dec`, `5 Dec 14:30`.
 */
function day(at: DateTime, lang: Language, now: DateTime): string {
  const sameYear = at.year === now.year;
  if (lang === 'zh-CN') return `${sameYear ? '' : `${at.year}年`}${at.month}月${at.day}日`;
  return at.setLocale('en-GB').toFormat(sameYear ? 'd LLL' : 'd LLL yyyy');
}

/** A local calendar date (`YYYY-MM-DD`, as classes keep them). */
export function localDay(date: string, lang: Language, zone: string, now: Date): string {
  return day(DateTime.fromISO(date, { zone }), lang, DateTime.fromJSDate(now, { zone }));
}

/** Two local calendar dates, `12月5日 至 12月30日` or `5 Dec – 30 Dec`. */
export function localDays(from: string, to: string, lang: Language, zone: string, now: Date): string {
  const a = localDay(from, lang, zone, now);
  const b = localDay(to, lang, zone, now);
  if (a === b) return a;
  return lang === 'zh-CN' ? `${a} 至 ${b}` : `${a} – ${b}`;
}

/** An instant's local date and time. */
export function localDayTime(instant: Date, lang: Language, zone: string, now: Date): string {
  const at = DateTime.fromJSDate(instant, { zone });
  return `${day(at, lang, DateTime.fromJSDate(now, { zone }))} ${at.toFormat('HH:mm')}`;
}

/** An instant's local date. */
export function localDayOf(instant: Date, lang: Language, zone: string, now: Date): string {
  return day(DateTime.fromJSDate(instant, { zone }), lang, DateTime.fromJSDate(now, { zone }));
}
