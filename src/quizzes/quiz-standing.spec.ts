import { standingOf } from './quiz-standing';

const at = (iso: string) => new Date(iso);
const quiz = {
  opensAt: at('2026-12-01T09:00:00Z'),
  closesAt: at('2026-12-08T09:00:00Z'),
  timeLimitSeconds: 600,
  attemptsAllowed: 2,
};
const override = (o: { closesAt?: Date | null; extraAttempts?: number }) => ({
  extraTimeSeconds: 0,
  closesAt: o.closesAt ?? null,
  extraAttempts: o.extraAttempts ?? 0,
});

describe('standingOf', () => {
  const during = at('2026-12-03T09:00:00Z');

  it('is open inside the window with attempts left, and counts what is left', () => {
    expect(standingOf(quiz, null, 1, during)).toEqual({
      state: 'open',
      opensAt: quiz.opensAt,
      closesAt: quiz.closesAt,
      attemptsAllowed: 2,
      attemptsUsed: 1,
      attemptsLeft: 1,
    });
  });

  it('opens at the opening instant, not before', () => {
    expect(standingOf(quiz, null, 0, at('2026-12-01T08:59:59.999Z')).state).toBe('upcoming');
    expect(standingOf(quiz, null, 0, quiz.opensAt).state).toBe('open');
  });

  it('closes at the closing instant', () => {
    expect(standingOf(quiz, null, 0, at('2026-12-08T08:59:59.999Z')).state).toBe('open');
    expect(standingOf(quiz, null, 0, quiz.closesAt).state).toBe('closed');
  });

  it('has none left once every allowed attempt is used, and never fewer than none', () => {
    expect(standingOf(quiz, null, 2, during)).toMatchObject({ state: 'no_attempts_left', attemptsLeft: 0 });
    expect(standingOf(quiz, null, 150, during)).toMatchObject({ state: 'no_attempts_left', attemptsLeft: 0 });
  });

  it('refuses in the order a start does: not open yet, then closed, then no attempts left', () => {
    expect(standingOf(quiz, null, 5, at('2026-11-30T00:00:00Z')).state).toBe('upcoming');
    expect(standingOf(quiz, null, 5, at('2026-12-09T00:00:00Z')).state).toBe('closed');
  });

  it("applies the trainee's override: her own close (later or earlier) and extra attempts", () => {
    const later = at('2026-12-10T09:00:00Z');
    const afterClose = at('2026-12-09T00:00:00Z');
    expect(standingOf(quiz, override({ closesAt: later }), 0, afterClose)).toMatchObject({
      state: 'open',
      closesAt: later,
    });
    const earlier = at('2026-12-02T09:00:00Z');
    expect(standingOf(quiz, override({ closesAt: earlier }), 0, during)).toMatchObject({
      state: 'closed',
      closesAt: earlier,
    });
    expect(standingOf(quiz, override({ extraAttempts: 3 }), 2, during)).toMatchObject({
      state: 'open',
      attemptsAllowed: 5,
      attemptsLeft: 3,
    });
  });

  it("keeps the quiz's close when the override sets none", () => {
    expect(standingOf(quiz, override({ extraAttempts: 1 }), 0, during).closesAt).toEqual(quiz.closesAt);
  });
});
