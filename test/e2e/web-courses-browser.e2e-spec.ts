import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { seat } from '../factories/attendance';
import { insertCertificateRow } from '../factories/certificate-rows';
import { createClass } from '../factories/classes';
import { createAttempt, createQuiz } from '../factories/quizzes';
import { type BaselineResult, launchBrowser, matchesBaseline, openPhone } from '../support/browser';
import { coursesWorld, inboxMessage } from '../support/courses-pages';
import { h1, mainText, pathOf, pinAll, signInAs, tapAndLoad } from '../support/phone';
import {
  pageWeights,
  type PhoneSurvey,
  phoneProblems,
  primaryCount,
  signedInState,
  surveyPhonePage,
} from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/** The class dates and enrolment deadline of the classes made here (three days from now on), as shown on a fixed day. */
const COURSE_PINS = { '.course .facts > div:first-child dd': ['12月4日 至 12月31日'] };
const CLASS_PAGE_PINS = {
  '.facts_wide > div:nth-child(2) dd': ['12月4日 至 12月31日'],
  '.facts_wide > div:nth-child(5) dd': ['12月2日 18:00'],
};

/**
 * 课程, 成绩, 证书 and 消息 in a real browser (Debian's Chromium as a 360×800 phone in WeChat),
 * as a township clerk uses them: enrol from the home page in at most three taps (counted), join
 * the waitlist when her township's places are gone, withdraw after a confirmation, read her
 * results, certificates and messages. Every page is held to the phone rules (axe, tap targets,
 * text size, no sideways scrolling), weighed, shown in English once, and the main ones kept as
 * screenshots in docs/screenshots/.
 */
