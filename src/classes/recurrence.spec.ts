import { localDate, localTime } from '../common/time/zoned-time';
import { expandRecurrence, MAX_OCCURRENCES, type RecurrenceError } from './recurrence';

const dates = (occ: { date: string }[]) => occ.map((o) => o.date);

describe('expandRecurrence', () => {
  it('gives three dates a month with BYMONTHDAY=5,15,25 over a quarter, in Shanghai time', () => {
    const occ = expandRecurrence(
      { rrule: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25', startTime: '09:00', durationMinutes: 180 },
      '2026-04-01',
      '2026-06-30',
      'Asia/Shanghai',
    );
    expect(dates(occ)).toEqual([
      '2026-04-05',
      '2026-04-15',
      '2026-04-25',
      '2026-05-05',
      '2026-05-15',
      '2026-05-25',
      '2026-06-05',
      '2026-06-15',
      '2026-06-25',
    ]);
    // 09:00 in Shanghai (UTC+8) is 01:00 UTC; three hours long
    expect(occ[0].startsAt.toISOString()).toBe('2026-04-05T01:00:00.000Z');
    expect(occ[0].endsAt.toISOString()).toBe('2026-04-05T04:00:00.000Z');
  });

  it('keeps 09:00 local across the daylight-saving change in Europe/Berlin', () => {
    const occ = expandRecurrence(
      { rrule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '09:00', durationMinutes: 90 },
      '2026-03-17',
      '2026-04-07',
      'Europe/Berlin',
    );
    expect(dates(occ)).toEqual(['2026-03-17', '2026-03-24', '2026-03-31', '2026-04-07']);
    expect(occ.map((o) => localTime(o.startsAt, 'Europe/Berlin'))).toEqual(['09:00', '09:00', '09:00', '09:00']);
    // before the change (29 March) Berlin is UTC+1, after it UTC+2
    expect(occ[1].startsAt.toISOString()).toBe('2026-03-24T08:00:00.000Z');
    expect(occ[2].startsAt.toISOString()).toBe('2026-03-31T07:00:00.000Z');
    expect(occ.every((o) => o.endsAt.getTime() - o.startsAt.getTime() === 90 * 60_000)).toBe(true);
  });

  it('keeps the local date when the local time is near midnight', () => {
    const occ = expandRecurrence(
      { rrule: 'FREQ=DAILY', startTime: '00:30', durationMinutes: 30 },
      '2026-10-24',
      '2026-10-26',
      'Europe/Berlin',
    );
    expect(occ.map((o) => localDate(o.startsAt, 'Europe/Berlin'))).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
  });

  it('skips the listed dates', () => {
    const occ = expandRecurrence(
      { rrule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '14:00', durationMinutes: 60, exdates: ['2026-10-06'] },
      '2026-09-29',
      '2026-10-13',
      'Asia/Shanghai',
    );
    expect(dates(occ)).toEqual(['2026-09-29', '2026-10-13']);
  });

  it('respects an UNTIL or COUNT inside the rule', () => {
    const occ = expandRecurrence(
      { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=2', startTime: '09:00', durationMinutes: 60 },
      '2026-01-01',
      '2026-03-31',
      'Asia/Shanghai',
    );
    expect(dates(occ)).toEqual(['2026-01-05', '2026-01-12']);
  });

  it.each([
    ['garbage', 'INVALID_RRULE'],
    ['FREQ=HOURLY', 'INVALID_RRULE'],
    ['BYDAY=MO', 'INVALID_RRULE'],
    ['DTSTART=20260101T000000Z;FREQ=DAILY', 'INVALID_RRULE'],
    // values that make the rrule library loop forever or throw
    ['FREQ=DAILY;INTERVAL=-1', 'INVALID_RRULE'],
    ['FREQ=DAILY;BYMONTH=13', 'INVALID_RRULE'],
    ['FREQ=DAILY;BYYEARDAY=400', 'INVALID_RRULE'],
    ['FREQ=WEEKLY;BYDAY=XX', 'INVALID_RRULE'],
    ['FREQ=MONTHLY;BYSETPOS=400;BYDAY=MO', 'INVALID_RRULE'],
    ['FREQ=WEEKLY;BYHOUR=9', 'INVALID_RRULE'],
  ])('refuses %s with %s', (rrule, code) => {
    expect(() =>
      expandRecurrence({ rrule, startTime: '09:00', durationMinutes: 60 }, '2026-01-01', '2026-03-31', 'Asia/Shanghai'),
    ).toThrow(expect.objectContaining({ code }) as RecurrenceError);
  });

  it('refuses a recurrence that gives no date, or too many', () => {
    expect(() =>
      expandRecurrence(
        { rrule: 'FREQ=YEARLY;BYMONTH=12', startTime: '09:00', durationMinutes: 60 },
        '2026-01-01',
        '2026-03-31',
        'Asia/Shanghai',
      ),
    ).toThrow(expect.objectContaining({ code: 'RECURRENCE_EMPTY' }) as RecurrenceError);
    expect(() =>
      expandRecurrence(
        { rrule: 'FREQ=DAILY', startTime: '09:00', durationMinutes: 60 },
        '2026-01-01',
        '2026-12-31',
        'Asia/Shanghai',
      ),
    ).toThrow(expect.objectContaining({ code: 'RECURRENCE_TOO_LONG' }) as RecurrenceError);
    expect(MAX_OCCURRENCES).toBeLessThan(365);
  });
});
