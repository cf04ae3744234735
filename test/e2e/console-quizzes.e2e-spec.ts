import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Question } from '../../src/quizzes/question.entity';
import { createOrgTree, signedIn } from '../factories';
import { certificateWorld } from '../factories/certificates';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createAttempt } from '../factories/quizzes';
import { insertQuestion, postQuiz, quizWorld } from '../factories/quiz-world';
import { startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';
import { type Browser, getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Pages of a PDF, as poppler's pdfinfo counts them. */
function pdfPages(pdf: Buffer): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-pdf-'));
  const file = path.join(dir, 'c.pdf');
  writeFileSync(file, pdf);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
}

/** A question form's fields: a single-choice question unless `over` says otherwise. */
function questionFields(courseId: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    courseId,
    category: '文字处理',
    type: 'single',
    prompt: '复制选中的文字，应按哪个快捷键？',
    points: '2',
    option_0: 'Ctrl+C',
    option_0_correct: 'on',
    option_1: 'Ctrl+V',
    option_2: '',
    ...over,
  };
}

/**
 * 题库与测验 and 证书 in the admins' console, over HTTP (e2e): the bank with filters, a new question
 * and its mistakes, the import; quiz setup; a quiz's grades and statistics as the API has them;
 * overrides; issuing certificates with progress, revoking with a reason, the class's PDF; who may
 * see what (trainees 403, another county's admin 404), form tokens, English.
 */
