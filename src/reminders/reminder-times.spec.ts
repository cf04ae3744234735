import { gapNoticeAt, isReminderDue, plannedReminders } from './reminder-times';

const MIN = 60_000;
const offsets = [1440 * MIN, 120 * MIN];
const start = new Date('2027-03-10T01:00:00Z');
const before = (ms: number) => new Date(start.getTime() - ms);

describe('plannedReminders', () => {
  it('plans every offset ahead at its moment', () => {
    expect(plannedReminders(start, offsets, before(3 * 1440 * MIN))).toEqual([
      { offsetMs: 1440 * MIN, at: before(1440 * MIN) },
      { offsetMs: 120 * MIN, at: before(120 * MIN) },
    ]);
  });

  it('drops a past reminder when a later one is still to come', () => {
    expect(plannedReminders(start, offsets, before(180 * MIN))).toEqual([
      { offsetMs: 120 * MIN, at: before(120 * MIN) },
    ]);
  });

  it('sends the last reminder at once when its moment passed but the session has not started', () => {
    const now = before(30 * MIN);
    expect(plannedReminders(start, offsets, now)).toEqual([{ offsetMs: 120 * MIN, at: now }]);
  });

  it('plans nothing for a session that has started or passed', () => {
    expect(plannedReminders(start, offsets, start)).toEqual([]);
    expect(plannedReminders(start, offsets, new Date(start.getTime() + MIN))).toEqual([]);
  });

  it('sends a slightly late first reminder at once, beside the next one', () => {
    const now = before(1400 * MIN);
    expect(plannedReminders(start, offsets, now)).toEqual([
      { offsetMs: 1440 * MIN, at: now },
      { offsetMs: 120 * MIN, at: before(120 * MIN) },
    ]);
  });

  it('plans exactly at the boundary', () => {
    expect(plannedReminders(start, offsets, before(1440 * MIN))).toEqual([
      { offsetMs: 1440 * MIN, at: before(1440 * MIN) },
      { offsetMs: 120 * MIN, at: before(120 * MIN) },
    ]);
  });
});

describe('isReminderDue', () => {
  it('is due from its moment until the next offset or the start', () => {
    expect(isReminderDue(start, 1440 * MIN, offsets, before(1440 * MIN + 1))).toBe(false);
    expect(isReminderDue(start, 1440 * MIN, offsets, before(1440 * MIN))).toBe(true);
    // Late, but less than halfway to the 2-hour reminder (11 hours): still sent.
    expect(isReminderDue(start, 1440 * MIN, offsets, before(781 * MIN))).toBe(true);
    expect(isReminderDue(start, 1440 * MIN, offsets, before(780 * MIN))).toBe(false);
    expect(isReminderDue(start, 1440 * MIN, offsets, before(121 * MIN))).toBe(false);
    expect(isReminderDue(start, 120 * MIN, offsets, before(120 * MIN))).toBe(true);
    expect(isReminderDue(start, 120 * MIN, offsets, before(1))).toBe(true);
    expect(isReminderDue(start, 120 * MIN, offsets, start)).toBe(false);
  });
});

describe('gapNoticeAt', () => {
  const HOUR = 3_600_000;
  const opens = new Date('2027-02-01T00:00:00Z');
  const closes = new Date('2027-02-21T00:00:00Z');

  it('is the lead before enrolment closes', () => {
    expect(gapNoticeAt(opens, closes, 72 * HOUR)).toEqual(new Date('2027-02-18T00:00:00Z'));
  });

  it('waits for half the window when the window is shorter than twice the lead', () => {
    const short = new Date('2027-02-03T00:00:00Z');
    expect(gapNoticeAt(opens, short, 72 * HOUR)).toEqual(new Date('2027-02-02T00:00:00Z'));
  });
});
