import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { codeAt, stepOf } from '../../src/attendance/check-in-codes';
import { checkInKey, validateEnv } from '../../src/config/env';
import { createUser, PASSWORD } from '../factories';
import { attendanceWorld, createSession, seat } from '../factories/attendance';
import { createVenue } from '../factories/classes';
import {
  type BaselineResult,
  expectMatchesBaseline,
  launchBrowser,
  matchesBaseline,
  openPhone,
} from '../support/browser';
import { h1, mainText, pathOf, pinText, signInAs, signOut, tapAndLoad } from '../support/phone';
import {
  pageWeights,
  type PhoneSurvey,
  phoneProblems,
  primaryCount,
  signedInState,
  surveyPhonePage,
} from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/** A check-in happens now: today's date and the session's times, shown as fixed ones in screenshots. */
const CHECK_IN_PINS = { '.facts > div:first-child dd': '3月12日 周四（今天）', '.session__time': '09:00–10:00' };

/**
 * The pages in a real browser (Debian's Chromium, as a 360×800 phone in WeChat), driven as a
 * township clerk would: sign in, check in from the trainer's QR code with one tap, with and
 * without JavaScript; axe, tap targets, text size, sideways scrolling, bytes transferred,
 * cookies and form tokens, revocation, English, and screenshots against docs/screenshots/.
 *
 * One browser and one shared phone page for the file: tests that need no cookies of their own
 * sign the shared page out (or in, with a session cookie made over HTTP) first. Tests that
 * need a context of their own (JavaScript off, English, weighing) open one.
 */
