import { createHmac } from 'node:crypto';
import {
  codeAt,
  CODE_DIGITS,
  hotp,
  type OtpAlgorithm,
  stepEndsAt,
  stepOf,
  LINK_CODE_STEPS,
  STEP_SECONDS,
  totp,
  TYPED_CODE_STEPS,
  verifyCode,
  windowKey,
} from './check-in-codes';

describe('HOTP (RFC 4226)', () => {
  it('gives the Appendix D values for counters 0 to 9', () => {
    const secret = Buffer.from('12345678901234567890', 'ascii');
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, counter) => hotp(secret, counter))).toEqual(expected);
  });

  it('refuses counters and lengths it cannot honour', () => {
    const secret = Buffer.from('12345678901234567890', 'ascii');
    for (const counter of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => hotp(secret, counter)).toThrow(RangeError);
    for (const digits of [5, 11, 6.5]) expect(() => hotp(secret, 0, digits)).toThrow(RangeError);
  });
});

describe('TOTP (RFC 6238)', () => {
  // Appendix B: the seed repeats "1234567890" to the length of each hash; 8 digits, 30 s, T0 = 0.
  const seeds: Record<OtpAlgorithm, Buffer> = {
    sha1: Buffer.from('12345678901234567890', 'ascii'),
    sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
  };
  const vectors: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1_111_111_109, '07081804', '68084774', '25091201'],
    [1_111_111_111, '14050471', '67062674', '99943326'],
    [1_234_567_890, '89005924', '91819424', '93441116'],
    [2_000_000_000, '69279037', '90698825', '38618901'],
    [20_000_000_000, '65353130', '77737706', '47863826'],
  ];

  it.each(vectors)('gives the Appendix B values at %i s', (seconds, sha1, sha256, sha512) => {
    const at = new Date(seconds * 1000);
    expect(totp(seeds.sha1, at, 8, 'sha1')).toBe(sha1);
    expect(totp(seeds.sha256, at, 8, 'sha256')).toBe(sha256);
    expect(totp(seeds.sha512, at, 8, 'sha512')).toBe(sha512);
  });

  it('uses SHA-1 and six digits by default', () => {
    expect(totp(seeds.sha1, new Date(59_000))).toBe('287082');
  });

  it('counts 30-second steps from the Unix epoch', () => {
    expect(STEP_SECONDS).toBe(30);
    expect([0, 29_999, 30_000, 59_999, 60_000].map((ms) => stepOf(new Date(ms)))).toEqual([0, 0, 1, 1, 2]);
    expect(stepOf(new Date(1_111_111_109_000))).toBe(0x23523ec);
    expect(stepEndsAt(0).getTime()).toBe(30_000);
    expect(stepEndsAt(0x23523ec).getTime()).toBe(1_111_111_110_000);
  });
});

