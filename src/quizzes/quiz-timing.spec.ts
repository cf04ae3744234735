import { answeredAtOf, closesAtFor, closingReminderAt, deadlineOf, phaseAt } from './quiz-timing';

const at = (iso: string) => new Date(iso);
const quiz = { opensAt: at('2027-03-01T01:00:00Z'), closesAt: at('2027-03-01T03:00:00Z'), timeLimitSeconds: 1800 };

describe('deadlineOf', () => {
  it('is the start plus the time limit when that comes before the close', () => {
    expect(deadlineOf(at('2027-03-01T01:10:00Z'), quiz, null)).toEqual(at('2027-03-01T01:40:00Z'));
  });

  it('is the close when the time limit would run past it', () => {
    expect(deadlineOf(at('2027-03-01T02:45:00Z'), quiz, null)).toEqual(quiz.closesAt);
  });

  it('is exactly the close when both fall at the same instant', () => {
    expect(deadlineOf(at('2027-03-01T02:30:00Z'), quiz, null)).toEqual(quiz.closesAt);
  });

  it('is the close without a time limit', () => {
    expect(deadlineOf(at('2027-03-01T01:10:00Z'), { ...quiz, timeLimitSeconds: null }, null)).toEqual(quiz.closesAt);
  });

  it('adds an override’s extra time, still capped by the close', () => {
    const override = { extraTimeSeconds: 600, closesAt: null };
    expect(deadlineOf(at('2027-03-01T01:10:00Z'), quiz, override)).toEqual(at('2027-03-01T01:50:00Z'));
    expect(deadlineOf(at('2027-03-01T02:40:00Z'), quiz, override)).toEqual(quiz.closesAt);
  });

  it('uses an override’s later close instead of the quiz’s', () => {
    const override = { extraTimeSeconds: 600, closesAt: at('2027-03-02T03:00:00Z') };
    expect(closesAtFor(quiz, override)).toEqual(override.closesAt);
    expect(deadlineOf(at('2027-03-01T02:40:00Z'), quiz, override)).toEqual(at('2027-03-01T03:20:00Z'));
  });
});

describe('phaseAt', () => {
  const deadline = at('2027-03-01T01:40:00Z');

  it('is open up to and including the deadline', () => {
    expect(phaseAt(deadline, deadline, 30)).toBe('open');
  });

  it('is grace after the deadline up to and including the end of the grace', () => {
    expect(phaseAt(new Date(deadline.getTime() + 1), deadline, 30)).toBe('grace');
    expect(phaseAt(new Date(deadline.getTime() + 30_000), deadline, 30)).toBe('grace');
  });

  it('is over after the grace, and at once after the deadline when there is none', () => {
    expect(phaseAt(new Date(deadline.getTime() + 30_001), deadline, 30)).toBe('over');
    expect(phaseAt(new Date(deadline.getTime() + 1), deadline, 0)).toBe('over');
  });
});

describe('closingReminderAt', () => {
  it('is the lead before the close', () => {
    const long = { opensAt: at('2027-03-01T00:00:00Z'), closesAt: at('2027-03-08T00:00:00Z') };
    expect(closingReminderAt(long, 1440)).toEqual(at('2027-03-07T00:00:00Z'));
  });

  it('is halfway through a quiz open for less than the lead (or exactly the lead)', () => {
    expect(closingReminderAt(quiz, 1440)).toEqual(at('2027-03-01T02:00:00Z'));
    expect(closingReminderAt(quiz, 120)).toEqual(at('2027-03-01T02:00:00Z'));
  });

  it('is none with a lead of 0', () => {
    expect(closingReminderAt(quiz, 0)).toBeNull();
  });
});

describe('answeredAtOf', () => {
  const startedAt = at('2027-03-01T01:00:00Z');
  const now = at('2027-03-01T01:20:00Z');

  it('keeps a time given between the start and now', () => {
    expect(answeredAtOf(at('2027-03-01T01:05:00Z'), startedAt, now)).toEqual(at('2027-03-01T01:05:00Z'));
  });

  it('is now when none is given, or when the phone’s clock runs ahead', () => {
    expect(answeredAtOf(undefined, startedAt, now)).toEqual(now);
    expect(answeredAtOf(at('2027-03-01T05:00:00Z'), startedAt, now)).toEqual(now);
  });

  it('is the start when the phone’s clock runs behind', () => {
    expect(answeredAtOf(at('2027-02-28T01:05:00Z'), startedAt, now)).toEqual(startedAt);
  });
});
