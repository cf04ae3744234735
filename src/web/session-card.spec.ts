import type { SessionDto } from '../classes/dto/session.dto';
import type { Translator } from '../common/i18n/translator';
import type { Env } from '../config/env';
import { LocalWords } from './local-words';
import { sessionCard } from './session-card';

describe('sessionCard', () => {
  const catalogue: Record<string, string> = {
    'zh-CN.today': '今天',
    'zh-CN.tomorrow': '明天',
    'en.today': 'today',
    'en.tomorrow': 'tomorrow',
  };
  const translator = { t: (key: string, lang: string) => catalogue[`${lang}.${key.replace('pages.', '')}`] };
  const wordsIn = (zone: string) =>
    new LocalWords(translator as unknown as Translator, { now: () => new Date() }, { TZ_DEFAULT: zone } as Env);
  const words = wordsIn('Asia/Shanghai');
  const session = (startsAt: string, endsAt: string): SessionDto =>
    ({
      id: 's1',
      class: { id: 'c1', title: '第四期培训班' },
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      trainer: { id: 't1', displayName: '王老师' },
      venue: { id: 'v1', name: '县图书馆电子阅览室', address: null },
      topic: null,
    }) as SessionDto;

  it("writes the date and time in the centre's zone, naming today and tomorrow", () => {
    // 01:00 UTC on 5 January is 09:00 in Shanghai; "now" is 23:30 local on the 4th.
    const s = session('2027-01-05T01:00:00Z', '2027-01-05T04:00:00Z');
    const now = new Date('2027-01-04T15:30:00Z');
    expect(sessionCard(s, 'zh-CN', words, now)).toEqual({
      id: 's1',
      classTitle: '第四期培训班',
      date: '1月5日 周二（明天）',
      time: '09:00–12:00',
      place: '县图书馆电子阅览室',
      trainer: '王老师',
      topic: null,
      inProgress: false,
    });
    expect(sessionCard(s, 'en', words, now).date).toBe('Tue 5 Jan (tomorrow)');
    expect(sessionCard(s, 'zh-CN', words, new Date('2027-01-05T02:00:00Z'))).toMatchObject({
      date: '1月5日 周二（今天）',
      inProgress: true,
    });
    expect(sessionCard(s, 'zh-CN', words, new Date('2027-01-02T02:00:00Z')).date).toBe('1月5日 周二');
    // The same instant elsewhere is another local time.
    expect(sessionCard(s, 'zh-CN', wordsIn('Europe/London'), now).time).toBe('01:00–04:00');
    // A session of another year: the card keeps to one line, without the year.
    expect(sessionCard(s, 'zh-CN', words, new Date('2026-12-20T02:00:00Z')).date).toBe('1月5日 周二');
  });
});