describe('check-in codes', () => {
  // A fixed server key, window and times: the expected codes below were computed outside
  // this module (Python's hmac module), so they pin the derivation rather than repeat it.
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const openedAt = new Date('2026-11-28T01:00:05Z');
  const w = { sessionId: '7a0c6a5e-8f57-4a53-9a8d-0d2b6c3f1e11', openedAt };
  const first = 59_860_920; // stepOf(openedAt): 1_795_827_605_000 ms / 30_000
  /** The window's codes by step, from `first - 2` on. */
  const codes: Record<number, string> = {
    [first - 2]: '060994',
    [first - 1]: '740989',
    [first]: '022339',
    [first + 1]: '944379',
    [first + 2]: '840031',
    [first + 3]: '855488',
  };
  const at = (secondsAfterOpening: number) => new Date(openedAt.getTime() + secondsAfterOpening * 1000);

  it('derives a key per window: HMAC-SHA256 of session and opening (ms) under the server key', () => {
    expect(windowKey(key, w).toString('hex')).toBe('0f1abdb126a3aaddb5f7c8adb661a6d6183c8619527c79005ab22b00e2f73a54');
    // The same construction spelled out with node:crypto alone.
    const derived = createHmac('sha256', key).update(`${w.sessionId}:1795827605000`).digest();
    expect(windowKey(key, w).equals(derived)).toBe(true);
  });

  it('is HOTP-SHA256 of the window key with the time step as counter, six digits', () => {
    expect(CODE_DIGITS).toBe(6);
    expect(stepOf(openedAt)).toBe(first);
    for (const [step, code] of Object.entries(codes)) expect(codeAt(key, w, Number(step))).toBe(code);
    expect(codeAt(key, w, first)).toBe(hotp(windowKey(key, w), first, 6, 'sha256'));
    // Any process holding the key derives the same code.
    expect(codeAt(Buffer.from(key), { ...w, openedAt: new Date(openedAt.getTime()) }, first)).toBe(codes[first]);
  });

  it('accepts the current and the previous step only', () => {
    const now = at(60); // step first + 2
    expect(stepOf(now)).toBe(first + 2);
    expect(verifyCode(key, w, codes[first + 2], now)).toBe(true);
    expect(verifyCode(key, w, codes[first + 1], now)).toBe(true);
    expect(verifyCode(key, w, codes[first], now)).toBe(false);
    expect(verifyCode(key, w, codes[first + 3], now)).toBe(false);
  });

  it('keeps accepting a code until the end of the step after its own', () => {
    const shown = codes[first + 1];
    const end = stepEndsAt(first + 1).getTime();
    expect(verifyCode(key, w, shown, new Date(end - 1))).toBe(true);
    expect(verifyCode(key, w, shown, new Date(end + STEP_SECONDS * 1000 - 1))).toBe(true);
    expect(verifyCode(key, w, shown, new Date(end + STEP_SECONDS * 1000))).toBe(false);
  });

  it('accepts a linked code for LINK_CODE_STEPS steps, never from before the window opened', () => {
    expect(LINK_CODE_STEPS).toBe(10);
    const shown = codes[first];
    // Five minutes: the step's own 30 s and nine steps more.
    const end = stepEndsAt(first + 9).getTime();
    expect(verifyCode(key, w, shown, new Date(end - 1), LINK_CODE_STEPS)).toBe(true);
    expect(verifyCode(key, w, shown, new Date(end), LINK_CODE_STEPS)).toBe(false);
    expect(verifyCode(key, w, shown, new Date(end - 1), TYPED_CODE_STEPS)).toBe(false);
    expect(verifyCode(key, w, codes[first - 1], at(60), LINK_CODE_STEPS)).toBe(false);
  });

  it('never accepts a step from before the window opened', () => {
    expect(verifyCode(key, w, codes[first - 1], at(0))).toBe(false);
    expect(verifyCode(key, w, codes[first], at(0))).toBe(true);
    // One step later, the step before is the window's first and is accepted again.
    expect(verifyCode(key, w, codes[first], at(30))).toBe(true);
    expect(verifyCode(key, w, codes[first - 1], at(30))).toBe(false);
  });

  it('differs per session, per opening and per key', () => {
    const code = codes[first];
    const others = [
      codeAt(key, { ...w, sessionId: 'b5b9d9c4-0d1e-4f7e-8a55-3c1f2e9d7a20' }, first),
      codeAt(key, { ...w, openedAt: new Date(openedAt.getTime() + 1) }, first),
      codeAt(Buffer.alloc(32, 7), w, first),
    ];
    expect(others).not.toContain(code);
    expect(verifyCode(Buffer.alloc(32, 7), w, code, at(0))).toBe(false);
    expect(verifyCode(key, { ...w, openedAt: new Date(openedAt.getTime() + 1) }, code, at(0))).toBe(false);
  });

  it('refuses codes of the wrong shape', () => {
    const code = codes[first];
    expect(verifyCode(key, w, `${code}0`, at(0))).toBe(false);
    expect(verifyCode(key, w, code.slice(1), at(0))).toBe(false);
    expect(verifyCode(key, w, ` ${code.slice(1)}`, at(0))).toBe(false);
    expect(verifyCode(key, w, '', at(0))).toBe(false);
  });
});
