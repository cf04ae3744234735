import { createOrgTree, createUser, login, PASSWORD, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_IP: '50' });
    tree = await createOrgTree(t.ds);
  });
  afterAll(() => t.close());

  it('logs in with the right password and answers a token and the user without secrets', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, username: '13800000001' });
    const res = await t.http.post('/api/auth/login').send({ username: '13800000001', password: PASSWORD }).expect(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ id: user.id, username: '13800000001', role: 'trainee' });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ id: user.id, orgUnitId: tree.townshipA1.id });
  });

  it('accepts the username in any case and with spaces around it', async () => {
    await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, username: 'teacher.wang' });
    await t.http.post('/api/auth/login').send({ username: '  Teacher.Wang ', password: PASSWORD }).expect(200);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    const wrong = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: 'nope-nope' })
      .expect(401);
    const unknown = await t.http
      .post('/api/auth/login')
      .send({ username: 'nobody-here', password: 'nope-nope' })
      .expect(401);
    expect(wrong.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: expect.any(String) });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses an inactive user even with the right password', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, active: false });
    const res = await t.http.post('/api/auth/login').send({ username: user.username, password: PASSWORD }).expect(401);
    expect(res.body.code).toBe('ACCOUNT_INACTIVE');
  });

  it('answers 400 with field errors for a login body without a password', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 'x' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('throttles repeated failures for one username with 429 and Retry-After, even with the right password', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    for (let i = 0; i < 3; i++) {
      await t.http.post('/api/auth/login').send({ username: user.username, password: 'wrong-password' }).expect(401);
    }
    const blocked = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: PASSWORD })
      .expect(429);
    expect(blocked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The counter lives in Redis, where every API process sees it.
    expect(await t.redis.get(`login-fail:user:${user.username}`)).toBe('3');
  });

  it('reserves attempts atomically: 30 parallel wrong passwords for one username get at most 5 answers of 401', async () => {
    const local = await startTestApp({ LOGIN_MAX_FAILURES_PER_USER: '5', LOGIN_MAX_FAILURES_PER_IP: '1000' });
    try {
      const units = await createOrgTree(local.ds);
      const user = await createUser(local.ds, { role: 'trainee', orgUnitId: units.townshipA1.id });
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          local.http.post('/api/auth/login').send({ username: user.username, password: 'wrong-password' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      await local.http.post('/api/auth/login').send({ username: user.username, password: PASSWORD }).expect(429);
    } finally {
      await local.close();
    }
  });

  it('throttles failures per client address across usernames', async () => {
    const local = await startTestApp({ LOGIN_MAX_FAILURES_PER_USER: '100', LOGIN_MAX_FAILURES_PER_IP: '4' });
    try {
      const units = await createOrgTree(local.ds);
      const user = await createUser(local.ds, { role: 'trainee', orgUnitId: units.townshipA1.id });
      // Twenty guesses at once, each for another username: the address still gets only four.
      const guesses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          local.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username: `guess${i}`, password: 'wrong-password' },
          }),
        ),
      );
      const statuses = guesses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([...Array(4).fill(401), ...Array(16).fill(429)]);
      await local.http.post('/api/auth/login').send({ username: user.username, password: PASSWORD }).expect(429);
    } finally {
      await local.close();
    }
  });

  it('counts failures against the address the trusted proxy saw, and ignores X-Forwarded-For by default', async () => {
    const wrong = { username: 'nobody-behind-a-proxy', password: 'wrong-password' };
    const behindOne = await startTestApp({ TRUST_PROXY: '1' });
    try {
      await behindOne.http.post('/api/auth/login').set('X-Forwarded-For', '1.2.3.4, 5.6.7.8').send(wrong).expect(401);
      // 1.2.3.4 is whatever the client wrote; 5.6.7.8 is the address our one proxy saw.
      expect(await behindOne.redis.get('login-fail:ip:5.6.7.8')).toBe('1');
      expect(await behindOne.redis.get('login-fail:ip:1.2.3.4')).toBeNull();
    } finally {
      await behindOne.close();
    }
    await t.http.post('/api/auth/login').set('X-Forwarded-For', '1.2.3.4, 5.6.7.8').send(wrong).expect(401);
    expect(await t.redis.get('login-fail:ip:5.6.7.8')).toBeNull();
    expect(await t.redis.get('login-fail:ip:1.2.3.4')).toBeNull();
  });

  it('never throttles successful logins: 40 trainees behind one address all get in at once', async () => {
    const users = await Promise.all(
      Array.from({ length: 40 }, () => createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id })),
    );
    const results = await Promise.all(
      users.map((u) => t.http.post('/api/auth/login').send({ username: u.username, password: PASSWORD })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
  });

  it('lets a burst of right passwords from one address in even when more are in flight than the address limit', async () => {
    const local = await startTestApp({ LOGIN_MAX_FAILURES_PER_IP: '10' });
    try {
      const units = await createOrgTree(local.ds);
      const users = await Promise.all(
        Array.from({ length: 40 }, () => createUser(local.ds, { role: 'trainee', orgUnitId: units.villageA1.id })),
      );
      // inject() hands all 40 to the app at once (supertest opens a connection per request).
      const results = await Promise.all(
        users.map((u) =>
          local.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username: u.username, password: PASSWORD },
          }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
      // Nothing is left counted against the address.
      expect(Number((await local.redis.get('login-fail:ip:127.0.0.1')) ?? 0)).toBe(0);
    } finally {
      await local.close();
    }
  });

  it('answers 401 without a token, with a malformed token and with a token signed by another key', async () => {
    await t.http.get('/api/auth/me').expect(401);
    await t.http.get('/api/auth/me').set('Authorization', 'Bearer not-a-jwt').expect(401);
    const forged =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJ2ZXIiOjB9.' +
      'c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5';
    const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHORIZED', message: expect.any(String) });
  });

  it('refuses tokens signed with another algorithm (alg none)', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, ver: 0 })}.`;
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${none}`).expect(401);
  });

  it('stops old tokens when the user is deactivated or its role changes', async () => {
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    await t.http.get('/api/auth/me').set('Authorization', trainer.auth).expect(200);
    await t.http
      .patch(`/api/users/${trainer.user.id}`)
      .set('Authorization', admin.auth)
      .send({ role: 'trainee' })
      .expect(200);
    const revoked = await t.http.get('/api/auth/me').set('Authorization', trainer.auth).expect(401);
    expect(revoked.body.code).toBe('TOKEN_REVOKED');
    const fresh = `Bearer ${await login(t.http, trainer.user.username)}`;
    await t.http.get('/api/auth/me').set('Authorization', fresh).expect(200);
    await t.http
      .patch(`/api/users/${trainer.user.id}`)
      .set('Authorization', admin.auth)
      .send({ active: false })
      .expect(200);
    await t.http.get('/api/auth/me').set('Authorization', fresh).expect(401);
  });

  it('lets tokens expire', async () => {
    const short = await startTestApp({ JWT_EXPIRES_IN_SECONDS: '60' });
    try {
      const units = await createOrgTree(short.ds);
      const user = await createUser(short.ds, { role: 'trainee', orgUnitId: units.townshipA1.id });
      const res = await short.http
        .post('/api/auth/login')
        .send({ username: user.username, password: PASSWORD })
        .expect(200);
      expect(res.body.expiresIn).toBe(60);
      const payload = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString()) as {
        iat: number;
        exp: number;
      };
      expect(payload.exp - payload.iat).toBe(60);
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
      jest.setSystemTime(Date.now() + 61_000);
      try {
        await short.http.get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(401);
      } finally {
        jest.useRealTimers();
      }
    } finally {
      await short.close();
    }
  });
});
