import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { postQuiz, quizWorld } from '../factories/quiz-world';
import { type BaselineResult, launchBrowser, matchesBaseline, openPhone } from '../support/browser';
import { h1, mainText, pathOf, pinText, signInAs, tapAndLoad } from '../support/phone';
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

/** Clock-dependent text on the quiz pages, pinned before screenshots. */
const PINS = {
  list: { '.quiz-card .facts > div:nth-child(3) dd': '12月20日 18:00' },
  question: { '#quiz-countdown': '9:41', '.quiz-timer': '请在 12月1日 18:10 前交卷' },
  result: { '.quiz-facts > div:nth-child(4) dd': '12月1日 18:05' },
};

/** A regular expression matching exactly `text`. */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** `9:58`, `1:02:03` as seconds. */
function secondsOf(text: string): number {
  const parts = text.trim().split(':').map(Number);
  if (parts.length < 2 || parts.some((p) => Number.isNaN(p))) throw new Error(`not a countdown: ${text}`);
  return parts.reduce((s, p) => s * 60 + p, 0);
}

/**
 * 测验 on a phone (Debian's Chromium as a 360×800 phone in WeChat), as a trainee takes it: the
 * list, the start, one question per screen saved as it is answered, the outbox when the
 * network drops (Must show 5), a countdown by the server's clock on a phone whose clock is 10
 * minutes ahead, the server's hand-in at the deadline, the confirmation and the result; the
 * phone rules on every page, page weights, English and screenshots.
 */