describe('console: questions, quizzes and certificates (e2e)', () => {
  let t: TestApp;
  let worker: TestWorker;

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
  });

  /** The quiz world, with the admin, the other county's admin and a trainee signed in to the pages. */
  async function world() {
    const w = await quizWorld(t.http, t.ds);
    const [admin, other, trainee] = await Promise.all([
      signInPage(t.http, w.admin.user.username),
      signInPage(t.http, w.otherAdmin.user.username),
      signInPage(t.http, w.trainees[0].user.username),
    ]);
    return { ...w, pages: { admin, other, trainee } };
  }

  describe('question bank', () => {
    it('lists the bank with filters and a pager, and creates a question of each kind from the form', async () => {
      const w = await world();
      const list = await getPage(t.http, w.pages.admin, `/console/questions?courseId=${w.course.id}`).expect(200);
      expect(list.text).toContain('<h1>题库</h1>');
      expect(list.text).toContain('aria-current="page">题库与测验</a>');
      expect(pageText(list)).toContain('题目（共 5 道）');
      expect(pageText(list)).toContain('复制的快捷键是？');
      const byType = await getPage(t.http, w.pages.admin, `/console/questions?courseId=${w.course.id}&type=numerical`);
      expect(pageText(byType)).toContain('题目（共 1 道）');
      expect(pageText(byType)).toContain('3.5 ± 0.01');
      const byWords = await getPage(t.http, w.pages.admin, `/console/questions?q=${encodeURIComponent('浏览器')}`);
      expect(pageText(byWords)).toContain('哪些是浏览器？');
      expect(pageText(byWords)).not.toContain('复制的快捷键是？');

      const form = await getPage(t.http, w.pages.admin, `/console/questions/new?courseId=${w.course.id}`).expect(200);
      expect(form.text).toContain(`<option value="${w.course.id}" selected>`);
      const created = await submitForm(t.http, w.pages.admin, '/console/questions/new', questionFields(w.course.id));
      expect(created.status).toBe(303);
      expect(created.headers.location).toBe(`/console/questions?courseId=${w.course.id}&done=created`);
      const numeric = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, {
          type: 'numerical',
          category: '电子表格',
          prompt: '=ROUND(3.14159, 2) 的结果？',
          answer: '３.14',
          tolerance: '0.01',
          toleranceType: 'absolute',
        }),
      );
      expect(numeric.status).toBe(303);
      const short = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, { type: 'short', prompt: 'Word 文档的扩展名？', answers: 'docx\r\n.docx\r\n' }),
      );
      expect(short.status).toBe(303);
      const stored = await t.ds
        .getRepository(Question)
        .find({ where: { courseId: w.course.id, category: '文字处理' } });
      const single = stored.find((q) => q.prompt.startsWith('复制选中'))!;
      expect(single.options!.map((o) => [o.text, o.correct])).toEqual([
        ['Ctrl+C', true],
        ['Ctrl+V', false],
      ]);
      expect(stored.find((q) => q.type === 'short')!.answers).toEqual(['docx', '.docx']);
      const [num] = await t.ds.getRepository(Question).find({ where: { courseId: w.course.id, category: '电子表格' } });
      expect(num).toMatchObject({ answer: '3.14', tolerance: '0.01' });

      const after = await getPage(t.http, w.pages.admin, created.headers.location).expect(200);
      expect(after.text).toContain('class="notice notice_ok" role="status">题目已保存。');
      expect(pageText(after)).toContain('题目（共 8 道）');

      // More than a page: the pager keeps the filters.
      for (let i = 0; i < 15; i++)
        await insertQuestion(t.ds, w.course.id, { type: 'short', answers: ['x'], prompt: `补充题 ${i}` });
      const first = await getPage(t.http, w.pages.admin, `/console/questions?courseId=${w.course.id}`).expect(200);
      expect(pageText(first)).toContain('第 1 页，共 2 页（23 条）');
      const next = /href="([^"]+)" rel="next">下一页</
        .exec(first.text)![1]
        .replace(/&amp;/g, '&')
        .replace(/&#x3D;/g, '=');
      expect(next).toBe(`/console/questions?courseId=${w.course.id}&page=2`);
      const second = await getPage(t.http, w.pages.admin, next).expect(200);
      expect(pageText(second)).toContain('第 2 页，共 2 页（23 条）');
      expect((second.text.match(/<tr>\n<td>/g) ?? []).length).toBe(3);
    });

    it('keeps what was typed and says beside each field what is wrong; a rule of the bank is said in words', async () => {
      const w = await world();
      const res = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, { prompt: '', points: '两分', category: '基础\n知识' }),
      ).expect(400);
      expect(pageText(res)).toContain('有 3 处需要改正');
      expect(res.text).toContain('id="q-prompt-error">请填写题干');
      expect(res.text).toContain('id="q-points-error">分值要大于 0');
      expect(res.text).toContain('id="q-category-error">请填写分类');
      expect(res.text).toContain('value="两分"');
      expect(res.text).toContain('value="Ctrl+C"');

      // Two right answers to a single-choice question: the question rules' own refusal, beside the options.
      const two = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, { option_1_correct: 'on' }),
      ).expect(400);
      expect(two.text).toContain('id="q-options-error">单选题只能有一个正确选项。');
      const noAnswer = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, { type: 'truefalse' }),
      ).expect(400);
      expect(noAnswer.text).toContain('id="q-correct-error">这种题型必须填写');
      // Another county's course is not one of this admin's banks.
      const other = await createCourse(t.ds, w.tree.countyB);
      const foreign = await submitForm(t.http, w.pages.admin, '/console/questions/new', questionFields(other.id));
      expect(foreign.status).toBe(400);
      expect(foreign.text).toContain('id="q-course-error">这门课程不存在，或不在您的管理范围内。');
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(5);
    });

    it('imports a file: row errors listed in Chinese and nothing written, a dry run, then the import', async () => {
      const w = await world();
      const csv = (rows: string[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);
      const header = ['分类', '题型', '题干', '分值', '选项A', '选项B', '答案'];
      const good = ['网络安全', '判断', '陌生链接可以随意点击。', '1', '', '', '×'];
      const bad = ['网络安全', '问答', '什么是钓鱼网站？', '1', '', '', ''];
      const upload = (file: Buffer, dryRun: boolean, b: Browser = w.pages.admin) => {
        const req = t.http
          .post('/console/questions/import')
          .set('Cookie', b.cookie)
          .field('_csrf', b.csrf)
          .field('courseId', w.course.id);
        if (dryRun) void req.field('dryRun', '1');
        return req.attach('file', file, 'bank.csv');
      };
      const form = await getPage(t.http, w.pages.admin, `/console/questions/import?courseId=${w.course.id}`).expect(
        200,
      );
      expect(form.text).toContain('enctype="multipart/form-data"');

      const failed = await upload(csv([header, good, bad]), false).expect(400);
      expect(pageText(failed)).toContain('2 行里有 1 行有错，一道也没有导入');
      expect(pageText(failed)).toMatch(/3 type .*问答/);
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(5);

      const dry = await upload(csv([header, good]), true).expect(200);
      expect(pageText(dry)).toContain('检查通过：1 道题可以导入');
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(5);

      const done = await upload(csv([header, good]), false).expect(303);
      expect(done.headers.location).toBe(`/console/questions?courseId=${w.course.id}&done=imported`);
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(6);

      // No file: said beside the field; without the form token: 403 and nothing read.
      const none = await t.http
        .post('/console/questions/import')
        .set('Cookie', w.pages.admin.cookie)
        .field('_csrf', w.pages.admin.csrf)
        .field('courseId', w.course.id)
        .expect(400);
      expect(none.text).toContain('id="i-file-error">请选择一个 .xlsx 或 .csv 文件。');
      await t.http
        .post('/console/questions/import')
        .set('Cookie', w.pages.admin.cookie)
        .field('courseId', w.course.id)
        .attach('file', csv([header, good]), 'bank.csv')
        .expect(403);
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(6);
    });
  });

  describe('quizzes', () => {
    /** The setup form's fields for the world's class: every question fixed, open tomorrow for a week. */
    function setupFields(w: Awaited<ReturnType<typeof world>>, over: Record<string, string> = {}) {
      const ticks = Object.fromEntries(w.questions.map((q) => [`question_${q.id}`, 'on']));
      return {
        classId: w.cls.id,
        title: '第一单元测验',
        source: 'fixed',
        ...ticks,
        timeLimitMinutes: '20',
        opensDate: '2030-03-01',
        opensTime: '09:00',
        closesDate: '2030-03-08',
        closesTime: '18:00',
        attemptsAllowed: '2',
        gradingMethod: 'last',
        passPercent: '70',
        shuffle: 'on',
        reviewPolicy: 'answers_after_close',
        mode: 'quiz',
        ...over,
      };
    }

    it('sets up a quiz from the form, in local time and minutes, and lists it', async () => {
      const w = await world();
      const choose = await getPage(t.http, w.pages.admin, '/console/quizzes/new').expect(200);
      expect(choose.text).toContain(`<option value="${w.cls.id}">`);
      const form = await getPage(t.http, w.pages.admin, `/console/quizzes/new?classId=${w.cls.id}`).expect(200);
      expect(form.text).toContain(`name="question_${w.questions[0].id}"`);
      expect(form.text).toContain('name="draw_0"');
      const res = await submitForm(t.http, w.pages.admin, '/console/quizzes/new', setupFields(w)).expect(303);
      const id = /^\/console\/quizzes\/([0-9a-f-]{36})\?done=created$/.exec(res.headers.location)![1];
      const api = await t.http.get(`/api/quizzes/${id}`).set('Authorization', w.admin.auth).expect(200);
      expect(api.body).toMatchObject({
        title: '第一单元测验',
        classId: w.cls.id,
        questionIds: w.questions.map((q) => q.id),
        timeLimitSeconds: 1200,
        opensAt: '2030-03-01T09:00:00+08:00',
        closesAt: '2030-03-08T18:00:00+08:00',
        attemptsAllowed: 2,
        gradingMethod: 'last',
        passPercent: 70,
        shuffle: true,
        reviewPolicy: 'answers_after_close',
        mode: 'quiz',
      });
      const page = await getPage(t.http, w.pages.admin, res.headers.location).expect(200);
      expect(page.text).toContain('role="status">测验已建好。');
      expect(pageText(page)).toContain('固定 5 道题');
      expect(pageText(page)).toContain('20 分钟');
      const list = await getPage(t.http, w.pages.admin, `/console/quizzes?classId=${w.cls.id}`).expect(200);
      expect(list.text).toContain(`href="/console/quizzes/${id}">第一单元测验</a>`);

      // A draw per category.
      const drawn = await submitForm(
        t.http,
        w.pages.admin,
        '/console/quizzes/new',
        setupFields(w, {
          title: '抽题测验',
          source: 'draw',
          drawCategory_0: '基础',
          draw_0: '3',
          timeLimitMinutes: '',
        }),
      ).expect(303);
      const drawnId = /quizzes\/([0-9a-f-]{36})/.exec(drawn.headers.location)![1];
      const drawnApi = await t.http.get(`/api/quizzes/${drawnId}`).set('Authorization', w.admin.auth).expect(200);
      expect(drawnApi.body).toMatchObject({ draw: [{ category: '基础', count: 3 }], timeLimitSeconds: null });
    });

    it('says what is wrong with the setup beside each field, and the service’s refusals in words', async () => {
      const w = await world();
      const empty = await submitForm(
        t.http,
        w.pages.admin,
        '/console/quizzes/new',
        setupFields(w, { title: '', passPercent: '120', opensTime: '', attemptsAllowed: '0' }),
      ).expect(400);
      expect(pageText(empty)).toContain('有 4 处需要改正');
      expect(empty.text).toContain('id="z-title-error">请填写测验名称');
      expect(empty.text).toContain('id="z-pass-error">及格线要是 0 到 100 的数字。');
      expect(empty.text).toContain('id="z-opens-error">请填写开始的日期和时间。');
      expect(empty.text).toContain('id="z-attempts-error">可答次数要是 1 到 100 的整数。');
      expect(empty.text).toContain('value="120"');
      expect(empty.text).toContain(`name="question_${w.questions[0].id}" checked`);

      const backwards = await submitForm(
        t.http,
        w.pages.admin,
        '/console/quizzes/new',
        setupFields(w, { closesDate: '2030-02-01' }),
      ).expect(400);
      expect(backwards.text).toContain('id="z-closes-error">结束时间（closesAt）必须晚于开始时间。');
      const tooMany = await submitForm(
        t.http,
        w.pages.admin,
        '/console/quizzes/new',
        setupFields(w, { source: 'draw', drawCategory_0: '基础', draw_0: '9' }),
      ).expect(400);
      expect(tooMany.text).toContain('id="z-draw-error">“基础”类只有 5 道题，抽不出这么多。');
      expect(await t.ds.query(`SELECT id FROM quizzes WHERE class_id = $1`, [w.cls.id])).toEqual([]);
    });

    it('shows every trainee’s grade and the per-question statistics as the API gives them', async () => {
      const w = await world();
      const quiz = await postQuiz(t.http, w.admin.auth, w);
      const [single] = w.questions;
      const right = single.options.find((o) => o.correct)!.id;
      const wrong = single.options.find((o) => !o.correct)!.id;
      for (const [i, option] of [right, wrong].entries()) {
        const auth = w.trainees[i].auth;
        const started = await t.http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', auth).expect(201);
        await t.http
          .put(`/api/attempts/${started.body.id}/answers`)
          .set('Authorization', auth)
          .send({ answers: [{ questionId: single.id, optionIds: [option] }] })
          .expect(200);
        await t.http.post(`/api/attempts/${started.body.id}/submit`).set('Authorization', auth).expect(200);
      }
      const stats = (await t.http.get(`/api/quizzes/${quiz.id}/statistics`).set('Authorization', w.admin.auth)).body;
      const grades = (await t.http.get(`/api/classes/${w.cls.id}/grades`).set('Authorization', w.admin.auth)).body;
      const page = await getPage(t.http, w.pages.admin, `/console/quizzes/${quiz.id}`).expect(200);
      const text = pageText(page);
      expect(stats.attempts).toBe(2);
      expect(text).toContain(`交卷人次 ${stats.attempts}`);
      expect(text).toContain(`平均得分率 ${Math.round(stats.meanPercent * 10) / 10}%`);
      for (const item of grades.items as { displayName: string; grades: { percent: number | null }[] }[]) {
        const percent = item.grades[0].percent;
        const shown = percent === null ? '—' : `${Math.round(percent * 10) / 10}%`;
        expect(text).toContain(`${item.displayName} `);
        expect(text).toMatch(new RegExp(`${item.displayName} \\S+ ${shown.replace('.', '\\.')} `));
      }
      const facilities = [...page.text.matchAll(/class="num stat-facility">([^<]*)</g)].map((m) => m[1]);
      expect(facilities).toEqual(
        (stats.questions as { facilityIndex: number }[]).map((q) => String(Math.round(q.facilityIndex * 10) / 10)),
      );
      expect(page.text).toContain('<svg aria-hidden="true"');
      expect(text).toContain('及格');
      expect(text).toContain('未交卷');
    });

    it('saves an override for one trainee chosen from the roster and shows it; a stranger is refused in words', async () => {
      const w = await world();
      const quiz = await postQuiz(t.http, w.admin.auth, w);
      const page = await getPage(t.http, w.pages.admin, `/console/quizzes/${quiz.id}`).expect(200);
      expect(page.text).toContain(`<option value="${w.trainees[1].user.id}">`);
      expect(page.text).not.toContain(`<option value="${w.withdrawn.user.id}">`);
      const saved = await submitForm(t.http, w.pages.admin, `/console/quizzes/${quiz.id}/overrides`, {
        traineeId: w.trainees[1].user.id,
        extraMinutes: '15',
        extraAttempts: '1',
        closesDate: '2030-01-02',
        closesTime: '20:30',
      }).expect(303);
      expect(saved.headers.location).toBe(`/console/quizzes/${quiz.id}?done=override#overrides`);
      const api = await t.http.get(`/api/quizzes/${quiz.id}/overrides`).set('Authorization', w.admin.auth).expect(200);
      expect(api.body).toEqual([
        expect.objectContaining({
          traineeId: w.trainees[1].user.id,
          extraTimeSeconds: 900,
          extraAttempts: 1,
          closesAt: '2030-01-02T20:30:00+08:00',
        }),
      ]);
      const after = await getPage(t.http, w.pages.admin, `/console/quizzes/${quiz.id}?done=override`).expect(200);
      expect(after.text).toContain('role="status">已为这名学员单独设置。');
      expect(pageText(after)).toContain(`${w.trainees[1].user.displayName}（甲一镇） 15 2030年1月2日 20:30 1`);

      const stranger = await submitForm(t.http, w.pages.admin, `/console/quizzes/${quiz.id}/overrides`, {
        traineeId: w.withdrawn.user.id,
        extraMinutes: '5',
        extraAttempts: '0',
      }).expect(400);
      expect(stranger.text).toContain('id="o-trainee-error">这个人不是本班的学员。');
      const badMinutes = await submitForm(t.http, w.pages.admin, `/console/quizzes/${quiz.id}/overrides`, {
        traineeId: w.trainees[0].user.id,
        extraMinutes: '很多',
        extraAttempts: '0',
        closesDate: '2030-01-02',
      }).expect(400);
      expect(badMinutes.text).toContain('id="o-minutes-error">延长时间要是 0 到 1440 分钟。');
      expect(badMinutes.text).toContain('id="o-closes-error">请填写结束的日期和时间。');
      expect(badMinutes.text).toContain('value="很多"');
    });
  });

  describe('certificates', () => {
    /** A completed class: a and b eligible, c below the attendance mark; its admin and others signed in. */
    async function completedWorld() {
      const w = await certificateWorld(t.http, t.ds, 3);
      const [a, b, c] = w.people;
      await w.attend(a.enrolment, ['present', 'present', 'present', 'present', 'present']);
      await w.attend(b.enrolment, ['present', 'present', 'present', 'present', 'late']);
      await w.attend(c.enrolment, ['present', 'absent', 'absent', 'absent', 'absent']);
      for (const [p, score] of [
        [a, 9],
        [b, 7],
        [c, 8],
      ] as const) {
        await createAttempt(t.ds, w.quiz, {
          traineeId: p.user.id,
          townshipId: p.enrolment.townshipId,
          startedAt: new Date(Date.now() - 3_600_000),
          finishedAt: new Date(Date.now() - 3_000_000),
          score,
        });
      }
      await w.complete();
      const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      const [admin, other, trainee] = await Promise.all([
        signInPage(t.http, w.admin.user.username),
        signInPage(t.http, otherAdmin.user.username),
        signInPage(t.http, a.user.username),
      ]);
      return { ...w, pages: { admin, other, trainee } };
    }

    /** Follows a run as the page's script does (JSON from the same address) until it is done. */
    async function followRun(b: Browser, runPath: string) {
      return waitFor('the run to finish', async () => {
        const res = await t.http.get(runPath).set('Cookie', b.cookie).set('Accept', 'application/json').expect(200);
        return res.body.status === 'done' ? (res.body as { total: number; issued: number }) : undefined;
      });
    }

    it('issues for a completed class after a confirmation, with progress, lists them, revokes one with a reason, prints one PDF', async () => {
      const w = await completedWorld();
      const list = await getPage(t.http, w.pages.admin, '/console/certificates').expect(200);
      expect(list.text).toContain(`<option value="${w.cls.id}">`);
      const cls = await getPage(t.http, w.pages.admin, `/console/certificates?classId=${w.cls.id}`).expect(200);
      expect(cls.text).toContain('id="count-to-issue">2<');
      expect(cls.text).toContain('id="count-issued">0<');
      expect(pageText(cls)).toContain('出勤不够');

      const confirm = await getPage(t.http, w.pages.admin, `/console/certificates/classes/${w.cls.id}/issue`).expect(
        200,
      );
      expect(pageText(confirm)).toContain('将为 2 名符合条件、还没有证书的学员发放结业证书。');
      expect(pageText(confirm)).toContain('每人会收到一条消息');
      expect(confirm.text).toContain('>确认发证（2 人）</button>');
      expect(confirm.text).toContain('>返回，不做改动</a>');
      const started = await submitForm(t.http, w.pages.admin, `/console/certificates/classes/${w.cls.id}/issue`).expect(
        303,
      );
      const runPath = started.headers.location;
      expect(runPath).toMatch(/^\/console\/certificates\/runs\/[0-9a-f-]{36}$/);
      const progress = await getPage(t.http, w.pages.admin, runPath).expect(200);
      expect(progress.text).toMatch(/<progress id="run-progress" max="2" value="[0-2]">/);
      const run = await followRun(w.pages.admin, runPath);
      expect(run).toMatchObject({ total: 2, issued: 2 });
      const done = await getPage(t.http, w.pages.admin, runPath).expect(200);
      expect(pageText(done)).toContain('发证完成：发出 2 张，跳过 0 人。');
      expect(done.text).not.toContain('console-certificates');

      const issued = await getPage(t.http, w.pages.admin, `/console/certificates?classId=${w.cls.id}`).expect(200);
      expect(issued.text).toContain('id="count-issued">2<');
      expect(issued.text).toContain('id="count-to-issue">0<');
      const certs = await t.ds.query<{ id: string; serial: string; trainee_id: string }[]>(
        `SELECT id, serial, trainee_id FROM certificates WHERE class_id = $1 ORDER BY serial`,
        [w.cls.id],
      );
      expect(certs).toHaveLength(2);
      for (const c of certs) expect(pageText(issued)).toContain(c.serial);

      const onePdf = await getPage(t.http, w.pages.admin, `/console/certificates/${certs[0].id}/certificate.pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect((onePdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      expect(onePdf.headers['content-disposition']).toContain(`filename*=UTF-8''`);
      const all = await getPage(t.http, w.pages.admin, `/console/certificates/classes/${w.cls.id}/certificates.pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect((all.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdfPages(all.body as Buffer)).toBe(2);

      // Revoking needs a reason; then the list shows it, and the printout leaves it out.
      const revokePath = `/console/certificates/${certs[0].id}/revoke`;
      const ask = await getPage(t.http, w.pages.admin, revokePath).expect(200);
      expect(pageText(ask)).toContain(certs[0].serial);
      expect(ask.text).toContain('>确认撤销</button>');
      expect(ask.text).toContain('>返回，不做改动</a>');
      const noReason = await submitForm(t.http, w.pages.admin, revokePath, { reason: '   ' }).expect(400);
      expect(noReason.text).toContain('id="r-reason-error">请填写撤销原因。');
      expect(await t.ds.query(`SELECT revoked_at FROM certificates WHERE id = $1`, [certs[0].id])).toEqual([
        { revoked_at: null },
      ]);
      const revoked = await submitForm(t.http, w.pages.admin, revokePath, { reason: '出勤记录有误' }).expect(303);
      expect(revoked.headers.location).toBe(`/console/certificates?classId=${w.cls.id}&done=revoked`);
      const shown = await getPage(t.http, w.pages.admin, revoked.headers.location).expect(200);
      expect(shown.text).toContain('role="status">证书已撤销。');
      expect(pageText(shown)).toContain('撤销原因：出勤记录有误');
      expect(shown.text).toContain('id="count-revoked">1<');
      const again = await submitForm(t.http, w.pages.admin, revokePath, { reason: '再撤一次' }).expect(409);
      expect(pageText(again)).toContain('这张证书已于');
      const fewer = await getPage(t.http, w.pages.admin, `/console/certificates/classes/${w.cls.id}/certificates.pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(pdfPages(fewer.body as Buffer)).toBe(1);
    });

    it('says in words why a class that has not completed cannot be issued for', async () => {
      const tree = await createOrgTree(t.ds);
      const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
      const plan = await createPlan(t.ds, tree.countyA, new Date().getUTCFullYear());
      const running = await createClass(t.ds, plan, await createCourse(t.ds, tree.countyA), [], { status: 'running' });
      const b = await signInPage(t.http, admin.user.username);
      const page = await getPage(t.http, b, `/console/certificates?classId=${running.id}`).expect(200);
      expect(pageText(page)).toContain('结班后才能发证');
      const refused = await submitForm(t.http, b, `/console/certificates/classes/${running.id}/issue`).expect(409);
      expect(pageText(refused)).toContain('培训班结班后才能发放证书。');
      expect(pageText(refused)).toContain('请先在“班级”里把这个班结班。');
      expect(await t.ds.query(`SELECT id FROM certificate_runs WHERE class_id = $1`, [running.id])).toEqual([]);
    });
  });

  describe('who may do what', () => {
    it('answers a trainee 403 on every page, another county’s admin 404 on every id, a form without its token 403', async () => {
      const w = await world();
      const quiz = await postQuiz(t.http, w.admin.auth, w);
      const pages = [
        '/console/questions',
        '/console/questions/new',
        '/console/questions/import',
        '/console/quizzes',
        '/console/quizzes/new',
        `/console/quizzes/${quiz.id}`,
        '/console/certificates',
      ];
      for (const p of pages) {
        const res = await getPage(t.http, w.pages.trainee, p);
        expect([p, res.status]).toEqual([p, 403]);
      }
      await submitForm(t.http, w.pages.trainee, '/console/questions/new', questionFields(w.course.id)).expect(403);

      const foreign = [
        `/console/quizzes/${quiz.id}`,
        `/console/quizzes/new?classId=${w.cls.id}`,
        `/console/certificates?classId=${w.cls.id}`,
        `/console/certificates/classes/${w.cls.id}/issue`,
        `/console/certificates/classes/${w.cls.id}/certificates.pdf`,
      ];
      for (const p of foreign) {
        const res = await getPage(t.http, w.pages.other, p);
        expect([p, res.status]).toEqual([p, 404]);
      }
      await submitForm(t.http, w.pages.other, `/console/quizzes/${quiz.id}/overrides`, {
        traineeId: w.trainees[0].user.id,
        extraMinutes: '5',
        extraAttempts: '0',
      }).expect(404);
      await submitForm(t.http, w.pages.other, '/console/quizzes/new', { classId: w.cls.id, title: 'x' }).expect(404);
      // Another county's bank is not listed to this admin.
      const bank = await getPage(t.http, w.pages.other, '/console/questions').expect(200);
      expect(pageText(bank)).toContain('题目（共 0 道）');
      await getPage(t.http, w.pages.admin, '/console/quizzes/not-a-quiz').expect(404);

      // Without the form token: 403, nothing saved.
      await postForm(t.http, w.pages.admin, '/console/questions/new', questionFields(w.course.id)).expect(403);
      await postForm(t.http, w.pages.admin, `/console/quizzes/${quiz.id}/overrides`, {
        traineeId: w.trainees[0].user.id,
        extraMinutes: '5',
      }).expect(403);
      expect(await t.ds.getRepository(Question).countBy({ courseId: w.course.id })).toBe(5);
      expect(await t.ds.query(`SELECT 1 FROM quiz_overrides WHERE quiz_id = $1`, [quiz.id])).toEqual([]);
    });

    it('keeps certificates of another county out of reach: runs, revoking and PDFs are 404', async () => {
      const w = await certificateWorld(t.http, t.ds, 1);
      await w.attend(w.people[0].enrolment, ['present', 'present', 'present', 'present', 'present']);
      await createAttempt(t.ds, w.quiz, {
        traineeId: w.people[0].user.id,
        townshipId: w.people[0].enrolment.townshipId,
        startedAt: new Date(Date.now() - 3_600_000),
        finishedAt: new Date(Date.now() - 3_000_000),
        score: 10,
      });
      await w.complete();
      const admin = await signInPage(t.http, w.admin.user.username);
      const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      const other = await signInPage(t.http, otherAdmin.user.username);
      const started = await submitForm(t.http, admin, `/console/certificates/classes/${w.cls.id}/issue`).expect(303);
      await waitFor('the run to finish', async () => {
        const res = await t.http
          .get(started.headers.location)
          .set('Cookie', admin.cookie)
          .set('Accept', 'application/json');
        return res.body.status === 'done' ? true : undefined;
      });
      const [cert] = await t.ds.query<{ id: string }[]>(`SELECT id FROM certificates WHERE class_id = $1`, [w.cls.id]);
      for (const p of [
        started.headers.location,
        `/console/certificates/${cert.id}/revoke`,
        `/console/certificates/${cert.id}/certificate.pdf`,
      ]) {
        const res = await getPage(t.http, other, p);
        expect([p, res.status]).toEqual([p, 404]);
      }
      await submitForm(t.http, other, `/console/certificates/${cert.id}/revoke`, { reason: '试试' }).expect(404);
      await postForm(t.http, admin, `/console/certificates/${cert.id}/revoke`, { reason: '没有令牌' }).expect(403);
      await postForm(t.http, admin, `/console/certificates/classes/${w.cls.id}/issue`).expect(403);
      expect(await t.ds.query(`SELECT revoked_at FROM certificates WHERE id = $1`, [cert.id])).toEqual([
        { revoked_at: null },
      ]);
    });

    it('speaks English when the browser asks for it', async () => {
      const w = await world();
      const bank = await getPage(t.http, w.pages.admin, `/console/questions?courseId=${w.course.id}`)
        .set('Accept-Language', 'en')
        .expect(200);
      expect(bank.text).toContain('<h1>Question bank</h1>');
      expect(pageText(bank)).toContain('Questions (5)');
      const wrong = await submitForm(
        t.http,
        w.pages.admin,
        '/console/questions/new',
        questionFields(w.course.id, { prompt: '' }),
      )
        .set('Accept-Language', 'en')
        .expect(400);
      expect(wrong.text).toContain('id="q-prompt-error">Give the prompt');
      const certs = await getPage(t.http, w.pages.admin, '/console/certificates')
        .set('Accept-Language', 'en')
        .expect(200);
      expect(certs.text).toContain('<h1>Certificates</h1>');
    });
  });
});
