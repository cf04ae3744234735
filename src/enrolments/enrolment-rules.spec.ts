import { CLASS_STATUSES } from '../classes/classes.types';
import { enrolmentWindow, mayWithdraw, seatsLeft } from './enrolment-rules';

describe('enrolment rules', () => {
  describe('seatsLeft', () => {
    const limits = { maxPerTownship: 3, capacity: 10 };

    it('is what the township has left while the class has more room', () => {
      expect(seatsLeft({ townshipConfirmed: 0, classConfirmed: 0 }, limits)).toBe(3);
      expect(seatsLeft({ townshipConfirmed: 2, classConfirmed: 5 }, limits)).toBe(1);
    });

    it('is what the class has left when that is less', () => {
      expect(seatsLeft({ townshipConfirmed: 0, classConfirmed: 8 }, limits)).toBe(2);
      expect(seatsLeft({ townshipConfirmed: 1, classConfirmed: 9 }, limits)).toBe(1);
    });

    it('is 0 at either limit (the next trainee is waitlisted)', () => {
      expect(seatsLeft({ townshipConfirmed: 3, classConfirmed: 3 }, limits)).toBe(0);
      expect(seatsLeft({ townshipConfirmed: 0, classConfirmed: 10 }, limits)).toBe(0);
    });

    it('never goes below 0 when limits were lowered under the seats held', () => {
      expect(seatsLeft({ townshipConfirmed: 5, classConfirmed: 5 }, limits)).toBe(0);
      expect(seatsLeft({ townshipConfirmed: 0, classConfirmed: 12 }, limits)).toBe(0);
    });
  });

  describe('enrolmentWindow', () => {
    const opens = new Date('2026-12-01T00:00:00Z');
    const closes = new Date('2026-12-10T10:00:00Z');
    const open = { status: 'open' as const, enrolmentOpensAt: opens, enrolmentClosesAt: closes };

    it('is notYet before it opens, open from its opening to just before its close, closed from the close', () => {
      expect(enrolmentWindow(open, new Date(opens.getTime() - 1))).toBe('notYet');
      expect(enrolmentWindow(open, opens)).toBe('open');
      expect(enrolmentWindow(open, new Date(closes.getTime() - 1))).toBe('open');
      expect(enrolmentWindow(open, closes)).toBe('closed');
      expect(enrolmentWindow(open, new Date(closes.getTime() + 86_400_000))).toBe('closed');
    });

    it('is closed for a class in any other status, whatever the dates', () => {
      for (const status of CLASS_STATUSES.filter((s) => s !== 'open')) {
        expect(enrolmentWindow({ ...open, status }, new Date('2026-12-05T00:00:00Z'))).toBe('closed');
        expect(enrolmentWindow({ ...open, status }, new Date('2026-11-01T00:00:00Z'))).toBe('closed');
      }
    });
  });

  describe('mayWithdraw', () => {
    const zone = 'Asia/Shanghai';
    // The class's first day begins at 2026-12-04T00:00+08:00, which is 2026-12-03T16:00Z.
    const cls = { status: 'open' as const, startDate: '2026-12-04' };

    it('allows an open class until local midnight of its first day, not from then on', () => {
      expect(mayWithdraw(cls, new Date('2026-12-03T15:59:59.999Z'), zone)).toBe(true);
      expect(mayWithdraw(cls, new Date('2026-12-03T16:00:00Z'), zone)).toBe(false);
      expect(mayWithdraw(cls, new Date('2026-12-04T12:00:00Z'), zone)).toBe(false);
    });

    it('counts the day in the given zone, not UTC', () => {
      // 20:00 UTC on the 3rd is already the 4th in Shanghai, still the 3rd in UTC.
      const now = new Date('2026-12-03T20:00:00Z');
      expect(mayWithdraw(cls, now, zone)).toBe(false);
      expect(mayWithdraw(cls, now, 'UTC')).toBe(true);
    });

    it('refuses any class that is not open, even before it starts', () => {
      const early = new Date('2026-11-01T00:00:00Z');
      for (const status of CLASS_STATUSES.filter((s) => s !== 'open')) {
        expect(mayWithdraw({ ...cls, status }, early, zone)).toBe(false);
      }
    });
  });
});
