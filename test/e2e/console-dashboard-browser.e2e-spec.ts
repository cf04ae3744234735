import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { AttendanceRecord } from '../../src/attendance/attendance-record.entity';
import { currentYear } from '../../src/common/time/zoned-time';
import { OutreachEvent } from '../../src/events/outreach-event.entity';
import { Notification } from '../../src/notifications/notification.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { Visit } from '../../src/visits/visit.entity';
import { createOrgTree, createUnit, createUser } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { createSurvey } from '../factories/planning';
import { createQuiz } from '../factories/quizzes';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import {
  AXE_ONLY,
  consoleProblems,
  consoleWeights,
  narrowProblems,
  openDesktop,
  surveyConsolePage,
} from '../support/console';
import { pinAll, pinText } from '../support/phone';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/** A year in the past with fixed dates, so the pictures are the same on every day. */
const YEAR = 2025;
const DAY = 86_400_000;

/**
 * 仪表盘 and 调查 in Debian's Chromium at a library desktop (1280×800): axe and the keyboard walk
 * on every page (the dashboard, the surveys, the survey form empty and with its errors, the
 * correction form), the first-load weights, a survey entered by keyboard and mouse with a
 * mistake fixed on the way, the year chosen on the dashboard, English, and the screenshots
 * console-dashboard.png and console-surveys.png.
 */
