import type { AttemptQuestion } from '../../src/quizzes/attempt-snapshot';
import type { Response } from '../../src/quizzes/grading';
import type { Quiz } from '../../src/quizzes/quiz.entity';
import { attendanceWorld, seat, seatedTrainees } from '../factories/attendance';
import { createUnit, createUser, signedIn } from '../factories';
import { createAttempt, createQuiz, plainQuestion } from '../factories/quizzes';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What is read from attempts: contest leaderboards (ranking, township means, ETag polling),
 * Moodle's quiz statistics, and class grades by each grading method, with their XLSX export.
 * Attempts are written straight into the tables (test/factories/quizzes.ts), except in the
 * last test, which goes through the attempt routes.
 */

const SECOND = 1000;
const T0 = Date.now() - 3_600_000;
const at = (seconds: number) => new Date(T0 + seconds * SECOND);

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('quiz results: leaderboards, statistics, grades (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);

  /** A running class of county A; three trainees of A1, two of A2, one of a third township A3. */
  async function world(quizFields: Partial<Quiz> = {}) {
    const w = await attendanceWorld(t.http, t.ds);
    const townshipA3 = await createUnit(t.ds, w.tree.countyA, 'township', '甲三镇');
    const [a, b, c] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 3, '甲');
    const [d, e] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA2, 2, '乙');
    const [f] = await seatedTrainees(t.http, t.ds, w.cls, townshipA3, 1, '丙');
    const quiz = await createQuiz(t.ds, w.cls, { mode: 'contest', ...quizFields });
    return { ...w, townshipA3, a, b, c, d, e, f, quiz };
  }

  /** A finished attempt worth `score` of 10 that took `taken` seconds, started `start` seconds after T0. */
  const finished = (
    quiz: Quiz,
    trainee: { user: { id: string }; enrolment: { townshipId: string } },
    score: number,
    start: number,
    taken: number,
    number = 1,
  ) =>
    createAttempt(t.ds, quiz, {
      traineeId: trainee.user.id,
      townshipId: trainee.enrolment.townshipId,
      number,
      startedAt: at(start),
      finishedAt: at(start + taken),
      score,
      maxScore: 10,
    });

  describe('GET /api/quizzes/:id/leaderboard', () => {
    /**
     *   d  9 in 150 s                      -> 1
     *   a  9 in 200 s, finished at 300     -> 2  (also 8 in 100 s, and 9 in 300 s: not its best)
     *   b  9 in 200 s, finished at 300     -> 2  (equal on all three)
     *   e  9 in 200 s, finished at 360     -> 4
     *   f  8 in 10 s                       -> 5
     *   c  6 in 50 s (and one in progress) -> 6
     * Townships: A2 (90, 90) = 90 first; A1 (90, 90, 60) = 80 and A3 (80) = 80 share second.
     */
    async function contest() {
      const w = await world();
      await finished(w.quiz, w.a, 8, 0, 100, 1);
      await finished(w.quiz, w.a, 9, 100, 200, 2);
      await finished(w.quiz, w.a, 9, 400, 300, 3);
      await finished(w.quiz, w.b, 9, 100, 200);
      await finished(w.quiz, w.d, 9, 500, 150);
      await finished(w.quiz, w.e, 9, 160, 200);
      await finished(w.quiz, w.f, 8, 0, 10);
      await finished(w.quiz, w.c, 6, 0, 50);
      await createAttempt(t.ds, w.quiz, {
        traineeId: w.c.user.id,
        townshipId: w.tree.townshipA1.id,
        number: 2,
        startedAt: new Date(),
        finishedAt: null,
        deadline: new Date(Date.now() + 3_600_000),
      });
      return w;
    }

    it('ranks trainees by best score, time taken, finish; equal lines share a rank; townships by mean percent', async () => {
      const w = await contest();
      const res = await get(`/api/quizzes/${w.quiz.id}/leaderboard`, w.trainer.auth).expect(200);
      expect(res.body).toMatchObject({ quizId: w.quiz.id, mode: 'contest', live: true });
      expect(new Date(res.body.updatedAt).getTime()).toBe(at(700).getTime());
      const lines = res.body.trainees as { rank: number; traineeId: string }[];
      const rankOf = new Map(lines.map((l) => [l.traineeId, l.rank]));
      expect([w.d, w.a, w.b, w.e, w.f, w.c].map((x) => rankOf.get(x.user.id))).toEqual([1, 2, 2, 4, 5, 6]);
      expect(lines.map((l) => l.rank)).toEqual([1, 2, 2, 4, 5, 6]);
      const lineA = res.body.trainees.find((l: { traineeId: string }) => l.traineeId === w.a.user.id);
      expect(lineA).toEqual({
        rank: 2,
        traineeId: w.a.user.id,
        displayName: w.a.user.displayName,
        townshipId: w.tree.townshipA1.id,
        townshipName: w.tree.townshipA1.name,
        score: 9,
        maxScore: 10,
        percent: 90,
        timeTakenSeconds: 200,
        finishedAt: expect.stringMatching(/\+08:00$/),
      });
      expect(new Date(lineA.finishedAt).getTime()).toBe(at(300).getTime());
      expect(res.body.townships).toEqual([
        { rank: 1, townshipId: w.tree.townshipA2.id, name: w.tree.townshipA2.name, trainees: 2, meanPercent: 90 },
        ...[
          { rank: 2, townshipId: w.tree.townshipA1.id, name: w.tree.townshipA1.name, trainees: 3, meanPercent: 80 },
          { rank: 2, townshipId: w.townshipA3.id, name: w.townshipA3.name, trainees: 1, meanPercent: 80 },
        ].sort((x, y) => x.name.localeCompare(y.name, 'zh-CN')),
      ]);
    });

    it('answers 304 with no body while nothing changed, and 200 with a new ETag once an attempt finishes', async () => {
      const w = await contest();
      const path = `/api/quizzes/${w.quiz.id}/leaderboard`;
      const first = await get(path, w.d.auth).expect(200);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers['cache-control']).toContain('no-cache');

      const same = await get(path, w.d.auth).set('If-None-Match', etag).expect(304);
      expect(same.text ?? '').toBe('');
      expect(same.headers.etag).toBe(etag);
      // Another role sees the same board, hence the same tag.
      await get(path, w.admin.auth).set('If-None-Match', etag).expect(304);
      await get(path, w.d.auth).set('If-None-Match', '"stale"').expect(200);

      // A worse attempt changes no line, but the board is newer: a client polling gets it.
      await finished(w.quiz, w.f, 1, 800, 10, 2);
      const after = await get(path, w.d.auth).set('If-None-Match', etag).expect(200);
      expect(after.headers.etag).not.toBe(etag);
      expect(new Date(after.body.updatedAt).getTime()).toBe(at(810).getTime());
      await get(path, w.d.auth).set('If-None-Match', after.headers.etag).expect(304);

      // Closing the quiz changes `live`, hence the tag.
      await t.ds.query(
        `UPDATE quizzes SET closes_at = now() - interval '1 second', opens_at = now() - interval '2 hours' WHERE id = $1`,
        [w.quiz.id],
      );
      const closed = await get(path, w.d.auth).set('If-None-Match', after.headers.etag).expect(200);
      expect(closed.body.live).toBe(false);
    });

    it('counts an attempt whose time ran out: the read closes and grades it first', async () => {
      const w = await world();
      const q = plainQuestion('00000000-0000-4000-8000-0000000000a1', 10);
      await createAttempt(t.ds, w.quiz, {
        traineeId: w.d.user.id,
        townshipId: w.tree.townshipA2.id,
        startedAt: new Date(Date.now() - 20 * 60 * SECOND),
        deadline: new Date(Date.now() - 10 * 60 * SECOND),
        finishedAt: null,
        questions: [q],
        answers: [{ questionId: q.id, response: { type: 'truefalse', value: true }, fraction: null }],
      });
      const res = await get(`/api/quizzes/${w.quiz.id}/leaderboard`, w.trainer.auth).expect(200);
      expect(res.body.trainees).toEqual([
        expect.objectContaining({ rank: 1, traineeId: w.d.user.id, score: 10, percent: 100, timeTakenSeconds: 600 }),
      ]);
      expect(res.body.townships).toEqual([expect.objectContaining({ townshipId: w.tree.townshipA2.id, trainees: 1 })]);
    });

    it('is empty before anyone finishes', async () => {
      const w = await world();
      const res = await get(`/api/quizzes/${w.quiz.id}/leaderboard`, w.a.auth).expect(200);
      expect(res.body).toMatchObject({ live: true, updatedAt: null, trainees: [], townships: [] });
    });

    it('staff see any quiz; seated trainees only a contest; others 404', async () => {
      const w = await world({ mode: 'quiz' });
      const path = `/api/quizzes/${w.quiz.id}/leaderboard`;
      await get(path, w.admin.auth).expect(200);
      await get(path, w.trainer.auth).expect(200);
      await get(path, w.coTrainer.auth).expect(200);
      const notContest = await get(path, w.a.auth).expect(403);
      expect(notContest.body.code).toBe('FORBIDDEN');

      const outsider = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      const unseated = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
      const withdrawn = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
      await seat(t.ds, w.cls, withdrawn.user, w.tree.townshipA1, 'withdrawn');
      await t.ds.query(`UPDATE quizzes SET mode = 'contest' WHERE id = $1`, [w.quiz.id]);
      await get(path, w.a.auth).expect(200);
      for (const who of [outsider, otherAdmin, unseated, withdrawn]) {
        const res = await get(path, who.auth).expect(404);
        expect(res.body.code).toBe('QUIZ_NOT_FOUND');
      }
      await get(`/api/quizzes/00000000-0000-4000-8000-000000000000/leaderboard`, w.admin.auth).expect(404);
      await get(`/api/quizzes/not-a-uuid/leaderboard`, w.admin.auth).expect(400);
    });
  });

  describe('GET /api/quizzes/:id/statistics', () => {
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const Q1: AttemptQuestion = {
      ...plainQuestion(id(1), 1),
      type: 'single',
      prompt: '打开文件用哪个菜单？',
      options: [
        { id: 'a', text: '文件' },
        { id: 'b', text: '编辑' },
        { id: 'c', text: '视图' },
      ],
      key: { type: 'single', correctOptionId: 'a' },
    };
    const Q2: AttemptQuestion = {
      ...plainQuestion(id(2), 2),
      type: 'multiple',
      options: [
        { id: 'x', text: 'Edge' },
        { id: 'y', text: 'Firefox' },
        { id: 'z', text: 'Word' },
      ],
      key: {
        type: 'multiple',
        options: [
          { id: 'x', fraction: 0.5 },
          { id: 'y', fraction: 0.5 },
          { id: 'z', fraction: -0.5 },
        ],
      },
    };
    const Q3 = plainQuestion(id(3), 1);
    const Q4: AttemptQuestion = {
      ...plainQuestion(id(4), 1),
      type: 'short',
      options: null,
      key: { type: 'short', accepted: ['Ctrl+C'] },
    };
    const single = (optionId: string): Response => ({ type: 'single', optionId });
    const multiple = (...optionIds: string[]): Response => ({ type: 'multiple', optionIds });
    const tf = (value: boolean): Response => ({ type: 'truefalse', value });
    const short = (text: string): Response => ({ type: 'short', text });
    type Answer = [AttemptQuestion, Response | null, number];

    /**
     * Scores per question (the same set as quiz-statistics.spec.ts); b made two attempts, both count:
     *            q1(1) q2(2) q3(1) q4(1)  total  percent
     *   a  #1     1     2     1     1      5     100
     *   b  #1     1     1     0     -      2      40
     *   c  #1     0     0     1     0      1      20
     *   b  #2     -     1     1     1      3      60
     */
    async function statisticsWorld() {
      const w = await world({ mode: 'quiz' });
      const attempt = (who: typeof w.a, number: number, start: number, answers: Answer[]) =>
        createAttempt(t.ds, w.quiz, {
          traineeId: who.user.id,
          townshipId: who.enrolment.townshipId,
          number,
          startedAt: at(start),
          finishedAt: at(start + 60),
          questions: [Q1, Q2, Q3, Q4],
          answers: answers.map(([q, response, fraction]) => ({ questionId: q.id, response, fraction })),
        });
      await attempt(w.a, 1, 0, [
        [Q1, single('a'), 1],
        [Q2, multiple('x', 'y'), 1],
        [Q3, tf(true), 1],
        [Q4, short('ctrl+c'), 1],
      ]);
      await attempt(w.b, 1, 100, [
        [Q1, single('a'), 1],
        [Q2, multiple('x'), 0.5],
        [Q3, tf(false), 0],
      ]);
      await attempt(w.c, 1, 200, [
        [Q1, single('b'), 0],
        [Q2, multiple('x', 'z'), 0],
        [Q3, tf(true), 1],
        [Q4, short('Ctrl+V'), 0],
      ]);
      await attempt(w.b, 2, 300, [
        [Q1, null, 0],
        [Q2, multiple('x', 'y', 'z'), 0.5],
        [Q3, tf(true), 1],
        [Q4, short('Ctrl+C'), 1],
      ]);
      // Not finished: not counted.
      await createAttempt(t.ds, w.quiz, {
        traineeId: w.d.user.id,
        townshipId: w.tree.townshipA2.id,
        startedAt: new Date(),
        finishedAt: null,
        questions: [Q1, Q2, Q3, Q4],
        answers: [{ questionId: Q1.id, response: single('c'), fraction: null }],
      });
      return w;
    }

    it('gives per question the counts, mean score, facility, SD, discrimination and options (hand-computed)', async () => {
      const w = await statisticsWorld();
      const res = await get(`/api/quizzes/${w.quiz.id}/statistics`, w.trainer.auth).expect(200);
      const s = res.body;
      expect(s).toMatchObject({
        quizId: w.quiz.id,
        title: w.quiz.title,
        passPercent: 60,
        attempts: 4,
        meanPercent: 55,
        medianPercent: 50,
        passed: 2,
      });
      expect(s.questions.map((q: { questionId: string }) => q.questionId)).toEqual([Q1.id, Q2.id, Q3.id, Q4.id]);
      const [q1, q2, q3, q4] = s.questions;

      // q1: x = [1,1,0,0], rest = [4,1,1,3]; Sxy = 0.5, Sxx = 1, Syy = 6.75; r = 0.5 / √6.75 = 0.19245.
      expect(q1).toMatchObject({ type: 'single', attempts: 4, answered: 3, meanScore: 0.5, facilityIndex: 50 });
      expect(q1.standardDeviation).toBeCloseTo(57.735027, 5);
      expect(q1.discriminationIndex).toBeCloseTo(19.245009, 5);
      expect(q1.options).toEqual([
        { id: 'a', text: '文件', correct: true, picked: 2, share: 0.5 },
        { id: 'b', text: '编辑', correct: false, picked: 1, share: 0.25 },
        { id: 'c', text: '视图', correct: false, picked: 0, share: 0 },
      ]);

      // q2: x = [2,1,0,1], rest = [3,1,1,2]; Sxy = 2, Sxx = 2, Syy = 2.75; r = 2 / √5.5 = 0.852803.
      expect(q2).toMatchObject({ points: 2, answered: 4, meanScore: 1, meanFraction: 0.5, facilityIndex: 50 });
      expect(q2.standardDeviation).toBeCloseTo(40.824829, 5);
      expect(q2.discriminationIndex).toBeCloseTo(85.280287, 5);
      expect(q2.options.map((o: { id: string; picked: number }) => [o.id, o.picked])).toEqual([
        ['x', 4],
        ['y', 2],
        ['z', 2],
      ]);

      // q3: x = [1,0,1,1], rest = [4,2,0,2]; Sxy = 0: no discrimination at all.
      expect(q3).toMatchObject({ type: 'truefalse', meanScore: 0.75, facilityIndex: 75, discriminationIndex: 0 });
      expect(q3.options).toEqual([
        { id: 'true', text: '正确', correct: true, picked: 3, share: 0.75 },
        { id: 'false', text: '错误', correct: false, picked: 1, share: 0.25 },
      ]);

      // q4: x = [1,0,0,1], rest = [4,2,1,2]; Sxy = 1.5, Sxx = 1, Syy = 4.75; r = 0.688247.
      expect(q4).toMatchObject({ type: 'short', answered: 3, facilityIndex: 50, options: null });
      expect(q4.discriminationIndex).toBeCloseTo(68.82472, 5);
    });

    it('is for staff only: trainees 403, staff outside the class 404', async () => {
      const w = await statisticsWorld();
      const path = `/api/quizzes/${w.quiz.id}/statistics`;
      await get(path, w.admin.auth).expect(200);
      await get(path, w.coTrainer.auth).expect(200);
      expect((await get(path, w.a.auth).expect(403)).body.code).toBe('FORBIDDEN');
      const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      const outsider = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      for (const who of [otherAdmin, outsider]) {
        expect((await get(path, who.auth).expect(404)).body.code).toBe('QUIZ_NOT_FOUND');
      }
    });

    it('has no figures before any attempt finishes', async () => {
      const w = await world();
      const res = await get(`/api/quizzes/${w.quiz.id}/statistics`, w.admin.auth).expect(200);
      expect(res.body).toMatchObject({ attempts: 0, meanPercent: null, medianPercent: null, passed: 0, questions: [] });
    });
  });

  describe('GET /api/classes/:id/grades', () => {
    /**
     * Four quizzes, one per grading method, opened one after another; trainee a finished three
     * attempts in each: 40 (first), 90, 80 (last) -> highest 90, last 80, first 40, average 70.
     * b has one attempt in progress, the others none; a withdrawn trainee with attempts is not listed.
     */
    async function gradesWorld() {
      const w = await world();
      await t.ds.query(`DELETE FROM quizzes WHERE id = $1`, [w.quiz.id]);
      const methods = ['highest', 'last', 'first', 'average'] as const;
      const quizzes: Quiz[] = [];
      for (const [i, gradingMethod] of methods.entries()) {
        quizzes.push(
          await createQuiz(t.ds, w.cls, {
            title: `第${i + 1}次测验`,
            gradingMethod,
            passPercent: 60,
            opensAt: new Date(T0 - (10 - i) * 3_600_000),
          }),
        );
      }
      const gone = await createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
      await seat(t.ds, w.cls, gone, w.tree.townshipA1, 'withdrawn');
      for (const quiz of quizzes) {
        // Given out of order: the grade goes by finishedAt, not by the order rows were written.
        await finished(quiz, w.a, 9, 100, 50, 2);
        await finished(quiz, w.a, 8, 200, 50, 3);
        await finished(quiz, w.a, 4, 0, 50, 1);
        await createAttempt(t.ds, quiz, {
          traineeId: w.b.user.id,
          townshipId: w.tree.townshipA1.id,
          startedAt: new Date(),
          finishedAt: null,
          deadline: new Date(Date.now() + 3_600_000),
        });
        await createAttempt(t.ds, quiz, {
          traineeId: gone.id,
          townshipId: w.tree.townshipA1.id,
          startedAt: at(0),
          finishedAt: at(10),
          score: 10,
          maxScore: 10,
        });
      }
      return { ...w, quizzes, gone };
    }

    it('grades every seated trainee on every quiz by its grading method', async () => {
      const w = await gradesWorld();
      const res = await get(`/api/classes/${w.cls.id}/grades`, w.trainer.auth).expect(200);
      expect(res.body.classId).toBe(w.cls.id);
      expect(res.body.quizzes).toEqual(
        w.quizzes.map((q) => ({ id: q.id, title: q.title, gradingMethod: q.gradingMethod, passPercent: 60 })),
      );
      const items = res.body.items as { traineeId: string; grades: unknown[] }[];
      expect(items.map((i) => i.traineeId).sort()).toEqual([w.a, w.b, w.c, w.d, w.e, w.f].map((x) => x.user.id).sort());
      expect(items.find((i) => i.traineeId === w.gone.id)).toBeUndefined();
      const line = (id: string) => items.find((i) => i.traineeId === id)!;
      const q = w.quizzes.map((x) => x.id);
      expect(line(w.a.user.id)).toEqual({
        traineeId: w.a.user.id,
        displayName: w.a.user.displayName,
        townshipId: w.tree.townshipA1.id,
        townshipName: w.tree.townshipA1.name,
        grades: [
          { quizId: q[0], percent: 90, passed: true, attempts: 3 },
          { quizId: q[1], percent: 80, passed: true, attempts: 3 },
          { quizId: q[2], percent: 40, passed: false, attempts: 3 },
          { quizId: q[3], percent: 70, passed: true, attempts: 3 },
        ],
      });
      expect(line(w.b.user.id).grades).toEqual(
        q.map((quizId) => ({ quizId, percent: null, passed: null, attempts: 1 })),
      );
      expect(line(w.c.user.id).grades).toEqual(
        q.map((quizId) => ({ quizId, percent: null, passed: null, attempts: 0 })),
      );
    });

    it('exports XLSX: a title row, Chinese headers, percentages, frozen header', async () => {
      const w = await gradesWorld();
      const res = await get(`/api/classes/${w.cls.id}/grades`, w.admin.auth)
        .query({ format: 'xlsx' })
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${w.cls.title}-测验成绩.xlsx`));
      // Loaded here: startTestApp resets the module registry (see enrolment-views.e2e-spec.ts).
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1);
      expect(String(values(1)[0])).toContain(w.cls.title);
      expect(values(2)).toEqual([
        '学员',
        '乡镇',
        ...w.quizzes.flatMap((q) => [`${q.title} 成绩`, `${q.title} 是否通过`]),
      ]);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      const rows = new Map([3, 4, 5, 6, 7, 8].map((r) => [values(r)[0] as string, sheet.getRow(r)]));
      expect(rows.size).toBe(6);
      const a = rows.get(w.a.user.displayName)!;
      expect((a.values as unknown[]).slice(1)).toEqual([
        w.a.user.displayName,
        w.tree.townshipA1.name,
        0.9,
        '是',
        0.8,
        '是',
        0.4,
        '否',
        0.7,
        '是',
      ]);
      expect(a.getCell(3).numFmt).toContain('%');
      const c = rows.get(w.c.user.displayName)!;
      expect(c.getCell(3).value).toBeNull();
      expect(c.getCell(4).value).toBeNull();
    });

    it('is for admins in scope and the class trainers: trainees 403, others 404', async () => {
      const w = await world();
      const path = `/api/classes/${w.cls.id}/grades`;
      await get(path, w.admin.auth).expect(200);
      await get(path, w.coTrainer.auth).expect(200);
      expect((await get(path, w.a.auth).expect(403)).body.code).toBe('FORBIDDEN');
      const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      const outsider = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      for (const who of [otherAdmin, outsider]) {
        expect((await get(path, who.auth).expect(404)).body.code).toBe('CLASS_NOT_FOUND');
      }
      const res = await get(path, w.admin.auth).expect(200);
      expect(res.body.quizzes).toHaveLength(1);
      expect(res.body.items).toHaveLength(6);
    });
  });

  describe('through the attempt routes', () => {
    it('a contest taken, saved and handed in over HTTP shows on the board, in the statistics and in the grades', async () => {
      const w = await world();
      const post = (path: string, auth: string, body: object) =>
        t.http.post(path).set('Authorization', auth).send(body);
      const question = async (body: object) =>
        (await post('/api/questions', w.admin.auth, { courseId: w.course.id, category: '基础', ...body }).expect(201))
          .body.id as string;
      const single = await question({
        type: 'single',
        prompt: '复制选中的文字，应按哪个快捷键？',
        points: 2,
        options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }],
      });
      const truefalse = await question({ type: 'truefalse', prompt: '密码应定期更换。', points: 1, correct: true });
      const quiz = (
        await post('/api/quizzes', w.trainer.auth, {
          classId: w.cls.id,
          title: '技能竞赛',
          questionIds: [single, truefalse],
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: new Date(Date.now() + 3_600_000).toISOString(),
          attemptsAllowed: 2,
          gradingMethod: 'highest',
          passPercent: 60,
          shuffle: true,
          mode: 'contest',
        }).expect(201)
      ).body as { id: string };

      /** Starts an attempt, saves one answer per request, and hands it in unless `submit` is false. */
      async function take(who: { auth: string }, pick: string, value: boolean, submit = true) {
        const attempt = (await post(`/api/quizzes/${quiz.id}/attempts`, who.auth, {}).expect(201)).body;
        const options = attempt.questions.find((q: { id: string }) => q.id === single).options as {
          id: string;
          text: string;
        }[];
        const optionId = options.find((o) => o.text === pick)!.id;
        const save = (answer: object) =>
          t.http
            .put(`/api/attempts/${attempt.id}/answers`)
            .set('Authorization', who.auth)
            .send({ answers: [answer] });
        await save({ questionId: single, optionIds: [optionId] }).expect(200);
        await save({ questionId: truefalse, value }).expect(200);
        if (submit) return (await post(`/api/attempts/${attempt.id}/submit`, who.auth, {}).expect(200)).body;
        return attempt;
      }
      expect(await take(w.a, 'Ctrl+C', true)).toMatchObject({
        status: 'finished',
        score: 3,
        maxScore: 3,
        percent: 100,
      });
      expect(await take(w.d, 'Ctrl+V', true)).toMatchObject({ score: 1, passed: false });
      await take(w.b, 'Ctrl+X', false, false);

      const board = await get(`/api/quizzes/${quiz.id}/leaderboard`, w.b.auth).expect(200);
      expect(board.body.trainees).toEqual([
        expect.objectContaining({ rank: 1, traineeId: w.a.user.id, score: 3, maxScore: 3, percent: 100 }),
        expect.objectContaining({ rank: 2, traineeId: w.d.user.id, score: 1, percent: expect.closeTo(33.33, 2) }),
      ]);
      expect(board.body.townships.map((x: { townshipId: string; rank: number }) => [x.townshipId, x.rank])).toEqual([
        [w.tree.townshipA1.id, 1],
        [w.tree.townshipA2.id, 2],
      ]);

      const stats = await get(`/api/quizzes/${quiz.id}/statistics`, w.trainer.auth).expect(200);
      expect(stats.body).toMatchObject({ attempts: 2, passed: 1 });
      const [s1, s2] = stats.body.questions;
      expect(s1).toMatchObject({ questionId: single, attempts: 2, answered: 2, meanScore: 1, facilityIndex: 50 });
      expect(
        s1.options.map((o: { text: string; picked: number; correct: boolean }) => [o.text, o.picked, o.correct]),
      ).toEqual(
        expect.arrayContaining([
          ['Ctrl+C', 1, true],
          ['Ctrl+V', 1, false],
          ['Ctrl+X', 0, false],
        ]),
      );
      // Everyone got the true/false question right: it does not discriminate at all.
      expect(s2).toMatchObject({ questionId: truefalse, facilityIndex: 100, discriminationIndex: null });
      expect(s2.options.map((o: { id: string; picked: number }) => [o.id, o.picked])).toEqual([
        ['true', 2],
        ['false', 0],
      ]);

      const grades = await get(`/api/classes/${w.cls.id}/grades`, w.admin.auth).expect(200);
      const cell = (traineeId: string) =>
        grades.body.items
          .find((i: { traineeId: string }) => i.traineeId === traineeId)
          .grades.find((g: { quizId: string }) => g.quizId === quiz.id);
      expect(cell(w.a.user.id)).toEqual({ quizId: quiz.id, percent: 100, passed: true, attempts: 1 });
      expect(cell(w.d.user.id)).toMatchObject({ passed: false, attempts: 1 });
      expect(cell(w.b.user.id)).toEqual({ quizId: quiz.id, percent: null, passed: null, attempts: 1 });
      expect(cell(w.c.user.id)).toEqual({ quizId: quiz.id, percent: null, passed: null, attempts: 0 });
    });
  });
});