describe('web pages: courses, results, certificates, messages in a phone browser (e2e)', () => {
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

  const tab = (page: Page, name: string) =>
    page.getByRole('navigation', { name: '主要栏目' }).getByRole('link', { name, exact: true });
  const card = (page: Page, title: string) => page.locator('article.course', { hasText: title });
  const enrolmentOf = async (cls: TrainingClass, user: User) =>
    (
      await t.ds.query<{ status: string; position: number | null }[]>(
        `SELECT status::text, waitlist_position AS position FROM enrolments WHERE class_id = $1 AND trainee_id = $2`,
        [cls.id, user.id],
      )
    )[0];

  it('Must show 1: a trainee enrols in at most 3 taps from the home page (counted)', async () => {
    const w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: '智能手机入门班' });
    const trainee = await w.trainee('李小红');
    await signInAs(phone, t, trainee);
    await phone.goto('/');
    expect(pathOf(phone)).toBe('/');

    let taps = 0;
    const tap = async (target: Locator) => {
      taps += 1;
      await tapAndLoad(phone, target);
    };
    await tap(tab(phone, '课程'));
    expect(pathOf(phone)).toBe('/courses');
    await tap(card(phone, '智能手机入门班').getByRole('button', { name: '报名' }));
    expect(await h1(phone)).toBe('报名成功');
    expect(await mainText(phone)).toContain('你已报名“智能手机入门班”。');
    expect(taps).toBeLessThanOrEqual(3);
    expect(taps).toBe(2);
    expect(await enrolmentOf(cls, trainee)).toEqual({ status: 'confirmed', position: null });

    // Back on the list: where she stands, and no button to enrol again.
    await tapAndLoad(phone, phone.getByRole('link', { name: '回到课程列表' }));
    expect(await card(phone, '智能手机入门班').innerText()).toContain('你已报名');
    expect(await card(phone, '智能手机入门班').getByRole('button').count()).toBe(0);
  });

  it('joins the waitlist when my township is full: the button says so, the answer gives the position', async () => {
    const w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: '电脑基础班' });
    await w.fill(cls, w.tree.townshipA1, 2);
    const ahead = await w.trainee('排在前面的人');
    await seat(t.ds, cls, ahead, w.tree.townshipA1, 'waitlisted', 1);
    const trainee = await w.trainee('张秀英');
    await signInAs(phone, t, trainee);
    await phone.goto('/courses');
    const shown = card(phone, '电脑基础班');
    expect(await shown.innerText()).toContain('甲一镇的名额已满，现在有 1 人在候补。');
    await tapAndLoad(phone, shown.getByRole('button', { name: '排候补' }));
    expect(await h1(phone)).toBe('已排上候补');
    expect(await mainText(phone)).toContain('你现在是候补第 2 位。');
    expect(await enrolmentOf(cls, trainee)).toEqual({ status: 'waitlisted', position: 2 });
  });

  it('withdraws only after a confirmation page, and the place goes to the waitlist', async () => {
    const w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: '数字阅读班', maxPerTownship: 1 });
    const trainee = await w.trainee('王桂兰');
    await seat(t.ds, cls, trainee, w.tree.townshipA1);
    const waiting = await w.trainee('等位的人');
    await seat(t.ds, cls, waiting, w.tree.townshipA1, 'waitlisted', 1);
    await signInAs(phone, t, trainee);
    await phone.goto(`/courses/${cls.id}`);
    await tapAndLoad(phone, phone.getByRole('link', { name: '退出报名' }));
    expect(await h1(phone)).toBe('退出报名');
    expect(await mainText(phone)).toContain('退出后，你的名额会让给候补的人。');
    // Changing her mind: back to the class, still enrolled.
    await tapAndLoad(phone, phone.getByRole('link', { name: '不退出，返回' }));
    expect(pathOf(phone)).toBe(`/courses/${cls.id}`);
    expect(await enrolmentOf(cls, trainee)).toEqual({ status: 'confirmed', position: null });

    await tapAndLoad(phone, phone.getByRole('link', { name: '退出报名' }));
    await tapAndLoad(phone, phone.getByRole('button', { name: '确认退出' }));
    expect(await h1(phone)).toBe('已退出报名');
    expect(await enrolmentOf(cls, trainee)).toEqual({ status: 'withdrawn', position: null });
    expect(await enrolmentOf(cls, waiting)).toEqual({ status: 'confirmed', position: null });
  });

  it('enrols and reads messages with JavaScript off: the pages are plain forms and links', async () => {
    const w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: '无脚本班' });
    const trainee = await w.trainee('刘大姐');
    await inboxMessage(t.ds, trainee, { classTitle: '无脚本班', createdAt: new Date(), aboutId: cls.id });
    const page = await openPhone(browser, {
      baseURL: baseUrl,
      javaScriptEnabled: false,
      storageState: await signedInState(t, baseUrl, trainee),
    });
    try {
      await page.goto('/courses');
      await tapAndLoad(page, card(page, '无脚本班').getByRole('button', { name: '报名' }));
      expect(await h1(page)).toBe('报名成功');
      await page.goto('/messages');
      await tapAndLoad(page, page.getByRole('button', { name: '全部标为已读' }));
      expect(pathOf(page)).toBe('/messages?read=1');
      expect(await mainText(page)).toContain('已把 1 条消息标为已读。');
    } finally {
      await page.context().close();
    }
    expect(await enrolmentOf(cls, trainee)).toEqual({ status: 'confirmed', position: null });
  });

  /**
   * Every page of this area, measured once in the order a trainee meets them; the tests below
   * judge what was measured.
   */
  describe('every page of 课程, 成绩, 证书 and 消息', () => {
    const survey = new Map<string, PhoneSurvey & { screenshot?: BaselineResult }>();

    async function measure(name: string, screenshot?: { baseline: string; pin?: Record<string, string[]> }) {
      const measured = await surveyPhonePage(phone);
      let shot: BaselineResult | undefined;
      if (screenshot) {
        if (screenshot.pin) await pinAll(phone, screenshot.pin);
        shot = await matchesBaseline(phone, screenshot.baseline);
      }
      survey.set(name, { ...measured, screenshot: shot });
    }

    beforeAll(async () => {
      const w = await coursesWorld(t.http, t.ds);
      const roomy = await w.openClass({ title: '智能手机入门班' });
      await w.session(roomy, '2036-05-20T09:00:00+08:00', '2036-05-20T11:30:00+08:00', '用微信挂号和缴费');
      await w.session(roomy, '2036-05-27T09:00:00+08:00', '2036-05-27T11:30:00+08:00', '用手机看电子书');
      const full = await w.openClass({ title: '电脑基础班' });
      await w.fill(full, w.tree.townshipA1, 2);
      // Fixed times for 12:00 on 1 Dec 2026 (UTC+8): the list shows them, pinned below.
      const done = await createClass(t.ds, w.plan, w.course, [w.trainer.user.id], {
        title: '2026年第二季度计算机基础培训班',
        status: 'completed',
      });
      const { trainee } = await insertCertificateRow(
        t.ds,
        { tree: w.tree, admin: w.admin, course: w.course, cls: done },
        { name: '李小红' },
      );
      const quiz = await createQuiz(t.ds, done, { title: '第一单元测验' });
      for (const [number, score] of [
        [1, 5],
        [2, 8.5],
      ]) {
        await createAttempt(t.ds, quiz, {
          traineeId: trainee.id,
          townshipId: w.tree.townshipA1.id,
          number,
          startedAt: new Date(Date.UTC(2026, 2, number, 2)),
          finishedAt: new Date(Date.UTC(2026, 2, number, 2, 20)),
          score,
          maxScore: 10,
        });
      }
      const promoted = await inboxMessage(t.ds, trainee, {
        classTitle: '智能手机入门班',
        createdAt: new Date('2026-11-30T06:30:00Z'),
        aboutId: roomy.id,
      });
      await inboxMessage(t.ds, trainee, {
        classTitle: '电脑基础班',
        createdAt: new Date('2026-11-28T01:15:00Z'),
        template: 'class-cancelled',
      });
      await inboxMessage(t.ds, trainee, {
        classTitle: '2026年第二季度计算机基础培训班',
        createdAt: new Date('2026-11-20T08:00:00Z'),
        read: true,
      });
      await signInAs(phone, t, trainee);

      await phone.goto('/courses');
      await measure('courses', { baseline: 'courses', pin: COURSE_PINS });
      await phone.goto(`/courses/${roomy.id}`);
      await measure('course', { baseline: 'course', pin: CLASS_PAGE_PINS });
      await tapAndLoad(phone, phone.getByRole('button', { name: '报名' }));
      await measure('enrolled');
      await phone.goto('/courses');
      await tapAndLoad(phone, card(phone, '电脑基础班').getByRole('button', { name: '排候补' }));
      await measure('waitlisted');
      await phone.goto(`/courses/${roomy.id}/withdraw`);
      await measure('withdraw confirmation');
      await tapAndLoad(phone, phone.getByRole('button', { name: '确认退出' }));
      await measure('withdrawn');
      await phone.goto('/results');
      await measure('results');
      await phone.goto('/certificates');
      await measure('certificates');
      await phone.goto('/messages');
      await measure('messages', {
        baseline: 'messages',
        pin: { '.inbox__when': ['11月30日 14:30', '11月28日 09:15', '11月20日 16:00'] },
      });
      await tapAndLoad(phone, phone.getByRole('link', { name: /智能手机入门班/ }));
      expect(pathOf(phone)).toBe(`/messages/${promoted}`);
      await measure('message');
    });

    it('reached every page', () => {
      expect([...survey.keys()]).toEqual([
        'courses',
        'course',
        'enrolled',
        'waitlisted',
        'withdraw confirmation',
        'withdrawn',
        'results',
        'certificates',
        'messages',
        'message',
      ]);
    });

    it('keeps the phone rules on every page: axe, tap targets, text size, no sideways scrolling', () => {
      expect([...survey].flatMap(([name, s]) => phoneProblems(name, s))).toEqual([]);
      // One main action where there is one: enrol on a class page, confirm a withdrawal, open what a message is about.
      const primaries = Object.fromEntries([...survey].map(([name, s]) => [name, primaryCount(s)]));
      expect(primaries).toEqual({
        courses: 0,
        course: 1,
        enrolled: 0,
        waitlisted: 0,
        'withdraw confirmation': 1,
        withdrawn: 0,
        results: 0,
        certificates: 0,
        messages: 0,
        message: 1,
      });
    });

    it('looks as in docs/screenshots/ at 360×800: courses, course, messages', () => {
      const shots = [...survey.values()].flatMap((s) => (s.screenshot ? [s.screenshot] : []));
      expect(shots.map((shot) => path.basename(shot.baseline))).toEqual(['courses.png', 'course.png', 'messages.png']);
      const drifted = shots
        .filter((shot) => !shot.ok)
        .map(
          (shot) => `${(shot.diffRatio * 100).toFixed(2)} % of ${shot.baseline} differs: ${shot.diff}; ${shot.note}`,
        );
      expect(drifted).toEqual([]);
    });
  });

  it('loads each page in at most 60 KB the first time and 15 KB on a repeat visit', async () => {
    const w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: '称重班' });
    const trainee = await w.trainee('称重的人');
    const message = await inboxMessage(t.ds, trainee, { classTitle: '称重班', createdAt: new Date() });
    const signedIn = await signedInState(t, baseUrl, trainee);
    const { weights, over } = await pageWeights(browser, baseUrl, [
      { name: 'courses', path: '/courses', storageState: signedIn },
      { name: 'course', path: `/courses/${cls.id}`, storageState: signedIn },
      { name: 'results', path: '/results', storageState: signedIn },
      { name: 'certificates', path: '/certificates', storageState: signedIn },
      { name: 'messages', path: '/messages', storageState: signedIn },
      { name: 'message', path: `/messages/${message}`, storageState: signedIn },
    ]);
    expect({ weights, over }).toEqual({ weights, over: [] });
  });

  it('speaks English to a phone that asks for it', async () => {
    const w = await coursesWorld(t.http, t.ds);
    await w.openClass({ title: 'Smartphone basics' });
    const trainee = await w.trainee('Li Xiaohong');
    const page = await openPhone(browser, {
      baseURL: baseUrl,
      language: 'en',
      storageState: await signedInState(t, baseUrl, trainee),
    });
    try {
      const res = await page.goto('/courses');
      expect(res?.headers()['content-language']).toBe('en');
      expect(await h1(page)).toBe('Courses');
      const shown = card(page, 'Smartphone basics');
      expect(await shown.innerText()).toContain('has 2 places left.');
      await tapAndLoad(page, shown.getByRole('button', { name: 'Enrol' }));
      expect(await h1(page)).toBe('You are enrolled');
      expect(await mainText(page)).toContain('You are enrolled in “Smartphone basics”.');
      await page.goto('/messages');
      expect(await h1(page)).toBe('Messages');
      expect(await mainText(page)).toContain('No messages yet.');
      // The words are English; only data (names of places and people) stays as entered.
      const tabs = await page.getByRole('navigation', { name: 'Main sections' }).innerText();
      expect(tabs).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await page.context().close();
    }
  });
});
