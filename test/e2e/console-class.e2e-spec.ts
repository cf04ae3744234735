import { DateTime } from 'luxon';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import { createOrgTree, createUser } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { insertCertificateRow } from '../factories/certificate-rows';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { signedInTrainees } from '../factories/enrolments';
import { coursesWorld } from '../support/courses-pages';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

const ZONE = 'Asia/Shanghai';

/** Collects a download's bytes (supertest leaves binary bodies of unknown types alone otherwise). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * 班级 in the console over HTTP (issue 15, page 4), as a browser without JavaScript uses it: the
 * list with its filters, a class's page (sessions with sign-in sheets, the quota by township with
 * contacts and the below-minimum warning, the roster and attendance with their downloads), the
 * admin's enrol and withdraw, the state changes with their confirmation pages, and the edit form;
 * each with its refusals: a user's mistake (400, in Chinese beside the field, nothing lost), a
 * service's refusal in words, a trainee (403), another county's admin (404), no form token (403).
 */
describe('console: classes (e2e)', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof coursesWorld>>;
  let admin: Browser;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    t = await startTestApp();
  });
  beforeEach(async () => {
    w = await coursesWorld(t.http, t.ds);
    admin = await signInPage(t.http, w.admin.user.username);
  });
  afterAll(() => t?.close());

  const statusOf = async (cls: TrainingClass) =>
    (await t.ds.query<{ status: string }[]>(`SELECT status::text FROM classes WHERE id = $1`, [cls.id]))[0].status;
  const enrolmentsOf = async (cls: TrainingClass) =>
    t.ds.query<{ name: string; status: string; position: number | null }[]>(
      `SELECT u.display_name AS name, e.status::text, e.waitlist_position AS position
         FROM enrolments e JOIN users u ON u.id = e.trainee_id WHERE e.class_id = $1 ORDER BY u.display_name`,
      [cls.id],
    );
  const enrolViaApi = (cls: TrainingClass, auth: string) =>
    t.http.post(`/api/classes/${cls.id}/enrolments`).set('Authorization', auth).send({});

  describe('the list', () => {
    it('lists the classes of my county with state, places taken and townships below the minimum; filters by state', async () => {
      const open = await w.openClass({ title: '数字素养第一期', minPerTownship: 2, maxPerTownship: 5, capacity: 12 });
      await w.fill(open, w.tree.townshipA1, 2);
      await w.fill(open, w.tree.townshipA2, 1);
      await w.openClass({ title: '草稿班', status: 'draft' });
      // Another county's class is not listed.
      const other = await createPlan(t.ds, w.tree.countyB, w.plan.year);
      await createClass(t.ds, other, await createCourse(t.ds, w.tree.countyB), [], { title: '乙县的班' });

      const res = await getPage(t.http, admin, '/console/classes').expect(200);
      const text = pageText(res);
      expect(res.text).toContain('href="/console/classes" aria-current="page"');
      expect(text).toContain('数字素养第一期');
      expect(text).toContain('草稿班');
      expect(text).not.toContain('乙县的班');
      expect(text).toMatch(/数字素养第一期.*报名中.*3 \/ 12.*1 个乡镇 甲二镇/);
      expect(res.text).toContain(`href="/console/classes/${open.id}"`);

      const drafts = pageText(await getPage(t.http, admin, '/console/classes?state=draft').expect(200));
      expect(drafts).toContain('草稿班');
      expect(drafts).not.toContain('数字素养第一期');
      const thisYear = pageText(await getPage(t.http, admin, `/console/classes?year=${w.plan.year}`).expect(200));
      expect(thisYear).toContain('数字素养第一期');
      const lastYear = pageText(await getPage(t.http, admin, `/console/classes?year=${w.plan.year - 1}`).expect(200));
      expect(lastYear).not.toContain('数字素养第一期');
    });

    it('answers a filter that is not one 400, saying so beside it', async () => {
      const res = await getPage(t.http, admin, '/console/classes?state=sleeping&year=2027').expect(400);
      expect(res.text).toContain('aria-invalid="true"');
      expect(pageText(res)).toContain('请选一个状态。');
      expect(pageText(await getPage(t.http, admin, '/console/classes?page=0').expect(400))).toContain('页码不对');
    });
  });

  describe('the class page', () => {
    it('shows the quota filling as trainees enrol through the API, with contacts and the below-minimum warning', async () => {
      const cls = await w.openClass({ title: '电脑基础班', minPerTownship: 3, maxPerTownship: 5, capacity: 20 });
      const contact = await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: w.tree.townshipA1.id,
        displayName: '联系人周',
        phone: '13912345678',
      });
      await t.http
        .put(`/api/org-units/${w.tree.townshipA1.id}/contacts`)
        .set('Authorization', w.admin.auth)
        .send({ userIds: [contact.id] })
        .expect(200);

      const before = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      const row = (res: { text: string }, township: string) =>
        pageText(new RegExp(`<tr[^>]*>\\s*<th scope="row">${township}</th>[\\s\\S]*?</tr>`).exec(res.text)![0]);
      expect(row(before, '甲一镇')).toContain('不足，还差 3 人');
      expect(row(before, '甲一镇')).toContain('联系人周 13912345678');
      expect(before.text).toContain('href="tel:13912345678"');
      expect(row(before, '甲二镇')).toContain('没有设联系人');
      expect(pageText(before)).toContain('注意： 有 2 个乡镇不足最低人数');

      const trainees = await signedInTrainees(t.http, t.ds, w.tree.villageA1, 3);
      await enrolViaApi(cls, trainees[0].auth).expect(201);
      const one = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      expect(row(one, '甲一镇')).toMatch(/甲一镇 1 3–5 人 0 ⚠ 不足，还差 2 人/);
      for (const x of trainees.slice(1)) await enrolViaApi(cls, x.auth).expect(201);
      const three = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      expect(row(three, '甲一镇')).toMatch(/甲一镇 3 3–5 人 0 够了/);
      expect(three.text).not.toMatch(/<tr class="row_warn">\s*<th scope="row">甲一镇/);
      expect(pageText(three)).toContain('有 1 个乡镇不足最低人数');
      expect(pageText(three)).toMatch(/已确认 \/ 容量 3 \/ 20/);
      // The roster lists them, each with a way to withdraw.
      expect(pageText(three)).toContain('已确认 3 人，候补 0 人。');
      expect((three.text.match(/\/withdraw"/g) ?? []).length).toBe(3);
    });

    it('lists the sessions with their sign-in sheet (a PDF) and the attendance summary with its workbook', async () => {
      const cls = await w.openClass({ title: '信息检索班' });
      const [a] = await w.fill(cls, w.tree.townshipA1, 1);
      const s = await createSession(t.ds, cls, w.trainer.user.id, -120, { topic: '电子阅览室管理' });
      await t.ds.query(
        `INSERT INTO attendance_records (session_id, enrolment_id, status, source, recorded_by)
         SELECT $1, e.id, 'present', 'trainer', $3 FROM enrolments e WHERE e.class_id = $2`,
        [s.id, cls.id, w.trainer.user.id],
      );
      const page = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      expect(page.text).toContain(`href="/console/sessions/${s.id}"`);
      expect(page.text).toContain(`href="/console/sessions/${s.id}/sign-in-sheet"`);
      expect(pageText(page)).toContain('电子阅览室管理');
      expect(pageText(page)).toMatch(new RegExp(`${a.displayName} 甲一镇 1 0 0 0 0 1 100% 已达到`));

      const pdf = await getPage(t.http, admin, `/console/sessions/${s.id}/sign-in-sheet`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''/);
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

      const xlsx = await getPage(t.http, admin, `/console/classes/${cls.id}/attendance.xlsx`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(xlsx.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`${cls.title}-出勤汇总.xlsx`)}`,
      );
      const { default: ExcelJS } = await import('exceljs');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.body as ArrayBuffer);
      const cells = book.worksheets.flatMap((sheet) =>
        sheet.getSheetValues().flatMap((r) => (Array.isArray(r) ? r.map(String) : [])),
      );
      expect(cells).toContain(a.displayName);
    });

    it('downloads the roster as CSV and XLSX, the same files as the API, with a Chinese file name', async () => {
      const cls = await w.openClass({ title: '第一期（春季）培训班' });
      const people = await w.fill(cls, w.tree.townshipA1, 2);
      const waiting = await w.trainee('候补的人');
      await seat(t.ds, cls, waiting, w.tree.townshipA1, 'waitlisted', 1);

      const csv = await getPage(t.http, admin, `/console/classes/${cls.id}/roster.csv`).expect(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      // RFC 8187: the UTF-8 name percent-encoded, ( and ) too.
      expect(csv.headers['content-disposition']).toBe(
        "attachment; filename*=UTF-8''%E7%AC%AC%E4%B8%80%E6%9C%9F%EF%BC%88%E6%98%A5%E5%AD%A3%EF%BC%89%E5%9F%B9%E8%AE%AD%E7%8F%AD-%E8%8A%B1%E5%90%8D%E5%86%8C.csv",
      );
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines).toHaveLength(4);
      for (const p of [...people, waiting]) expect(csv.text).toContain(p.displayName);
      const api = await t.http
        .get(`/api/classes/${cls.id}/enrolments?format=csv`)
        .set('Authorization', w.admin.auth)
        .expect(200);
      expect(api.text).toBe(csv.text);

      const xlsx = await getPage(t.http, admin, `/console/classes/${cls.id}/roster.xlsx`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(xlsx.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`${cls.title}-花名册.xlsx`).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
      );
      const { default: ExcelJS } = await import('exceljs');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.body as ArrayBuffer);
      const cells = book.worksheets[0].getSheetValues().flatMap((r) => (Array.isArray(r) ? r.map(String) : []));
      for (const p of [...people, waiting]) expect(cells).toContain(p.displayName);
    });

    it("leads on to the class's quizzes, and once completed to its certificates and the visits", async () => {
      // Handlebars writes the = of a query as &#x3D;; a browser reads it back.
      const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=');
      const cls = await w.openClass({ title: '有测验的班' });
      const open = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      expect(html(open)).toContain('<p class="console-back"><a href="/console/classes">← 返回班级列表</a></p>');
      expect(html(open)).toContain(`<a class="button" href="/console/quizzes?classId=${cls.id}">本班测验</a>`);
      expect(html(open)).toContain(`<a class="button" href="/console/quizzes/new?classId=${cls.id}">新建测验</a>`);
      expect(html(open)).not.toContain('/console/certificates?classId=');
      expect(html(open)).not.toContain('>回访列表</a>');

      const done = await w.openClass({ title: '结了班的班', status: 'completed' });
      const completed = await getPage(t.http, admin, `/console/classes/${done.id}`).expect(200);
      // Nothing issued yet: the next step, 发放证书, is the page's main button.
      expect(html(completed)).toContain(
        `<a class="button button_primary" href="/console/certificates?classId=${done.id}">发放证书</a>`,
      );
      // The visits page has no class filter: the link is to its list.
      expect(html(completed)).toContain('<a class="button" href="/console/visits">回访列表</a>');
      expect(html(completed)).toContain(`href="/console/quizzes?classId=${done.id}"`);
      await getPage(t.http, admin, `/console/certificates?classId=${done.id}`).expect(200);
      await getPage(t.http, admin, `/console/quizzes/new?classId=${done.id}`).expect(200);

      await insertCertificateRow(t.ds, { tree: w.tree, admin: w.admin, cls: done, course: w.course });
      const issued = await getPage(t.http, admin, `/console/classes/${done.id}`).expect(200);
      expect(html(issued)).toContain(`<a class="button" href="/console/certificates?classId=${done.id}">本班证书</a>`);
      expect(pageText(issued)).not.toContain('发放证书');

      // A cancelled class keeps its quizzes to look at, but no new one.
      const gone = await w.openClass({ title: '取消了的班', status: 'cancelled' });
      const cancelled = await getPage(t.http, admin, `/console/classes/${gone.id}`).expect(200);
      expect(html(cancelled)).toContain(`href="/console/quizzes?classId=${gone.id}"`);
      expect(html(cancelled)).not.toContain('/console/quizzes/new');
    });

    it('says so in English once', async () => {
      const cls = await w.openClass({ title: 'Spring class' });
      const res = await getPage(t.http, admin, `/console/classes/${cls.id}`).set('Accept-Language', 'en').expect(200);
      const text = pageText(res);
      expect(text).toContain('Places by township');
      expect(text).toContain('Enrolling');
      expect(text).toContain('Download the roster (Excel)');
      expect(text).not.toContain('花名册');
    });
  });

  describe('state changes', () => {
    it('opens a draft after a page saying what happens to this class, then says it is open', async () => {
      const cls = await w.openClass({ title: '草稿中的班', status: 'draft', minPerTownship: 3, maxPerTownship: 5 });
      const contact = await w.trainee('甲一联系人');
      await t.http
        .put(`/api/org-units/${w.tree.townshipA1.id}/contacts`)
        .set('Authorization', w.admin.auth)
        .send({ userIds: [contact.id] })
        .expect(200);
      const page = await getPage(t.http, admin, `/console/classes/${cls.id}`).expect(200);
      expect(page.text).toContain(`href="/console/classes/${cls.id}/open"`);
      expect(page.text).not.toContain(`href="/console/classes/${cls.id}/complete"`);

      const confirm = await getPage(t.http, admin, `/console/classes/${cls.id}/open`).expect(200);
      const text = pageText(confirm);
      expect(text).toContain('班级从“草稿”变为“报名中”');
      expect(text).toContain('现在不会发出任何消息。');
      expect(text).toContain('仍不足 3 人的乡镇会通过各自的联系人收到提醒');
      expect(text).toContain('现在共 2 个乡镇，其中 2 个不足 3 人。');
      expect(text).toContain('有 1 个乡镇没有设联系人，收不到提醒：甲二镇');
      expect(await statusOf(cls)).toBe('draft');
      // The way back is the console's one word for it, beside 确认 + the action.
      expect(confirm.text).toContain('>确认开放报名</button>');
      expect(confirm.text).toContain(`<a class="button" href="/console/classes/${cls.id}">返回，不做改动</a>`);

      const done = await submitForm(t.http, admin, `/console/classes/${cls.id}/open`).expect(303);
      expect(done.headers.location).toBe(`/console/classes/${cls.id}?done=open`);
      expect(await statusOf(cls)).toBe('open');
      const after = await getPage(t.http, admin, done.headers.location).expect(200);
      expect(pageText(after)).toContain('已开放报名。');
      expect(after.text).toContain(`href="/console/classes/${cls.id}/start"`);
    });

    it('starts a class, saying who is confirmed and who stays on the waitlist', async () => {
      const cls = await w.openClass({ title: '要开班的班' });
      await w.fill(cls, w.tree.townshipA1, 2);
      await seat(t.ds, cls, await w.trainee('等位甲'), w.tree.townshipA1, 'waitlisted', 1);
      const text = pageText(await getPage(t.http, admin, `/console/classes/${cls.id}/start`).expect(200));
      expect(text).toContain('已确认 2 人；候补的 1 人继续候补');
      expect(text).toContain('报名结束');
      await submitForm(t.http, admin, `/console/classes/${cls.id}/start`).expect(303);
      expect(await statusOf(cls)).toBe('running');
    });

    it('completes a class: the townships that get visits are named, enrolments complete, the waitlist is withdrawn', async () => {
      const cls = await w.openClass({ title: '要结班的班', status: 'running' });
      await w.fill(cls, w.tree.townshipA1, 2);
      await w.fill(cls, w.tree.townshipA2, 1);
      await seat(t.ds, cls, await w.trainee('等位乙'), w.tree.townshipA2, 'waitlisted', 1);
      const text = pageText(await getPage(t.http, admin, `/console/classes/${cls.id}/complete`).expect(200));
      expect(text).toContain('已确认的 3 名学员记为结业');
      expect(text).toContain('仍在候补的 1 人自动退出报名');
      expect(text).toContain('为送来学员的 2 个乡镇各安排一次回访：甲一镇、甲二镇');
      expect(text).toContain('30 天内完成');
      expect(text).toContain('可以在“证书”里');

      const done = await submitForm(t.http, admin, `/console/classes/${cls.id}/complete`).expect(303);
      expect(done.headers.location).toBe(`/console/classes/${cls.id}?done=complete`);
      expect(await statusOf(cls)).toBe('completed');
      const statuses = (await enrolmentsOf(cls)).map((e) => e.status).sort();
      expect(statuses).toEqual(['completed', 'completed', 'completed', 'withdrawn']);
      // Once completed: no more state changes offered, no edit, no withdraw.
      const page = await getPage(t.http, admin, done.headers.location).expect(200);
      expect(pageText(page)).toContain('已结班。');
      expect(page.text).not.toMatch(new RegExp(`/console/classes/${cls.id}/(open|start|complete|cancel|edit)"`));
      expect(page.text).not.toContain('/withdraw"');
    });

    it('cancels a class: the trainees and trainers told, its sessions cancelled, counted on the page first', async () => {
      const cls = await w.openClass({ title: '要取消的班' });
      await w.fill(cls, w.tree.townshipA1, 2);
      await seat(t.ds, cls, await w.trainee('等位丙'), w.tree.townshipA1, 'waitlisted', 1);
      await createSession(t.ds, cls, w.trainer.user.id, 60 * 24 * 5);
      await createSession(t.ds, cls, w.trainer.user.id, 60 * 24 * 6);
      const page = await getPage(t.http, admin, `/console/classes/${cls.id}/cancel`).expect(200);
      const text = pageText(page);
      expect(text).toContain('已确认的 2 人和候补的 1 人全部退出报名，每人会收到一条“培训班取消”的消息');
      expect(text).toContain('本班 1 位授课教师也会收到消息');
      expect(text).toContain('本班 2 个课次全部取消');
      expect(text).toContain('取消后不能恢复');
      expect(page.text).toContain('button button_danger');

      await submitForm(t.http, admin, `/console/classes/${cls.id}/cancel`).expect(303);
      expect(await statusOf(cls)).toBe('cancelled');
      expect((await enrolmentsOf(cls)).every((e) => e.status === 'withdrawn')).toBe(true);
      const [{ n }] = await t.ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM sessions WHERE class_id = $1 AND status = 'cancelled'`,
        [cls.id],
      );
      expect(n).toBe(2);
      const [{ told }] = await t.ds.query<{ told: number }[]>(
        `SELECT count(DISTINCT user_id)::int AS told FROM notifications WHERE template = 'class-cancelled' AND about_id = $1`,
        [cls.id],
      );
      expect(told).toBe(4);
    });

    it('refuses a change the state does not allow, in words, on the page and on the form', async () => {
      const cls = await w.openClass({ title: '还是草稿', status: 'draft' });
      const page = await getPage(t.http, admin, `/console/classes/${cls.id}/complete`).expect(409);
      expect(pageText(page)).toContain('草稿的培训班不能结班');
      expect(pageText(page)).toContain('请回到班级页面');
      const post = await submitForm(t.http, admin, `/console/classes/${cls.id}/start`).expect(409);
      expect(pageText(post)).toContain('草稿的培训班不能开班');
      expect(post.text).toContain(`href="/console/classes/${cls.id}"`);
      expect(await statusOf(cls)).toBe('draft');
    });
  });

  describe('enrolling and withdrawing', () => {
    it('finds a trainee of the county and enrols them; past the township maximum says they are waitlisted and why', async () => {
      const cls = await w.openClass({ title: '报名测试班', maxPerTownship: 1, minPerTownship: 1 });
      const first = await w.trainee('王小明');
      const second = await w.trainee('王小红');
      await createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipB1.id, displayName: '王乙县' });

      const found = await getPage(
        t.http,
        admin,
        `/console/classes/${cls.id}/enrol?q=${encodeURIComponent('王小')}`,
      ).expect(200);
      const text = pageText(found);
      expect(text).toContain('王小明');
      expect(text).toContain('王小红');
      expect(text).not.toContain('王乙县');
      expect(text).toContain('甲一镇已有 0/1 人，还有名额');

      const ok = await submitForm(t.http, admin, `/console/classes/${cls.id}/enrol`, {
        traineeId: first.id,
        q: '王小',
      }).expect(303);
      expect(ok.headers.location).toMatch(
        new RegExp(`^/console/classes/${cls.id}\\?done=enrolled&enrolment=[0-9a-f-]{36}#roster$`),
      );
      expect(pageText(await getPage(t.http, admin, ok.headers.location).expect(200))).toContain(
        '王小明（甲一镇）已报名成功。',
      );

      const again = pageText(
        await getPage(t.http, admin, `/console/classes/${cls.id}/enrol?q=${encodeURIComponent('王小')}`).expect(200),
      );
      expect(again).toContain('甲一镇已满（1/1 人），报名会排候补');
      expect(again).toMatch(/王小明 .* 已确认/);
      const full = await submitForm(t.http, admin, `/console/classes/${cls.id}/enrol`, { traineeId: second.id }).expect(
        303,
      );
      const shown = pageText(await getPage(t.http, admin, full.headers.location).expect(200));
      expect(shown).toContain('甲一镇的名额已满（1/1 人），王小红 排在候补第 1 位');
      expect(await enrolmentsOf(cls)).toEqual([
        { name: '王小明', status: 'confirmed', position: null },
        { name: '王小红', status: 'waitlisted', position: 1 },
      ]);

      // Enrolling them again: the service's refusal in words, the search kept.
      const twice = await submitForm(t.http, admin, `/console/classes/${cls.id}/enrol`, {
        traineeId: first.id,
        q: '王小',
      }).expect(409);
      expect(pageText(twice)).toContain('该学员已报名此培训班');
      expect(twice.text).toContain('value="王小"');
    });

    it('refuses to enrol into a class that is not open, in words', async () => {
      const cls = await w.openClass({ title: '没开放的班', status: 'draft' });
      const someone = await w.trainee('赵六');
      const res = await submitForm(t.http, admin, `/console/classes/${cls.id}/enrol`, { traineeId: someone.id }).expect(
        409,
      );
      expect(pageText(res)).toContain('只有在培训班开放报名且在报名时间内才能报名');
      expect(pageText(res)).toContain('这个班现在是“草稿”，不能报名。');
      expect(await enrolmentsOf(cls)).toEqual([]);
    });

    it('withdraws a trainee after a confirmation; the first on the waitlist takes the place', async () => {
      const cls = await w.openClass({ title: '退出测试班', maxPerTownship: 1 });
      const holder = await w.trainee('占座的人');
      const e = await seat(t.ds, cls, holder, w.tree.townshipA1);
      await seat(t.ds, cls, await w.trainee('排队的人'), w.tree.townshipA1, 'waitlisted', 1);
      const confirm = await getPage(t.http, admin, `/console/classes/${cls.id}/enrolments/${e.id}/withdraw`).expect(
        200,
      );
      expect(pageText(confirm)).toContain('占座的人（甲一镇）将退出“退出测试班”');
      expect(pageText(confirm)).toContain('空出的名额会马上给候补中第一位合适的学员');
      const done = await submitForm(t.http, admin, `/console/classes/${cls.id}/enrolments/${e.id}/withdraw`).expect(
        303,
      );
      expect(done.headers.location).toBe(`/console/classes/${cls.id}?done=withdrawn#roster`);
      expect(await enrolmentsOf(cls)).toEqual([
        { name: '占座的人', status: 'withdrawn', position: null },
        { name: '排队的人', status: 'confirmed', position: null },
      ]);
      // Withdrawn is off the roster: its address is not there any more.
      await getPage(t.http, admin, `/console/classes/${cls.id}/enrolments/${e.id}/withdraw`).expect(404);
    });
  });

  describe('editing', () => {
    /** The edit form's fields for the class as it is, with `over` changed. */
    const fieldsOf = (cls: TrainingClass, over: Record<string, string> = {}) => {
      const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE });
      return {
        title: cls.title,
        courseId: cls.courseId,
        quarter: String(cls.quarter),
        startDate: cls.startDate,
        endDate: cls.endDate,
        venueId: cls.venueId ?? '',
        [`trainer_${w.trainer.user.id}`]: 'on',
        capacity: String(cls.capacity),
        minPerTownship: String(cls.minPerTownship),
        maxPerTownship: String(cls.maxPerTownship),
        opensDate: local(cls.enrolmentOpensAt).toISODate()!,
        opensTime: local(cls.enrolmentOpensAt).toFormat('HH:mm'),
        closesDate: local(cls.enrolmentClosesAt).toISODate()!,
        closesTime: local(cls.enrolmentClosesAt).toFormat('HH:mm'),
        thresholdPercent: '80',
        pointsPresent: '2',
        pointsLate: '1',
        pointsExcused: '1',
        pointsAbsent: '0',
        requiredQuizId: '',
        ...over,
      };
    };

    it('shows the class in the form and saves a change', async () => {
      const cls = await w.openClass({ title: '要改名的班' });
      const form = await getPage(t.http, admin, `/console/classes/${cls.id}/edit`).expect(200);
      expect(form.text).toContain('value="要改名的班"');
      expect(form.text).toMatch(
        new RegExp(`id="trainer_${w.trainer.user.id}" name="trainer_${w.trainer.user.id}" checked`),
      );
      const done = await submitForm(
        t.http,
        admin,
        `/console/classes/${cls.id}/edit`,
        fieldsOf(cls, { title: '改好的名字', capacity: '30', thresholdPercent: '75' }),
      ).expect(303);
      expect(done.headers.location).toBe(`/console/classes/${cls.id}?done=saved`);
      const [row] = await t.ds.query<{ title: string; capacity: number; threshold: number }[]>(
        `SELECT title, capacity, attendance_threshold::float AS threshold FROM classes WHERE id = $1`,
        [cls.id],
      );
      expect(row).toEqual({ title: '改好的名字', capacity: 30, threshold: 0.75 });
      expect(pageText(await getPage(t.http, admin, done.headers.location).expect(200))).toContain('班级信息已保存。');
    });

    it('answers mistakes 400 with the words beside each field, everything typed kept', async () => {
      const cls = await w.openClass({ title: '填错的班' });
      const res = await submitForm(
        t.http,
        admin,
        `/console/classes/${cls.id}/edit`,
        fieldsOf(cls, {
          title: '  ',
          capacity: '很多',
          thresholdPercent: '180',
          closesTime: '25:00',
          minPerTownship: '2',
        }),
      ).expect(400);
      const text = pageText(res);
      expect(text).toContain('有 4 处需要改正');
      expect(res.text).toMatch(/id="f-title-error">请填写培训班名称。/);
      expect(res.text).toMatch(/id="f-capacity-error">请填写整数。/);
      expect(res.text).toMatch(/id="f-thresholdPercent-error">请填写 0 到 100 之间的数字/);
      expect(res.text).toMatch(/id="f-closes-error">请填写日期和时间/);
      expect(res.text).toContain('value="很多"');
      expect(res.text).toContain('value="180"');
      expect(res.text).toMatch(/name="minPerTownship" type="text" value="2"/);
      expect(
        (await t.ds.query<{ title: string }[]>(`SELECT title FROM classes WHERE id = $1`, [cls.id]))[0].title,
      ).toBe('填错的班');
    });

    it("shows the service's refusal beside its field: dates outside the quarter, limits below the seats taken", async () => {
      const cls = await w.openClass({ title: '日期不对的班', maxPerTownship: 3 });
      const res = await submitForm(
        t.http,
        admin,
        `/console/classes/${cls.id}/edit`,
        fieldsOf(cls, { startDate: `${w.plan.year - 1}-06-01` }),
      ).expect(400);
      expect(res.text).toMatch(
        new RegExp(`id="f-startDate-error">开班日期须在 ${w.plan.year} 年第 ${cls.quarter} 季度内`),
      );
      expect(res.text).toContain(`value="${w.plan.year - 1}-06-01"`);

      await w.fill(cls, w.tree.townshipA1, 3);
      const cut = await submitForm(
        t.http,
        admin,
        `/console/classes/${cls.id}/edit`,
        fieldsOf(cls, { maxPerTownship: '2', minPerTownship: '1' }),
      ).expect(400);
      expect(cut.text).toMatch(/id="f-capacity-error">已确认的学员多于新的容量或每乡镇上限/);
    });

    it('refuses to edit a completed class, in words', async () => {
      const cls = await w.openClass({ title: '结了的班', status: 'completed' });
      const res = await getPage(t.http, admin, `/console/classes/${cls.id}/edit`).expect(409);
      expect(pageText(res)).toContain('已完成的培训班不能再修改');
    });
  });

  describe('who may', () => {
    it('answers a trainee 403, and an admin of another county 404 on every class route', async () => {
      const cls = await w.openClass({ title: '甲县的班' });
      const [e] = [await seat(t.ds, cls, await w.trainee('甲县学员'), w.tree.townshipA1)];
      const s = await createSession(t.ds, cls, w.trainer.user.id, 60);
      const trainee = await signInPage(t.http, (await w.trainee('学员本人')).username);
      const denied = await getPage(t.http, trainee, '/console/classes').expect(403);
      expect(pageText(denied)).toContain('这是图书馆管理员用的后台');

      const tree = await createOrgTree(t.ds);
      const other = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const b = await signInPage(t.http, other.username);
      const gets = [
        '',
        '/edit',
        '/open',
        '/start',
        '/complete',
        '/cancel',
        '/enrol?q=甲',
        '/roster.csv',
        '/roster.xlsx',
        '/attendance.xlsx',
        `/enrolments/${e.id}/withdraw`,
      ];
      for (const path of gets) {
        const res = await getPage(t.http, b, `/console/classes/${cls.id}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      await getPage(t.http, b, `/console/sessions/${s.id}/sign-in-sheet`).expect(404);
      const posts = ['/edit', '/open', '/start', '/complete', '/cancel', '/enrol', `/enrolments/${e.id}/withdraw`];
      for (const path of posts) {
        const res = await submitForm(t.http, b, `/console/classes/${cls.id}${path}`, { traineeId: e.traineeId });
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      expect(await statusOf(cls)).toBe('open');
      // A malformed id is a page that is not there.
      await getPage(t.http, admin, '/console/classes/not-a-class').expect(404);
    });

    it('refuses a form without its token (403) and changes nothing', async () => {
      const cls = await w.openClass({ title: '没有令牌', status: 'draft' });
      const res = await postForm(t.http, admin, `/console/classes/${cls.id}/open`).expect(403);
      expect(pageText(res)).toContain('页面已过期');
      expect(await statusOf(cls)).toBe('draft');
    });
  });
});
