import type { Browser, Page } from 'playwright-core';
import { localDateIn } from '../factories/dates';
import { quizWorld } from '../factories/quiz-world';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import {
  AXE_ONLY,
  consoleProblems,
  consoleWeights,
  openDesktop,
  surveyConsolePage,
  type SurveyOptions,
} from '../support/console';
import { h1, pinAll, pinText } from '../support/phone';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/** The year the reports page is shown for in the screenshot: fixed, with events of its own, so the picture stays. */
const SHOWN_YEAR = 2025;

/**
 * 回访, 统计与导出 and 运行 in a real browser (Debian's Chromium at 1280×800): every page passes
 * axe and the keyboard walk and stays within the console's weight; the township table downloads
 * in two clicks from the console's home with its Chinese name; a visit is reassigned and an event
 * added by clicking through the pages; screenshots against docs/screenshots/.
 */
describe('console visits, reports and operations in a browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let w: Awaited<ReturnType<typeof world>>;
  jest.setTimeout(90_000);

  /** A county with a class, two trainers, visits (one overdue, one done), events and a failed message. */
  async function world() {
    const q = await quizWorld(t.http, t.ds);
    await t.ds.query(`UPDATE classes SET title = '数字图书馆入门班' WHERE id = $1`, [q.cls.id]);
    const names: [string, string][] = [
      [q.admin.user.id, '陈馆长'],
      [q.trainer.user.id, '王老师'],
      [q.otherTrainer.user.id, '李老师'],
      [q.trainees[0].user.id, '赵小红'],
    ];
    for (const [id, name] of names) await t.ds.query(`UPDATE users SET display_name = $2 WHERE id = $1`, [id, name]);
    const visit = async (township: string, assignee: string, days: number, done = false) => {
      const [row] = await t.ds.query(
        done
          ? `INSERT INTO visits (class_id, township_id, assignee_id, due_on, status, visited_on, notes, problems,
                                 trainee_ids, follow_up_needed, reported_at, reported_by)
             VALUES ($1, $2, $3, $4, 'done', $4, '服务点电脑已能正常使用，学员会查资料。', '网络不稳定', ARRAY[$5]::uuid[], true, now(), $3)
             RETURNING id`
          : `INSERT INTO visits (class_id, township_id, assignee_id, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
        done
          ? [q.cls.id, township, assignee, localDateIn(days), q.trainees[0].user.id]
          : [q.cls.id, township, assignee, localDateIn(days)],
      );
      return row.id as string;
    };
    const late = await visit(q.tree.townshipA2.id, q.trainer.user.id, -3);
    const open = await visit(q.tree.villageA2.id, q.trainer.user.id, 20);
    await visit(q.tree.villageA1.id, q.otherTrainer.user.id, 2);
    const done = await visit(q.tree.townshipA1.id, q.otherTrainer.user.id, -10, true);
    for (const [unit, headCount, title] of [
      [q.tree.townshipA1.id, 40, '智能手机防诈骗讲座'],
      [q.tree.villageA2.id, 25, '数字阅读推广'],
      [q.tree.countyA.id, 100, '县馆公开课'],
    ] as const) {
      await t.http
        .post('/api/events')
        .set('Authorization', q.admin.auth)
        .send({ kind: 'lecture', title, date: `${SHOWN_YEAR}-03-15`, orgUnitId: unit, headCount })
        .expect(201);
    }
    await t.ds.query(
      `INSERT INTO notifications (user_id, channel, template, payload, dedup_key, status, attempts, last_error, failed_at)
       VALUES ($1, 'sms', 'session-reminder', '{}', 'console-ops-browser', 'failed', 3, '短信网关返回 503', now())`,
      [q.trainees[0].user.id],
    );
    return { ...q, late, open, done };
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    w = await world();
    page = await openDesktop(browser, {
      baseURL: baseUrl,
      storageState: await signedInState(t, baseUrl, w.admin.user),
    });
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await t?.close();
  });

  const survey = async (name: string, options?: SurveyOptions) =>
    expect(consoleProblems(name, await surveyConsolePage(page, options))).toEqual([]);

  it('keeps the console’s rules on every page, with screenshots of the three', async () => {
    // Each screenshot first, while nothing has the focus; then axe and the keyboard walk.
    await page.goto('/console/operations');
    expect(await h1(page)).toBe('运行');
    await pinAll(page, { '.ops-date': ['12月1日 09:00'] });
    await expectMatchesBaseline(page, 'console-operations', { fullPage: true });
    await survey('operations');

    await page.goto('/console/visits');
    expect(await h1(page)).toBe('回访');
    await pinAll(page, { '#ops-visit-list .ops-date': ['12月1日 周二', '12月6日 周日', '12月24日 周四'] });
    await expectMatchesBaseline(page, 'console-visits', { fullPage: true });
    await survey('visits');

    await page.goto(`/console/visits/${w.late}`);
    await survey('visit (open)');
    await page.goto(`/console/visits/${w.done}`);
    await survey('visit (done)');

    await page.goto(`/console/reports?year=${SHOWN_YEAR}`);
    expect(await h1(page)).toBe('统计与导出');
    await pinText(page, { '.ops-asof': '统计时间：12月1日 10:00（从记录实时计算）' });
    await expectMatchesBaseline(page, 'console-reports', { fullPage: true });
    await survey('reports');

    await page.goto(`/console/reports/events/new?year=${SHOWN_YEAR}`);
    await survey('event form');
  });

  it('stays within the console’s weight', async () => {
    const storageState = await signedInState(t, baseUrl, w.admin.user);
    const { weights, over } = await consoleWeights(browser, baseUrl, [
      { name: 'visits', path: '/console/visits', storageState },
      { name: 'visit', path: `/console/visits/${w.done}`, storageState },
      { name: 'reports', path: `/console/reports?year=${SHOWN_YEAR}`, storageState },
      { name: 'event form', path: '/console/reports/events/new', storageState },
      { name: 'operations', path: '/console/operations', storageState },
    ]);
    expect({ over, weights }).toEqual({ over: [], weights: expect.any(Array) });
  });

  it('downloads the township table in two clicks from the console’s home, under its Chinese name', async () => {
    await page.goto('/console');
    await page.getByRole('navigation').getByRole('link', { name: '统计与导出' }).click();
    await page.waitForURL('**/console/reports');
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `${year}年乡镇培训统计表（Excel）` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`甲县${year}年乡镇培训统计.xlsx`);
    expect(await download.failure()).toBeNull();
  });

  it('reassigns a visit and adds an event by clicking through the pages', async () => {
    await page.goto('/console/visits');
    await page.getByRole('link', { name: '查看、改派：甲二镇' }).click();
    await page.waitForURL(`**/console/visits/${w.late}`);
    await page.getByLabel('回访人').selectOption({ label: '李老师（老师）' });
    await page.locator('#ops-dueOn').fill(localDateIn(10));
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(`**/console/visits/${w.late}?done=saved`);
    expect(await page.locator('.notice_ok').innerText()).toContain('已保存');
    expect(await page.locator('.ops-facts').first().innerText()).toContain('李老师');

    await page.goto(`/console/reports?year=${SHOWN_YEAR}`);
    await page.getByRole('link', { name: '添加活动' }).click();
    await page.waitForURL('**/console/reports/events/new**');
    await page.getByLabel('类型').selectOption('screening');
    await page.getByLabel('名称').fill('露天电影放映');
    await page.getByLabel('日期').fill(`${SHOWN_YEAR}-08-08`);
    await page.getByLabel('举办单位').selectOption({ label: '甲二镇' });
    // A mistake first: no head count. The page says so beside the field, and keeps the rest.
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL('**/console/reports/events');
    expect(await page.locator('#ops-headCount-error').innerText()).toContain('请填写参加人数');
    expect(await page.getByLabel('名称').inputValue()).toBe('露天电影放映');
    // The event form walked in the first test, now with its errors: axe alone.
    await survey('event form with errors', AXE_ONLY);
    await page.getByLabel('参加人数').fill('120');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(`**/console/reports?year=${SHOWN_YEAR}&done=eventAdded#events`);
    expect(await page.locator('.notice_ok').innerText()).toContain('活动已添加');
    expect(await page.locator('#ops-event-list').innerText()).toContain('露天电影放映');
  });
});
