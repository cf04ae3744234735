import type TestAgent from 'supertest/lib/agent';
import { insertQuestion, quizWorld } from '../factories/quiz-world';
import { type TestApp, startTestApp } from '../support/test-app';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

describe('quizzes (e2e)', () => {
  let t: TestApp;
  let http: TestAgent;

  beforeAll(async () => {
    t = await startTestApp();
    http = t.http;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function world() {
    const w = await quizWorld(http, t.ds);
    const body = (fields: Record<string, unknown> = {}) => ({
      classId: w.cls.id,
      title: '文字处理单元测验',
      questionIds: w.questions.map((q) => q.id),
      opensAt: iso(Date.now() - HOUR),
      closesAt: iso(Date.now() + HOUR),
      attemptsAllowed: 2,
      gradingMethod: 'highest',
      passPercent: 60,
      ...fields,
    });
    return { ...w, body };
  }

  it('sets up a quiz with defaults, shows it to its staff and seated trainees, and nobody else', async () => {
    const w = await world();
    const res = await http.post('/api/quizzes').set('Authorization', w.admin.auth).send(w.body()).expect(201);
    expect(res.body).toMatchObject({
      classId: w.cls.id,
      questionIds: w.questions.map((q) => q.id),
      draw: null,
      questionCount: 5,
      timeLimitSeconds: null,
      shuffle: true,
      reviewPolicy: 'score_only',
      mode: 'quiz',
      gradingMethod: 'highest',
      passPercent: 60,
    });
    const id = res.body.id as string;
    expect(res.body.opensAt).toMatch(/\+08:00$/);
    await http.get(`/api/quizzes/${id}`).set('Authorization', w.trainer.auth).expect(200);
    const seen = await http.get(`/api/quizzes/${id}`).set('Authorization', w.trainees[0].auth).expect(200);
    expect(seen.body).toMatchObject({ id, questionIds: null, questionCount: 5 });
    for (const who of [w.otherAdmin, w.otherTrainer, w.withdrawn]) {
      const r = await http.get(`/api/quizzes/${id}`).set('Authorization', who.auth).expect(404);
      expect(r.body.code).toBe('QUIZ_NOT_FOUND');
    }
    const lists = await Promise.all(
      [w.admin, w.trainer, w.trainees[0], w.otherAdmin, w.withdrawn].map((who) =>
        http.get(`/api/quizzes?classId=${w.cls.id}`).set('Authorization', who.auth).expect(200),
      ),
    );
    expect(lists.map((l) => l.body.total)).toEqual([1, 1, 1, 0, 0]);
    await http.post('/api/quizzes').set('Authorization', w.trainees[0].auth).send(w.body()).expect(403);
    const foreign = await http.post('/api/quizzes').set('Authorization', w.otherAdmin.auth).send(w.body()).expect(404);
    expect(foreign.body.code).toBe('CLASS_NOT_FOUND');
    await http.post('/api/quizzes').set('Authorization', w.otherTrainer.auth).send(w.body()).expect(404);
  });

  it('refuses a quiz without a clear source, with foreign questions, an oversized draw or a backwards window', async () => {
    const w = await world();
    const post = (fields: Record<string, unknown>) =>
      http.post('/api/quizzes').set('Authorization', w.trainer.auth).send(w.body(fields));
    expect((await post({ questionIds: undefined }).expect(400)).body.code).toBe('QUIZ_SOURCE_INVALID');
    expect((await post({ draw: [{ category: '基础', count: 1 }] }).expect(400)).body.code).toBe('QUIZ_SOURCE_INVALID');
    expect(
      (
        await post({
          questionIds: undefined,
          draw: [
            { category: '基础', count: 1 },
            { category: '基础', count: 2 },
          ],
        }).expect(400)
      ).body.code,
    ).toBe('QUIZ_SOURCE_INVALID');
    const otherCourse = await t.ds.query<{ id: string }[]>(
      `INSERT INTO courses (org_unit_id, title, level, hours) VALUES ($1, '别的课', 'beginner', 4) RETURNING id`,
      [w.tree.countyA.id],
    );
    const stray = await insertQuestion(t.ds, otherCourse[0].id, { type: 'truefalse', answer: 'true' });
    const deleted = await insertQuestion(t.ds, w.course.id, { type: 'truefalse', answer: 'false' });
    await t.ds.query(`UPDATE questions SET deleted_at = now() WHERE id = $1`, [deleted.id]);
    const bad = await post({ questionIds: [w.questions[0].id, stray.id, deleted.id] }).expect(422);
    expect(bad.body).toMatchObject({ code: 'QUIZ_QUESTIONS_INVALID', questionIds: [stray.id, deleted.id] });
    const big = await post({ questionIds: undefined, draw: [{ category: '基础', count: 6 }] }).expect(422);
    expect(big.body).toMatchObject({ code: 'QUIZ_DRAW_TOO_LARGE', category: '基础', available: 5 });
    const window = await post({ closesAt: iso(Date.now() - 2 * HOUR) }).expect(400);
    expect(window.body.code).toBe('QUIZ_WINDOW_INVALID');
    for (const fields of [
      { gradingMethod: 'best' },
      { passPercent: 101 },
      { attemptsAllowed: 0 },
      { timeLimitSeconds: 0 },
      { mode: 'race' },
      { opensAt: '2027-03-01T09:00:00' },
      { extra: 1 },
    ]) {
      await post(fields).expect(400);
    }
    await t.ds.query(`UPDATE classes SET status = 'cancelled' WHERE id = $1`, [w.cls.id]);
    expect((await post({}).expect(409)).body.code).toBe('QUIZ_CLASS_NOT_ACTIVE');
  });

  it('changes a quiz, but not its questions or mode once someone started; a new close moves deadlines', async () => {
    const w = await world();
    const quiz = (
      await http
        .post('/api/quizzes')
        .set('Authorization', w.trainer.auth)
        .send(w.body({ timeLimitSeconds: 1800 }))
        .expect(201)
    ).body as { id: string };
    const patch = (fields: Record<string, unknown>) =>
      http.patch(`/api/quizzes/${quiz.id}`).set('Authorization', w.trainer.auth).send(fields);
    const changed = await patch({ title: '改名', questionIds: [w.questions[0].id] }).expect(200);
    expect(changed.body).toMatchObject({ title: '改名', questionIds: [w.questions[0].id], questionCount: 1 });
    const attempt = (await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', w.trainees[0].auth))
      .body as { id: string; startedAt: string; deadline: string };
    const frozen = await patch({ questionIds: w.questions.map((q) => q.id), mode: 'contest' }).expect(409);
    expect(frozen.body).toMatchObject({ code: 'QUIZ_HAS_ATTEMPTS', fields: ['questionIds', 'mode'] });
    const closesAt = new Date(attempt.startedAt).getTime() + 600_000;
    await patch({ closesAt: iso(closesAt), passPercent: 80 }).expect(200);
    const [row] = await t.ds.query<{ deadline: Date }[]>(`SELECT deadline FROM quiz_attempts WHERE id = $1`, [
      attempt.id,
    ]);
    expect(row.deadline.getTime()).toBe(closesAt);
    await patch({ title: '别人改' }).set('Authorization', w.otherAdmin.auth).expect(404);
    await patch({ classId: w.cls.id }).expect(400);
  });

  it('gives one trainee extra time, a later close and one more attempt, and takes them back', async () => {
    const w = await world();
    const quiz = (
      await http
        .post('/api/quizzes')
        .set('Authorization', w.admin.auth)
        .send(w.body({ timeLimitSeconds: 600, attemptsAllowed: 1 }))
        .expect(201)
    ).body as { id: string };
    const [me, other] = w.trainees;
    const a = (await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', me.auth).expect(201)).body as {
      id: string;
      startedAt: string;
      deadline: string;
    };
    const laterClose = Date.now() + 5 * HOUR;
    const put = (traineeId: string, body: Record<string, unknown>) =>
      http.put(`/api/quizzes/${quiz.id}/overrides/${traineeId}`).set('Authorization', w.trainer.auth).send(body);
    const res = await put(me.user.id, { extraTimeSeconds: 300, extraAttempts: 1, closesAt: iso(laterClose) }).expect(
      200,
    );
    expect(res.body).toMatchObject({ quizId: quiz.id, traineeId: me.user.id, extraTimeSeconds: 300, extraAttempts: 1 });
    const deadline = async () =>
      (await t.ds.query<{ deadline: Date }[]>(`SELECT deadline FROM quiz_attempts WHERE id = $1`, [a.id]))[0].deadline;
    expect((await deadline()).getTime()).toBe(new Date(a.startedAt).getTime() + 900_000);
    await http.post(`/api/attempts/${a.id}/submit`).set('Authorization', me.auth).expect(200);
    // One more attempt for her; none for the others.
    const b = await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', me.auth).expect(201);
    expect(b.body.number).toBe(2);
    const list = await http.get(`/api/quizzes/${quiz.id}/overrides`).set('Authorization', w.admin.auth).expect(200);
    expect(list.body).toHaveLength(1);
    // Not a trainee of the class; a close before the quiz opens.
    expect((await put(w.withdrawn.user.id, { extraTimeSeconds: 60 }).expect(422)).body.code).toBe(
      'QUIZ_OVERRIDE_TRAINEE_INVALID',
    );
    expect((await put(other.user.id, { closesAt: iso(Date.now() - 2 * HOUR) }).expect(400)).body.code).toBe(
      'QUIZ_WINDOW_INVALID',
    );
    await put(other.user.id, { extraTimeSeconds: -1 }).expect(400);
    await put(other.user.id, {}).set('Authorization', other.auth).expect(403);
    await put(other.user.id, {}).set('Authorization', w.otherAdmin.auth).expect(404);
    // Taking it back moves her attempt in progress to the quiz's own deadline.
    await http.delete(`/api/quizzes/${quiz.id}/overrides/${me.user.id}`).set('Authorization', w.admin.auth).expect(204);
    const [second] = await t.ds.query<{ started_at: Date; deadline: Date }[]>(
      `SELECT started_at, deadline FROM quiz_attempts WHERE id = $1`,
      [b.body.id],
    );
    expect(second.deadline.getTime()).toBe(second.started_at.getTime() + 600_000);
  });

  it('keeps the questions a quiz still open for someone needs: listed, or drawn from their category', async () => {
    const w = await world();
    const del = (id: string) => http.delete(`/api/questions/${id}`).set('Authorization', w.admin.auth);
    const [first, second] = w.questions;
    // A draw of all 5 questions of the category: none may leave it, by deletion or a new category.
    const drawn = (
      await http
        .post('/api/quizzes')
        .set('Authorization', w.admin.auth)
        .send(w.body({ questionIds: undefined, draw: [{ category: '基础', count: 5 }] }))
        .expect(201)
    ).body as { id: string };
    expect((await del(first.id).expect(409)).body).toMatchObject({ code: 'QUESTION_IN_USE', quizIds: [drawn.id] });
    const moved = await http
      .patch(`/api/questions/${second.id}`)
      .set('Authorization', w.admin.auth)
      .send({ category: '进阶' })
      .expect(409);
    expect(moved.body.code).toBe('QUESTION_IN_USE');
    // Closed for everyone but one trainee whose override runs until tomorrow: still needed.
    await t.ds.query(
      `UPDATE quizzes SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 hour'
                       WHERE id = $1`,
      [drawn.id],
    );
    await http
      .put(`/api/quizzes/${drawn.id}/overrides/${w.trainees[0].user.id}`)
      .set('Authorization', w.admin.auth)
      .send({ closesAt: iso(Date.now() + 24 * HOUR) })
      .expect(200);
    await del(first.id).expect(409);
    await http
      .delete(`/api/quizzes/${drawn.id}/overrides/${w.trainees[0].user.id}`)
      .set('Authorization', w.admin.auth)
      .expect(204);
    await del(first.id).expect(204);
  });
});
