import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Language } from '../common/i18n/i18n.loader';
import { Translator } from '../common/i18n/translator';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';

/**
 * Dates, times, numbers and lists as the pages write them for people, in the centre's zone:
 * short and plain (`12月5日`, `12月5日 14:30`, `3月12日 周四（今天）`, the year only when it is
 * not this year's), or in English `5 Dec`, `5 Dec 14:30`, `Thu 12 Mar (today)`. The one place
 * the pages format these: the pure functions below (with specs), and LocalWords, which brings
 * the zone, the clock and the catalogue's words (今天, 明天, the list separator) to them.
 */

const WEEKDAYS_ZH = ['一', '二', '三', '四', '五', '六', '日'];

function day(at: DateTime, lang: Language, now: DateTime): string {
  const sameYear = at.year === now.year;
  if (lang === 'zh-CN') return `${sameYear ? '' : `${at.year}年`}${at.month}月${at.day}日`;
  return at.setLocale('en-GB').toFormat(sameYear ? 'd LLL' : 'd LLL yyyy');
}

/** A local calendar date (`YYYY-MM-DD`, as classes keep them). */
export function localDay(date: string, lang: Language, zone: string, now: Date): string {
  return day(DateTime.fromISO(date, { zone }), lang, DateTime.fromJSDate(now, { zone }));
}

/** A local calendar date with its year always (`2027年3月5日`, `5 Mar 2027`): a record spanning years. */
export function localDayWithYear(date: string, lang: Language, zone: string): string {
  const at = DateTime.fromISO(date, { zone });
  return day(at, lang, at.plus({ years: 1 }));
}

/** Two local calendar dates, `12月5日 至 12月30日` or `5 Dec – 30 Dec`. */
export function localDays(from: string, to: string, lang: Language, zone: string, now: Date): string {
  const a = localDay(from, lang, zone, now);
  const b = localDay(to, lang, zone, now);
  if (a === b) return a;
  return lang === 'zh-CN' ? `${a} 至 ${b}` : `${a} – ${b}`;
}

/**
 * An instant's local date and time (`12月5日 14:30`); with `today` (the catalogue's 今天), an
 * instant of today reads `今天 14:30`.
 */
export function localDayTime(instant: Date, lang: Language, zone: string, now: Date, today?: string): string {
  const at = DateTime.fromJSDate(instant, { zone });
  const local = DateTime.fromJSDate(now, { zone });
  const time = at.toFormat('HH:mm');
  if (today !== undefined && at.hasSame(local, 'day')) return `${today} ${time}`;
  return `${day(at, lang, local)} ${time}`;
}

/** An instant's local date. */
export function localDayOf(instant: Date, lang: Language, zone: string, now: Date): string {
  return day(DateTime.fromJSDate(instant, { zone }), lang, DateTime.fromJSDate(now, { zone }));
}

/**
 * A local date (`YYYY-MM-DD`) or an instant's, with its weekday: `3月12日 周四` / `Thu 12 Mar`,
 * the year when it is not this year's. With `named`, today and tomorrow are named and the year
 * is left out (a session card: the date beside the time, on one line):
 * `3月12日 周四（今天）` / `Thu 12 Mar (today)`.
 */
export function localWeekday(
  dateOrInstant: string | Date,
  lang: Language,
  zone: string,
  now: Date,
  named?: { today: string; tomorrow: string },
): string {
  const at =
    typeof dateOrInstant === 'string'
      ? DateTime.fromISO(dateOrInstant, { zone })
      : DateTime.fromJSDate(dateOrInstant, { zone });
  const local = DateTime.fromJSDate(now, { zone });
  const days = Math.round(at.startOf('day').diff(local.startOf('day'), 'days').days);
  const relative = !named ? '' : days === 0 ? named.today : days === 1 ? named.tomorrow : '';
  const withYear = !named && at.year !== local.year;
  if (lang === 'zh-CN') {
    const date = `${withYear ? `${at.year}年` : ''}${at.month}月${at.day}日 周${WEEKDAYS_ZH[at.weekday - 1]}`;
    return relative ? `${date}（${relative}）` : date;
  }
  const date = at.setLocale('en-GB').toFormat(withYear ? 'ccc d LLL yyyy' : 'ccc d LLL');
  return relative ? `${date} (${relative})` : date;
}

/** `09:30`: an instant's local time. */
export function localClock(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm');
}

/** Points as every page shows them (成绩, a quiz's result, a contest's board): at most two decimals, `8`, `7.25`. */
export function scoreText(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** A percent as the pages show it: at most one decimal (`87.5`, `100`). */
export function percentText(percent: number): string {
  return String(Math.round(percent * 10) / 10);
}

/** The pages' words for dates, times and lists, in the centre's zone, by the injected clock, from the catalogue. */
@Injectable()
export class LocalWords {
  constructor(
    private readonly translator: Translator,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** Now, by the injected clock. */
  now(): Date {
    return this.clock.now();
  }

  /** `12月5日` (a local `YYYY-MM-DD`). */
  day(date: string, lang: Language, now = this.clock.now()): string {
    return localDay(date, lang, this.env.TZ_DEFAULT, now);
  }

  /** `2027年3月5日`, the year always. */
  dayWithYear(date: string, lang: Language): string {
    return localDayWithYear(date, lang, this.env.TZ_DEFAULT);
  }

  /** `12月5日 至 12月30日`. */
  days(from: string, to: string, lang: Language, now = this.clock.now()): string {
    return localDays(from, to, lang, this.env.TZ_DEFAULT, now);
  }

  /** `12月5日` (an instant's date). */
  dayOf(instant: Date, lang: Language, now = this.clock.now()): string {
    return localDayOf(instant, lang, this.env.TZ_DEFAULT, now);
  }

  /** `12月5日 14:30`. */
  dayTime(instant: Date, lang: Language, now = this.clock.now()): string {
    return localDayTime(instant, lang, this.env.TZ_DEFAULT, now);
  }

  /** `今天 14:30`, else `12月5日 14:30`. */
  when(instant: Date, lang: Language, now = this.clock.now()): string {
    return localDayTime(instant, lang, this.env.TZ_DEFAULT, now, this.t(lang, 'today'));
  }

  /** `3月12日 周四`. */
  weekday(dateOrInstant: string | Date, lang: Language, now = this.clock.now()): string {
    return localWeekday(dateOrInstant, lang, this.env.TZ_DEFAULT, now);
  }

  /** `3月12日 周四（今天）`, `3月13日 周五（明天）`, else `3月20日 周五` (no year: a session card's). */
  weekdayNamed(dateOrInstant: string | Date, lang: Language, now = this.clock.now()): string {
    const words = { today: this.t(lang, 'today'), tomorrow: this.t(lang, 'tomorrow') };
    return localWeekday(dateOrInstant, lang, this.env.TZ_DEFAULT, now, words);
  }

  /** `09:30`. */
  time(instant: Date): string {
    return localClock(instant, this.env.TZ_DEFAULT);
  }

  /** `张老师、李老师` / `Ms Zhang, Mr Li`: joined by the catalogue's LIST_SEPARATOR. */
  list(items: readonly string[], lang: Language): string {
    return items.join(this.t(lang, 'LIST_SEPARATOR'));
  }

  private t(lang: Language, key: string): string {
    return this.translator.t(`pages.${key}`, lang);
  }
}
