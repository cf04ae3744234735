import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { Plan } from '../../src/plans/plan.entity';
import type { User } from '../../src/users/user.entity';
import { createSession } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { createOrgTree, createUser } from '../factories';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import { consoleProblems, consoleWeights, openDesktop, surveyConsolePage } from '../support/console';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/**
 * A year far enough ahead that every session of it lies in the future whenever this runs, so the
 * pages (and the screenshots) show the same words: no "held" session, no "this year" shortening.
 */
const YEAR = 2036;

/**
 * 年度计划 in Debian's Chromium at a library desktop (1280×800): a class built with a recurrence
 * rule through the form (keyboard and clicks: weekdays, a holiday, 预览, 保存), then its session
 * moved and cancelled; every page passes axe and the keyboard walk, and weighs ≤ 120 KB on a
 * first visit; screenshots of the plan and of the new-class form with its preview; English once.
 * Each test stands on the data made in beforeAll: the weights weigh a class of the next year's plan,
 * made there, so the year shown in the pictures holds only the class the first test builds.
 */
describe('console: the year plan in a browser (e2e)', () => {
  // Generous: on a busy 2-core machine a keyboard walk of a long form takes seconds.
  jest.setTimeout(180_000);
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let state: BrowserContextOptions['storageState'];
  let trainer: User;
  /** The year's plan, empty until the first test builds its class. */
  let plan: Plan;
  /** A class of the next year's plan and one of its sessions, for the weights. */
  let weighed: { classId: string; sessionId: string };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    const tree = await createOrgTree(t.ds);
    const admin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, displayName: '馆员甲' });
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
    await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '李老师' });
    const course = await createCourse(t.ds, tree.countyA, { title: '电脑基础与智能手机应用' });
    await createVenue(t.ds, tree.countyA, { name: '县图书馆电子阅览室' });
    plan = await createPlan(t.ds, tree.countyA, YEAR, {
      title: `${YEAR}年度基层公共数字文化服务培训计划`,
      targetClasses: 4,
      targetPersonTimes: 3000,
    });
    const next = await createPlan(t.ds, tree.countyA, YEAR + 1);
    const cls = await createClass(t.ds, next, course, [trainer.id], {
      title: `${YEAR + 1}年第一期基层服务点人员培训班`,
      quarter: 1,
      startDate: `${YEAR + 1}-01-06`,
      endDate: `${YEAR + 1}-03-31`,
    });
    const startsAt = localInstant(`${YEAR + 1}-01-08`, '14:30');
    const session = await createSession(t.ds, cls, trainer.id, 0, {
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
      topic: '电脑操作',
    });
    weighed = { classId: cls.id, sessionId: session.id };
    state = await signedInState(t, baseUrl, admin);
    page = await openDesktop(browser, { baseURL: baseUrl, storageState: state });
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await t?.close();
  });

  const survey = async (name: string) => expect(consoleProblems(name, await surveyConsolePage(page))).toEqual([]);

  /** Clicks and waits for the page the click leads to. */
  async function clickAndLoad(target: ReturnType<Page['locator']>): Promise<void> {
    const loaded = page.waitForEvent('load');
    await target.click();
    await loaded;
  }

  it('builds a class with a rule, previews and saves it, moves and cancels a session, on pages that keep the rules', async () => {
    await page.goto(`/console/plan?year=${YEAR}`);
    expect(await page.locator('h1').innerText()).toBe(`${YEAR} 年度计划`);
    await survey('plan (empty)');

    // 新建培训班 for the first quarter, filled with the keyboard and clicks.
    await clickAndLoad(page.locator('#q1 .actions a'));
    expect(new URL(page.url()).searchParams.get('quarter')).toBe('1');
    await survey('new class');
    await page.getByLabel('培训班名称').fill(`${YEAR}年第一期基层服务点人员培训班`);
    await page.getByLabel('王老师').check();
    await page.getByLabel('每周的某几天').check();
    await page.getByLabel('周二').check();
    await page.getByLabel('周四').focus();
    await page.keyboard.press('Space');
    await page.getByLabel('上课时间').fill('14:30');
    await page.getByLabel('每次多长（分钟）').fill('120');
    await page.getByLabel('跳过的日期（节假日）').fill(`${YEAR}-01-01`);
    await page.getByLabel('上课内容').fill('电脑操作');
    await clickAndLoad(page.getByRole('button', { name: '预览日期' }));
    const preview = page.locator('#preview');
    expect(await preview.locator('p').first().innerText()).toBe('共 25 次课；跳过节假日 1 天。尚未保存。');
    expect(await preview.locator('del').allInnerTexts()).toEqual([`${YEAR}年1月1日 周二`]);
    expect(await preview.locator('tbody th').nth(1).innerText()).toBe(`${YEAR}年1月3日 周四`);
    expect(await page.getByLabel('培训班名称').inputValue()).toBe(`${YEAR}年第一期基层服务点人员培训班`);
    const count = `SELECT count(*)::int AS n FROM classes WHERE plan_id = $1`;
    expect(Number((await t.ds.query(count, [plan.id]))[0].n)).toBe(0);
    // The enrolment opens today by default: pinned for the picture.
    await page.getByLabel('报名开始日期').fill(`${YEAR - 1}-12-01`);
    await page.locator('#preview-heading').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await expectMatchesBaseline(page, 'console-plan-new-class');
    await survey('new class with its preview');

    await clickAndLoad(page.getByRole('button', { name: '保存培训班和课次' }));
    const [cls] = await t.ds.query(`SELECT id FROM classes WHERE plan_id = $1`, [plan.id]);
    expect(new URL(page.url()).pathname).toBe(`/console/classes/${cls.id}`);
    const sessions: { id: string }[] = await t.ds.query(
      `SELECT id FROM sessions WHERE class_id = $1 AND trainer_id = $2 ORDER BY starts_at`,
      [cls.id, trainer.id],
    );
    expect(sessions).toHaveLength(25);

    await page.goto(`/console/plan?year=${YEAR}`);
    expect(await page.locator('#q1 tbody tr').first().innerText()).toContain(`${YEAR}年第一期基层服务点人员培训班`);
    await expectMatchesBaseline(page, 'console-plan');
    await survey('plan');

    // A session: moved with its date field, then cancelled after the confirmation.
    await clickAndLoad(page.locator('#m1').locator('xpath=following-sibling::div[1]').locator('a').first());
    expect(new URL(page.url()).pathname).toBe(`/console/sessions/${sessions[0].id}`);
    await survey('session');
    await page.getByLabel('上课日期').fill(`${YEAR}-01-05`);
    await clickAndLoad(page.getByRole('button', { name: '保存调整' }));
    expect(await page.getByRole('status').innerText()).toContain('课次已调整');
    const [moved] = await t.ds.query(`SELECT starts_at FROM sessions WHERE id = $1`, [sessions[0].id]);
    expect(moved.starts_at).toEqual(new Date(`${YEAR}-01-05T14:30:00+08:00`));
    await clickAndLoad(page.getByRole('link', { name: '取消这次课…' }));
    await survey('cancel a session');
    await clickAndLoad(page.getByRole('button', { name: '确认取消' }));
    expect(await page.getByRole('status').innerText()).toContain('课次已取消');

    await page.goto(`/console/classes/${cls.id}/sessions/new`);
    await survey('add a session');
  });

  it('weighs at most 120 KB on a first visit to each page', async () => {
    const { classId, sessionId } = weighed;
    const { over, weights } = await consoleWeights(browser, baseUrl, [
      { name: 'plan', path: `/console/plan?year=${YEAR + 1}`, storageState: state },
      { name: 'new class', path: `/console/plan/classes/new?year=${YEAR}&quarter=2`, storageState: state },
      { name: 'session', path: `/console/sessions/${sessionId}`, storageState: state },
      { name: 'cancel', path: `/console/sessions/${sessionId}/cancel`, storageState: state },
      { name: 'add a session', path: `/console/classes/${classId}/sessions/new`, storageState: state },
    ]);
    expect({ over, weights }).toEqual({ over: [], weights });
  });

  it('speaks English when the browser asks', async () => {
    const english = await openDesktop(browser, { baseURL: baseUrl, storageState: state, language: 'en' });
    try {
      await english.goto(`/console/plan?year=${YEAR}`);
      expect(await english.locator('html').getAttribute('lang')).toBe('en');
      expect(await english.locator('h1').innerText()).toBe(`${YEAR} plan`);
      expect(await english.locator('#q1-heading').innerText()).toBe('Quarter 1 (months 1–3)');
    } finally {
      await english.context().close();
    }
  });
});