describe('console: dashboard and surveys in a desktop browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let state: BrowserContextOptions['storageState'];
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let surveyId: string;
  jest.setTimeout(90_000);

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    tree = await createOrgTree(t.ds);
    const third = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
    const fourth = await createUnit(t.ds, tree.countyA, 'township', '甲四镇');
    const admin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, displayName: '县馆管理员' });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
    await yearOf2025(admin, trainer, [tree.townshipA1, tree.townshipA2, third, fourth]);
    await attentionNow(admin, trainer);
    surveyId = (
      await createSurvey(t.ds, {
        orgUnitId: tree.townshipA2.id,
        year: YEAR,
        servicePoints: 9,
        staffCount: 14,
        proficiencyNone: 3,
        proficiencyBasic: 7,
        proficiencyIntermediate: 3,
        proficiencyAdvanced: 1,
        educationPrimary: 2,
        educationSecondary: 9,
        educationTertiary: 3,
        topicsWanted: ['智能手机', '网上办事', '短视频制作'],
      })
    ).id;
    await createSurvey(t.ds, {
      orgUnitId: third.id,
      year: YEAR,
      staffCount: 8,
      topicsWanted: ['智能手机', '直播带货'],
    });
    state = await signedInState(t, baseUrl, admin);
    page = await openDesktop(browser, { baseURL: baseUrl, storageState: state });
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await t?.close();
  });

  /** 2025 in county A: a plan, a completed class of five sessions with marks, lectures. */
  async function yearOf2025(admin: User, trainer: User, townships: OrgUnit[]) {
    const plan = await createPlan(t.ds, tree.countyA, YEAR, { targetClasses: 4, targetPersonTimes: 300 });
    const course = await createCourse(t.ds, tree.countyA);
    const cls = await createClass(t.ds, plan, course, [trainer.id], {
      status: 'completed',
      title: '2025年第一期电脑基础班',
      quarter: 1,
      startDate: `${YEAR}-03-05`,
      endDate: `${YEAR}-06-30`,
    });
    const dates = ['03-05', '03-15', '04-05', '04-25', '05-15', '06-05'];
    const sessions = [];
    for (const d of dates) {
      const startsAt = localInstant(`${YEAR}-${d}`, '09:00');
      sessions.push(
        await createSession(t.ds, cls, trainer.id, 0, { startsAt, endsAt: new Date(startsAt.getTime() + 7_200_000) }),
      );
    }
    const people = [3, 4, 3, 2];
    for (const [i, township] of townships.entries()) {
      for (let p = 0; p < people[i]; p++) {
        const u = await createUser(t.ds, { role: 'trainee', orgUnitId: township.id, username: `t${i}${p}2025` });
        const e = await seat(t.ds, cls, u, township, 'completed');
        await t.ds.getRepository(AttendanceRecord).insert(
          sessions
            .filter((_, s) => (s + p + i) % 4 !== 0)
            .map((s) => ({
              sessionId: s.id,
              enrolmentId: e.id,
              status: 'present' as const,
              source: 'trainer' as const,
              recordedBy: trainer.id,
            })),
        );
      }
    }
    const events: [OrgUnit, string, number][] = [
      [tree.countyA, '02-20', 60],
      [townships[0], '05-10', 35],
      [townships[2], '08-18', 25],
      [townships[3], '10-12', 40],
    ];
    for (const [unit, date, headCount] of events) {
      await t.ds.getRepository(OutreachEvent).insert({
        kind: 'lecture',
        title: `${unit.name}讲座`,
        date: `${YEAR}-${date}`,
        orgUnitId: unit.id,
        headCount,
        createdBy: admin.id,
      });
    }
    await t.ds.getRepository(Visit).insert({
      classId: cls.id,
      townshipId: townships[1].id,
      assigneeId: trainer.id,
      dueOn: `${YEAR}-07-15`,
      status: 'assigned',
    });
  }

  /** What needs attention now: a class enrolling with townships short, a failed text message, a quiz closing soon. */
  async function attentionNow(admin: User, trainer: User) {
    const plan = await createPlan(t.ds, tree.countyA, currentYear('Asia/Shanghai'));
    const course = await createCourse(t.ds, tree.countyA);
    const cls = await createClass(t.ds, plan, course, [trainer.id], {
      status: 'open',
      title: '手机应用班',
      enrolmentOpensAt: new Date(Date.now() - DAY),
      enrolmentClosesAt: new Date(Date.now() + 3 * DAY),
    });
    for (let i = 0; i < 2; i++) {
      const u = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await seat(t.ds, cls, u, tree.townshipA1);
    }
    await createQuiz(t.ds, cls, { title: '手机操作小测', closesAt: new Date(Date.now() + 2 * DAY) });
    const member = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id, displayName: '赵一' });
    await t.ds.getRepository(Notification).insert({
      userId: member.id,
      channel: 'sms',
      template: 'session-reminder',
      payload: {},
      dedupKey: `browser:${member.id}`,
      status: 'failed',
      attempts: 3,
      lastError: 'gateway down',
      failedAt: localInstant(`${YEAR}-11-20`, '10:00'),
      createdAt: localInstant(`${YEAR}-11-20`, '09:00'),
    });
    void admin;
  }

  it('keeps the console’s rules on every page, and each first load stays within 120 KB', async () => {
    const pages: [string, string][] = [
      ['dashboard', `/console?year=${YEAR}`],
      ['surveys', `/console/surveys?year=${YEAR}`],
      ['survey form', `/console/surveys/new?year=${YEAR}`],
      ['survey correction', `/console/surveys/${surveyId}/edit`],
    ];
    const problems: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(path);
      problems.push(...consoleProblems(name, await surveyConsolePage(page)));
      // The wide pages (charts beside tables) at a small desktop's width too.
      if (!name.startsWith('survey ')) problems.push(...(await narrowProblems(page, name)));
    }
    // The form with its errors showing: the same controls as the empty form, so axe alone.
    await page.goto(`/console/surveys/new?year=${YEAR}`);
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL('**/console/surveys');
    expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(5);
    problems.push(...consoleProblems('survey form with errors', await surveyConsolePage(page, AXE_ONLY)));
    expect(problems).toEqual([]);

    // The correction is the survey form again (the same template and files): the empty form stands for both.
    const { weights, over } = await consoleWeights(
      browser,
      baseUrl,
      pages
        .filter(([name]) => name !== 'survey correction')
        .map(([name, path]) => ({ name, path, storageState: state })),
    );
    expect({ over, weights }).toEqual(expect.objectContaining({ over: [] }));
  });

  it('shows the year on the dashboard, charts beside their tables, and looks as it did', async () => {
    await page.goto('/console');
    await page.getByLabel('年份').selectOption(String(YEAR));
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL(`**/console?year=${YEAR}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`${YEAR} 年仪表盘`);
    expect(await page.locator('[data-tile="classes"] .stat__value').textContent()).toBe('1 / 4，目标 4');
    // Each chart is an SVG drawn on the server, hidden from screen readers, with its table beside.
    for (const chart of ['trend', 'townships']) {
      expect(await page.locator(`[data-chart="${chart}"] svg`).getAttribute('aria-hidden')).toBe('true');
    }
    const march = await page.locator('[data-table="trend"] tbody tr').nth(2).locator('td').allTextContents();
    expect(march[0]).toBe('2');
    expect(await page.locator('[data-attention="overdue"] li').textContent()).toContain('2025年7月15日');
    await page.getByRole('link', { name: '查看全部 1 次逾期回访' }).focus();

    await pinText(page, { 'main > p.muted': '宜阳县 · 数据截至 12月1日 09:00' });
    await pinAll(page, {
      '[data-attention="gaps"] li .muted': ['12月4日 17:00 截止报名，每个乡镇至少 3 人'],
      '[data-attention="quizzes"] li': ['测验「手机操作小测」（手机应用班），12月3日 17:00 截止'],
    });
    await page.evaluate(() =>
      (globalThis as unknown as { document: { activeElement: { blur(): void } } }).document.activeElement.blur(),
    );
    await expectMatchesBaseline(page, 'console-dashboard', { fullPage: true });
  });

  it('enters a survey, fixing a mistake on the way, and the summary shows it', async () => {
    await page.goto(`/console/surveys?year=${YEAR}`);
    await page.getByRole('link', { name: '填写乡镇调查' }).click();
    await page.waitForURL('**/console/surveys/new?year=2025');
    await page.getByLabel('乡镇').selectOption({ label: '甲一镇' });
    await page.getByLabel('服务点数').fill('6');
    await page.getByLabel('在岗人数').fill('10');
    for (const [label, n] of [
      ['不会用电脑', '2'],
      ['基础', '9'],
      ['中等', '1'],
      ['熟练', '0'],
    ]) {
      await page.getByLabel(label, { exact: true }).fill(n);
    }
    await page.getByLabel('希望学习的内容').fill('智能手机，网上办事');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL('**/console/surveys');
    expect(await page.locator('#proficiency-error').textContent()).toBe(
      '各计算机水平人数合计 12 人，超过在岗人数 10 人',
    );
    expect(await page.getByLabel('希望学习的内容').inputValue()).toBe('智能手机，网上办事');
    await page.getByLabel('基础').fill('7');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(`**/console/surveys?year=${YEAR}&done=created`);
    expect(await page.getByRole('status').textContent()).toContain('调查已保存');
    expect(await page.locator('[data-tile="surveyed"] .stat__value').textContent()).toBe('3 / 4，共 4 个乡镇');
    const topics = await page.locator('[data-table="topics"] tbody tr').first().allTextContents();
    expect(topics[0]).toContain('智能手机');
    expect(topics[0]).toContain('3');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await expectMatchesBaseline(page, 'console-surveys', { fullPage: true });
  });

  it('speaks English when the browser asks for it', async () => {
    const en = await openDesktop(browser, { baseURL: baseUrl, storageState: state, language: 'en' });
    try {
      await en.goto(`/console?year=${YEAR}`);
      expect(await en.getByRole('heading', { level: 1 }).textContent()).toBe(`Dashboard ${YEAR}`);
      expect(await en.locator('[data-tile="classes"] .stat__value').textContent()).toBe('1 / 4, target 4');
      expect([
        ...consoleProblems('dashboard (English)', await surveyConsolePage(en)),
        ...(await narrowProblems(en, 'dashboard (English)')),
      ]).toEqual([]);
    } finally {
      await en.context().close();
    }
  });
});
