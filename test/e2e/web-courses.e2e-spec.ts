import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { seat } from '../factories/attendance';
import { insertCertificateRow } from '../factories/certificate-rows';
import { createClass } from '../factories/classes';
import { createAttempt, createQuiz } from '../factories/quizzes';
import { coursesWorld, inboxMessage } from '../support/courses-pages';
import { startTestApp, type TestApp } from '../support/test-app';
import { formToken, getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

/**
 * 课程 (enrol, waitlist, withdraw), 成绩, 证书 and 消息 over HTTP, as a browser without
 * JavaScript uses them: every route, its refusals (403 for other roles, 404 out of scope, 400
 * for a bad page number, 403 for a form without its token), and the quota under parallel posts.
 */
describe('web pages: courses, results, certificates, messages (e2e)', () => {
  let t: TestApp;
  /**
   * A county of its own for every test, so no test sees another's classes (the list is paged
   * by 20) and the tests can run in any order or alone.
   */
  let w: Awaited<ReturnType<typeof coursesWorld>>;

  beforeAll(async () => {
    t = await startTestApp();
  });
  beforeEach(async () => {
    w = await coursesWorld(t.http, t.ds);
  });
  afterAll(() => t.close());

  /** A page's HTML with Handlebars' escape of "=" undone (`?page&#x3D;2` is `?page=2` to a browser). */
  const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=');
  const enrolmentOf = async (cls: TrainingClass, user: User) =>
    (
      await t.ds.query<{ status: string; position: number | null }[]>(
        `SELECT status::text, waitlist_position AS position FROM enrolments WHERE class_id = $1 AND trainee_id = $2`,
        [cls.id, user.id],
      )
    )[0];

  async function signedInTrainee(name = '李小红', unit = w.tree.townshipA1) {
    const user = await w.trainee(name, unit);
    return { user, b: await signInPage(t.http, user.username) };
  }

  describe('课程', () => {
    it('lists the open classes of my county with the places left for my township and my state', async () => {
      const { user, b } = await signedInTrainee();
      const roomy = await w.openClass({ title: '智能手机入门班（一）' });
      const full = await w.openClass({ title: '智能手机入门班（二）' });
      await w.fill(full, w.tree.townshipA1, 2);
      const mine = await w.openClass({ title: '智能手机入门班（三）' });
      await seat(t.ds, mine, user, w.tree.townshipA1, 'waitlisted', 3);
      // Not listed: a draft, another county's class, a class whose enrolment has not opened is listed but not enrollable.
      await w.openClass({ title: '草稿班', status: 'draft' });
      const later = await w.openClass({
        title: '下个月的班',
        enrolmentOpensAt: new Date(Date.now() + 5 * 86_400_000),
        enrolmentClosesAt: new Date(Date.now() + 6 * 86_400_000),
      });

      const res = await getPage(t.http, b, '/courses').expect(200);
      const shown = pageText(res.text);
      expect(shown).not.toContain('草稿班');
      expect(res.text).toContain('aria-current="page">课程');
      // Roomy: two places for 甲一镇, an enrol form.
      expect(shown).toContain('智能手机入门班（一）');
      expect(shown).toContain('甲一镇还剩 2 个名额。');
      expect(res.text).toContain(`action="/courses/${roomy.id}/enrol"`);
      // Full for 甲一镇: the button joins the waitlist.
      expect(shown).toContain('甲一镇的名额已满，现在有 0 人在候补。');
      expect(res.text).toMatch(new RegExp(`action="/courses/${full.id}/enrol">[\\s\\S]*?<button[^>]*>排候补</button>`));
      // Mine: the waitlist position, no enrol form.
      expect(shown).toContain('你在候补，第 3 位');
      expect(res.text).not.toContain(`action="/courses/${mine.id}/enrol"`);
      // Not open yet: when it opens, no form.
      expect(shown).toMatch(/下个月的班.*\d+月\d+日 \d{2}:\d{2} 开始报名/);
      expect(res.text).not.toContain(`action="/courses/${later.id}/enrol"`);
      // Another township's view of the full class: its own places.
      const other = await signedInTrainee('赵大爷', w.tree.villageA2);
      const theirs = pageText((await getPage(t.http, other.b, '/courses').expect(200)).text);
      expect(theirs).toContain('甲二镇还剩 2 个名额。');
      expect(theirs).not.toContain('甲一镇');
    });

    it('counts places as enrolling does: the class’s capacity caps what my township has left', async () => {
      const { user, b } = await signedInTrainee();
      // 2 per township, but 3 in all and 2 taken by 甲二镇: one place left for 甲一镇, then the waitlist.
      const cls = await w.openClass({ title: '小教室班', capacity: 3 });
      await w.fill(cls, w.tree.townshipA2, 2);
      expect(pageText((await getPage(t.http, b, `/courses/${cls.id}`).expect(200)).text)).toContain(
        '甲一镇还剩 1 个名额。',
      );
      await submitForm(t.http, b, `/courses/${cls.id}/enrol`).expect(200);
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'confirmed', position: null });
      const next = await signedInTrainee('钱阿姨');
      const shown = pageText((await getPage(t.http, next.b, `/courses/${cls.id}`).expect(200)).text);
      expect(shown).toContain('甲一镇的名额已满，现在有 0 人在候补。');
      await submitForm(t.http, next.b, `/courses/${cls.id}/enrol`).expect(200);
      expect(await enrolmentOf(cls, next.user)).toEqual({ status: 'waitlisted', position: 1 });
    });

    it('enrols with one form post, and shows my state afterwards; a second post is refused kindly', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass({ title: '电脑基础班' });
      const done = await submitForm(t.http, b, `/courses/${cls.id}/enrol`).expect(200);
      expect(pageText(done.text)).toContain('报名成功');
      expect(pageText(done.text)).toContain('你已报名“电脑基础班”。');
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'confirmed', position: null });

      const list = pageText((await getPage(t.http, b, '/courses').expect(200)).text);
      expect(list).toMatch(/电脑基础班.*你已报名/);
      expect(list).not.toMatch(new RegExp(`action="/courses/${cls.id}/enrol"`));

      const again = await submitForm(t.http, b, `/courses/${cls.id}/enrol`).expect(409);
      expect(pageText(again.text)).toContain('没能报名');
      expect(pageText(again.text)).toContain('该学员已报名此培训班');
      expect(pageText(again.text)).toContain('不用再报了');
      expect(again.text).toContain(`href="/courses/${cls.id}"`);
    });

    it('puts me on the waitlist with my position when my township is full', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass({ title: '候补测试班' });
      await w.fill(cls, w.tree.townshipA1, 2);
      const res = await submitForm(t.http, b, `/courses/${cls.id}/enrol`).expect(200);
      expect(pageText(res.text)).toContain('已排上候补');
      expect(pageText(res.text)).toContain('你现在是候补第 1 位。');
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'waitlisted', position: 1 });
      const shown = pageText((await getPage(t.http, b, `/courses/${cls.id}`).expect(200)).text);
      expect(shown).toContain('你在候补，第 1 位');
    });

    it('keeps the township quota when the last place is posted for at once', async () => {
      const cls = await w.openClass({ title: '抢名额班' });
      await w.fill(cls, w.tree.townshipA1, 1);
      const people = await Promise.all(Array.from({ length: 5 }, (_, i) => signedInTrainee(`抢${i + 1}`)));
      const answers = await Promise.all(people.map(({ b }) => submitForm(t.http, b, `/courses/${cls.id}/enrol`)));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const outcomes = answers.map((r) => (pageText(r.text).includes('报名成功') ? 'confirmed' : 'waitlisted'));
      expect(outcomes.filter((o) => o === 'confirmed')).toHaveLength(1);
      const rows = await t.ds.query<{ status: string; position: number | null }[]>(
        `SELECT status::text, waitlist_position AS position FROM enrolments
          WHERE class_id = $1 AND township_id = $2 ORDER BY waitlist_position NULLS FIRST`,
        [cls.id, w.tree.townshipA1.id],
      );
      expect(rows).toEqual([
        { status: 'confirmed', position: null },
        { status: 'confirmed', position: null },
        { status: 'waitlisted', position: 1 },
        { status: 'waitlisted', position: 2 },
        { status: 'waitlisted', position: 3 },
        { status: 'waitlisted', position: 4 },
      ]);
      // Each waitlisted answer named the position its row holds.
      for (const [i, r] of answers.entries()) {
        const row = await enrolmentOf(cls, people[i].user);
        if (row.status === 'waitlisted') expect(pageText(r.text)).toContain(`你现在是候补第 ${row.position} 位。`);
      }
    });

    it('shows a class page: sessions in local time, place, trainer, places left, my state', async () => {
      const { b } = await signedInTrainee();
      const cls = await w.openClass({ title: '数字阅读班' });
      await w.session(cls, '2036-05-20T09:00:00+08:00', '2036-05-20T11:30:00+08:00', '用手机看电子书');
      await w.session(cls, '2036-05-27T14:00:00+08:00', '2036-05-27T16:00:00+08:00');
      const res = await getPage(t.http, b, `/courses/${cls.id}`).expect(200);
      const shown = pageText(res.text);
      for (const expected of [
        '数字阅读班',
        '智能手机应用',
        '县图书馆三楼培训室',
        '王老师',
        '5月20日 周二',
        '09:00–11:30',
        '用手机看电子书',
        '5月27日 周二',
        '14:00–16:00',
        '甲一镇还剩 2 个名额。',
        '可以报名',
      ]) {
        expect(shown).toContain(expected);
      }
      expect(res.text).toContain(`action="/courses/${cls.id}/enrol"`);
      expect(res.text).toContain('weui-btn_primary primary" type="submit">报名</button>');
    });

    it('withdraws after a confirmation page; the freed place goes to the waitlist', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass({ title: '退出测试班' });
      const [, neighbour] = await w.fill(cls, w.tree.townshipA1, 1).then(async (seated) => {
        await seat(t.ds, cls, user, w.tree.townshipA1);
        const waiting = await w.trainee('排队的人');
        await seat(t.ds, cls, waiting, w.tree.townshipA1, 'waitlisted', 1);
        return [seated[0], waiting];
      });
      const classPage = await getPage(t.http, b, `/courses/${cls.id}`).expect(200);
      expect(classPage.text).toContain(`href="/courses/${cls.id}/withdraw"`);

      const confirm = await getPage(t.http, b, `/courses/${cls.id}/withdraw`).expect(200);
      expect(pageText(confirm.text)).toContain('退出后，你的名额会让给候补的人。');
      expect(confirm.text).toContain(`action="/courses/${cls.id}/withdraw"`);
      expect(pageText(confirm.text)).toContain('不退出，返回');
      // Looking at the confirmation changes nothing.
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'confirmed', position: null });

      const done = await postForm(t.http, b, `/courses/${cls.id}/withdraw`, { _csrf: formToken(confirm.text) }).expect(
        200,
      );
      expect(pageText(done.text)).toContain('已退出报名');
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'withdrawn', position: null });
      expect(await enrolmentOf(cls, neighbour)).toEqual({ status: 'confirmed', position: null });

      // Nothing left to withdraw: the confirmation page sends back to the class, a post explains.
      const gone = await getPage(t.http, b, `/courses/${cls.id}/withdraw`).expect(303);
      expect(gone.headers.location).toBe(`/courses/${cls.id}`);
      const twice = await submitForm(t.http, b, `/courses/${cls.id}/withdraw`).expect(409);
      expect(pageText(twice.text)).toContain('你现在没有报名这个班，不用退出。');
    });

    it('explains refusals in Chinese with a next step: closed enrolment, started class', async () => {
      const { user, b } = await signedInTrainee();
      const closed = await w.openClass({
        title: '已截止的班',
        enrolmentOpensAt: new Date(Date.now() - 5 * 86_400_000),
        enrolmentClosesAt: new Date(Date.now() - 86_400_000),
      });
      const refused = await submitForm(t.http, b, `/courses/${closed.id}/enrol`).expect(409);
      expect(pageText(refused.text)).toContain('只有在培训班开放报名且在报名时间内才能报名');
      expect(pageText(refused.text)).toContain('请看看别的班');
      expect(await enrolmentOf(closed, user)).toBeUndefined();

      // A running class: too late to withdraw on the phone.
      const running = await createClass(t.ds, w.plan, w.course, [w.trainer.user.id], {
        title: '已开班的班',
        status: 'running',
      });
      await seat(t.ds, running, user, w.tree.townshipA1);
      const late = await submitForm(t.http, b, `/courses/${running.id}/withdraw`).expect(409);
      expect(pageText(late.text)).toContain('学员只能在开班前退出');
      expect(pageText(late.text)).toContain('请联系县图书馆');
      expect(await enrolmentOf(running, user)).toEqual({ status: 'confirmed', position: null });
    });

    it('answers 404 out of scope, 400 for a bad page number, 403 to trainers and admins, and sends strangers to sign in', async () => {
      const { b } = await signedInTrainee();
      const elsewhere = await w.openClass({ title: '别处' });
      await t.ds.query(`UPDATE classes SET status = 'draft' WHERE id = $1`, [elsewhere.id]);
      for (const path of [
        `/courses/${elsewhere.id}`,
        '/courses/00000000-0000-4000-8000-000000000000',
        '/courses/not-an-id',
        `/courses/${elsewhere.id}/withdraw`,
      ]) {
        const res = await getPage(t.http, b, path).expect(404);
        expect(pageText(res.text)).toContain('找不到该培训班');
      }
      const enrolElsewhere = await submitForm(t.http, b, `/courses/${elsewhere.id}/enrol`).expect(404);
      expect(pageText(enrolElsewhere.text)).toContain('找不到该培训班');
      expect(enrolElsewhere.text).toContain('<a class="weui-btn secondary" href="/courses">回到课程列表</a>');
      for (const bad of ['abc', '0', '-1', '1e3', '9999999']) {
        const res = await getPage(t.http, b, `/courses?page=${bad}`).expect(400);
        expect(pageText(res.text)).toContain('页码不对');
      }

      const trainer = await signInPage(t.http, w.trainer.user.username);
      const cls = await w.openClass();
      for (const path of [
        '/courses',
        `/courses/${cls.id}`,
        `/courses/${cls.id}/withdraw`,
        '/results',
        '/certificates',
      ]) {
        const res = await getPage(t.http, trainer, path).expect(403);
        expect(pageText(res.text)).toContain('这个页面是给学员用的');
      }
      await submitForm(t.http, trainer, `/courses/${cls.id}/enrol`).expect(403);
      const admin = await signInPage(t.http, w.admin.user.username);
      await getPage(t.http, admin, '/courses').expect(403);
      expect(await t.ds.query(`SELECT id FROM enrolments WHERE class_id = $1`, [cls.id])).toEqual([]);

      const stranger = await t.http.get('/courses').set('Accept', 'text/html').expect(303);
      expect(stranger.headers.location).toBe('/login?next=%2Fcourses');
    });

    it('refuses an enrol or withdraw form without its token (403) and changes nothing', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass();
      const refused = await postForm(t.http, b, `/courses/${cls.id}/enrol`, { nothing: '1' }).expect(403);
      expect(pageText(refused.text)).toContain('页面已过期');
      await postForm(t.http, b, `/courses/${cls.id}/enrol`, { _csrf: 'not-the-token' }).expect(403);
      // A script asking for JSON gets the API's error body.
      const json = await t.http
        .post(`/courses/${cls.id}/enrol`)
        .set('Cookie', b.cookie)
        .set('Accept', 'application/json')
        .send({})
        .expect(403);
      expect(json.body).toMatchObject({ statusCode: 403, code: 'CSRF_REJECTED' });
      expect(await enrolmentOf(cls, user)).toBeUndefined();

      await seat(t.ds, cls, user, w.tree.townshipA1);
      await postForm(t.http, b, `/courses/${cls.id}/withdraw`, { nothing: '1' }).expect(403);
      expect(await enrolmentOf(cls, user)).toEqual({ status: 'confirmed', position: null });
      await postForm(t.http, b, '/messages/read-all', { nothing: '1' }).expect(403);
    });

    it('speaks English when asked', async () => {
      const { b } = await signedInTrainee();
      const cls = await w.openClass({ title: 'Class for English' });
      const res = await getPage(t.http, b, '/courses').set('Accept-Language', 'en').expect(200);
      expect(res.headers['content-language']).toBe('en');
      const shown = pageText(res.text);
      expect(shown).toContain('Courses');
      expect(shown).toContain('甲一镇 has 2 places left.');
      expect(res.text).toMatch(new RegExp(`action="/courses/${cls.id}/enrol">[\\s\\S]*?>Enrol</button>`));
      const done = await submitForm(t.http, b, `/courses/${cls.id}/enrol`).set('Accept-Language', 'en').expect(200);
      expect(pageText(done.text)).toContain('You are enrolled in “Class for English”.');
    });
  });

  describe('成绩 and 证书', () => {
    it('lists my quiz results, newest first, with score and pass per attempt; paged', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass();
      const quiz = await createQuiz(t.ds, cls, { title: '第一单元测验' });
      await createAttempt(t.ds, quiz, {
        traineeId: user.id,
        townshipId: w.tree.townshipA1.id,
        number: 1,
        startedAt: new Date('2026-03-01T02:00:00Z'),
        finishedAt: new Date('2026-03-01T02:20:00Z'),
        score: 5,
        maxScore: 10,
      });
      await createAttempt(t.ds, quiz, {
        traineeId: user.id,
        townshipId: w.tree.townshipA1.id,
        number: 2,
        startedAt: new Date('2026-03-02T02:00:00Z'),
        finishedAt: new Date('2026-03-02T02:20:00Z'),
        score: 8.5,
        maxScore: 10,
      });
      const res = await getPage(t.http, b, '/results').expect(200);
      const shown = pageText(res.text);
      expect(shown).toContain('我的成绩');
      const second = shown.indexOf('第 2 次');
      const first = shown.indexOf('第 1 次');
      expect(second).toBeGreaterThan(-1);
      expect(first).toBeGreaterThan(second);
      expect(shown).toContain('第 2 次 · 3月2日 10:20 得分 8.5，满分 10 通过');
      expect(shown).toContain('第 1 次 · 3月1日 10:20 得分 5，满分 10 没有通过');
      expect(res.text).toContain('href="/certificates"');
      await getPage(t.http, b, '/results?page=x').expect(400);
      const empty = pageText((await getPage(t.http, b, '/results?page=2').expect(200)).text);
      expect(empty).toContain('你还没有做过测验。');
    });

    it('lists my certificates with the PDF link and the public check page; the PDF streams for me only', async () => {
      const world = { tree: w.tree, admin: w.admin, course: w.course };
      const done = await createClass(t.ds, w.plan, w.course, [w.trainer.user.id], {
        title: '2026年第二季度计算机基础培训班',
        status: 'completed',
      });
      const { certificate, trainee } = await insertCertificateRow(t.ds, { ...world, cls: done });
      const b = await signInPage(t.http, trainee.username);
      const res = await getPage(t.http, b, '/certificates').expect(200);
      const shown = pageText(res.text);
      expect(shown).toContain('2026年第二季度计算机基础培训班');
      expect(shown).toContain(`证书编号 ${certificate.serial}`);
      // Words an older reader knows: 防伪码 (the certificate prints 查验码), a download that says it prints.
      expect(shown).toMatch(/防伪码 [0-9A-Z]{4}(-[0-9A-Z]{4}){4} /);
      expect(shown).toContain(`下载证书 ${certificate.serial}（可以打印）`);
      expect(res.text).toContain(`href="/certificates/${certificate.id}.pdf"`);
      expect(res.text).toMatch(/href="https?:\/\/[^"]+\/api\/certificates\/verify\/[A-Z0-9-]+"/);

      const pdf = await t.http
        .get(`/certificates/${certificate.id}.pdf`)
        .set('Cookie', b.cookie)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      // The API's Chinese file name, per RFC 5987/8187.
      expect(pdf.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`结业证书-${certificate.serial}.pdf`)}`,
      );
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

      // Someone else's certificate, or no such one: 404.
      const other = await signedInTrainee();
      await getPage(t.http, other.b, `/certificates/${certificate.id}.pdf`).expect(404);
      await getPage(t.http, b, '/certificates/00000000-0000-4000-8000-000000000000.pdf').expect(404);
      await getPage(t.http, b, '/certificates/nope.pdf').expect(404);
      const none = pageText((await getPage(t.http, other.b, '/certificates').expect(200)).text);
      expect(none).toContain('你还没有证书');
    });
  });

  describe('消息', () => {
    it('lists my inbox unread first, newest first, marked; opening one marks it read; paged', async () => {
      const { user, b } = await signedInTrainee();
      const cls = await w.openClass({ title: '消息里的班' });
      const old = await inboxMessage(t.ds, user, {
        classTitle: '旧班',
        createdAt: new Date('2026-11-01T01:00:00Z'),
        read: true,
      });
      const fresh = await inboxMessage(t.ds, user, {
        classTitle: '消息里的班',
        createdAt: new Date('2026-11-30T06:30:00Z'),
        aboutId: cls.id,
      });
      await inboxMessage(t.ds, user, { classTitle: '更早的班', createdAt: new Date('2026-11-20T06:30:00Z') });
      // Someone else's message is not mine.
      const someone = await w.trainee('别人');
      const theirs = await inboxMessage(t.ds, someone, { classTitle: '别人的班', createdAt: new Date() });

      const res = await getPage(t.http, b, '/messages').expect(200);
      expect(res.text).toContain('aria-current="page">消息');
      const shown = pageText(res.text);
      expect(shown).toContain('你有 2 条未读消息。');
      const order = ['报名成功：消息里的班', '报名成功：更早的班', '报名成功：旧班'].map((s) => shown.indexOf(s));
      expect(order.every((i) => i > -1)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(shown).toContain('未读 报名成功：消息里的班 11月30日 14:30');
      expect(shown).not.toContain('别人的班');
      expect(res.text).toContain('action="/messages/read-all"');

      const opened = await getPage(t.http, b, `/messages/${fresh}`).expect(200);
      expect(pageText(opened.text)).toContain('培训班“消息里的班”有了空位');
      expect(opened.text).toContain(`href="/courses/${cls.id}"`);
      const [row] = await t.ds.query(`SELECT read_at FROM notifications WHERE id = $1`, [fresh]);
      expect(row.read_at).not.toBeNull();
      expect(pageText((await getPage(t.http, b, '/messages').expect(200)).text)).toContain('你有 1 条未读消息。');

      await getPage(t.http, b, `/messages/${theirs}`).expect(404);
      await getPage(t.http, b, '/messages/not-an-id').expect(404);
      await getPage(t.http, b, '/messages?page=abc').expect(400);
      expect(old).toBeDefined();

      // Paged: 25 more, 20 a page.
      for (let i = 0; i < 25; i++) {
        await inboxMessage(t.ds, user, { classTitle: `第${i}班`, createdAt: new Date(Date.UTC(2026, 9, 1, 0, i)) });
      }
      const first = await getPage(t.http, b, '/messages').expect(200);
      expect(html(first)).toContain('href="/messages?page=2"');
      expect(pageText(first.text)).toContain('第 1 页，共 2 页');
      const second = await getPage(t.http, b, '/messages?page=2').expect(200);
      expect(html(second)).toContain('href="/messages?page=1"');
    });

    it('marks everything read with one form post, for a trainer too', async () => {
      const trainerPage = await signInPage(t.http, w.trainer.user.username);
      const trainerUser = w.trainer.user;
      await inboxMessage(t.ds, trainerUser, { classTitle: '老师的班', createdAt: new Date() });
      await inboxMessage(t.ds, trainerUser, { classTitle: '老师的班二', createdAt: new Date() });
      const list = await getPage(t.http, trainerPage, '/messages').expect(200);
      expect(list.text).toContain('aria-current="page">消息');
      expect(pageText(list.text)).toContain('老师的班');
      const done = await postForm(t.http, trainerPage, '/messages/read-all', { _csrf: formToken(list.text) }).expect(
        303,
      );
      expect(done.headers.location).toBe('/messages?read=2');
      const after = pageText((await getPage(t.http, trainerPage, done.headers.location).expect(200)).text);
      expect(after).toContain('已把 2 条消息标为已读。');
      expect(after).toContain('没有未读消息。');
      const [{ unread }] = await t.ds.query(
        `SELECT count(*)::int AS unread FROM notifications WHERE user_id = $1 AND channel = 'inbox' AND read_at IS NULL`,
        [trainerUser.id],
      );
      expect(unread).toBe(0);
    });
  });
});