describe('web pages in a phone browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let phone: Page;
  const key = checkInKey(validateEnv(process.env));

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    phone = await openPhone(browser, { baseURL: baseUrl });
  });
  afterAll(async () => {
    await phone?.context().close();
    await browser?.close();
    await t?.close();
  });

  // ---------------------------------------------------------------------------------------------
  // Data: fixed names, places and times, so pages (and screenshots) look the same on every run.

  let phones = 0;
  /** A phone number no other user of this file has. */
  const nextPhone = () => `1393700${String(++phones).padStart(4, '0')}`;

  /** A running class taught by 王老师 at 甲一镇文化站二楼, with a trainee of 甲一镇 seated in it. */
  async function classWorld(title: string, traineeName: string) {
    const w = await attendanceWorld(t.http, t.ds, { title });
    await t.ds.query(`UPDATE users SET display_name = '王老师' WHERE id = $1`, [w.trainer.user.id]);
    const venue = await createVenue(t.ds, w.tree.townshipA1, { name: '甲一镇文化站二楼' });
    const trainee = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: w.tree.townshipA1.id,
      username: nextPhone(),
      displayName: traineeName,
    });
    await seat(t.ds, w.cls, trainee, w.tree.townshipA1);
    return { ...w, venue, trainee };
  }

  /**
   * 李小红, whose next session is fixed far ahead (Tuesday 20 May 2036, 09:00–11:30 in
   * Asia/Shanghai), so the home page does not depend on today.
   */
  async function traineeWithNextSession() {
    const w = await classWorld('智能手机入门班', '李小红');
    await createSession(t.ds, w.cls, w.trainer.user.id, 0, {
      startsAt: new Date('2036-05-20T09:00:00+08:00'),
      endsAt: new Date('2036-05-20T11:30:00+08:00'),
      venueId: w.venue.id,
      topic: '用微信挂号和缴费',
      whatToBring: '手机（充好电）、身份证',
    });
    return w;
  }

  /**
   * 张秀英, seated in a session that started 5 minutes ago, whose trainer has opened
   * check-in: `link` is the path of the QR code's address (`qrPayload`, made with the app's
   * PUBLIC_BASE_URL), to open against the browser's base URL.
   */
  async function openCheckIn(traineeName = '张秀英') {
    const w = await classWorld('数字图书馆入门班', traineeName);
    const session = await createSession(t.ds, w.cls, w.trainer.user.id, -5, {
      venueId: w.venue.id,
      topic: '用手机借阅电子书',
    });
    const opened = await t.http
      .post(`/api/sessions/${session.id}/check-in-code`)
      .set('Authorization', w.trainer.auth)
      .send({})
      .expect(200);
    const link = new URL(opened.body.qrPayload as string).pathname;
    expect(link).toMatch(/^\/c\/[A-Za-z0-9_-]{22}\/\d{6}$/);
    return { ...w, session, link };
  }

  const recordsOf = (sessionId: string) =>
    t.ds.query(`SELECT status, source, recorded_by FROM attendance_records WHERE session_id = $1`, [sessionId]);

  // ---------------------------------------------------------------------------------------------
  // The phone.

  /** Fills in the login form on the open page and taps 登录 (these taps are not the ones counted). */
  async function submitLogin(page: Page, username: string, password = PASSWORD): Promise<void> {
    await page.getByLabel('手机号（或用户名）').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await tapAndLoad(page, page.getByRole('button', { name: '登录' }));
  }

  // ---------------------------------------------------------------------------------------------

  it('sends a signed-out phone to the login page, explains a wrong password, and shows the next session', async () => {
    const w = await traineeWithNextSession();
    await signOut(phone);
    await phone.goto('/');
    expect(pathOf(phone)).toBe('/login');

    await submitLogin(phone, w.trainee.username, 'not-my-password');
    expect(pathOf(phone)).toBe('/login');
    const alert = await phone.getByRole('alert').innerText();
    expect(alert).toContain('用户名或密码错误');
    expect(alert).toContain('请检查手机号和密码有没有输错');
    // The phone number stays typed; the password does not.
    expect(await phone.getByLabel('手机号（或用户名）').inputValue()).toBe(w.trainee.username);
    expect(await phone.getByLabel('密码', { exact: true }).inputValue()).toBe('');

    await submitLogin(phone, w.trainee.username);
    expect(pathOf(phone)).toBe('/');
    expect(await h1(phone)).toBe('你好，李小红');
    const next = await phone.locator('section', { has: phone.getByRole('heading', { name: '下次上课' }) }).innerText();
    // Without a tap: the date and time in Asia/Shanghai, the place, the trainer and what to bring.
    const shown = [
      '智能手机入门班',
      '5月20日 周二',
      '09:00–11:30',
      '甲一镇文化站二楼',
      '王老师',
      '手机（充好电）、身份证',
    ];
    for (const text of shown) {
      expect(next).toContain(text);
    }
  });

  it('checks in from the scanned link: sign in, back to the confirmation, one tap', async () => {
    const w = await openCheckIn();
    await signOut(phone);
    await phone.goto(w.link);
    expect(pathOf(phone)).toBe(`/login?next=${encodeURIComponent(w.link)}`);
    expect(await mainText(phone)).toContain('登录后会接着签到');
    await submitLogin(phone, w.trainee.username);

    // Back on the confirmation page, with nothing recorded yet.
    expect(pathOf(phone)).toBe(w.link);
    expect(await h1(phone)).toBe('签到');
    expect(await mainText(phone)).toContain('数字图书馆入门班');
    expect(await recordsOf(w.session.id)).toEqual([]);

    let taps = 0;
    const tap = async (target: Locator) => {
      taps += 1;
      await tapAndLoad(phone, target);
    };
    await tap(phone.getByRole('button', { name: '确认签到' }));
    expect(await h1(phone)).toBe('签到成功');
    expect(await mainText(phone)).toMatch(/签到时间：\d{2}:\d{2}\n+考勤：出席/);
    expect(taps).toBe(1);
    expect(await recordsOf(w.session.id)).toEqual([{ status: 'present', source: 'self', recorded_by: w.trainee.id }]);
  });

  it('explains an expired code and a closed check-in in Chinese, and records nothing', async () => {
    const w = await openCheckIn();
    await signInAs(phone, t, w.trainee);

    // The QR code was scanned ten minutes ago: its code lapsed (a link's code lasts five).
    const openedAt = new Date(Date.now() - 10 * 60_000);
    await t.ds.query(`UPDATE check_in_windows SET opened_at = $2 WHERE session_id = $1`, [w.session.id, openedAt]);
    const expired = `/c/${w.link.split('/')[2]}/${codeAt(key, { sessionId: w.session.id, openedAt }, stepOf(openedAt))}`;
    await phone.goto(expired);
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认签到' }));
    expect(await h1(phone)).toBe('没能签到');
    const explained = await mainText(phone);
    expect(explained).toContain('签到码错误或已过期');
    expect(explained).toContain('请重新扫老师屏幕上的二维码，或者输入屏幕上的 6 位数字');
    // …and a way on: type the code.
    expect(await phone.getByRole('link', { name: '输入签到码' }).getAttribute('href')).toBe('/check-in');

    // The trainer closed check-in before the trainee tapped.
    await t.http.delete(`/api/sessions/${w.session.id}/check-in-code`).set('Authorization', w.trainer.auth).expect(204);
    await phone.goto(w.link);
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认签到' }));
    expect(await h1(phone)).toBe('没能签到');
    expect(await mainText(phone)).toContain('本次课未开放自助签到');
    expect(await mainText(phone)).toContain('请等老师打开签到后再扫码，或者请老师为你登记');
    expect(await recordsOf(w.session.id)).toEqual([]);
  });

  it('signs in and checks in with JavaScript off: the pages are plain forms', async () => {
    const w = await openCheckIn();
    const page = await openPhone(browser, { baseURL: baseUrl, javaScriptEnabled: false });
    try {
      await page.goto(w.link);
      expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent(w.link)}`);
      await submitLogin(page, w.trainee.username);
      expect(pathOf(page)).toBe(w.link);
      await tapAndLoad(page, page.getByRole('button', { name: '确认签到' }));
      expect(await h1(page)).toBe('签到成功');
    } finally {
      await page.context().close();
    }
    expect(await recordsOf(w.session.id)).toEqual([{ status: 'present', source: 'self', recorded_by: w.trainee.id }]);
  });

  /**
   * Every page a trainee meets, in the order she meets them, measured once: the login page,
   * home (with the 去签到 button: check-in is open), the typed-code form, the check-in
   * confirmation, its result, and a page that does not exist. The tests below judge what
   * was measured; the walk itself only checks that it reached each page.
   */
  describe('every page a trainee meets', () => {
    const survey = new Map<string, PhoneSurvey & { screenshot?: BaselineResult }>();

    async function measure(name: string, screenshot?: { baseline: string; pin?: Record<string, string> }) {
      const measured = await surveyPhonePage(phone);
      let shot: BaselineResult | undefined;
      if (screenshot) {
        if (screenshot.pin) await pinText(phone, screenshot.pin);
        shot = await matchesBaseline(phone, screenshot.baseline);
      }
      survey.set(name, { ...measured, screenshot: shot });
    }

    beforeAll(async () => {
      const w = await openCheckIn();
      await signOut(phone);
      await phone.goto('/login');
      await measure('login', { baseline: 'login' });
      await signInAs(phone, t, w.trainee);
      await phone.goto('/');
      await measure('home');
      await phone.goto('/check-in');
      await measure('typed code');
      await phone.goto(w.link);
      await measure('check-in confirmation', { baseline: 'check-in-confirm', pin: CHECK_IN_PINS });
      await tapAndLoad(phone, phone.getByRole('button', { name: '确认签到' }));
      await measure('check-in result', {
        baseline: 'check-in-result',
        pin: { ...CHECK_IN_PINS, '.result p': '签到时间：09:05' },
      });
      await phone.goto('/no-such-page');
      await measure('404');
    });

    it('reached every page', () => {
      expect([...survey.keys()]).toEqual([
        'login',
        'home',
        'typed code',
        'check-in confirmation',
        'check-in result',
        '404',
      ]);
    });

    it('keeps the phone rules on every page: axe, tap targets, text size, no sideways scrolling', () => {
      // axe (wcag2a, wcag2aa, wcag21aa, wcag22aa) without serious or critical violations; tap
      // targets of 48 px, primary actions 60 px high; text of 18 px with line height 1.3; no
      // sideways scrolling at 320 px nor with text at 200 % (test/support/phone-survey.ts).
      expect([...survey].flatMap(([name, s]) => phoneProblems(name, s))).toEqual([]);
      // The main action of each screen is a primary button (so held to 60 px above).
      const primaries = [...survey].map(([name, s]) => [name, primaryCount(s)]);
      expect(Object.fromEntries(primaries)).toEqual({
        login: 1,
        home: 1,
        'typed code': 1,
        'check-in confirmation': 1,
        'check-in result': 0,
        '404': 0,
      });
    });

    it('looks as in docs/screenshots/ at 360×800: login, home, check-in confirmation and result', async () => {
      const shots = [...survey.values()].flatMap((s) => (s.screenshot ? [s.screenshot] : []));
      expect(shots.map((shot) => path.basename(shot.baseline))).toEqual([
        'login.png',
        'check-in-confirm.png',
        'check-in-result.png',
      ]);
      const drifted = shots
        .filter((shot) => !shot.ok)
        .map(
          (shot) => `${(shot.diffRatio * 100).toFixed(2)} % of ${shot.baseline} differs: ${shot.diff}; ${shot.note}`,
        );
      expect(drifted).toEqual([]);

      // Home: a trainee whose next session is fixed far ahead.
      const w = await traineeWithNextSession();
      await signInAs(phone, t, w.trainee);
      await phone.goto('/');
      await expectMatchesBaseline(phone, 'home');
    });
  });

  it('loads in at most 60 KB the first time and 15 KB on a repeat visit', async () => {
    const w = await openCheckIn();
    const signedIn = await signedInState(t, baseUrl, w.trainee);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: 'login', path: '/login' },
      { name: 'home', path: '/', storageState: signedIn },
      { name: 'check-in confirmation', path: w.link, storageState: signedIn },
    ]);
    // One summary, so a failure shows every page's figures.
    expect({ weights, over }).toEqual({ weights, over: [] });
    // The page and its two stylesheets were counted; on a repeat visit only the page comes again.
    const stylesheets = [
      expect.stringMatching(/^\/static\/weui\.\w{8}\.css$/),
      expect.stringMatching(/^\/static\/app\.\w{8}\.css$/),
    ];
    expect(weights).toEqual(weights.map((x) => ({ ...x, files: 3, cached: stylesheets })));
    // Looking at the confirmation page checks nobody in.
    expect(await recordsOf(w.session.id)).toEqual([]);
  });

  it('keeps the session cookie HttpOnly and SameSite=Lax, and refuses a form sent without its token', async () => {
    const w = await openCheckIn();
    await signOut(phone);
    await phone.goto('/login');
    await submitLogin(phone, w.trainee.username);
    const cookies = await phone.context().cookies();
    // Plain HTTP here: Secure only over HTTPS (web-session.e2e-spec.ts shows it behind a proxy).
    expect(cookies.find((c) => c.name === 'lms_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: false,
      path: '/',
    });
    expect(cookies.find((c) => c.name === 'lms_form')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // The confirmation form with its hidden token taken out, then tapped.
    await phone.goto(w.link);
    await phone.evaluate(() => {
      const { document } = globalThis as unknown as {
        document: { querySelectorAll(s: string): ArrayLike<{ remove(): void }> };
      };
      const fields = Array.from(document.querySelectorAll('main form input[name="_csrf"]'));
      if (fields.length !== 1) throw new Error(`expected one form token, found ${fields.length}`);
      fields[0].remove();
    });
    const refused = phone.waitForResponse((r) => r.request().method() === 'POST');
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认签到' }));
    expect((await refused).status()).toBe(403);
    expect(await h1(phone)).toBe('页面已过期');
    expect(await recordsOf(w.session.id)).toEqual([]);

    // A post with the session cookie but no token, as another site's form would send (without the
    // cookie the answer would be a redirect to the login page, not 403).
    const signOutPost = await phone.request.post('/logout', { form: { nothing: '1' }, maxRedirects: 0 });
    expect(signOutPost.status()).toBe(403);
    expect(await signOutPost.text()).toContain('页面已过期');
    // Still signed in: neither post did anything.
    await phone.goto('/');
    expect(await h1(phone)).toBe('你好，张秀英');
  });

  it("ends a deactivated trainee's open session at once", async () => {
    const w = await traineeWithNextSession();
    await signInAs(phone, t, w.trainee);
    await phone.goto('/');
    expect(await h1(phone)).toBe('你好，李小红');
    await t.http
      .patch(`/api/users/${w.trainee.id}`)
      .set('Authorization', w.admin.auth)
      .send({ active: false })
      .expect(200);
    await phone.goto('/');
    expect(pathOf(phone)).toBe('/login');
    expect(await h1(phone)).toBe('登录');
    expect((await phone.context().cookies()).map((c) => c.name)).not.toContain('lms_session');
  });

  it('speaks English to a phone that asks for it', async () => {
    const page = await openPhone(browser, { baseURL: baseUrl, language: 'en' });
    try {
      const res = await page.goto('/login');
      expect(res?.headers()['content-language']).toBe('en');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await h1(page)).toBe('Sign in');
      expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
      expect(await page.getByLabel('Phone number (or username)').isVisible()).toBe(true);
      expect(await page.locator('body').innerText()).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await page.context().close();
    }
  });
});