describe('web pages: quizzes in a phone browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let phone: Page;

  beforeAll(async () => {
    // A short grace after the deadline, so the server's hand-in comes within the test's time.
    [t, browser] = await Promise.all([startTestApp({ QUIZ_GRACE_SECONDS: '2' }), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    phone = await openPhone(browser, { baseURL: baseUrl });
  });
  afterAll(async () => {
    await phone?.context().close();
    await browser?.close();
    await t?.close();
  });

  /**
   * The quiz world with fixed names and a quiz whose questions come in a fixed order: 电脑基础测验,
   * five questions (one of each type), 10 minutes, for 李小红 of township A1.
   */
  async function world(fields: Record<string, unknown> = {}) {
    const w = await quizWorld(t.http, t.ds);
    const trainee = w.trainees[0].user;
    await t.ds.query(`UPDATE users SET display_name = '李小红' WHERE id = $1`, [trainee.id]);
    const quiz = await postQuiz(t.http, w.trainer.auth, w, {
      title: '电脑基础测验',
      timeLimitSeconds: 600,
      shuffle: false,
      attemptsAllowed: 2,
      ...fields,
    });
    return { ...w, quiz, trainee };
  }

  /** Taps an option and waits for the server to save it (the page's PUT answered 200). */
  async function answer(page: Page, option: Locator): Promise<void> {
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && /\/answers$/.test(r.url()));
    await option.tap();
    expect((await saved).status()).toBe(200);
  }

  const visibleForm = (page: Page) => page.locator('form.quiz-q:visible');
  const answersOf = (attemptId: string) =>
    t.ds.query<{ question_id: string; response: { type: string; value?: boolean; optionId?: string } }[]>(
      `SELECT question_id, response FROM attempt_answers WHERE attempt_id = $1`,
      [attemptId],
    );
  const attemptIdOf = (page: Page) => /\/attempts\/([0-9a-f-]{36})\//.exec(page.url())![1];

  it('takes a quiz: list, start, one question per screen saved as answered, offline outbox, hand-in, result', async () => {
    const w = await world();
    await signInAs(phone, t, w.trainee);

    // Home offers the quiz as a second action (the primary stays for check-in).
    await phone.goto('/');
    await phone.getByRole('link', { name: '去做测验' }).waitFor();

    await phone.goto('/quizzes');
    expect(await h1(phone)).toBe('测验');
    const card = await phone.locator('.quiz-card').innerText();
    for (const shown of ['电脑基础测验', '5 道题', '10 分钟', '还能做 2 次']) expect(card).toContain(shown);

    await tapAndLoad(phone, phone.getByRole('link', { name: /去答题/ }));
    expect(pathOf(phone)).toBe(`/quizzes/${w.quiz.id}`);
    await tapAndLoad(phone, phone.getByRole('button', { name: '开始答题' }));
    expect(pathOf(phone)).toMatch(/^\/attempts\/[0-9a-f-]{36}\/q\/1$/);
    const attemptId = attemptIdOf(phone);
    const q = visibleForm(phone);
    await expect(q.locator('.quiz-progress').innerText()).resolves.toContain('题目 1/5');
    await expect(q.locator('legend').innerText()).resolves.toBe('复制的快捷键是？');
    // The countdown runs from the server's clock.
    await phone
      .locator('#quiz-countdown')
      .filter({ hasText: /^\d+:\d\d$/ })
      .waitFor();

    // Online: saved as given, and the next question without a page load.
    await answer(phone, q.getByText('Ctrl+C'));
    let loads = 0;
    const counted = () => (loads += 1);
    phone.on('load', counted);
    await q.getByRole('button', { name: '下一题' }).tap();
    await expect(visibleForm(phone).locator('.quiz-progress').innerText()).resolves.toContain('题目 2/5');
    expect(pathOf(phone)).toBe(`/attempts/${attemptId}/q/2`);
    await answer(phone, visibleForm(phone).getByText('Edge'));
    await visibleForm(phone).getByRole('button', { name: '下一题' }).tap();
    await expect(visibleForm(phone).locator('.quiz-progress').innerText()).resolves.toContain('题目 3/5');
    expect(await answersOf(attemptId)).toHaveLength(2);

    // Offline: the answer waits in the outbox, and the page says so.
    const notice = phone.getByText('网络不稳定，答案已暂存');
    expect(await notice.isVisible()).toBe(false);
    await phone.context().setOffline(true);
    await visibleForm(phone).getByText('正确').tap();
    await notice.waitFor({ state: 'visible' });
    // The waiting answer is kept on the phone (localStorage), so a closed page loses nothing.
    const stored = await phone.evaluate(() =>
      Object.keys((globalThis as unknown as { localStorage: object }).localStorage),
    );
    expect(stored.filter((k) => k.startsWith('lms.quiz.outbox.'))).toHaveLength(1);
    await visibleForm(phone).getByRole('button', { name: '下一题' }).tap();
    await expect(visibleForm(phone).locator('.quiz-progress').innerText()).resolves.toContain('题目 4/5');
    await visibleForm(phone).getByLabel('图书馆的英文是？').fill('Library');
    await visibleForm(phone).getByLabel('图书馆的英文是？').blur();
    expect(await answersOf(attemptId)).toHaveLength(2);

    // Back online: the server has both waiting answers within 10 s, and the notice goes.
    await phone.context().setOffline(false);
    const saved = await waitFor(
      'both answers given offline on the server',
      async () => {
        const rows = await answersOf(attemptId);
        return rows.length === 4 ? rows : undefined;
      },
      10_000,
    );
    const types = saved.map((r) => r.response.type).sort();
    expect(types).toEqual(['multiple', 'short', 'single', 'truefalse']);
    await notice.waitFor({ state: 'hidden' });
    phone.off('load', counted);
    expect(loads).toBe(0);

    // Hand in: the confirmation counts what is missing (question 5), then the result.
    await tapAndLoad(phone, visibleForm(phone).getByRole('button', { name: '交卷' }));
    expect(pathOf(phone)).toBe(`/attempts/${attemptId}/hand-in`);
    const confirm = await mainText(phone);
    expect(confirm).toContain('共 5 题，你答了 4 题');
    expect(confirm).toContain('还有 1 题没答');
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认交卷' }));
    expect(pathOf(phone)).toBe(`/attempts/${attemptId}/result`);
    const result = await mainText(phone);
    expect(result).toContain('你已经交卷');
    // Ctrl+C 2 + Edge of two browsers (half of 3 points) + 正确 1 + Library 2 = 6.5 of 10.
    expect(result).toContain('6.5 / 10');
    expect(result).toContain('及格');
    expect(result).toContain('只公布分数，不公布答案');
  }, 90_000);

  it('counts down by the server’s clock on a phone whose clock is 10 minutes ahead', async () => {
    const w = await world();
    const skewed = await openPhone(browser, { baseURL: baseUrl, clockOffsetMs: 600_000 });
    try {
      await signInAs(skewed, t, w.trainee);
      await skewed.goto(`/quizzes/${w.quiz.id}`);
      const synced = skewed.waitForResponse((r) => /\/state$/.test(r.url()));
      await tapAndLoad(skewed, skewed.getByRole('button', { name: '开始答题' }));
      const attemptId = attemptIdOf(skewed);
      const [{ deadline }] = await t.ds.query<{ deadline: Date }[]>(
        `SELECT deadline FROM quiz_attempts WHERE id = $1`,
        [attemptId],
      );
      // The phone's clock is indeed 10 minutes ahead.
      const phoneAhead = (await skewed.evaluate(() => Date.now())) - Date.now();
      expect(Math.abs(phoneAhead - 600_000)).toBeLessThan(5_000);

      const countdown = skewed.locator('#quiz-countdown');
      await countdown.filter({ hasText: /^\d+:\d\d$/ }).waitFor();
      // After the page's round trip to the server, read twice a second apart.
      await synced;
      /** How far the countdown is from the server's time left, in seconds. */
      const drift = async () =>
        Math.abs(secondsOf(await countdown.innerText()) - (deadline.getTime() - Date.now()) / 1000);
      // The next tick after the round trip (every 250 ms) shows it; then it stays within 2 s as
      // time passes: read at each of the next three changes of the shown second.
      await waitFor('the countdown on the server’s time', async () => (await drift()) <= 2, 2_000);
      for (let i = 0; i < 3; i++) {
        const shown = await countdown.innerText();
        await countdown.filter({ hasNotText: exactly(shown) }).waitFor({ timeout: 3_000 });
        expect(await drift()).toBeLessThanOrEqual(2);
      }
      // An answer given on this phone is dated by the server's clock, not the phone's.
      await answer(skewed, visibleForm(skewed).getByText('Ctrl+X'));
      const [row] = await t.ds.query<{ answered_at: Date }[]>(
        `SELECT answered_at FROM attempt_answers WHERE attempt_id = $1`,
        [attemptId],
      );
      expect(Math.abs(row.answered_at.getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      await skewed.context().close();
    }
  });

  it('shows at the deadline that the server handed the attempt in', async () => {
    // Long enough to start and answer one question first, short enough not to keep the run waiting.
    const w = await world({ timeLimitSeconds: 6 });
    await signInAs(phone, t, w.trainee);
    await phone.goto(`/quizzes/${w.quiz.id}`);
    await tapAndLoad(phone, phone.getByRole('button', { name: '开始答题' }));
    const attemptId = attemptIdOf(phone);
    await answer(phone, visibleForm(phone).getByText('Ctrl+C'));

    // Nothing is tapped: at the deadline the page asks the server until it says it handed it in.
    const ended = phone.locator('#quiz-ended');
    await ended.getByText('时间到了，系统已经替你交卷。').waitFor({ timeout: 20_000 });
    const [row] = await t.ds.query(`SELECT status, finished_by FROM quiz_attempts WHERE id = $1`, [attemptId]);
    expect(row).toEqual({ status: 'finished', finished_by: 'deadline' });
    expect(await phone.locator('form.quiz-q:visible').count()).toBe(0);
    await tapAndLoad(phone, ended.getByRole('link', { name: '看成绩' }));
    const result = await mainText(phone);
    expect(result).toContain('时间到了，系统已经替你交卷');
    expect(result).toContain('2 / 10');
  }, 40_000);

  it('saves and moves on with JavaScript off: each question is a plain form', async () => {
    const w = await world();
    const page = await openPhone(browser, { baseURL: baseUrl, javaScriptEnabled: false });
    try {
      await signInAs(page, t, w.trainee);
      await page.goto(`/quizzes/${w.quiz.id}`);
      await tapAndLoad(page, page.getByRole('button', { name: '开始答题' }));
      const attemptId = attemptIdOf(page);
      expect(await page.locator('form.quiz-q:visible').count()).toBe(1);
      await page.getByText('Ctrl+C').tap();
      await tapAndLoad(page, page.getByRole('button', { name: '下一题' }));
      expect(pathOf(page)).toBe(`/attempts/${attemptId}/q/2`);
      expect(await page.locator('form.quiz-q:visible .quiz-progress').innerText()).toContain('题目 2/5');
      expect(await answersOf(attemptId)).toHaveLength(1);
    } finally {
      await page.context().close();
    }
  });

  it('speaks English with Accept-Language: en', async () => {
    const w = await world();
    // A phone set to English: its browser asks for English pages.
    const page = await openPhone(browser, { baseURL: baseUrl, language: 'en' });
    try {
      await signInAs(page, t, w.trainee);
      await page.goto('/quizzes');
      expect(await h1(page)).toBe('Quizzes');
      await tapAndLoad(page, page.getByRole('link', { name: /Take the quiz/ }));
      await tapAndLoad(page, page.getByRole('button', { name: 'Start the quiz' }));
      expect(await visibleForm(page).locator('.quiz-progress').innerText()).toContain('Question 1/5');
      await page
        .locator('#quiz-countdown')
        .filter({ hasText: /^\d+:\d\d$/ })
        .waitFor();
      expect(await page.locator('#quiz-timer').innerText()).toContain('Time left');
      // Only the quiz's own words (its title and questions) are Chinese.
      const words = (await page.locator('body').innerText()).replace(/电脑基础测验|复制的快捷键是？|李小红/g, '');
      expect(words).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await page.context().close();
    }
  });

  /**
   * Every quiz page, visited once in the order a trainee meets them and measured (and the main
   * ones photographed); the tests below judge what was measured.
   */
  describe('every quiz page', () => {
    const survey = new Map<string, PhoneSurvey & { screenshot?: BaselineResult }>();

    async function measure(page: Page, name: string, screenshot?: { baseline: string; pin: Record<string, string> }) {
      const measured = await surveyPhonePage(page);
      let shot: BaselineResult | undefined;
      if (screenshot) {
        await pinText(page, screenshot.pin);
        shot = await matchesBaseline(page, screenshot.baseline);
      }
      survey.set(name, { ...measured, screenshot: shot });
    }

    beforeAll(async () => {
      const w = await world();
      await signInAs(phone, t, w.trainee);
      await phone.goto('/');
      await phone.getByRole('link', { name: '去做测验' }).waitFor();
      await measure(phone, 'home with a quiz');
      await phone.goto('/quizzes');
      await measure(phone, 'list', { baseline: 'quiz-list', pin: PINS.list });
      await tapAndLoad(phone, phone.getByRole('link', { name: /去答题/ }));
      await measure(phone, 'quiz');
      await tapAndLoad(phone, phone.getByRole('button', { name: '开始答题' }));
      const attemptId = attemptIdOf(phone);
      await phone
        .locator('#quiz-countdown')
        .filter({ hasText: /^\d+:\d\d$/ })
        .waitFor();
      await measure(phone, 'question', { baseline: 'quiz-question', pin: PINS.question });

      // Four of five answered (Ctrl+C 2, Edge half of 3, 正确 1, Library 2: 6.5 of 10), then handed in.
      await answer(phone, visibleForm(phone).getByText('Ctrl+C'));
      await visibleForm(phone).getByRole('button', { name: '下一题' }).tap();
      await answer(phone, visibleForm(phone).filter({ hasText: '题目 2/5' }).getByText('Edge'));
      await visibleForm(phone).getByRole('button', { name: '下一题' }).tap();
      await answer(phone, visibleForm(phone).filter({ hasText: '题目 3/5' }).getByText('正确'));
      await visibleForm(phone).getByRole('button', { name: '下一题' }).tap();
      const short = visibleForm(phone).filter({ hasText: '题目 4/5' }).getByLabel('图书馆的英文是？');
      const typed = phone.waitForResponse((r) => r.request().method() === 'PUT' && /\/answers$/.test(r.url()));
      await short.fill('Library');
      await short.blur();
      expect((await typed).status()).toBe(200);
      await phone.goto(`/attempts/${attemptId}/hand-in`);
      await measure(phone, 'confirm');
      await tapAndLoad(phone, phone.getByRole('button', { name: '确认交卷' }));
      expect(await mainText(phone)).toContain('6.5 / 10');
      await measure(phone, 'result', { baseline: 'quiz-result', pin: PINS.result });

      // Her second try, on a phone set to English.
      const page = await openPhone(browser, { baseURL: baseUrl, language: 'en' });
      try {
        await signInAs(page, t, w.trainee);
        await page.goto(`/quizzes/${w.quiz.id}`);
        await tapAndLoad(page, page.getByRole('button', { name: 'Start the quiz' }));
        await page
          .locator('#quiz-countdown')
          .filter({ hasText: /^\d+:\d\d$/ })
          .waitFor();
        await measure(page, 'question in English');
      } finally {
        await page.context().close();
      }
    }, 120_000);

    it('reached every page', () => {
      expect([...survey.keys()]).toEqual([
        'home with a quiz',
        'list',
        'quiz',
        'question',
        'confirm',
        'result',
        'question in English',
      ]);
    });

    it('keeps the phone rules on every quiz page: axe, tap targets, text size, no sideways scrolling', () => {
      expect([...survey].flatMap(([name, s]) => phoneProblems(name, s))).toEqual([]);
      // One main action a screen at most.
      const primaries = Object.fromEntries([...survey].map(([name, s]) => [name, primaryCount(s)]));
      expect(primaries).toEqual({
        'home with a quiz': 0,
        list: 0,
        quiz: 1,
        question: 1,
        confirm: 1,
        result: 0,
        'question in English': 1,
      });
    });

    it('looks as in docs/screenshots/ at 360×800: list, question, result', () => {
      const shots = [...survey.values()].flatMap((s) => (s.screenshot ? [s.screenshot] : []));
      expect(shots.map((shot) => path.basename(shot.baseline))).toEqual([
        'quiz-list.png',
        'quiz-question.png',
        'quiz-result.png',
      ]);
      const drifted = shots
        .filter((shot) => !shot.ok)
        .map(
          (shot) => `${(shot.diffRatio * 100).toFixed(2)} % of ${shot.baseline} differs: ${shot.diff}; ${shot.note}`,
        );
      expect(drifted).toEqual([]);
    });
  });

  it('loads every quiz page in at most 60 KB the first time and 15 KB on a repeat visit', async () => {
    const w = await world();
    // Another trainee's attempts: one handed in (result), one in progress (question, confirmation).
    const done = await attemptsToWeigh(w);
    const signedIn = await signedInState(t, baseUrl, w.trainee);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: 'list', path: '/quizzes', storageState: signedIn },
      { name: 'quiz', path: `/quizzes/${w.quiz.id}`, storageState: signedIn },
      { name: 'question', path: `/attempts/${done.open}/q/1`, storageState: done.state },
      { name: 'confirm', path: `/attempts/${done.open}/hand-in`, storageState: done.state },
      { name: 'result', path: `/attempts/${done.finished}/result`, storageState: signedIn },
    ]);
    expect({ weights, over }).toEqual({ weights, over: [] });
  });

  /** A handed-in attempt of the world's trainee, and an attempt in progress of the second trainee. */
  async function attemptsToWeigh(w: Awaited<ReturnType<typeof world>>) {
    const [me, second] = w.trainees;
    const finished = await t.http.post(`/api/quizzes/${w.quiz.id}/attempts`).set('Authorization', me.auth).expect(201);
    await t.http.post(`/api/attempts/${finished.body.id}/submit`).set('Authorization', me.auth).expect(200);
    const open = await t.http.post(`/api/quizzes/${w.quiz.id}/attempts`).set('Authorization', second.auth).expect(201);
    return {
      finished: finished.body.id as string,
      open: open.body.id as string,
      state: await signedInState(t, baseUrl, second.user),
    };
  }
});
