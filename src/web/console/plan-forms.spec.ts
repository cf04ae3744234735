import { buildRule, instantText, parseDates, quarterDates, ruleFieldsOf, splitList } from './plan-forms';

describe('the year plan forms', () => {
  const fields = (over: Partial<ReturnType<typeof ruleFieldsOf>> = {}) => ({
    ...ruleFieldsOf({}),
    interval: '1',
    ...over,
  });

  it('builds weekly, every-few-days and days-of-the-month rules', () => {
    expect(buildRule(fields({ days: ['TU', 'TH'] }))).toEqual({ rrule: 'FREQ=WEEKLY;BYDAY=TU,TH' });
    expect(buildRule(fields({ days: ['MO'], interval: '2', count: '6' }))).toEqual({
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=6',
    });
    expect(buildRule(fields({ pattern: 'daily', interval: '10' }))).toEqual({ rrule: 'FREQ=DAILY;INTERVAL=10' });
    expect(buildRule(fields({ pattern: 'monthly', monthDays: '25，5、15 5', until: '2027-03-20' }))).toEqual({
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25;UNTIL=20270320',
    });
    expect(buildRule(fields({ pattern: 'rrule', rrule: 'RRULE:FREQ=WEEKLY;BYDAY=FR' }))).toEqual({
      rrule: 'FREQ=WEEKLY;BYDAY=FR',
    });
  });

  it('says which builder field is wrong', () => {
    expect(buildRule(fields())).toEqual({ problems: [{ field: 'days', key: 'plan_err_days' }] });
    expect(buildRule(fields({ days: ['MO'], interval: '0' }))).toEqual({
      problems: [{ field: 'interval', key: 'plan_err_interval' }],
    });
    expect(buildRule(fields({ pattern: 'monthly', monthDays: '5,32' }))).toEqual({
      problems: [{ field: 'monthDays', key: 'plan_err_monthDays' }],
    });
    expect(buildRule(fields({ days: ['MO'], count: '3', until: '2027-01-31' }))).toEqual({
      problems: [{ field: 'until', key: 'plan_err_countAndUntil' }],
    });
    expect(buildRule(fields({ pattern: 'rrule' }))).toEqual({
      problems: [{ field: 'rrule', key: 'plan_err_rruleEmpty' }],
    });
  });

  it('reads the weekday checkboxes and falls back to weekly', () => {
    const f = ruleFieldsOf({ pattern: 'nonsense', day_WE: 'on', day_SU: 'on', day_XX: 'on' });
    expect(f.pattern).toBe('weekly');
    expect(f.days).toEqual(['WE', 'SU']);
  });

  it('reads holidays and refuses what is not a date', () => {
    expect(parseDates('2027-10-01\n2027-10-02, 2027-10-01')).toEqual({ dates: ['2027-10-01', '2027-10-02'] });
    expect(parseDates('2027-02-30 10/1')).toEqual({ bad: ['2027-02-30', '10/1'] });
    expect(splitList(' ')).toEqual([]);
  });

  it('turns local dates and times into instants with the offset', () => {
    expect(instantText('2027-01-05', '09:00', 'Asia/Shanghai')).toBe('2027-01-05T09:00:00+08:00');
    expect(instantText('2027-01-05', '9:00', 'Asia/Shanghai')).toBeUndefined();
    expect(instantText('2027-13-05', '09:00', 'Asia/Shanghai')).toBeUndefined();
  });

  it('knows quarters', () => {
    expect(quarterDates(2028, 1)).toEqual({ startDate: '2028-01-01', endDate: '2028-03-31' });
    expect(quarterDates(2027, 4)).toEqual({ startDate: '2027-10-01', endDate: '2027-12-31' });
  });
});
