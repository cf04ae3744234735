import jwt from 'jsonwebtoken';
import { throttleKeys } from '../../src/auth/login-throttle.service';
import { jwtSecret, validateEnv } from '../../src/config/env';
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

  it('answers a deactivated account with the right password exactly like a wrong password, and counts it as one', async () => {
    const inactive = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, active: false });
    const other = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    const wrong = await t.http.post('/api/auth/login').send({ username: other.username, password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    // This app allows 3 failures per username and address: a right password on a deactivated
    // account must run into the limit like a guess, or the missing 429 would give it away.
    for (let i = 0; i < 3; i++) {
      const res = await t.http.post('/api/auth/login').send({ username: inactive.username, password: PASSWORD });
      expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: wrong.body });
    }
    await t.http.post('/api/auth/login').send({ username: inactive.username, password: PASSWORD }).expect(429);
  });

  it('answers 400 with field errors for a login body without a password', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 'x' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says a proxy is in front', async () => {
    const wrong = { username: 'nobody-behind-a-proxy', password: 'wrong-password' };
    await t.http.post('/api/auth/login').set('X-Forwarded-For', '1.2.3.4, 5.6.7.8').send(wrong).expect(401);
    expect(await t.redis.get(throttleKeys('', '5.6.7.8').ipFailures)).toBeNull();
    expect(await t.redis.get(throttleKeys('', '1.2.3.4').ipFailures)).toBeNull();
    expect(await t.redis.get(throttleKeys('', '127.0.0.1').ipFailures)).not.toBeNull();
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

  it('answers 401, not 500, for a validly signed token whose subject is not a user id', async () => {
    // Signed with the secret this test app runs with (startTestApp validates the same process.env).
    const secret = jwtSecret(validateEnv(process.env));
    for (const sub of ['not-a-uuid', '', 42]) {
      const token = jwt.sign({ sub, ver: 0 }, secret, { algorithm: 'HS256', expiresIn: 60 });
      const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
      expect({ sub, status: res.status, code: res.body.code }).toEqual({ sub, status: 401, code: 'TOKEN_REVOKED' });
    }
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
