import type { Browser, Page } from 'playwright-core';
import { createUser, login, PASSWORD } from '../factories';
import { attendanceWorld, createSession, seat } from '../factories/attendance';
import { expectMatchesBaseline, launchBrowser, openPhone } from '../support/browser';
import { type FakeSmsGateway, startFakeSmsGateway } from '../support/fake-sms-gateway';
import { h1, mainText, pathOf, signInAs, signOut, tapAndLoad } from '../support/phone';
import {
  pageWeights,
  type PhoneSurvey,
  phoneProblems,
  primaryCount,
  signedInState,
  surveyPhonePage,
} from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const NEW_PASSWORD = 'Neues-Passwort-2027';

/**
 * 我的 in a real browser (Debian's Chromium as a 360×800 phone in WeChat): the text size changes
 * every page at once and survives a reload, message settings, the password change and 忘记密码
 * with a local SMS gateway; the phone rules (axe, tap targets, text, no sideways scrolling) on
 * every page added here and on the home page at each text size; weights; English; screenshots.
 */
describe('web pages: 我的 in a phone browser (e2e)', () => {
  let t: TestApp;
  let gateway: FakeSmsGateway;
  let browser: Browser;
  let baseUrl: string;
  let phone: Page;

  beforeAll(async () => {
    gateway = await startFakeSmsGateway();
    [t, browser] = await Promise.all([
      startTestApp({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_SECRET: gateway.secret }),
      launchBrowser(),
    ]);
    baseUrl = await listenOnLoopback(t);
    phone = await openPhone(browser, { baseURL: baseUrl });
  });
  afterAll(async () => {
    await phone?.context().close();
    await browser?.close();
    await t?.close();
    await gateway?.close();
  });
  // The tests share one phone: each starts signed out, at the standard text size (kept in a
  // cookie) and on a blank page, whatever the one before it left, even a beforeAll that stopped
  // halfway through the text sizes.
  beforeEach(async () => {
    await signOut(phone);
    await phone.goto('about:blank');
    expect(await phone.context().cookies()).toEqual([]);
  });

  let phones = 0;
  const nextPhone = () => `1386600${String(++phones).padStart(4, '0')}`;

  /**
   * 李小红 (fixed phone number, so the screenshot is stable), seated in 智能手机入门班 (fixed
   * dates) with two sessions attended of three held, and a session far ahead for the home page.
   */
  async function traineeWorld(username = nextPhone()) {
    const w = await attendanceWorld(t.http, t.ds, {
      title: '智能手机入门班',
      startDate: '2026-03-02',
      endDate: '2026-06-30',
    });
    await t.ds.query(`UPDATE users SET display_name = '王老师' WHERE id = $1`, [w.trainer.user.id]);
    const trainee = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: w.tree.townshipA1.id,
      username,
      phone: username,
      displayName: '李小红',
    });
    const enrolment = await seat(t.ds, w.cls, trainee, w.tree.townshipA1);
    const statuses = ['present', 'late', 'absent'] as const;
    for (const [i, status] of statuses.entries()) {
      const session = await createSession(t.ds, w.cls, w.trainer.user.id, -(i + 1) * 24 * 60);
      await t.http
        .put(`/api/sessions/${session.id}/attendance`)
        .set('Authorization', w.trainer.auth)
        .send({ records: [{ enrolmentId: enrolment.id, status }] })
        .expect(200);
    }
    await createSession(t.ds, w.cls, w.trainer.user.id, 0, {
      startsAt: new Date('2036-05-20T09:00:00+08:00'),
      endsAt: new Date('2036-05-20T11:30:00+08:00'),
      topic: '用微信挂号和缴费',
    });
    return { ...w, trainee };
  }

  const bodyClass = (page: Page) => page.locator('body').getAttribute('class');
  /** How tall the page's heading is drawn, in screen pixels. */
  const headingHeight = async (page: Page) => (await page.locator('h1').boundingBox())!.height;

  it('changes the text size of every page with one tap, and keeps it after a reload', async () => {
    const w = await traineeWorld();
    await signInAs(phone, t, w.trainee);
    await phone.goto('/me');
    expect(await bodyClass(phone)).toBe('has-tabs');
    const standard = await headingHeight(phone);

    await tapAndLoad(phone, phone.getByRole('button', { name: '特大' }));
    expect(pathOf(phone)).toBe('/me');
    expect(await bodyClass(phone)).toBe('has-tabs text-xlarge');
    expect(await phone.getByRole('button', { name: '特大' }).getAttribute('aria-pressed')).toBe('true');
    // Text and buttons grow together: 1.4 times.
    expect((await headingHeight(phone)) / standard).toBeCloseTo(1.4, 1);

    for (const path of ['/', '/messages', '/me/password']) {
      await phone.goto(path);
      expect([path, await bodyClass(phone)]).toEqual([path, 'has-tabs text-xlarge']);
    }
    await phone.reload();
    expect(await bodyClass(phone)).toBe('has-tabs text-xlarge');
    // Signed out, the login page keeps it too: the size belongs to the phone.
    await phone.context().clearCookies({ name: 'lms_session' });
    await phone.goto('/login');
    expect(await bodyClass(phone)).toBe('text-xlarge');

    await signInAs(phone, t, w.trainee); // clears every cookie: standard again
    await phone.goto('/me');
    await tapAndLoad(phone, phone.getByRole('button', { name: '大', exact: true }));
    expect(await bodyClass(phone)).toBe('has-tabs text-large');
    await tapAndLoad(phone, phone.getByRole('button', { name: '标准' }));
    expect(await bodyClass(phone)).toBe('has-tabs');
    expect(await headingHeight(phone)).toBeCloseTo(standard, 0);
  });

  it('saves the message settings', async () => {
    const w = await traineeWorld();
    await signInAs(phone, t, w.trainee);
    await phone.goto('/me');
    expect(await mainText(phone)).toContain('短信：收');
    await tapAndLoad(phone, phone.getByRole('link', { name: /消息设置/ }));
    expect(pathOf(phone)).toBe('/me/messages');
    const sms = phone.getByRole('checkbox', { name: '短信' });
    expect(await sms.isChecked()).toBe(true);
    await phone.getByText('短信', { exact: true }).tap();
    expect(await sms.isChecked()).toBe(false);
    await tapAndLoad(phone, phone.getByRole('button', { name: '保存' }));
    expect(await phone.getByRole('status').innerText()).toBe('已保存。');
    await phone.reload();
    expect(await phone.getByRole('checkbox', { name: '短信' }).isChecked()).toBe(false);
    const api = `Bearer ${await login(t.http, w.trainee.username)}`;
    const prefs = await t.http.get('/api/me/notification-preferences').set('Authorization', api).expect(200);
    expect(prefs.body).toMatchObject({ sms: false });
    await phone.goto('/me');
    expect(await mainText(phone)).toContain('短信：不收');
  });

  it('changes the password: this phone stays signed in, the other phone is signed out', async () => {
    const w = await traineeWorld();
    await signInAs(phone, t, w.trainee);
    const other = await openPhone(browser, { baseURL: baseUrl });
    try {
      await signInAs(other, t, w.trainee);
      await other.goto('/me');
      expect(await h1(other)).toBe('我的');

      await phone.goto('/me');
      await tapAndLoad(phone, phone.getByRole('link', { name: '改密码' }));
      await phone.getByLabel('现在的密码').fill(PASSWORD);
      await phone.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
      await phone.getByLabel('再输一遍新密码').fill(NEW_PASSWORD);
      await tapAndLoad(phone, phone.getByRole('button', { name: '改密码' }));
      expect(pathOf(phone)).toBe('/me?done=password');
      expect(await phone.getByRole('status').innerText()).toContain('密码改好了');
      await phone.goto('/');
      expect(await h1(phone)).toBe('你好，李小红');

      await other.goto('/');
      expect(pathOf(other)).toBe('/login');
    } finally {
      await other.context().close();
    }
    await login(t.http, w.trainee.username, NEW_PASSWORD);
  });

  it('resets a forgotten password with the code the SMS gateway received, and signs in', async () => {
    const w = await traineeWorld();
    await signOut(phone);
    await phone.goto('/login');
    await tapAndLoad(phone, phone.getByRole('link', { name: '忘记密码了？用短信重新设置' }));
    expect(await h1(phone)).toBe('忘记密码');
    await phone.getByLabel('手机号').fill(w.trainee.username);
    const since = gateway.requests.length;
    await tapAndLoad(phone, phone.getByRole('button', { name: '发送验证码' }));
    expect(await h1(phone)).toBe('输入验证码');
    const sms = await waitFor('the SMS with the code', async () =>
      gateway.requests.slice(since).find((r) => r.body.phone === w.trainee.username),
    );
    const code = /\d{6}/.exec(sms.body.text)![0];
    await phone.getByLabel('验证码').fill(code);
    await phone.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await phone.getByLabel('再输一遍新密码').fill(NEW_PASSWORD);
    await tapAndLoad(phone, phone.getByRole('button', { name: '设置新密码' }));
    expect(pathOf(phone)).toBe('/me?done=reset');
    expect(await phone.getByRole('status').innerText()).toContain('新密码设置好了，你已经登录。');
    await login(t.http, w.trainee.username, NEW_PASSWORD);
  });

  /**
   * Every page added here, and the home page at each text size (the size changes every page),
   * measured once; 我的 at extra large too.
   */
  describe('every page of 我的', () => {
    const survey = new Map<string, PhoneSurvey>();

    /** Surveys the open page as it opens (from the top). */
    async function measure(name: string): Promise<void> {
      survey.set(name, await surveyPhonePage(phone));
    }

    beforeAll(async () => {
      const w = await traineeWorld();
      await signInAs(phone, t, w.trainee);
      for (const size of ['标准', '大', '特大'] as const) {
        await phone.goto('/me');
        await tapAndLoad(phone, phone.getByRole('button', { name: size, exact: true }));
        // Measured from the top, as opened from the tab bar (the tap comes back scrolled to 字号).
        await phone.goto('/me');
        await measure(`我的 (${size})`);
        await phone.goto('/');
        await measure(`home (${size})`);
      }
      await phone.goto('/me');
      await tapAndLoad(phone, phone.getByRole('button', { name: '标准' }));
      await phone.goto('/me/messages');
      await measure('message settings');
      await phone.goto('/me/password');
      await measure('password');
      await signOut(phone);
      await phone.goto('/forgot-password');
      await measure('forgot password');
      await phone.getByLabel('手机号').fill('13866009999');
      await tapAndLoad(phone, phone.getByRole('button', { name: '发送验证码' }));
      await measure('code');
    }, 240_000);

    it('keeps the phone rules on every page: axe, tap targets, text size, no sideways scrolling', () => {
      expect([...survey.keys()]).toHaveLength(10);
      expect([...survey].flatMap(([name, s]) => phoneProblems(name, s))).toEqual([]);
      const primaries = Object.fromEntries([...survey].map(([name, s]) => [name, primaryCount(s)]));
      expect(primaries).toMatchObject({
        '我的 (标准)': 0,
        'message settings': 1,
        password: 1,
        'forgot password': 1,
        code: 1,
      });
    });
  });

  it('loads in at most 60 KB the first time and 15 KB on a repeat visit', async () => {
    const w = await traineeWorld();
    const signedIn = await signedInState(t, baseUrl, w.trainee);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: '我的', path: '/me', storageState: signedIn },
      { name: 'message settings', path: '/me/messages', storageState: signedIn },
      { name: 'password', path: '/me/password', storageState: signedIn },
      { name: 'forgot password', path: '/forgot-password' },
    ]);
    expect({ weights, over }).toEqual({ weights, over: [] });
  });

  it('speaks English to a phone that asks for it', async () => {
    const w = await traineeWorld();
    const page = await openPhone(browser, {
      baseURL: baseUrl,
      language: 'en',
      storageState: await signedInState(t, baseUrl, w.trainee),
    });
    try {
      await page.goto('/me');
      expect(await h1(page)).toBe('Me');
      expect(await page.getByRole('button', { name: 'Extra large' }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: /Message settings/ }).isVisible()).toBe(true);
      // Only the names typed in Chinese (the class, the person) stay Chinese.
      const text = (await page.locator('body').innerText()).replace(/智能手机入门班|李小红/g, '');
      expect(text).not.toMatch(/[\u4e00-\u9fff]/);
      await page.context().clearCookies();
      await page.goto('/forgot-password');
      expect(await h1(page)).toBe('Forgot password');
      expect(await page.getByRole('button', { name: 'Send the code' }).isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it('looks as in docs/screenshots/ at 360×800: me and forgot-password', async () => {
    const w = await traineeWorld('13866008888');
    await signInAs(phone, t, w.trainee);
    await phone.goto('/me');
    await expectMatchesBaseline(phone, 'me');
    await signOut(phone);
    await phone.goto('/forgot-password');
    await expectMatchesBaseline(phone, 'forgot-password');
  });
});
