import { randomBytes } from 'node:crypto';
import { codeAt, stepEndsAt, stepOf, STEP_SECONDS, verifyCode } from './check-in-codes';

describe('check-in codes', () => {
  const key = randomBytes(32);
  const openedAt = new Date('2026-11-28T01:00:05Z');
  const w = { sessionId: '7a0c6a5e-8f57-4a53-9a8d-0d2b6c3f1e11', openedAt };
  const at = (secondsAfterOpening: number) => new Date(openedAt.getTime() + secondsAfterOpening * 1000);

  it('gives six digits, the same in every process holding the key', () => {
    const code = codeAt(key, w, stepOf(at(1)));
    expect(code).toMatch(/^\d{6}$/);
    expect(codeAt(Buffer.from(key), { ...w }, stepOf(at(1)))).toBe(code);
  });

  it('rotates every 30 seconds', () => {
    const step = stepOf(at(0));
    expect(stepEndsAt(step).getTime() - stepEndsAt(step - 1).getTime()).toBe(STEP_SECONDS * 1000);
    const codes = new Set(Array.from({ length: 20 }, (_, i) => codeAt(key, w, step + i)));
    expect(codes.size).toBeGreaterThan(18);
  });

  it('accepts the current and the previous step only', () => {
    const step = stepOf(at(60));
    expect(verifyCode(key, w, codeAt(key, w, step), at(60))).toBe(true);
    expect(verifyCode(key, w, codeAt(key, w, step - 1), at(60))).toBe(true);
    expect(verifyCode(key, w, codeAt(key, w, step - 2), at(60))).toBe(false);
    expect(verifyCode(key, w, codeAt(key, w, step + 1), at(60))).toBe(false);
  });

  it('never accepts a step from before the window opened', () => {
    const first = stepOf(openedAt);
    expect(verifyCode(key, w, codeAt(key, w, first - 1), at(0))).toBe(false);
    expect(verifyCode(key, w, codeAt(key, w, first), at(0))).toBe(true);
  });

  it('differs per session, per opening and per key', () => {
    const step = stepOf(at(0));
    const code = codeAt(key, w, step);
    const others = [
      codeAt(key, { ...w, sessionId: 'b5b9d9c4-0d1e-4f7e-8a55-3c1f2e9d7a20' }, step),
      codeAt(key, { ...w, openedAt: new Date(openedAt.getTime() + 1) }, step),
      codeAt(randomBytes(32), w, step),
    ];
    expect(others).not.toContain(code);
    expect(verifyCode(randomBytes(32), w, code, at(0))).toBe(false);
  });

  it('refuses codes of the wrong shape', () => {
    const code = codeAt(key, w, stepOf(at(0)));
    expect(verifyCode(key, w, `${code}0`, at(0))).toBe(false);
    expect(verifyCode(key, w, code.slice(1), at(0))).toBe(false);
    expect(verifyCode(key, w, '', at(0))).toBe(false);
  });
});
