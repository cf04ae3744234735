import type { Browser, Page } from 'playwright-core';
import { localDateIn } from '../factories/dates';
import { postQuiz, quizWorld } from '../factories/quiz-world';
import { expectMatchesBaseline, launchBrowser, openPhone } from '../support/browser';
import { h1, pinAll, signInAs, tapAndLoad } from '../support/phone';
import { pageWeights, phoneProblems, signedInState, surveyPhonePage } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

const HOUR = 3_600_000;

/**
 * 测验实况 and 回访 in a real browser (Debian's Chromium as a 360×800 phone in WeChat), as a
 * trainer uses them: start a contest, watch the board change as trainees hand in (without a
 * reload), end it; file a visit report, fixing a mistake on the way. Every page passes the
 * phone rules (axe, tap targets, text size, no sideways scroll) and the weight limits; English;
 * screenshots against docs/screenshots/.
 */
describe('contests live and visits in a phone browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let phone: Page;

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

  /** The quiz world with fixed names (the screenshots show them), and a contest opening in an hour. */
  async function world() {
    const w = await quizWorld(t.http, t.ds);
    await t.ds.query(`UPDATE classes SET title = '数字图书馆入门班' WHERE id = $1`, [w.cls.id]);
    const names: [string, string][] = [
      [w.trainer.user.id, '王老师'],
      [w.trainees[0].user.id, '李小红'],
      [w.trainees[1].user.id, '张秀英'],
      [w.trainees[2].user.id, '赵大明'],
    ];
    for (const [id, name] of names) await t.ds.query(`UPDATE users SET display_name = $2 WHERE id = $1`, [id, name]);
    const contest = await postQuiz(t.http, w.trainer.auth, w, {
      title: '电脑操作竞赛',
      mode: 'contest',
      opensAt: new Date(Date.now() + HOUR).toISOString(),
      closesAt: new Date(Date.now() + 3 * HOUR).toISOString(),
    });
    return { ...w, contest };
  }

  /** A trainee starts the contest and hands in, through the API (answering the first question right). */
  async function handIn(auth: string, quizId: string, questionId: string, optionId: string): Promise<void> {
    const started = await t.http.post(`/api/quizzes/${quizId}/attempts`).set('Authorization', auth).expect(201);
    await t.http
      .put(`/api/attempts/${started.body.id}/answers`)
      .set('Authorization', auth)
      .send({ answers: [{ questionId, optionIds: [optionId] }] })
      .expect(200);
    await t.http.post(`/api/attempts/${started.body.id}/submit`).set('Authorization', auth).expect(200);
  }

  const survey = async (name: string) => expect(phoneProblems(name, await surveyPhonePage(phone))).toEqual([]);

  it('starts a contest, shows the board changing as trainees hand in without a reload, and ends it', async () => {
    const w = await world();
    await signInAs(phone, t, w.trainer.user);
    await phone.goto('/contests');
    expect(await h1(phone)).toBe('测验实况');
    await survey('contests');
    await tapAndLoad(phone, phone.getByRole('link', { name: '打开“电脑操作竞赛”的实况' }));
    expect(new URL(phone.url()).pathname).toBe(`/contests/${w.contest.id}/live`);
    expect(await phone.locator('.card .badge').innerText()).toBe('还没开始');

    await tapAndLoad(phone, phone.getByRole('button', { name: '现在开始' }));
    expect(await phone.locator('.card .badge').innerText()).toBe('正在进行');
    expect(await phone.locator('#board').innerText()).toContain('还没有人交卷');
    await survey('contest live');

    // From here the page must not load again: only the board changes.
    await phone.evaluate(() => {
      (globalThis as unknown as { sameLoad: boolean }).sameLoad = true;
    });
    // Polls while nothing changed are answered 304.
    const unchanged = await phone.waitForResponse((r) => r.url().endsWith('/live') && r.status() === 304);
    expect(unchanged.request().headers()['if-none-match']).toMatch(/^"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}"$/);

    const [single] = w.questions;
    const right = single.options.find((o) => o.correct)!.id;
    await handIn(w.trainees[0].auth, w.contest.id, single.id, right);
    await phone.locator('.board__name', { hasText: '李小红' }).waitFor();
    await handIn(w.trainees[2].auth, w.contest.id, single.id, single.options.find((o) => !o.correct)!.id);
    await phone.locator('.board__name', { hasText: '赵大明' }).waitFor();
    await phone.locator('.board__count', { hasText: '已交卷 2 人' }).waitFor();
    expect(await phone.evaluate(() => (globalThis as unknown as { sameLoad?: boolean }).sameLoad)).toBe(true);
    const rows = await phone.locator('.board__list').first().locator('.board__name').allInnerTexts();
    expect(rows).toEqual(['李小红', '赵大明']);
    const townships = await phone.locator('.board__list').nth(1).locator('.board__name').allInnerTexts();
    expect(townships).toEqual(['甲一镇', '甲二镇']);
    await survey('contest live with a board');

    await phone.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await pinAll(phone, { '.card .facts dd': ['数字图书馆入门班', '今天 09:00', '今天 11:00'] });
    await pinAll(phone, {
      '.board__list:first-of-type .board__meta': ['甲一镇 · 2/10 分 · 用时 3:05', '甲二镇 · 0/10 分 · 用时 4:12'],
    });
    await expectMatchesBaseline(phone, 'contest-live');

    await tapAndLoad(phone, phone.getByRole('link', { name: '结束竞赛' }));
    expect(await h1(phone)).toBe('结束竞赛？');
    await survey('contest end');
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认结束' }));
    expect(await phone.locator('.card .badge').innerText()).toBe('已经结束');
    expect(await phone.getByRole('status').first().innerText()).toContain('竞赛已经结束');
    const [row] = await t.ds.query(`SELECT closes_at FROM quizzes WHERE id = $1`, [w.contest.id]);
    expect(row.closes_at.getTime()).toBeLessThanOrEqual(Date.now());

    // English, same page: a phone set to English.
    const page = await openPhone(browser, {
      baseURL: baseUrl,
      language: 'en',
      storageState: await signedInState(t, baseUrl, w.trainer.user),
    });
    try {
      await page.goto(`/contests/${w.contest.id}/live`);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator('.card .badge').innerText()).toBe('Ended');
      expect(await page.locator('#board h2').innerText()).toBe('Leaderboard');
      expect(await page.locator('.board__count').innerText()).toBe('Handed in: 2');
    } finally {
      await page.context().close();
    }
  });

  it('files a visit report through the form, fixing a mistake on the way', async () => {
    const w = await world();
    const insert = async (township: string, dueOn: string) => {
      const [row] = await t.ds.query(
        `INSERT INTO visits (class_id, township_id, assignee_id, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
        [w.cls.id, township, w.trainer.user.id, dueOn],
      );
      return row.id as string;
    };
    const visit = await insert(w.tree.townshipA1.id, localDateIn(5));
    await insert(w.tree.townshipA2.id, localDateIn(-3));
    await signInAs(phone, t, w.trainer.user);

    await phone.goto('/visits');
    expect(await h1(phone)).toBe('我的回访');
    const cards = await phone.locator('.visit__township').allInnerTexts();
    expect(cards).toEqual(['甲二镇', '甲一镇']);
    await survey('visits');
    await pinAll(phone, { '.visit .facts div:nth-child(2) dd': ['3月9日 周一 已过期 3 天', '3月17日 周二 还有 5 天'] });
    await expectMatchesBaseline(phone, 'visits');

    await tapAndLoad(phone, phone.getByRole('link', { name: '填写甲一镇的回访报告' }));
    expect(await h1(phone)).toBe('回访甲一镇');
    expect(await phone.getByLabel('回访日期').inputValue()).toBe(localDateIn(0));
    await survey('visit report form');

    // A long report without spaces still wraps; the date is a day ahead, a mistake.
    const notes = `走访了3个服务点，学员已能独立操作数字资源平台。${'很好'.repeat(200)}https://example.org/${'x'.repeat(120)}`;
    await phone.getByLabel('回访日期').fill(localDateIn(1));
    await phone.getByLabel('回访情况').fill(notes);
    await phone.getByLabel('李小红').check();
    await phone.getByLabel('需要再跟进（比如要再去一次）').check();
    await tapAndLoad(phone, phone.getByRole('button', { name: '提交回访报告' }));
    expect(await phone.getByRole('alert').innerText()).toContain('报告还没有提交');
    expect(await phone.locator('#visitedOn-error').innerText()).toBe('回访日期要是真实的日期，而且不能晚于今天。');
    expect(await phone.getByLabel('回访日期').getAttribute('aria-invalid')).toBe('true');
    // Nothing typed was lost.
    expect(await phone.getByLabel('回访情况').inputValue()).toBe(notes);
    expect(await phone.getByLabel('李小红').isChecked()).toBe(true);
    expect(await phone.getByLabel('张秀英').isChecked()).toBe(false);
    expect(await phone.getByLabel('需要再跟进（比如要再去一次）').isChecked()).toBe(true);
    await survey('visit report with a mistake');
    await phone.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await pinAll(phone, { '.visit .facts div:nth-child(2) dd': ['3月17日 周二 还有 5 天'] });
    await phone.getByLabel('回访日期').fill('2026-03-13');
    await phone.getByLabel('回访日期').blur();
    await expectMatchesBaseline(phone, 'visit-report');

    await phone.getByLabel('回访日期').fill(localDateIn(0));
    await tapAndLoad(phone, phone.getByRole('button', { name: '提交回访报告' }));
    expect(await phone.getByRole('status').innerText()).toBe('回访报告已提交，谢谢！');
    expect(await phone.locator('.report').innerText()).toContain('李小红');
    await survey('visit reported');
    const [row] = await t.ds.query(
      `SELECT status::text AS status, to_char(visited_on, 'YYYY-MM-DD') AS visited_on, notes, trainee_ids, follow_up_needed
         FROM visits WHERE id = $1`,
      [visit],
    );
    expect(row).toEqual({
      status: 'done',
      visited_on: localDateIn(0),
      notes,
      trainee_ids: [w.trainees[0].user.id],
      follow_up_needed: true,
    });
  });

  it('runs a contest with JavaScript off: plain forms and a 刷新 link', async () => {
    const w = await world();
    const page = await openPhone(browser, {
      baseURL: baseUrl,
      javaScriptEnabled: false,
      storageState: await signedInState(t, baseUrl, w.trainer.user),
    });
    try {
      await page.goto(`/contests/${w.contest.id}/live`);
      await tapAndLoad(page, page.getByRole('button', { name: '现在开始' }));
      expect(await page.locator('.card .badge').innerText()).toBe('正在进行');
      const [single] = w.questions;
      await handIn(w.trainees[1].auth, w.contest.id, single.id, single.options.find((o) => o.correct)!.id);
      await tapAndLoad(page, page.getByRole('link', { name: '刷新' }));
      expect(await page.locator('.board__name').first().innerText()).toBe('张秀英');
      await tapAndLoad(page, page.getByRole('link', { name: '结束竞赛' }));
      await tapAndLoad(page, page.getByRole('button', { name: '确认结束' }));
      expect(await page.locator('.card .badge').innerText()).toBe('已经结束');
    } finally {
      await page.context().close();
    }
  });

  it('weighs the pages: ≤ 60 KB on a first visit, ≤ 15 KB on a repeat one', async () => {
    const w = await world();
    const [row] = await t.ds.query(
      `INSERT INTO visits (class_id, township_id, assignee_id, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
      [w.cls.id, w.tree.townshipA1.id, w.trainer.user.id, localDateIn(5)],
    );
    const state = await signedInState(t, baseUrl, w.trainer.user);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: 'contests', path: '/contests', storageState: state },
      { name: 'contest live', path: `/contests/${w.contest.id}/live`, storageState: state },
      { name: 'visits', path: '/visits', storageState: state },
      { name: 'visit report', path: `/visits/${row.id}`, storageState: state },
    ]);
    expect({ over, weights }).toMatchObject({ over: [] });
  });
});
