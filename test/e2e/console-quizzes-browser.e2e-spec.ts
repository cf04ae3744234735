import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { certificateWorld } from '../factories/certificates';
import { createAttempt } from '../factories/quizzes';
import { postQuiz, quizWorld } from '../factories/quiz-world';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import {
  AXE_ONLY,
  consoleProblems,
  consoleWeights,
  openDesktop,
  surveyConsolePage,
  type SurveyOptions,
} from '../support/console';
import { pinAll } from '../support/phone';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';

type Blurrable = { document: { activeElement: { blur?(): void } | null } };

/**
 * 题库与测验 and 证书 in Debian's Chromium at a library desktop (1280×800): axe and the keyboard walk
 * on every page (the bank, a new question with its errors, the import, the quizzes, a quiz's
 * setup and its page, the certificates of a class, issuing, its progress, revoking), first-load
 * weights, a question added through the form, certificates issued with the progress bar kept up
 * to date by its script, and the screenshots console-questions.png, console-quiz.png and
 * console-certificates.png.
 */
describe('console: questions, quizzes and certificates in a desktop browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let quizState: BrowserContextOptions['storageState'];
  let certState: BrowserContextOptions['storageState'];
  let w: Awaited<ReturnType<typeof quizWorld>>;
  let c: Awaited<ReturnType<typeof certificateWorld>>;
  let quizId: string;
  jest.setTimeout(120_000);

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    baseUrl = await listenOnLoopback(t);
    w = await quizWorld(t.http, t.ds);
    await t.ds.query(`UPDATE classes SET title = '2030年第一期电脑基础班' WHERE id = $1`, [w.cls.id]);
    await t.ds.query(`UPDATE courses SET title = '电脑基础与智能手机应用' WHERE id = $1`, [w.course.id]);
    const names: [string, string][] = [
      [w.admin.user.id, '县馆管理员'],
      [w.trainees[0].user.id, '李小红'],
      [w.trainees[1].user.id, '张秀英'],
      [w.trainees[2].user.id, '赵大明'],
    ];
    for (const [id, name] of names) await t.ds.query(`UPDATE users SET display_name = $2 WHERE id = $1`, [id, name]);
    quizId = (await postQuiz(t.http, w.trainer.auth, w, { title: '第一单元测验' })).id;
    // Two trainees hand in: one right, one wrong on the single-choice question.
    const [single] = w.questions;
    for (const [i, right] of [true, false].entries()) {
      const auth = w.trainees[i].auth;
      const option = single.options.find((o) => o.correct === right)!.id;
      const started = await t.http.post(`/api/quizzes/${quizId}/attempts`).set('Authorization', auth).expect(201);
      await t.http
        .put(`/api/attempts/${started.body.id}/answers`)
        .set('Authorization', auth)
        .send({ answers: [{ questionId: single.id, optionIds: [option] }] })
        .expect(200);
      await t.http.post(`/api/attempts/${started.body.id}/submit`).set('Authorization', auth).expect(200);
    }

    c = await certificateWorld(t.http, t.ds, 3);
    await t.ds.query(`UPDATE users SET display_name = '县馆证书管理员' WHERE id = $1`, [c.admin.user.id]);
    await t.ds.query(`UPDATE classes SET title = '2030年第二期手机应用班' WHERE id = $1`, [c.cls.id]);
    for (const [i, p] of c.people.entries()) {
      await t.ds.query(`UPDATE users SET display_name = $2 WHERE id = $1`, [p.user.id, ['王芳', '陈刚', '刘洋'][i]]);
      // 刘洋 misses two of five sessions: below the class's 80 %.
      const last = i === 2 ? 'absent' : 'present';
      await c.attend(p.enrolment, ['present', 'present', 'present', last, last]);
      await createAttempt(t.ds, c.quiz, {
        traineeId: p.user.id,
        townshipId: p.enrolment.townshipId,
        startedAt: new Date(Date.now() - 3_600_000),
        finishedAt: new Date(Date.now() - 3_000_000),
        score: 8,
      });
    }
    await c.complete();

    quizState = await signedInState(t, baseUrl, w.admin.user);
    certState = await signedInState(t, baseUrl, c.admin.user);
    page = await openDesktop(browser, { baseURL: baseUrl, storageState: quizState });
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await t?.close();
  });

  const problemsOf = async (name: string, p: Page = page, options?: SurveyOptions) =>
    consoleProblems(name, await surveyConsolePage(p, options));

  it('keeps the console’s rules on every question and quiz page, and each first load stays within 120 KB', async () => {
    const pages: [string, string][] = [
      ['question bank', `/console/questions?courseId=${w.course.id}`],
      ['new question', `/console/questions/new?courseId=${w.course.id}`],
      ['import questions', `/console/questions/import?courseId=${w.course.id}`],
      ['quizzes', '/console/quizzes'],
      ['choose a class', '/console/quizzes/new'],
      ['quiz setup', `/console/quizzes/new?classId=${w.cls.id}`],
      ['quiz', `/console/quizzes/${quizId}`],
    ];
    const problems: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(path);
      problems.push(...(await problemsOf(name)));
    }
    // The forms with their errors showing: the same controls as walked above, so axe alone.
    await page.goto(`/console/quizzes/new?classId=${w.cls.id}`);
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#z-title-error').waitFor();
    problems.push(...(await problemsOf('quiz setup with errors', page, AXE_ONLY)));
    await page.goto(`/console/questions/new?courseId=${w.course.id}`);
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#q-prompt-error').waitFor();
    problems.push(...(await problemsOf('new question with errors', page, AXE_ONLY)));
    expect(problems).toEqual([]);

    // A few at a time: each is weighed in a fresh browser context of its own. Choosing a class is the quiz
    // setup's template (the same files) with one field: the setup stands for both.
    const weighed = pages.filter(([name]) => name !== 'choose a class');
    const over: string[] = [];
    for (let i = 0; i < weighed.length; i += 3) {
      const batch = weighed.slice(i, i + 3).map(([name, path]) => ({ name, path, storageState: quizState }));
      over.push(...(await consoleWeights(browser, baseUrl, batch)).over);
    }
    expect(over).toEqual([]);
  });

  it('adds a question through the form, fixing a mistake, and shows the bank and a quiz as they were', async () => {
    await page.goto(`/console/questions?courseId=${w.course.id}`);
    await page.getByRole('link', { name: '新建题目' }).click();
    await page.waitForURL('**/console/questions/new?courseId=*');
    await page.getByLabel('分类').fill('网络安全');
    await page.getByLabel('题型').selectOption('truefalse');
    await page.getByLabel('分值').fill('1');
    await page.getByLabel('题干').fill('收到陌生短信中的链接可以随意点击。');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#q-correct-error').waitFor();
    expect(await page.locator('#q-correct-error').textContent()).toContain('这种题型必须填写');
    expect(await page.getByLabel('题干').inputValue()).toBe('收到陌生短信中的链接可以随意点击。');
    await page.getByLabel('错', { exact: true }).check();
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(`**/console/questions?courseId=${w.course.id}&done=created`);
    expect(await page.getByRole('status').textContent()).toBe('题目已保存。');
    expect(await page.locator('table.data caption').textContent()).toBe('题目（共 6 道）');
    await page.evaluate(() => (globalThis as unknown as Blurrable).document.activeElement?.blur?.());
    await expectMatchesBaseline(page, 'console-questions');

    await page.goto('/console/quizzes');
    await page.getByRole('link', { name: '第一单元测验' }).click();
    await page.waitForURL(`**/console/quizzes/${quizId}`);
    expect(await page.locator('.stat__value').first().textContent()).toBe('2');
    const grades = await page.locator('section[aria-labelledby="grades-h"] tbody tr').allInnerTexts();
    expect(grades.map((r) => r.replace(/\s+/g, ' ').trim()).sort()).toEqual(
      ['李小红 甲一镇 20% 不及格 1', '张秀英 甲一镇 0% 不及格 1', '赵大明 甲二镇 — 未交卷 0'].sort(),
    );
    await pinAll(page, { '.quiz-opens': ['今天 09:00'], '.quiz-closes': ['今天 11:00'] });
    await expectMatchesBaseline(page, 'console-quiz', { fullPage: true });
  });

  it('issues a class’s certificates with the progress bar, lists them, and revokes one with a reason', async () => {
    const admin = await openDesktop(browser, { baseURL: baseUrl, storageState: certState });
    let worker: TestWorker | undefined;
    try {
      await admin.goto('/console/certificates');
      await admin.getByLabel('已结班的培训班').selectOption({ label: '2030年第二期手机应用班' });
      await admin.getByRole('button', { name: '查看' }).click();
      await admin.waitForURL(`**/console/certificates?classId=${c.cls.id}`);
      expect(await admin.locator('#count-to-issue').textContent()).toBe('2');
      expect(await problemsOf('certificates of a class', admin)).toEqual([]);

      await admin.getByRole('link', { name: '为本班发证' }).click();
      await admin.waitForURL(`**/console/certificates/classes/${c.cls.id}/issue`);
      expect(await admin.locator('main').textContent()).toContain('将为 2 名符合条件、还没有证书的学员发放结业证书。');
      expect(await problemsOf('issue confirmation', admin)).toEqual([]);
      await admin.getByRole('button', { name: '确认发证（2 人）' }).click();
      await admin.waitForURL('**/console/certificates/runs/*');
      // No worker yet: the run waits in the queue while the page's script asks for its numbers.
      expect(await admin.locator('#run-status').textContent()).toBe('排队中：共 2 人。');
      expect(await admin.locator('#run-progress').getAttribute('max')).toBe('2');
      await admin.waitForResponse(
        (r) => r.url().includes('/console/certificates/runs/') && r.request().headers().accept === 'application/json',
      );
      expect(await admin.locator('#run-refresh').isHidden()).toBe(true);
      expect(await problemsOf('issue progress', admin)).toEqual([]);
      const weights = await consoleWeights(browser, baseUrl, [
        { name: 'certificates', path: `/console/certificates?classId=${c.cls.id}`, storageState: certState },
        { name: 'issue progress', path: new URL(admin.url()).pathname, storageState: certState },
      ]);
      expect(weights.over).toEqual([]);

      worker = await startTestWorker(t);
      // The script sees the run finish and loads the page again, which then says so.
      await admin.locator('#run-status.notice_ok').waitFor({ timeout: 20_000 });
      expect(await admin.locator('#run-status').textContent()).toBe('发证完成：发出 2 张，跳过 0 人。');
      expect(await admin.locator('#run-progress').getAttribute('value')).toBe('2');

      await admin.getByRole('link', { name: '查看本班证书' }).click();
      await admin.waitForURL(`**/console/certificates?classId=${c.cls.id}`);
      expect(await admin.locator('#count-issued').textContent()).toBe('2');
      const holders = await admin.locator('table.data').first().locator('tbody th').allTextContents();
      expect(holders.sort()).toEqual(['王芳', '陈刚'].sort());

      await admin.getByRole('link', { name: '撤销王芳的证书' }).click();
      await admin.waitForURL('**/revoke');
      expect(await problemsOf('revoke', admin)).toEqual([]);
      await admin.getByRole('button', { name: '确认撤销' }).click();
      await admin.locator('#r-reason-error').waitFor();
      expect(await problemsOf('revoke with its error', admin, AXE_ONLY)).toEqual([]);
      await admin.getByLabel('撤销原因（必填）').fill('出勤记录有误，已重新核定');
      await admin.getByRole('button', { name: '确认撤销' }).click();
      await admin.waitForURL(`**/console/certificates?classId=${c.cls.id}&done=revoked`);
      expect(await admin.getByRole('status').textContent()).toBe('证书已撤销。');
      expect(await admin.locator('main').textContent()).toContain('撤销原因：出勤记录有误，已重新核定');

      await pinAll(admin, { '.cert-serial': ['JS2030-1-0001', 'JS2030-1-0002'], '.cert-issued': ['2030年12月1日'] });
      await admin.evaluate(() => (globalThis as unknown as Blurrable).document.activeElement?.blur?.());
      await expectMatchesBaseline(admin, 'console-certificates', { fullPage: true });
    } finally {
      await worker?.close();
      await admin.context().close();
    }
  });
});
