import { throttleKeys } from '../../src/auth/login-throttle.service';
import type { User } from '../../src/users/user.entity';
import { createOrgTree, createUser, PASSWORD } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

const WRONG = 'wrong-password';

/** Signs in as if from `address`: the apps trust one proxy hop, so the last X-Forwarded-For entry is the client. */
function signIn(app: TestApp, username: string, password: string, address: string) {
  return app.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { 'x-forwarded-for': address },
    payload: { username, password },
  });
}

async function trainees(app: TestApp, orgUnitId: string, n: number): Promise<User[]> {
  return Promise.all(Array.from({ length: n }, () => createUser(app.ds, { role: 'trainee', orgUnitId })));
}

function retryAfter(res: { headers: Record<string, unknown> }): number {
  return Number(res.headers['retry-after']);
}

function count(statuses: number[], status: number): number {
  return statuses.filter((s) => s === status).length;
}

describe('sign-in throttling (e2e)', () => {
  /** Default limits: 5 per username and address, 20 per username, 100 per address, 1 min backoff. */
  let t: TestApp;
  /** The same, with an address limit of 10, to reach it with fewer password checks. */
  let strict: TestApp;
  let unit: string;
  let strictUnit: string;

  beforeAll(async () => {
    [t, strict] = await Promise.all([
      startTestApp({ TRUST_PROXY: '1' }),
      startTestApp({ TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_IP: '10' }),
    ]);
    unit = (await createOrgTree(t.ds)).villageA1.id;
    strictUnit = (await createOrgTree(strict.ds)).villageA1.id;
  });
  afterAll(() => Promise.all([t?.close(), strict?.close()]));

  it('lets a class of 60 behind one address in at once, though 20 of them mistype twice', async () => {
    const room = '10.1.0.1';
    const users = await trainees(t, unit, 60);
    const wrongAnswers: number[] = [];
    const finalAnswers = await Promise.all(
      users.map(async (u, i) => {
        if (i % 3 === 0) {
          for (let typo = 0; typo < 2; typo++) wrongAnswers.push((await signIn(t, u.username, WRONG, room)).statusCode);
        }
        return (await signIn(t, u.username, PASSWORD, room)).statusCode;
      }),
    );
    expect(wrongAnswers).toEqual(Array(40).fill(401));
    expect(finalAnswers).toEqual(Array(60).fill(200));
    // Every typo was forgiven as its trainee got in: the room starts the next class with a clean slate.
    expect(await t.redis.get(throttleKeys('', room).ipFailures)).toBeNull();
  });

  it('forgives an address the failures of each username that then signs in there', async () => {
    const room = '10.1.0.2';
    // Sixteen typos from an address allowed ten: each trainee's are forgiven as it gets in.
    for (const u of await trainees(strict, strictUnit, 8)) {
      await signIn(strict, u.username, WRONG, room).then((r) => expect(r.statusCode).toBe(401));
      await signIn(strict, u.username, WRONG, room).then((r) => expect(r.statusCode).toBe(401));
      await signIn(strict, u.username, PASSWORD, room).then((r) => expect(r.statusCode).toBe(200));
    }
  });

  it('refuses one address guessing one account, even the right password, while the owner signs in elsewhere', async () => {
    const [user] = await trainees(t, unit, 1);
    for (let i = 0; i < 5; i++) expect((await signIn(t, user.username, WRONG, '10.2.0.1')).statusCode).toBe(401);
    const refused = await signIn(t, user.username, PASSWORD, '10.2.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'TOO_MANY_LOGIN_ATTEMPTS', retryAfterSeconds: retryAfter(refused) });
    expect(retryAfter(refused)).toBeGreaterThanOrEqual(59);
    expect(retryAfter(refused)).toBeLessThanOrEqual(60);
    expect((await signIn(t, user.username, PASSWORD, '10.2.0.2')).statusCode).toBe(200);
    // The owner's sign-in elsewhere does not let the guesser go on.
    expect((await signIn(t, user.username, PASSWORD, '10.2.0.1')).statusCode).toBe(429);
  });

  it('refuses an address cycling through usernames once it reaches the address limit', async () => {
    const address = '10.3.0.1';
    for (let i = 0; i < 10; i++) {
      expect((await signIn(strict, `cycled-${i}`, WRONG, address)).statusCode).toBe(401);
    }
    const [user] = await trainees(strict, strictUnit, 1);
    const refused = await signIn(strict, user.username, PASSWORD, address);
    expect(refused.statusCode).toBe(429);
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect((await signIn(strict, user.username, PASSWORD, '10.3.0.2')).statusCode).toBe(200);
  });

  it('never lets parallel guesses at one account from one address past the limit', async () => {
    const [user] = await trainees(t, unit, 1);
    const statuses = (
      await Promise.all(Array.from({ length: 30 }, () => signIn(t, user.username, WRONG, '10.4.0.1')))
    ).map((r) => r.statusCode);
    expect([count(statuses, 401), count(statuses, 429)]).toEqual([5, 25]);
    expect((await signIn(t, user.username, PASSWORD, '10.4.0.1')).statusCode).toBe(429);
  });

  it('never lets parallel guesses across usernames from one address past the address limit', async () => {
    const statuses = (
      await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(strict, `parallel-${i}`, WRONG, '10.4.0.2')))
    ).map((r) => r.statusCode);
    expect([count(statuses, 401), count(statuses, 429)]).toEqual([10, 20]);
  });

  it('limits guesses at one account from many addresses, but not where its owner signed in before', async () => {
    const [user] = await trainees(t, unit, 1);
    const home = '10.5.0.1';
    expect((await signIn(t, user.username, PASSWORD, home)).statusCode).toBe(200);
    // Thirty addresses guessing at once, one guess each: the account limit (20) still holds.
    const statuses = (
      await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(t, user.username, WRONG, `10.5.1.${i}`)))
    ).map((r) => r.statusCode);
    expect([count(statuses, 401), count(statuses, 429)]).toEqual([20, 10]);
    const elsewhere = await signIn(t, user.username, PASSWORD, '10.5.2.1');
    expect(elsewhere.statusCode).toBe(429);
    expect(retryAfter(elsewhere)).toBeGreaterThan(0);
    // The guessing cannot lock the owner out where it signed in before.
    expect((await signIn(t, user.username, PASSWORD, home)).statusCode).toBe(200);
  });

  it('doubles the wait with each failure past the limit, up to the window, and a right password ends it', async () => {
    const [user] = await trainees(t, unit, 1);
    const address = '10.6.0.1';
    const lock = throttleKeys(user.username, address).pairLock;
    for (let i = 0; i < 5; i++) expect((await signIn(t, user.username, WRONG, address)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      const refused = await signIn(t, user.username, WRONG, address);
      expect(refused.statusCode).toBe(429);
      waits.push(retryAfter(refused));
      // The wait is over (without waiting for it): one more guess is checked, and refused again for longer.
      expect(await t.redis.del(lock)).toBe(1);
      expect((await signIn(t, user.username, WRONG, address)).statusCode).toBe(401);
    }
    const expected = [60, 120, 240, 480, 900, 900];
    waits.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(expected[i] - 1));
    waits.forEach((w, i) => expect(w).toBeLessThanOrEqual(expected[i]));
    await t.redis.del(lock);
    expect((await signIn(t, user.username, PASSWORD, address)).statusCode).toBe(200);
    expect((await signIn(t, user.username, WRONG, address)).statusCode).toBe(401);
  });

  it('lets a burst of right passwords from one address in even when more are in flight than the address limit', async () => {
    const address = '10.7.0.1';
    const users = await trainees(strict, strictUnit, 40);
    const results = await Promise.all(users.map((u) => signIn(strict, u.username, PASSWORD, address)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
    // Nothing is left counted against the address, in failures or in flight.
    const keys = throttleKeys('', address);
    expect(await strict.redis.get(keys.ipFailures)).toBeNull();
    expect(Number((await strict.redis.get(keys.ipInFlight)) ?? 0)).toBe(0);
  });

  it('counts failures against the address the trusted proxy saw, not what the client wrote', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', '1.2.3.4, 5.6.7.8')
      .send({ username: 'nobody-behind-a-proxy', password: WRONG })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
    // 1.2.3.4 is whatever the client wrote; 5.6.7.8 is the address our one proxy saw.
    expect(await t.redis.get(throttleKeys('', '5.6.7.8').ipFailures)).toBe('1');
    expect(await t.redis.get(throttleKeys('', '1.2.3.4').ipFailures)).toBeNull();
  });
});
