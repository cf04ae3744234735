import type { Language } from '../common/i18n/i18n.loader';
import type { SessionDto } from '../classes/dto/session.dto';
import type { LocalWords } from './local-words';

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
  /** What to bring, when the session says. */
  whatToBring: string | null;
  inProgress: boolean;
}

/** A session as a card, its date and time written by LocalWords (today and tomorrow named). */
export function sessionCard(s: SessionDto, lang: Language, words: LocalWords, now = words.now()): SessionCard {
  return {
    id: s.id,
    classTitle: s.class.title,
    date: words.weekdayNamed(s.startsAt, lang, now),
    time: `${words.time(s.startsAt)}–${words.time(s.endsAt)}`,
    place: s.venue?.name ?? null,
    trainer: s.trainer.displayName,
    topic: s.topic,
    whatToBring: s.whatToBring,
    inProgress: s.startsAt <= now && now < s.endsAt,
  };
}
