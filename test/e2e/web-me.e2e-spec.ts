import type { Response } from 'supertest';
import type { User } from '../../src/users/user.entity';
import { createUser, login, PASSWORD } from '../factories';
import { attendanceWorld, createSession, seat } from '../factories/attendance';
import { type FakeSmsGateway, startFakeSmsGateway } from '../support/fake-sms-gateway';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { formToken, getPage, openLogin, pageText, postForm, setCookies, signInPage } from '../support/web-pages';

const NEW_PASSWORD = 'Neues-Passwort-2027';

/**
 * 我的 over HTTP (e2e): the learning record, text size, message settings, the password change
 * and 忘记密码 by SMS code through a real local SMS gateway, every form with and without its
 * token; and, on a second app without an SMS gateway, the "ask the library" page.
 */
describe('web pages: 我的, text size, messages, password (e2e)', () => {
  let t: TestApp;
  let gateway: FakeSmsGateway;

  beforeAll(async () => {
    gateway = await startFakeSmsGateway();
    t = await startTestApp({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_SECRET: gateway.secret });
    // The test's own Redis client queues nothing while it connects.
    if (t.redis.status !== 'ready') await new Promise((ready) => t.redis.once('ready', ready));
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  /** Every password-reset limit starts afresh (all requests here come from one address). */
  async function clearLimits(): Promise<void> {
    const prefix = t.rawEnv.REDIS_PREFIX!;
    const keys = await t.redis.keys(`${prefix}password-reset:*`);
    if (keys.length) await t.redis.del(...keys.map((k) => k.slice(prefix.length)));
  }
  beforeEach(clearLimits);

  let phones = 0;
  const nextPhone = () => `1385500${String(++phones).padStart(4, '0')}`;

  /**
   * A trainee (username: her phone number) seated in a running class with three held sessions
   * (present, late, absent), one cancelled and one to come, and withdrawn from another class.
   */
  async function traineeWorld() {
    const w = await attendanceWorld(t.http, t.ds, { title: '智能手机入门班' });
    const phone = nextPhone();
    const trainee = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: w.tree.townshipA1.id,
      username: phone,
      phone,
      displayName: '李小红',
    });
    const enrolment = await seat(t.ds, w.cls, trainee, w.tree.townshipA1);
    const held = [];
    for (const minutes of [-3 * 24 * 60, -2 * 24 * 60, -24 * 60]) {
      held.push(await createSession(t.ds, w.cls, w.trainer.user.id, minutes));
    }
    await createSession(t.ds, w.cls, w.trainer.user.id, -12 * 60, { status: 'cancelled' });
    await createSession(t.ds, w.cls, w.trainer.user.id, 24 * 60);
    for (const [i, status] of (['present', 'late', 'absent'] as const).entries()) {
      await t.http
        .put(`/api/sessions/${held[i].id}/attendance`)
        .set('Authorization', w.trainer.auth)
        .send({ records: [{ enrolmentId: enrolment.id, status }] })
        .expect(200);
    }
    const other = await attendanceWorld(t.http, t.ds, { title: '退出了的班' });
    await seat(t.ds, other.cls, trainee, other.tree.townshipA1, 'withdrawn');
    return { ...w, trainee };
  }

  async function trainee(fields: Partial<User> = {}) {
    const w = await attendanceWorld(t.http, t.ds);
    return createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id, username: nextPhone(), ...fields });
  }

  // ---------------------------------------------------------------------------------------------
  // 我的

  it('sends a signed-out browser to sign in, and a script a JSON 401', async () => {
    const res = await t.http.get('/me').set('Accept', 'text/html').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fme');
    for (const path of ['/me/messages', '/me/password']) {
      const json = await t.http.get(path).set('Accept', 'application/json').expect(401);
      expect(json.body).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it("shows a trainee's learning record: classes, sessions attended, person-times, results and certificates", async () => {
    const w = await traineeWorld();
    const b = await signInPage(t.http, w.trainee.username);
    const res = await getPage(t.http, b.cookie, '/me').expect(200);
    const text = pageText(res);
    expect(text).toContain('学习记录');
    expect(text).toContain('参加了 1 个班，一共来上课 2 次。');
    expect(text).toContain('智能手机入门班');
    // Present and late count; absent, cancelled and the session to come do not.
    expect(text).toContain('来了 2 次（已上 3 次课）');
    expect(text).toContain('已报名');
    expect(text).not.toContain('退出了的班');
    expect(res.text).toContain('href="/results"');
    expect(res.text).toContain('href="/certificates"');
    // For everyone: text size, message settings, password, sign out; the tab bar marks 我的.
    for (const shown of ['字号', '标准', '特大', '消息设置', '短信：收', '改密码', '退出登录'])
      expect(text).toContain(shown);
    expect(res.text).toMatch(/<a class="tabs__tab" href="\/me" aria-current="page">我的<\/a>/);
    expect(res.text).toContain('aria-pressed="true">标准</button>');
  });

  it('shows a trainer the settings without a learning record, and speaks English when asked', async () => {
    const w = await attendanceWorld(t.http, t.ds);
    const b = await signInPage(t.http, w.trainer.user.username);
    const res = await getPage(t.http, b.cookie, '/me').expect(200);
    expect(pageText(res)).not.toContain('学习记录');
    expect(res.text).not.toContain('href="/results"');
    expect(pageText(res)).toContain('改密码');
    const en = await getPage(t.http, b.cookie, '/me').set('Accept-Language', 'en').expect(200);
    expect(en.headers['content-language']).toBe('en');
    for (const shown of ['Text size', 'Extra large', 'Message settings', 'Change password']) {
      expect(pageText(en)).toContain(shown);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Text size

  it('keeps the text size on the phone in a cookie, applied to every page, the login page too', async () => {
    const w = await traineeWorld();
    const b = await signInPage(t.http, w.trainee.username);
    const res = await postForm(t.http, b.cookie, '/me/text-size', { size: 'xlarge', _csrf: b.csrf }).expect(303);
    expect(res.headers.location).toBe('/me#text-size');
    const cookie = setCookies(res).lms_text;
    expect(cookie.value).toBe('xlarge');
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(cookie.attributes.find((a) => a.startsWith('Max-Age='))).toBe(`Max-Age=${365 * 86_400}`);

    const sized = `${b.cookie}; lms_text=xlarge`;
    for (const path of ['/', '/me', '/me/messages', '/me/password', '/no-such-page']) {
      const shown = await t.http.get(path).set('Cookie', sized).set('Accept', 'text/html');
      expect([path, shown.text]).toEqual([path, expect.stringMatching(/<body [^>]*class="(has-tabs )?text-xlarge"/)]);
    }
    const me = await getPage(t.http, sized, '/me').expect(200);
    expect(me.text).toContain('aria-pressed="true">特大</button>');
    const loginPage = await t.http.get('/login').set('Cookie', 'lms_text=large').expect(200);
    expect(loginPage.text).toContain('<body data-weui-mode="care" data-weui-theme="light" class="text-large"');
    // A value we do not know is standard.
    const odd = await t.http.get('/login').set('Cookie', 'lms_text=huge').expect(200);
    expect(odd.text).not.toMatch(/class="[^"]*text-/);

    // Standard clears the cookie.
    const back = await postForm(t.http, sized, '/me/text-size', { size: 'standard', _csrf: b.csrf }).expect(303);
    expect(setCookies(back).lms_text.value).toBe('');
  });

  it('refuses an unknown text size (400) and a text size form without its token (403)', async () => {
    const u = await trainee();
    const b = await signInPage(t.http, u.username);
    const bad = await postForm(t.http, b.cookie, '/me/text-size', { size: 'enormous', _csrf: b.csrf }).expect(400);
    expect(pageText(bad)).toContain('没有这个字号');
    expect(setCookies(bad).lms_text).toBeUndefined();
    const forged = await postForm(t.http, b.cookie, '/me/text-size', { size: 'large' }).expect(403);
    expect(pageText(forged)).toContain('页面已过期');
    expect(setCookies(forged).lms_text).toBeUndefined();
    const script = await t.http
      .post('/me/text-size')
      .set('Cookie', b.cookie)
      .set('Accept', 'application/json')
      .send({ size: 'large' })
      .expect(403);
    expect(script.body).toMatchObject({ code: 'CSRF_REJECTED' });
  });

  // ---------------------------------------------------------------------------------------------
  // Message settings

  it('saves which channels bring my messages, over the API’s notification preferences', async () => {
    const u = await trainee({ phone: '13855009999' });
    const b = await signInPage(t.http, u.username);
    const api = `Bearer ${await login(t.http, u.username)}`;
    const form = await getPage(t.http, b.cookie, '/me/messages').expect(200);
    expect(form.text).toMatch(/<input type="checkbox" name="sms" value="on" checked>/);
    // E-mail is not set up in this app: not offered.
    expect(form.text).not.toContain('name="email"');

    const saved = await postForm(t.http, b.cookie, '/me/messages', { _csrf: b.csrf }).expect(303);
    expect(saved.headers.location).toBe('/me/messages?saved=1');
    const prefs = await t.http.get('/api/me/notification-preferences').set('Authorization', api).expect(200);
    expect(prefs.body).toMatchObject({ sms: false, email: true, inbox: true, hasPhone: true });
    const after = await getPage(t.http, b.cookie, '/me/messages?saved=1').expect(200);
    expect(pageText(after)).toContain('已保存。');
    expect(after.text).toMatch(/<input type="checkbox" name="sms" value="on">/);
    expect(pageText(await getPage(t.http, b.cookie, '/me'))).toContain('短信：不收');

    await postForm(t.http, b.cookie, '/me/messages', { sms: 'on', _csrf: b.csrf }).expect(303);
    const again = await t.http.get('/api/me/notification-preferences').set('Authorization', api).expect(200);
    expect(again.body).toMatchObject({ sms: true });

    // Without the token nothing changes.
    await postForm(t.http, b.cookie, '/me/messages', { sms: '' }).expect(403);
    const still = await t.http.get('/api/me/notification-preferences').set('Authorization', api).expect(200);
    expect(still.body).toMatchObject({ sms: true });
  });

  it('says when no SMS can come: no phone number on file', async () => {
    const u = await createUser(t.ds, {
      role: 'trainer',
      orgUnitId: (await attendanceWorld(t.http, t.ds)).tree.countyA.id,
      username: 'trainer-without-phone',
    });
    const b = await signInPage(t.http, u.username);
    const form = await getPage(t.http, b.cookie, '/me/messages').expect(200);
    expect(form.text).toMatch(/name="sms" value="on" checked disabled>/);
    expect(pageText(form)).toContain('你没有登记手机号');
    expect(pageText(await getPage(t.http, b.cookie, '/me'))).toContain('短信：未登记');
  });

  // ---------------------------------------------------------------------------------------------
  // 改密码

  it('changes the password: other sessions and API tokens end, this phone stays signed in', async () => {
    const u = await trainee();
    const here = await signInPage(t.http, u.username);
    const elsewhere = await signInPage(t.http, u.username);
    const token = `Bearer ${await login(t.http, u.username)}`;
    await t.http.get('/api/auth/me').set('Authorization', token).expect(200);

    const form = await getPage(t.http, here.cookie, '/me/password').expect(200);
    expect(form.text).toContain('autocomplete="current-password"');
    const res = await postForm(t.http, here.cookie, '/me/password', {
      current: PASSWORD,
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
      _csrf: formToken(form.text),
    }).expect(303);
    expect(res.headers.location).toBe('/me?done=password');
    const fresh = `lms_session=${setCookies(res).lms_session.value}`;
    expect(fresh).not.toBe(here.cookie);

    const me = await getPage(t.http, fresh, '/me?done=password').expect(200);
    expect(pageText(me)).toContain('密码改好了');
    // Every older session (this phone's old cookie included) and token is over.
    for (const cookie of [here.cookie, elsewhere.cookie]) {
      const gone = await getPage(t.http, cookie, '/me').expect(303);
      expect(gone.headers.location).toBe('/login?next=%2Fme');
    }
    const revoked = await t.http.get('/api/auth/me').set('Authorization', token).expect(401);
    expect(revoked.body).toMatchObject({ code: 'TOKEN_REVOKED' });
    // The new password signs in; the old one does not.
    await login(t.http, u.username, NEW_PASSWORD);
    await t.http.post('/api/auth/login').send({ username: u.username, password: PASSWORD }).expect(401);
  });

  it('explains a wrong current password, a short or mismatched new one (400), and changes nothing', async () => {
    const u = await trainee();
    const b = await signInPage(t.http, u.username);
    const cases: [Record<string, string>, string][] = [
      [{ current: 'not-my-password', password: NEW_PASSWORD, password2: NEW_PASSWORD }, '现在的密码不对。'],
      [{ current: '', password: NEW_PASSWORD, password2: NEW_PASSWORD }, '请输入现在的密码。'],
      [{ current: PASSWORD, password: 'short', password2: 'short' }, '新密码要 8 到 128 个字符'],
      [{ current: PASSWORD, password: 'x'.repeat(129), password2: 'x'.repeat(129) }, '新密码要 8 到 128 个字符'],
      [{ current: PASSWORD, password: NEW_PASSWORD, password2: `${NEW_PASSWORD}!` }, '两次输入的新密码不一样'],
    ];
    for (const [form, message] of cases) {
      const res = await postForm(t.http, b.cookie, '/me/password', { ...form, _csrf: b.csrf });
      expect([res.status, pageText(res)]).toEqual([400, expect.stringContaining(message)]);
    }
    await postForm(t.http, b.cookie, '/me/password', {
      current: PASSWORD,
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    }).expect(403);
    // Still the old password, still signed in.
    await login(t.http, u.username, PASSWORD);
    await getPage(t.http, b.cookie, '/me').expect(200);
  });

  it('limits guesses of the current password like sign-ins (429 with Retry-After)', async () => {
    const u = await trainee();
    const b = await signInPage(t.http, u.username);
    const guess = () =>
      postForm(t.http, b.cookie, '/me/password', {
        current: 'wrong-guess',
        password: NEW_PASSWORD,
        password2: NEW_PASSWORD,
        _csrf: b.csrf,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await guess()).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const last = await guess().expect(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(pageText(last)).toContain('登录失败次数过多');
  });

  // ---------------------------------------------------------------------------------------------
  // 忘记密码

  /** The SMS the gateway received for `phone` after `since` requests, and its code. */
  async function codeSentTo(phone: string, since: number): Promise<string> {
    const sms = await waitFor(`an SMS to ${phone}`, async () =>
      gateway.requests.slice(since).find((r) => r.body.phone === phone),
    );
    expect(sms.signatureValid).toBe(true);
    expect(sms.body.text).toMatch(/^【县图书馆培训】验证码 \d{6}，10 分钟内有效/);
    return /\d{6}/.exec(sms.body.text)![0];
  }

  /** Asks for a code as a signed-out phone would: answers the code page and its form cookie. */
  async function askForCode(phone: string) {
    const form = await openLogin(t.http, '/forgot-password');
    const res = await t.http
      .post('/forgot-password')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ phone, _csrf: form.csrf });
    return { res, cookie: form.cookie, csrf: form.csrf };
  }

  const resetWith = (
    asked: { cookie: string; csrf: string },
    phone: string,
    code: string,
    password = NEW_PASSWORD,
    password2 = password,
  ) =>
    t.http
      .post('/forgot-password/reset')
      .set('Cookie', asked.cookie)
      .type('form')
      .send({ phone, code, password, password2, _csrf: asked.csrf });

  it('links 忘记密码 from the login page when SMS is set up', async () => {
    const res = await t.http.get('/login').expect(200);
    expect(res.text).toContain('<a class="me-link" href="/forgot-password">忘记密码了？用短信重新设置</a>');
    const form = await t.http.get('/forgot-password').expect(200);
    expect(pageText(form)).toContain('请输入你的手机号，我们会发一条短信验证码给你。');
    expect(form.text).toContain('name="phone"');
  });

  it('resets a forgotten password with the code sent by SMS: signed in, every older session and token ended', async () => {
    const u = await trainee();
    const before = await signInPage(t.http, u.username);
    const token = `Bearer ${await login(t.http, u.username)}`;
    const since = gateway.requests.length;
    const asked = await askForCode(`${u.username.slice(0, 3)} ${u.username.slice(3, 7)} ${u.username.slice(7)}`);
    expect(asked.res.status).toBe(200);
    expect(pageText(asked.res)).toContain(
      `如果 ${u.username.slice(0, 3)}****${u.username.slice(-4)} 登记过，验证码已经用短信发过去了`,
    );
    const code = await codeSentTo(u.username, since);
    // Only a keyed hash of the code is stored.
    const [row] = await t.ds.query(`SELECT code_hash, attempts, used_at FROM password_reset_codes WHERE user_id = $1`, [
      u.id,
    ]);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.code_hash).not.toContain(code);

    const res = await resetWith(asked, u.username, code).expect(303);
    expect(res.headers.location).toBe('/me?done=reset');
    const cookie = `lms_session=${setCookies(res).lms_session.value}`;
    expect(pageText(await getPage(t.http, cookie, '/me?done=reset').expect(200))).toContain(
      '新密码设置好了，你已经登录。',
    );
    expect((await getPage(t.http, before.cookie, '/me').expect(303)).headers.location).toBe('/login?next=%2Fme');
    await t.http.get('/api/auth/me').set('Authorization', token).expect(401);
    await login(t.http, u.username, NEW_PASSWORD);

    // The code works once.
    const again = await resetWith(asked, u.username, code, 'Another-Password-1').expect(400);
    expect(pageText(again)).toContain('验证码不对，或者已经过期。');
    await login(t.http, u.username, NEW_PASSWORD);
  });

  it('finds the account by the phone number on file too, and answers an unknown number the same way', async () => {
    const u = await trainee({ username: `clerk-${phones}`, phone: '138-5500-7777' });
    const since = gateway.requests.length;
    const known = await askForCode('13855007777');
    const code = await codeSentTo('13855007777', since);
    const unknown = await askForCode('13855006666');
    const neutral = (res: Response, phone: string) =>
      pageText(res)
        .replace(`${phone.slice(0, 3)}****${phone.slice(-4)}`, 'PHONE')
        .replace(new RegExp(phone, 'g'), 'PHONE');
    expect(unknown.res.status).toBe(known.res.status);
    expect(neutral(unknown.res, '13855006666')).toBe(neutral(known.res, '13855007777'));
    // A wrong code for the unknown number reads like one for a known number.
    const wrongUnknown = await resetWith(unknown, '13855006666', '123456').expect(400);
    const wrongKnown = await resetWith(known, '13855007777', code === '123456' ? '654321' : '123456').expect(400);
    expect(neutral(wrongUnknown, '13855006666')).toBe(neutral(wrongKnown, '13855007777'));
    expect(gateway.requests.slice(since).map((r) => r.body.phone)).toEqual(['13855007777']);
    await resetWith(known, '13855007777', code).expect(303);
    await login(t.http, u.username, NEW_PASSWORD);
  });

  it('answers before storing a code, so a registered number takes no longer than an unknown one', async () => {
    const u = await trainee();
    const since = gateway.requests.length;
    // The account's row held by another transaction: storing a code (its foreign key) waits for it.
    const held = t.ds.createQueryRunner();
    await held.connect();
    await held.startTransaction();
    try {
      await held.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [u.id]);
      const form = await openLogin(t.http, '/forgot-password');
      const res = await t.http
        .post('/forgot-password')
        .set('Cookie', form.cookie)
        .type('form')
        .timeout(5000)
        .send({ phone: u.username, _csrf: form.csrf })
        .expect(200);
      expect(pageText(res)).toContain('验证码已经用短信发过去了');
      expect(gateway.requests.length).toBe(since);
    } finally {
      await held.rollbackTransaction();
      await held.release();
    }
    // Then the code is stored and sent.
    await codeSentTo(u.username, since);
  });

  it('ends a code after 10 minutes and after 5 wrong tries; a new code voids the old one', async () => {
    const u = await trainee();
    let since = gateway.requests.length;
    let asked = await askForCode(u.username);
    let code = await codeSentTo(u.username, since);
    await t.ds.query(`UPDATE password_reset_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
      u.id,
    ]);
    expect(pageText(await resetWith(asked, u.username, code).expect(400))).toContain('验证码不对，或者已经过期。');

    since = gateway.requests.length;
    asked = await askForCode(u.username);
    code = await codeSentTo(u.username, since);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await resetWith(asked, u.username, wrong).expect(400);
    await resetWith(asked, u.username, code).expect(400);

    await clearLimits(); // three codes an hour per number: this is the fourth
    since = gateway.requests.length;
    asked = await askForCode(u.username);
    const first = await codeSentTo(u.username, since);
    since = gateway.requests.length;
    asked = await askForCode(u.username);
    const second = await codeSentTo(u.username, since);
    if (first !== second) await resetWith(asked, u.username, first).expect(400);
    await resetWith(asked, u.username, second).expect(303);
    await login(t.http, u.username, NEW_PASSWORD);
  });

  it('lets one of several parallel resets with the same code through, and counts parallel wrong tries', async () => {
    const u = await trainee();
    let since = gateway.requests.length;
    let asked = await askForCode(u.username);
    let code = await codeSentTo(u.username, since);
    const passwords = ['Parallel-One-1', 'Parallel-Two-2', 'Parallel-Three-3'];
    const results = await Promise.all(passwords.map((p) => resetWith(asked, u.username, code, p)));
    expect(results.map((r) => r.status).sort()).toEqual([303, 400, 400]);
    const winner = passwords[results.findIndex((r) => r.status === 303)];
    await login(t.http, u.username, winner);

    await clearLimits(); // ten tries an hour per number: the next eight would pass it
    since = gateway.requests.length;
    asked = await askForCode(u.username);
    code = await codeSentTo(u.username, since);
    const wrong = code === '000000' ? '111111' : '000000';
    await Promise.all(Array.from({ length: 8 }, () => resetWith(asked, u.username, wrong).expect(400)));
    const [row] = await t.ds.query(`SELECT attempts FROM password_reset_codes WHERE user_id = $1`, [u.id]);
    expect(row.attempts).toBe(5);
    await resetWith(asked, u.username, code).expect(400);
  });

  it('limits codes per number (3 an hour) the same for registered and unknown numbers, and per address', async () => {
    const u = await trainee();
    for (const phone of [u.username, '13855005555']) {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await askForCode(phone)).res.status);
      expect([phone, statuses]).toEqual([phone, [200, 200, 200, 429]]);
    }
    const limited = await askForCode(u.username);
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(3000);
    expect(pageText(limited.res)).toContain('试得太多了，请 60 分钟后再试。');
    // Per address: 20 an hour, whatever the numbers (9 asked above, refused ones included).
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await askForCode(`1385501${String(i).padStart(4, '0')}`)).res.status);
    expect(statuses).toEqual([...Array(11).fill(200), 429]);
  });

  it('limits tries of codes per number (10 an hour), counted for unknown numbers too', async () => {
    const u = await trainee();
    const asked = await askForCode(u.username);
    for (const phone of [u.username, '13855004444']) {
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await resetWith(asked, phone, '999999')).status);
      expect([phone, statuses]).toEqual([phone, [...Array(10).fill(400), 429]]);
    }
  });

  it('explains a number, a code or new passwords that are not right (400) without sending or trying', async () => {
    const u = await trainee();
    const since = gateway.requests.length;
    const bad = await askForCode('call me');
    expect(bad.res.status).toBe(400);
    expect(pageText(bad.res)).toContain('请输入手机号，只写数字。');
    const asked = await askForCode(u.username);
    const code = await codeSentTo(u.username, since);
    const cases: [string, string, string, string][] = [
      ['12345', NEW_PASSWORD, NEW_PASSWORD, '验证码是 6 位数字'],
      [code, 'short', 'short', '新密码要 8 到 128 个字符'],
      [code, NEW_PASSWORD, 'something-else', '两次输入的新密码不一样'],
    ];
    for (const [c, p1, p2, message] of cases) {
      const res = await resetWith(asked, u.username, c, p1, p2);
      expect([res.status, pageText(res)]).toEqual([400, expect.stringContaining(message)]);
    }
    // None of them used a try: the code still works.
    const [row] = await t.ds.query(`SELECT attempts FROM password_reset_codes WHERE user_id = $1`, [u.id]);
    expect(row.attempts).toBe(0);
    await resetWith(asked, u.username, code).expect(303);
  });

  it('refuses the forgot-password forms without their token (403)', async () => {
    const u = await trainee();
    const since = gateway.requests.length;
    const form = await openLogin(t.http, '/forgot-password');
    const res = await t.http
      .post('/forgot-password')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ phone: u.username })
      .expect(403);
    expect(pageText(res)).toContain('页面已过期');
    await t.http
      .post('/forgot-password/reset')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ phone: u.username, code: '123456', password: NEW_PASSWORD, password2: NEW_PASSWORD })
      .expect(403);
    expect(gateway.requests.slice(since)).toEqual([]);
  });

  describe('without an SMS gateway', () => {
    let plain: TestApp;
    beforeAll(async () => {
      plain = await startTestApp({ LIBRARY_PHONE: '0737-1234567' });
    });
    afterAll(() => plain?.close());

    it("says to ask the library, with the library's phone number, on the login page and 忘记密码", async () => {
      const loginPage = await plain.http.get('/login').expect(200);
      expect(loginPage.text).not.toContain('href="/forgot-password"');
      expect(loginPage.text).toContain('忘记密码了？请联系县图书馆，工作人员会帮你重新设置。');
      expect(loginPage.text).toContain(
        '<a class="weui-btn secondary" href="tel:07371234567">打电话给图书馆：0737-1234567</a>',
      );
      const res = await plain.http.get('/forgot-password').expect(200);
      expect(pageText(res)).toContain('请联系县图书馆，工作人员会帮你重新设置密码。');
      expect(res.text).toContain('href="tel:07371234567"');
      expect(res.text).not.toContain('name="phone"');
      // The page has no form: the login page's token, as a forged post would carry.
      const form = await openLogin(plain.http, '/login');
      await plain.http
        .post('/forgot-password')
        .set('Cookie', form.cookie)
        .type('form')
        .send({ phone: '13855001234', _csrf: form.csrf })
        .expect(404);
    });
  });
});
