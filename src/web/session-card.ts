import { DateTime } from 'luxon';
import type { Language } from '../common/i18n/i18n.loader';
import type { SessionDto } from '../classes/dto/session.dto';

const WEEKDAYS_ZH = ['一', '二', '三', '四', '五', '六', '日'];

/** What a session card shows, written out for people in the centre's time zone. */
export interface SessionCard {
  id: string;
  classTitle: string;
  /** `1月5日 周二（明天）` or `Tue 5 Jan (tomorrow)`. */
  date: string;
  /** `09:00–12:00`. */
  time: string;
  place: string | null;
  trainer: string;
  topic: string | null;
  inProgress: boolean;
}

/** `words.today` / `words.tomorrow` are the catalogue's words for the two days named. */
export function sessionCard(
  s: SessionDto,
  lang: Language,
  zone: string,
  now: Date,
  words: { today: string; tomorrow: string },
): SessionCard {
  const start = DateTime.fromJSDate(s.startsAt, { zone });
  const end = DateTime.fromJSDate(s.endsAt, { zone });
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const days = Math.round(start.startOf('day').diff(today, 'days').days);
  const relative = days === 0 ? words.today : days === 1 ? words.tomorrow : '';
  const date =
    lang === 'zh-CN'
      ? `${start.month}月${start.day}日 周${WEEKDAYS_ZH[start.weekday - 1]}${relative ? `（${relative}）` : ''}`
      : `${start.setLocale('en-GB').toFormat('ccc d LLL')}${relative ? ` (${relative})` : ''}`;
  return {
    id: s.id,
    classTitle: s.class.title,
    date,
    time: `${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')}`,
    place: s.venue?.name ?? null,
    trainer: s.trainer.displayName,
    topic: s.topic,
    inProgress: s.startsAt <= now && now < s.endsAt,
  };
}
