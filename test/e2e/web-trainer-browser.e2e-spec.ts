import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import QRCode from 'qrcode';
import type { Browser, Page, Request } from 'playwright-core';
import type { ClassSession } from '../../src/classes/class-session.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createUnit } from '../factories';
import { attendanceWorld, createSession, seatTrainees } from '../factories/attendance';
import { expectMatchesBaseline, launchBrowser, openPhone, PHONE } from '../support/browser';
import { h1, pinText, tapAndLoad } from '../support/phone';
import { pageWeights, phoneProblems, primaryCount, signedInState, surveyPhonePage } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

const run = promisify(execFile);

/** What zbarimg (Debian's zbar-tools) reads from a PNG: the QR code's text. */
async function decodeQr(png: Buffer): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lms-qr-'));
  try {
    const file = path.join(dir, 'qr.png');
    writeFileSync(file, png);
    const { stdout } = await run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', file]);
    return stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The names of the 30 trainees, ten per township. */
const TOWNSHIPS = ['甲一镇', '甲二镇', '甲三镇'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['秀英', '桂兰', '玉梅'];

/**
 * The trainer's pages in a real browser (Debian's Chromium as a 360×800 phone): 点名 tapped
 * through 30 names without leaving the page, a quick series of taps on one name, a save that
 * fails and is retried, the marks after a reload, the same with JavaScript off (a form);
 * 签到码 opened, its QR code decoded with zbarimg, the count rising when a trainee checks in,
 * the code rotating; phone rules, weight, English and screenshots.
 */
describe('web pages: trainer roll call and check-in code in a phone browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let phone: Page;
  jest.setTimeout(120_000);

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ PUBLIC_BASE_URL: 'https://lms.example.org' }), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
  });
  afterAll(async () => {
    await phone?.context().close();
    await browser?.close();
    await t?.close();
  });

  /** 王老师's running class 数字图书馆入门班 with 30 trainees in three townships, a session under way. */
  async function rollCallWorld() {
    const w = await attendanceWorld(t.http, t.ds, { title: '数字图书馆入门班' });
    await t.ds.query(`UPDATE users SET display_name = '王老师' WHERE id = $1`, [w.trainer.user.id]);
    const townships: OrgUnit[] = [w.tree.townshipA1, w.tree.townshipA2];
    townships.push(await createUnit(t.ds, w.tree.countyA, 'township', TOWNSHIPS[2]));
    const trainees = [];
    for (const [i, township] of townships.entries()) {
      trainees.push(
        ...(await seatTrainees(
          t.ds,
          w.cls,
          township,
          SURNAMES.map((surname) => surname + GIVEN[i]),
        )),
      );
    }
    const session = await createSession(t.ds, w.cls, w.trainer.user.id, -5, { topic: '用手机借阅电子书' });
    const storageState = await signedInState(t, baseUrl, w.trainer.user);
    return { ...w, trainees, session, storageState, path: `/sessions/${session.id}` };
  }

  const marksOf = async (session: ClassSession) =>
    (
      await t.ds.query<{ status: string }[]>(`SELECT status FROM attendance_records WHERE session_id = $1`, [
        session.id,
      ])
    ).map((r) => r.status);

  /** Waits until every save on the page has come back (nothing shown as saving). */
  async function settled(page: Page): Promise<void> {
    await page.locator('#rollcall-status', { hasText: '都已保存' }).waitFor();
    expect(await page.locator('.rollcall__row_saving').count()).toBe(0);
  }

  /** Counts the page loads and main-frame navigations from now on. */
  function navigations(page: Page): { count: number } {
    const seen = { count: 0 };
    page.on('load', () => (seen.count += 1));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) seen.count += 1;
    });
    return seen;
  }

  it('marks 30 names with 30 taps without leaving the page; the marks survive a reload', async () => {
    const w = await rollCallWorld();
    phone = await openPhone(browser, { baseURL: baseUrl, storageState: w.storageState });
    await phone.goto(`${w.path}/roll-call`);
    expect(await h1(phone)).toBe('点名');
    expect(await phone.locator('.rollcall__counts').innerText()).toBe('到 0 · 迟到 0 · 请假 0 · 缺席 0 · 未点 30');
    // With JavaScript: big rows to tap, no radio groups, no save button.
    const rows = phone.locator('.rollcall__tap');
    expect(await rows.count()).toBe(30);
    expect(await phone.locator('.rollcall__choices').first().isVisible()).toBe(false);
    expect(await phone.getByRole('button', { name: '保存点名' }).isVisible()).toBe(false);
    // By township, in the database's order of names.
    expect((await phone.getByRole('heading', { level: 2 }).allInnerTexts()).sort()).toEqual(
      TOWNSHIPS.map((name) => `${name} （10 人）`).sort(),
    );

    const seen = navigations(phone);
    for (let i = 0; i < 30; i++) await rows.nth(i).tap();
    await settled(phone);
    expect(seen.count).toBe(0);
    expect(await marksOf(w.session)).toEqual(Array.from({ length: 30 }, () => 'present'));
    expect(await phone.locator('.rollcall__counts').innerText()).toBe('到 30 · 迟到 0 · 请假 0 · 缺席 0 · 未点 0');
    expect(await phone.locator('.rollcall__row[data-status="present"]').count()).toBe(30);

    // The marks are the server's: a reload shows them.
    await phone.reload();
    expect(await phone.locator('.rollcall__row[data-status="present"]').count()).toBe(30);
    expect(await phone.locator('.rollcall__counts').innerText()).toBe('到 30 · 迟到 0 · 请假 0 · 缺席 0 · 未点 0');
  });

  it('ends with the last of quick taps on one name, and shows a failed save with a way to retry', async () => {
    const w = await rollCallWorld();
    const page = await openPhone(browser, { baseURL: baseUrl, storageState: w.storageState });
    try {
      await page.goto(`${w.path}/roll-call`);
      const row = page.locator('.rollcall__row').first();
      const name = row.locator('.rollcall__tap');
      const enrolmentId = await row.getAttribute('data-id');

      // The first save is held on its way while three more taps come: 到 → 迟到 → 请假 → 缺席.
      const sent: Request[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/roll-call/mark', async (route) => {
        sent.push(route.request());
        if (sent.length === 1) await held;
        await route.continue();
      });
      for (let i = 0; i < 4; i++) await name.tap();
      expect(await row.locator('.rollcall__mark').innerText()).toBe('缺席');
      expect(await row.locator('.rollcall__state').innerText()).toBe('正在保存…');
      release();
      await settled(page);
      // Two saves: the first tap's, then the last one's; the server has the last.
      expect(sent.map((r) => JSON.parse(r.postData() ?? '{}') as unknown)).toEqual([
        { enrolmentId, status: 'present' },
        { enrolmentId, status: 'absent' },
      ]);
      expect(await marksOf(w.session)).toEqual(['absent']);

      // The network fails: the row says so and offers 重试, which saves it.
      await page.unroute('**/roll-call/mark');
      await page.route('**/roll-call/mark', (route) => route.abort('internetdisconnected'));
      await name.tap();
      await row.getByRole('button', { name: '重试' }).waitFor();
      expect(await row.locator('.rollcall__state').innerText()).toBe('没保存上');
      expect(await page.locator('#rollcall-status').innerText()).toContain('有 1 人没保存上');
      expect(await marksOf(w.session)).toEqual(['absent']);
      await page.unroute('**/roll-call/mark');
      await row.getByRole('button', { name: '重试' }).tap();
      await settled(page);
      expect(await row.getByRole('button', { name: '重试' }).isVisible()).toBe(false);
      expect(await marksOf(w.session)).toEqual(['present']);

      // 没点的都算到: the other 29, without leaving the page.
      const seen = navigations(page);
      await page.getByRole('button', { name: /没点的都算到/ }).tap();
      await page.locator('.rollcall__counts', { hasText: '到 30' }).waitFor();
      expect(seen.count).toBe(0);
      expect(await marksOf(w.session)).toEqual(Array.from({ length: 30 }, () => 'present'));
      expect(await page.getByRole('button', { name: /没点的都算到/ }).isDisabled()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it('works as a form with JavaScript off: choose, save, the same page with a notice', async () => {
    const w = await rollCallWorld();
    const page = await openPhone(browser, { baseURL: baseUrl, storageState: w.storageState, javaScriptEnabled: false });
    page.setDefaultTimeout(20_000);
    try {
      await page.goto(`${w.path}/roll-call`);
      expect(await page.locator('.rollcall__tap').first().isVisible()).toBe(false);
      const [first, second] = w.trainees;
      const groupOf = (name: string) => page.getByRole('group', { name, exact: true });
      await groupOf(first.user.displayName).getByLabel('迟到').check();
      await groupOf(second.user.displayName).getByLabel('请假').check();
      await tapAndLoad(page, page.getByRole('button', { name: '保存点名' }));
      expect(new URL(page.url()).pathname).toBe(`${w.path}/roll-call`);
      expect(await page.getByRole('status').first().innerText()).toBe('已保存 2 人的考勤。');
      expect((await marksOf(w.session)).sort()).toEqual(['excused', 'late']);
      expect(await groupOf(first.user.displayName).getByLabel('迟到').isChecked()).toBe(true);
      expect(await page.locator('.rollcall__counts').innerText()).toBe('到 0 · 迟到 1 · 请假 1 · 缺席 0 · 未点 28');
      // (Its phone rules are measured in the next test: a page without JavaScript cannot run axe.)

      // 没点的都算到 is a form too.
      await tapAndLoad(page, page.getByRole('button', { name: /没点的都算到/ }));
      expect(await page.getByRole('status').first().innerText()).toBe('已保存 28 人的考勤。');
      expect((await marksOf(w.session)).filter((s) => s === 'present')).toHaveLength(28);
    } finally {
      await page.context().close();
    }
  });

  it('keeps the phone rules on 点名 and 签到码, and looks as in docs/screenshots/', async () => {
    const w = await rollCallWorld();
    const page = await openPhone(browser, { baseURL: baseUrl, storageState: w.storageState });
    try {
      // A roll call under way: a few marks of each kind.
      await page.goto(`${w.path}/roll-call`);
      const rows = page.locator('.rollcall__tap');
      for (const [i, taps] of [
        [0, 1],
        [1, 1],
        [2, 2],
        [3, 3],
        [5, 4],
      ]) {
        for (let n = 0; n < taps; n++) await rows.nth(i).tap();
        // One name after another, so the latest check-ins the QR screen lists come in a fixed order.
        await settled(page);
      }
      expect(phoneProblems('roll call', await surveyPhonePage(page))).toEqual([]);
      // The form it is without JavaScript (radio groups, a save button): the same page without the
      // script's class, so axe can run (it cannot in a page with JavaScript off).
      await page.evaluate(() => {
        const { document } = globalThis as unknown as {
          document: { querySelector(s: string): { classList: { remove(c: string): void } } | null };
        };
        document.querySelector('.rollcall')!.classList.remove('rollcall_js');
      });
      expect(await page.getByRole('button', { name: '保存点名' }).isVisible()).toBe(true);
      expect(phoneProblems('roll call as a form', await surveyPhonePage(page))).toEqual([]);
      await page.reload();
      // From the top: a reload may restore the scroll position the survey left.
      await page.evaluate('window.scrollTo(0, 0)');
      await pinText(page, { '.trainer-session__when': '3月12日 周四（今天） 09:00–10:00' });
      await expectMatchesBaseline(page, 'roll-call');

      // 首页: today's session with 点名 (the one primary action, the session is under way) and 签到码.
      await page.goto('/');
      const today = page.getByRole('group', { name: '数字图书馆入门班的操作' });
      expect(await today.getByRole('link').allInnerTexts()).toEqual(['点名', '签到码']);
      const home = await surveyPhonePage(page);
      expect(phoneProblems('trainer home', home)).toEqual([]);
      expect(primaryCount(home)).toBe(1);
      await tapAndLoad(page, today.getByRole('link', { name: '点名' }));
      expect(new URL(page.url()).pathname).toBe(`${w.path}/roll-call`);

      // 签到码: opened with one tap, then the code on a fixed screen for the picture.
      await page.goto(`${w.path}/qr`);
      expect(phoneProblems('check-in code, closed', await surveyPhonePage(page))).toEqual([]);
      await tapAndLoad(page, page.getByRole('button', { name: '打开签到' }));
      await page.locator('.qr__image svg').waitFor();
      expect(phoneProblems('check-in code', await surveyPhonePage(page))).toEqual([]);
      // The QR image and digits change with the code: a fixed one for the picture, and the
      // script's next fetch answered with the same.
      const link = 'https://lms.example.org/c/AAAAAAAAAAAAAAAAAAAAAA/123456';
      const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      await page.route('**/qr/code', (route) =>
        route.fulfill({ json: { open: true, code: '123456', svg, link, msLeft: 60_000, closesAt: null } }),
      );
      await page.evaluate((markup) => {
        const { document } = globalThis as unknown as {
          document: { querySelector(s: string): { innerHTML: string } | null };
        };
        document.querySelector('.qr__image')!.innerHTML = markup;
      }, svg);
      await pinText(page, {
        '.trainer-session__when': '3月12日 周四（今天） 09:00–10:00',
        '[data-code]': '123456',
        '.qr__until': '签到到 09:20 结束。',
      });
      await expectMatchesBaseline(page, 'check-in-qr');
    } finally {
      await page.context().close();
    }
  });

  it('shows a QR code of the check-in link, counts a trainee who checks in, and rotates the code', async () => {
    const w = await rollCallWorld();
    const page = await openPhone(browser, { baseURL: baseUrl, storageState: w.storageState });
    const trainee = w.trainees[7];
    const traineePhone = await openPhone(browser, {
      baseURL: baseUrl,
      storageState: await signedInState(t, baseUrl, trainee.user),
    });
    try {
      await page.goto(`${w.path}/qr`);
      await tapAndLoad(page, page.getByRole('button', { name: '打开签到' }));
      const digits = page.locator('[data-code]');
      const first = await digits.innerText();
      expect(first).toMatch(/^\d{6}$/);
      // The SVG as drawn on the screen decodes to the check-in address with the code shown.
      const scanned = await decodeQr(await page.locator('.qr__image').screenshot());
      expect(scanned).toMatch(new RegExp(`^https://lms\\.example\\.org/c/[A-Za-z0-9_-]{22}/${first}$`));
      // Big enough to read from the back of a room: the width of the phone's screen, less margins.
      const box = (await page.locator('.qr__image svg').boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(PHONE.width - 64);
      expect(await page.locator('.qr__count').innerText()).toBe('已签到 0 / 30');

      // A trainee scans it: the count rises on the trainer's screen without a reload.
      const seen = navigations(page);
      await traineePhone.goto(new URL(scanned).pathname);
      await tapAndLoad(traineePhone, traineePhone.getByRole('button', { name: '确认签到' }));
      expect(await h1(traineePhone)).toBe('签到成功');
      await page.locator('.qr__count', { hasText: '已签到 1 / 30' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-latest] li').allInnerTexts()).toEqual([trainee.user.displayName]);

      // The code changes when the server's step ends (every 30 s), the QR code with it; a phone
      // without JavaScript reloads the page then (a meta refresh) and shows the new code too.
      const plain = await openPhone(browser, {
        baseURL: baseUrl,
        storageState: w.storageState,
        javaScriptEnabled: false,
      });
      await plain.goto(`${w.path}/qr`);
      const plainFirst = await plain.locator('[data-code]').innerText();
      const reloaded = plain.waitForEvent('load', { timeout: 45_000 });
      await page.waitForResponse((r) => r.url().endsWith('/qr/code') && r.status() === 200, { timeout: 45_000 });
      await page.waitForFunction(
        (old) =>
          (
            globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
          ).document.querySelector('[data-code]')?.textContent !== old,
        first,
      );
      const second = await digits.innerText();
      expect(second).toMatch(/^\d{6}$/);
      const rescanned = await decodeQr(await page.locator('.qr__image').screenshot());
      expect(rescanned.endsWith(`/${second}`)).toBe(true);
      expect(seen.count).toBe(0);
      await reloaded;
      const plainSecond = await plain.locator('[data-code]').innerText();
      await plain.context().close();
      // Opened in the same step or the next as the scripted page; either way it changed.
      expect(plainSecond).toMatch(/^\d{6}$/);
      expect(plainSecond).not.toBe(plainFirst);

      // 结束签到 closes it.
      await tapAndLoad(page, page.getByRole('button', { name: '结束签到' }));
      expect(await page.getByRole('status').first().innerText()).toContain('签到已结束');
      expect(await page.locator('.qr__image').count()).toBe(0);
    } finally {
      await traineePhone.context().close();
      await page.context().close();
    }
  });

  it('loads 点名 and 签到码 in at most 60 KB the first time and 15 KB on a repeat visit', async () => {
    const w = await rollCallWorld();
    await t.http
      .post(`/api/sessions/${w.session.id}/check-in-code`)
      .set('Authorization', w.trainer.auth)
      .send({})
      .expect(200);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: 'roll call', path: `${w.path}/roll-call`, storageState: w.storageState },
      { name: 'check-in code', path: `${w.path}/qr`, storageState: w.storageState },
      { name: 'home', path: '/', storageState: w.storageState },
    ]);
    expect({ weights, over }).toEqual({ weights, over: [] });
  });

  it('speaks English to a phone that asks for it', async () => {
    const w = await rollCallWorld();
    const page = await openPhone(browser, { baseURL: baseUrl, language: 'en', storageState: w.storageState });
    try {
      // Only the names of people, places, the class and the session's topic are Chinese.
      const names = [
        ...w.trainees.map((x) => x.user.displayName),
        ...TOWNSHIPS,
        w.cls.title,
        '用手机借阅电子书',
        '王老师',
      ];
      const pageWords = async () => {
        let text = await page.locator('body').innerText();
        for (const name of names) text = text.split(name).join('');
        return text;
      };
      await page.goto(`${w.path}/roll-call`);
      expect(await h1(page)).toBe('Roll call');
      expect(await pageWords()).not.toMatch(/[\u4e00-\u9fff]/);
      expect(await page.locator('.rollcall__counts').innerText()).toBe(
        'Present 0 · Late 0 · Excused 0 · Absent 0 · Not marked 30',
      );
      await page.locator('.rollcall__tap').first().tap();
      await page.locator('#rollcall-status', { hasText: 'All saved.' }).waitFor();
      expect(await page.locator('.rollcall__row').first().getAttribute('data-status')).toBe('present');
      expect(await page.locator('.rollcall__mark').first().innerText()).toBe('Present');
      await page.goto(`${w.path}/qr`);
      expect(await h1(page)).toBe('Check-in code');
      expect(await page.getByRole('button', { name: 'Open check-in' }).isVisible()).toBe(true);
      expect(await pageWords()).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await page.context().close();
    }
  });
});
