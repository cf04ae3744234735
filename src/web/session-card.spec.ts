import type { SessionDto } from '../classes/dto/session.dto';
import { sessionCard } from './session-card';

describe('sessionCard', () => {
  const words = { today: '今天', tomorrow: '明天' };
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
    expect(sessionCard(s, 'zh-CN', 'Asia/Shanghai', now, words)).toEqual({
      id: 's1',
      classTitle: '第四期培训班',
      date: '1月5日 周二（明天）',
      time: '09:00–12:00',
      place: '县图书馆电子阅览室',
      trainer: '王老师',
      topic: null,
      inProgress: false,
    });
    expect(sessionCard(s, 'en', 'Asia/Shanghai', now, { today: 'today', tomorrow: 'tomorrow' }).date).toBe(
      'Tue 5 Jan (tomorrow)',
    );
    expect(sessionCard(s, 'zh-CN', 'Asia/Shanghai', new Date('2027-01-05T02:00:00Z'), words)).toMatchObject({
      date: '1月5日 周二（今天）',
      inProgress: true,
    });
    expect(sessionCard(s, 'zh-CN', 'Asia/Shanghai', new Date('2027-01-02T02:00:00Z'), words).date).toBe('1月5日 周二');
    // The same instant elsewhere is another local time.
    expect(sessionCard(s, 'zh-CN', 'Europe/London', now, words).time).toBe('01:00–04:00');
  });
});
