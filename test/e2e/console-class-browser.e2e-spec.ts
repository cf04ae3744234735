import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { createOrgTree, createUnit, createUser, login } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { currentQuarter } from '../factories/enrolments';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import {
  AXE_ONLY,
  consoleProblems,
  consoleWeights,
  narrowProblems,
  openDesktop,
  surveyConsolePage,
} from '../support/console';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/** A year in the past with fixed dates, so the pictures are the same on every day. */
const YEAR = 2025;
const DAY = 86_400_000;

/**
 * 班级 in Debian's Chromium at a library desktop (1280×800): axe and the keyboard walk on the
 * list, a class's page, the enrol search, a confirmation page and the edit form (axe alone on it with
 * its errors), each within 120 KB on a first load, the list and a class's page not scrolling sideways
 * at 1024 px; opening enrolment clicked
 * through (class page → confirmation → done); the screenshots console-classes.png and
 * console-class.png.
 */
describe('console: classes in a desktop browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let state: BrowserContextOptions['storageState'];
  let spring: TrainingClass;
  let draft: TrainingClass;
  jest.setTimeout(90_000);

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    const tree = await createOrgTree(t.ds);
    const third = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
    const admin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, displayName: '县馆管理员' });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
    const venue = await createVenue(t.ds, tree.countyA, { name: '县图书馆三楼培训室' });
    const course = await createCourse(t.ds, tree.countyA, { title: '电脑基础与智能手机应用' });
    const plan = await createPlan(t.ds, tree.countyA, YEAR);
    await createClass(t.ds, plan, course, [trainer.id], {
      title: '2025年第一期基层服务点人员培训班',
      status: 'completed',
      quarter: 1,
      startDate: `${YEAR}-01-07`,
      endDate: `${YEAR}-03-25`,
      venueId: venue.id,
    });
    spring = await createClass(t.ds, plan, course, [trainer.id], {
      title: '2025年第二期基层服务点人员培训班',
      status: 'open',
      quarter: 2,
      startDate: `${YEAR}-04-08`,
      endDate: `${YEAR}-06-24`,
      capacity: 30,
      minPerTownship: 3,
      maxPerTownship: 5,
      venueId: venue.id,
      enrolmentOpensAt: localInstant(`${YEAR}-03-01`, '08:00'),
      enrolmentClosesAt: localInstant(`${YEAR}-04-07`, '18:00'),
    });
    for (const [date, topic] of [
      ['04-08', '电脑开机与文件管理'],
      ['04-18', '智能手机与网上办事'],
      ['04-28', '公共数字文化平台操作'],
    ]) {
      const startsAt = localInstant(`${YEAR}-${date}`, '09:00');
      await createSession(t.ds, spring, trainer.id, 0, {
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
        topic,
      });
    }
    const people: [OrgUnit, string, string][] = [
      [tree.townshipA1, '李小红', '13937000001'],
      [tree.townshipA1, '张秀英', '13937000002'],
      [tree.townshipA1, '赵大明', '13937000003'],
      [tree.townshipA2, '王桂兰', '13937000004'],
    ];
    for (const [unit, name, phone] of people) {
      const u = await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: unit.id,
        displayName: name,
        username: phone,
        phone,
      });
      await seat(t.ds, spring, u, unit);
    }
    const auth = `Bearer ${await login(t.http, admin.username)}`;
    const contact = async (unit: OrgUnit, name: string, phone: string): Promise<User> => {
      const u = await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: unit.id,
        displayName: name,
        username: `c${phone}`,
        phone,
      });
      await t.http
        .put(`/api/org-units/${unit.id}/contacts`)
        .set('Authorization', auth)
        .send({ userIds: [u.id] })
        .expect(200);
      return u;
    };
    await contact(tree.townshipA1, '刘站长', '13837000011');
    await contact(third, '陈站长', '13837000013');

    const q = currentQuarter();
    const now = await createPlan(t.ds, tree.countyA, q.year);
    draft = await createClass(t.ds, now, course, [trainer.id], {
      title: '智能手机应用班',
      status: 'draft',
      quarter: q.quarter,
      startDate: q.startDate,
      endDate: q.endDate,
      enrolmentOpensAt: new Date(Date.now() - DAY),
      enrolmentClosesAt: new Date(Date.now() + 2 * DAY),
    });
    state = await signedInState(t, baseUrl, admin);
    page = await openDesktop(browser, { baseURL: baseUrl, storageState: state });
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await t?.close();
  });

  it('keeps the console’s rules on every page, and each first load stays within 120 KB', async () => {
    const pages: [string, string][] = [
      ['classes', `/console/classes?year=${YEAR}`],
      ['class', `/console/classes/${spring.id}`],
      ['enrol search', `/console/classes/${spring.id}/enrol?q=${encodeURIComponent('张')}`],
      ['confirmation', `/console/classes/${spring.id}/cancel`],
      ['edit', `/console/classes/${spring.id}/edit`],
    ];
    const problems: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(path);
      problems.push(...consoleProblems(name, await surveyConsolePage(page)));
      if (name === 'classes' || name === 'class') problems.push(...(await narrowProblems(page, name)));
    }
    // The edit form with its errors showing.
    await page.goto(`/console/classes/${spring.id}/edit`);
    await page.getByLabel('班级容量（人）').fill('很多');
    await page.getByLabel('培训班名称').fill('');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(`**/console/classes/${spring.id}/edit`);
    expect(await page.locator('#f-capacity-error').textContent()).toBe('请填写整数。');
    expect(await page.getByLabel('班级容量（人）').inputValue()).toBe('很多');
    // The same controls as the edit form walked above: axe alone.
    problems.push(...consoleProblems('edit with errors', await surveyConsolePage(page, AXE_ONLY)));
    expect(problems).toEqual([]);

    const { weights, over } = await consoleWeights(
      browser,
      baseUrl,
      pages.map(([name, path]) => ({ name, path, storageState: state })),
    );
    expect({ over, weights }).toEqual(expect.objectContaining({ over: [] }));
  });

  it('opens enrolment by clicking through: the class page, the page saying what happens, the button', async () => {
    await page.goto('/console/classes');
    await page.getByRole('link', { name: '智能手机应用班' }).click();
    await page.waitForURL(`**/console/classes/${draft.id}`);
    expect(await page.locator('.class-state .badge').textContent()).toBe('草稿');
    await page.getByRole('link', { name: '开放报名' }).click();
    await page.waitForURL(`**/console/classes/${draft.id}/open`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('开放报名');
    const said = await page.locator('main').innerText();
    expect(said).toContain('现在不会发出任何消息。');
    expect(said).toContain('现在共 3 个乡镇，其中 3 个不足 3 人。');
    expect(said).toContain('有 1 个乡镇没有设联系人，收不到提醒：甲二镇');
    problems(consoleProblems('open confirmation', await surveyConsolePage(page)));
    await page.getByRole('button', { name: '确认开放报名' }).click();
    await page.waitForURL(`**/console/classes/${draft.id}?done=open`);
    expect(await page.getByRole('status').textContent()).toBe('已开放报名。');
    expect(await page.locator('.class-state .badge').textContent()).toBe('报名中');
    const [{ status }] = await t.ds.query<{ status: string }[]>(`SELECT status::text FROM classes WHERE id = $1`, [
      draft.id,
    ]);
    expect(status).toBe('open');
  });

  it('looks as it did: the list and a class', async () => {
    await page.goto(`/console/classes?year=${YEAR}`);
    await expectMatchesBaseline(page, 'console-classes');
    await page.goto(`/console/classes/${spring.id}`);
    const text = await page.locator('main').innerText();
    expect(text).toContain('有 2 个乡镇不足最低人数');
    expect(await page.locator('#quota a[href="tel:13837000011"]').textContent()).toBe('13837000011');
    await expectMatchesBaseline(page, 'console-class');
  });
});

/** Fails with the problems listed (an empty list passes). */
function problems(found: string[]): void {
  expect(found).toEqual([]);
}
