import type { Queue } from 'bullmq';
import type TestAgent from 'supertest/lib/agent';
import type { Clock as ClockType } from '../../src/common/time/clock';
import { type BankQuestion, postQuiz, quizWorld } from '../factories/quiz-world';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

interface ShownQuestion {
  id: string;
  type: string;
  options: { id: string; text: string }[] | null;
}
interface Attempt {
  id: string;
  status: string;
  startedAt: string;
  deadline: string;
  now: string;
  finishedAt: string | null;
  finishedBy: string | null;
  score: number | null;
  percent: number | null;
  passed: boolean | null;
  review: boolean;
  questions: (ShownQuestion & {
    given: { optionIds: string[] | null; text: string | null; answeredAt: string } | null;
    correct?: unknown;
    feedback?: string | null;
    score?: number | null;
  })[];
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** The right answer to each of the five question types of the world (typed as a phone would). */
function rightAnswer(bank: BankQuestion[], q: ShownQuestion) {
  const b = bank.find((x) => x.id === q.id)!;
  switch (b.type) {
    case 'single':
    case 'multiple':
      return { questionId: q.id, optionIds: b.options.filter((o) => o.correct).map((o) => o.id) };
    case 'truefalse':
      return { questionId: q.id, optionIds: ['true'] };
    case 'short':
      return { questionId: q.id, text: '  ｌｉｂｒａｒｙ ' };
    case 'numerical':
      return { questionId: q.id, text: '３,５' };
  }
}

describe('attempts (e2e)', () => {
  let t: TestApp;
  let http: TestAgent;
  let clock: ClockType;

  beforeAll(async () => {
    t = await startTestApp({ QUIZ_GRACE_SECONDS: '30' });
    http = t.http;
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Clock } = require('../../src/common/time/clock') as typeof import('../../src/common/time/clock');
    /* eslint-enable @typescript-eslint/no-require-imports */
    clock = t.app.get(Clock);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  function at(ms: number): void {
    jest.spyOn(clock, 'now').mockReturnValue(new Date(ms));
  }

  async function setup(fields: Record<string, unknown> = {}) {
    const w = await quizWorld(http, t.ds);
    const quiz = await postQuiz(http, w.trainer.auth, w, { timeLimitSeconds: 600, ...fields });
    return { ...w, quiz };
  }

  const start = (auth: string, quizId: string) =>
    http.post(`/api/quizzes/${quizId}/attempts`).set('Authorization', auth);
  const save = (auth: string, attemptId: string, answers: unknown[]) =>
    http.put(`/api/attempts/${attemptId}/answers`).set('Authorization', auth).send({ answers });
  const submit = (auth: string, attemptId: string) =>
    http.post(`/api/attempts/${attemptId}/submit`).set('Authorization', auth);

  it('starts an attempt with every question and option but never a right answer, and starting again answers it', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const res = await start(me.auth, w.quiz.id).expect(201);
    const a = res.body as Attempt;
    expect(a).toMatchObject({ quizId: w.quiz.id, status: 'in_progress', number: 1 });
    expect(a.questions.map((q) => q.id).sort()).toEqual(w.questions.map((q) => q.id).sort());
    expect(new Date(a.deadline).getTime() - new Date(a.startedAt).getTime()).toBe(600_000);
    const single = a.questions.find((q) => q.type === 'single')!;
    expect(single.options!.map((o) => o.text).sort()).toEqual(['Ctrl+C', 'Ctrl+V', 'Ctrl+X']);
    expect(a.questions.find((q) => q.type === 'truefalse')!.options!.map((o) => o.id)).toEqual(['true', 'false']);
    const text = JSON.stringify(a);
    for (const secret of [
      'correct',
      'fraction',
      'accepted',
      'tolerance',
      'key',
      'feedback',
      'Library',
      '"3.5"', // the numerical answer as stored (quoted: a time like 18:00:13.553 must not match)
      '记住',
    ]) {
      expect(text).not.toContain(secret);
    }
    const again = await start(me.auth, w.quiz.id).expect(200);
    expect((again.body as Attempt).id).toBe(a.id);
    expect((again.body as Attempt).questions.map((q) => q.id)).toEqual(a.questions.map((q) => q.id));
  });

  it('makes one attempt of ten simultaneous starts', async () => {
    const w = await setup({ attemptsAllowed: 3 });
    const [me] = w.trainees;
    const answers = await Promise.all(Array.from({ length: 10 }, () => start(me.auth, w.quiz.id)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => (r.body as Attempt).id)).size).toBe(1);
    const rows = await t.ds.query(`SELECT id FROM quiz_attempts WHERE quiz_id = $1`, [w.quiz.id]);
    expect(rows).toHaveLength(1);
  });

  it('grades every type exactly: full-width text, a comma decimal, partial credit', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    for (const q of a.questions) {
      const res = await save(me.auth, a.id, [rightAnswer(w.questions, q)]).expect(200);
      expect(res.body).toMatchObject({ saved: [q.id], stale: [], late: [] });
      expect(new Date((res.body as { deadline: string }).deadline).toISOString()).toBe(
        new Date(a.deadline).toISOString(),
      );
    }
    // One of the two browsers and Word: 1/2 − 1/2 = 0 of 3 points.
    const multiple = w.questions.find((q) => q.type === 'multiple')!;
    await save(me.auth, a.id, [
      { questionId: multiple.id, optionIds: [multiple.options[0].id, multiple.options[2].id] },
    ]).expect(200);
    const result = await submit(me.auth, a.id).expect(200);
    expect(result.body).toMatchObject({
      id: a.id,
      status: 'finished',
      score: 7,
      maxScore: 10,
      percent: 70,
      passed: true,
    });
    // Handing in again answers the same; saving after is refused.
    expect((await submit(me.auth, a.id).expect(200)).body).toEqual(result.body);
    const closed = await save(me.auth, a.id, [rightAnswer(w.questions, a.questions[0])]).expect(409);
    expect(closed.body.code).toBe('ATTEMPT_CLOSED');
    expect(closed.body.message).toBe('这次答题已经交卷，答案不能再修改。');
    const fractions = await t.ds.query<{ fraction: string }[]>(
      `SELECT fraction FROM attempt_answers WHERE attempt_id = $1 ORDER BY fraction`,
      [a.id],
    );
    expect(fractions.map((f) => Number(f.fraction))).toEqual([0, 1, 1, 1, 1]);
    // A new pass mark judges the attempts already finished too.
    await http
      .patch(`/api/quizzes/${w.quiz.id}`)
      .set('Authorization', w.trainer.auth)
      .send({ passPercent: 80 })
      .expect(200);
    const read = await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200);
    expect(read.body).toMatchObject({ percent: 70, passed: false });
  });

  it('grades simultaneous hand-ins once', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    await save(
      me.auth,
      a.id,
      a.questions.map((q) => rightAnswer(w.questions, q)),
    ).expect(200);
    const results = await Promise.all(Array.from({ length: 6 }, () => submit(me.auth, a.id)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(results[0].body).toMatchObject({ score: 10, percent: 100 });
  });

  it('keeps the newest answer when an outbox replays an older one, and refuses answers in the wrong shape', async () => {
    const w = await setup();
    const [me, other] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const single = w.questions.find((q) => q.type === 'single')!;
    const started = new Date(a.startedAt).getTime();
    const newer = { questionId: single.id, optionIds: [single.options[1].id], answeredAt: iso(started + 20_000) };
    const older = { questionId: single.id, optionIds: [single.options[0].id], answeredAt: iso(started + 10_000) };
    at(started + 60_000);
    expect((await save(me.auth, a.id, [newer]).expect(200)).body).toMatchObject({ saved: [single.id] });
    expect((await save(me.auth, a.id, [older]).expect(200)).body).toMatchObject({ saved: [], stale: [single.id] });
    const stored = await t.ds.query(`SELECT response FROM attempt_answers WHERE attempt_id = $1`, [a.id]);
    expect(stored).toEqual([{ response: { type: 'single', optionId: single.options[1].id } }]);

    const short = w.questions.find((q) => q.type === 'short')!;
    for (const bad of [
      { questionId: single.id, optionIds: [single.options[0].id, single.options[1].id] },
      { questionId: single.id, optionIds: ['not-an-option'] },
      { questionId: single.id, text: 'Ctrl+C' },
      { questionId: short.id, optionIds: [] },
      { questionId: w.questions[0].id === single.id ? '00000000-0000-4000-8000-000000000000' : single.id },
    ]) {
      const res = await save(me.auth, a.id, [{ questionId: short.id, text: '一个好答案' }, bad]).expect(400);
      expect(res.body.code).toBe('ATTEMPT_ANSWERS_INVALID');
    }
    for (const body of [{ answers: [[]] }, { answers: [{ questionId: single.id, value: [1] }] }, { answers: {} }]) {
      const res = await http.put(`/api/attempts/${a.id}/answers`).set('Authorization', me.auth).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const numerical = w.questions.find((q) => q.type === 'numerical')!;
    const huge = await save(me.auth, a.id, [{ questionId: numerical.id, value: 1e308 }]).expect(400);
    expect(huge.body.code).toBe('ATTEMPT_ANSWERS_INVALID');
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM attempt_answers WHERE attempt_id = $1`, [a.id])).toEqual([
      { n: 1 },
    ]);
    // Someone else's attempt is not there at all.
    expect((await save(other.auth, a.id, [newer]).expect(404)).body.code).toBe('ATTEMPT_NOT_FOUND');
    expect((await submit(other.auth, a.id).expect(404)).body.code).toBe('ATTEMPT_NOT_FOUND');
    await http.get(`/api/attempts/${a.id}`).set('Authorization', other.auth).expect(404);
    await http.get(`/api/attempts/${a.id}`).set('Authorization', w.otherAdmin.auth).expect(404);
    await http.get(`/api/attempts/${a.id}`).set('Authorization', w.otherTrainer.auth).expect(404);
    await http.get(`/api/attempts/${a.id}`).set('Authorization', w.trainer.auth).expect(200);
  });

  it('takes a phone clock running ahead as the server’s now, so it cannot block later answers', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const single = w.questions.find((q) => q.type === 'single')!;
    const started = new Date(a.startedAt).getTime();
    at(started + 10_000);
    await save(me.auth, a.id, [
      { questionId: single.id, optionIds: [single.options[0].id], answeredAt: iso(started + 5 * HOUR) },
    ]).expect(200);
    at(started + 20_000);
    const res = await save(me.auth, a.id, [{ questionId: single.id, optionIds: [single.options[1].id] }]).expect(200);
    expect(res.body).toMatchObject({ saved: [single.id] });
    expect(new Date(res.body.now as string).getTime()).toBe(started + 20_000);
  });

  it('saves answers given before the deadline during the grace, refuses later ones, and closes after it', async () => {
    const w = await setup({ timeLimitSeconds: 60 });
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const deadline = new Date(a.deadline).getTime();
    const [q1, q2] = a.questions.filter((q) => q.type === 'single' || q.type === 'short');
    at(deadline + 10_000);
    const res = await save(me.auth, a.id, [
      { ...rightAnswer(w.questions, q1), answeredAt: iso(deadline - 1_000) },
      { ...rightAnswer(w.questions, q2), answeredAt: iso(deadline + 5_000) },
    ]).expect(200);
    expect(res.body).toMatchObject({ saved: [q1.id], late: [q2.id] });
    // Only late answers: none saved, and the attempt can still be handed in.
    const late = await save(me.auth, a.id, [{ ...rightAnswer(w.questions, q2) }]).expect(200);
    expect(late.body).toMatchObject({ status: 'in_progress', saved: [], late: [q2.id] });
    // Past the grace, a save closes the attempt as of its deadline.
    at(deadline + 31_000);
    await save(me.auth, a.id, [{ ...rightAnswer(w.questions, q2), answeredAt: iso(deadline - 500) }]).expect(409);
    const read = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    expect(read).toMatchObject({ status: 'finished', finishedBy: 'deadline' });
    expect(new Date(read.finishedAt!).getTime()).toBe(deadline);
    expect(read.score).toBe(2); // q1 (2 points) only: q2 came late
  });

  it('counts a hand-in within the grace as finished at the deadline, and refuses one after it', async () => {
    const w = await setup({ timeLimitSeconds: 60 });
    const [me, other] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const b = (await start(other.auth, w.quiz.id).expect(201)).body as Attempt;
    at(new Date(a.deadline).getTime() + 5_000);
    const ok = await submit(me.auth, a.id).expect(200);
    expect(new Date(ok.body.finishedAt as string).getTime()).toBe(new Date(a.deadline).getTime());
    at(new Date(b.deadline).getTime() + 30_001);
    const refused = await submit(other.auth, b.id).expect(409);
    expect(refused.body).toMatchObject({ code: 'ATTEMPT_CLOSED' });
    const row = await t.ds.query(`SELECT status, finished_by FROM quiz_attempts WHERE id = $1`, [b.id]);
    expect(row).toEqual([{ status: 'finished', finished_by: 'deadline' }]);
  });

  it('refuses a start before the quiz opens, after it closes, with no attempts left, or without a seat', async () => {
    const w = await setup({ attemptsAllowed: 1 });
    const [me] = w.trainees;
    const now = Date.now();
    at(now - 2 * HOUR);
    expect((await start(me.auth, w.quiz.id).expect(409)).body.code).toBe('QUIZ_NOT_OPEN');
    at(now + 2 * HOUR);
    expect((await start(me.auth, w.quiz.id).expect(409)).body.code).toBe('QUIZ_CLOSED');
    jest.restoreAllMocks();
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    await submit(me.auth, a.id).expect(200);
    const none = await start(me.auth, w.quiz.id).expect(409);
    expect(none.body).toMatchObject({ code: 'QUIZ_NO_ATTEMPTS_LEFT', allowed: 1 });
    expect((await start(w.withdrawn.auth, w.quiz.id).expect(404)).body.code).toBe('QUIZ_NOT_FOUND');
    await start(w.trainer.auth, w.quiz.id).expect(403);
  });

  it('keeps an attempt as it was drawn when the bank changes afterwards', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const single = w.questions.find((q) => q.type === 'single')!;
    await save(me.auth, a.id, [{ questionId: single.id, optionIds: [single.options[0].id] }]).expect(200);
    // The author rewrites the question and makes another option the right one, then deletes it.
    const options = single.options.map((o, i) => ({ ...o, text: `改过的${i}`, correct: i === 1, fraction: null }));
    await t.ds.query(`UPDATE questions SET prompt = '改过的题', options = $2, version = version + 1 WHERE id = $1`, [
      single.id,
      JSON.stringify(options),
    ]);
    await t.ds.query(`UPDATE questions SET deleted_at = now() WHERE id = $1`, [single.id]);
    const read = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    const shown = read.questions.find((q) => q.id === single.id)!;
    expect(shown.options!.map((o) => o.text).sort()).toEqual(['Ctrl+C', 'Ctrl+V', 'Ctrl+X']);
    const result = await submit(me.auth, a.id).expect(200);
    expect(result.body.score).toBe(2);
  });

  it('draws N questions per category, shuffled per attempt and stable within it', async () => {
    const w = await setup({ questionIds: undefined, draw: [{ category: '基础', count: 3 }], attemptsAllowed: 1 });
    const seen = new Set<string>();
    for (const me of w.trainees) {
      const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
      expect(a.questions).toHaveLength(3);
      a.questions.forEach((q) => seen.add(q.id));
      const read = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
      expect(read.questions.map((q) => q.id)).toEqual(a.questions.map((q) => q.id));
      expect(read.questions.map((q) => q.options?.map((o) => o.id))).toEqual(
        a.questions.map((q) => q.options?.map((o) => o.id)),
      );
      const result = await submit(me.auth, a.id).expect(200);
      expect(result.body.maxScore).toBe(
        a.questions.reduce(
          (s, q) =>
            s + ({ single: 2, multiple: 3, truefalse: 1, short: 2, numerical: 2 } as Record<string, number>)[q.type],
          0,
        ),
      );
    }
    for (const id of seen) expect(w.questions.map((q) => q.id)).toContain(id);
  });

  it('shows right answers to the trainee only under answers_after_close once the quiz closed, to staff always', async () => {
    const w = await setup({ reviewPolicy: 'answers_after_close' });
    const [me, other] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    await submit(me.auth, a.id).expect(200);
    const before = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    expect(before).toMatchObject({ status: 'finished', review: false, score: 0, percent: 0, passed: false });
    expect(JSON.stringify(before)).not.toContain('correct');
    const staff = (await http.get(`/api/attempts/${a.id}`).set('Authorization', w.trainer.auth).expect(200))
      .body as Attempt;
    expect(staff.review).toBe(true);
    expect(staff.questions.find((q) => q.type === 'single')).toMatchObject({ feedback: '记住：C 是 Copy。', score: 0 });
    // Another trainee keeps the quiz open for herself until tomorrow: still no answers after the quiz's close.
    await http
      .put(`/api/quizzes/${w.quiz.id}/overrides/${other.user.id}`)
      .set('Authorization', w.admin.auth)
      .send({ closesAt: iso(Date.now() + 24 * HOUR) })
      .expect(200);
    at(Date.now() + 2 * HOUR);
    expect(((await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth)).body as Attempt).review).toBe(
      false,
    );
    // Someone still answering at the close (her override's) keeps the answers hidden through the grace and until
    // her attempt is closed.
    const hers = (await start(other.auth, w.quiz.id).expect(201)).body as Attempt;
    const lastClose = Date.now() + 24 * HOUR;
    await http
      .put(`/api/quizzes/${w.quiz.id}/overrides/${other.user.id}`)
      .set('Authorization', w.admin.auth)
      .send({ closesAt: iso(lastClose), extraTimeSeconds: 86400 })
      .expect(200);
    at(lastClose + 5_000);
    expect(((await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth)).body as Attempt).review).toBe(
      false,
    );
    at(lastClose + 31_000);
    expect(((await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth)).body as Attempt).review).toBe(
      false,
    );
    await http.get(`/api/attempts/${hers.id}`).set('Authorization', other.auth).expect(200);
    const after = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    expect(after.review).toBe(true);
    const single = w.questions.find((q) => q.type === 'single')!;
    expect(after.questions.find((q) => q.id === single.id)!.correct).toMatchObject({
      optionIds: [single.options[0].id],
    });
  });

  it('keeps score_only reviews to the score, even after the close', async () => {
    const w = await setup();
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    await submit(me.auth, a.id).expect(200);
    at(Date.now() + 3 * HOUR);
    const read = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    expect(read).toMatchObject({ review: false, score: 0 });
    expect(JSON.stringify(read)).not.toMatch(/"correct"|"feedback"/);
  });

  it('never moves a deadline before now, so answers given since are graded and none after it', async () => {
    const w = await setup({ timeLimitSeconds: 600 });
    const [me] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    const started = new Date(a.startedAt).getTime();
    at(started + 300_000);
    await save(
      me.auth,
      a.id,
      a.questions.map((q) => rightAnswer(w.questions, q)),
    ).expect(200);
    await http
      .patch(`/api/quizzes/${w.quiz.id}`)
      .set('Authorization', w.trainer.auth)
      .send({ timeLimitSeconds: 60 })
      .expect(200);
    const [row] = await t.ds.query<{ deadline: Date }[]>(`SELECT deadline FROM quiz_attempts WHERE id = $1`, [a.id]);
    expect(row.deadline.getTime()).toBe(started + 300_000);
    at(started + 400_000);
    const read = (await http.get(`/api/attempts/${a.id}`).set('Authorization', me.auth).expect(200)).body as Attempt;
    expect(read).toMatchObject({ status: 'finished', finishedBy: 'deadline', score: 10 });
  });

  it('shows a question’s picture to a trainee once an attempt of hers holds it, and to nobody else outside', async () => {
    const w = await setup();
    const [me, other] = w.trainees;
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
      Buffer.from('0000000049454e44ae426082', 'hex'),
    ]);
    const single = w.questions.find((q) => q.type === 'single')!;
    const put = await http
      .put(`/api/questions/${single.id}/image`)
      .set('Authorization', w.trainer.auth)
      .attach('file', png, 'shot.png')
      .expect(200);
    const url = put.body.imageUrl as string;
    await http.get(url).set('Authorization', me.auth).expect(404);
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as { questions: { id: string; imageUrl: string }[] };
    expect(a.questions.find((q) => q.id === single.id)!.imageUrl).toBe(url);
    await http.get(url).set('Authorization', me.auth).expect(200);
    await http.get(url).set('Authorization', other.auth).expect(404);
    await http.get(url).set('Authorization', w.otherAdmin.auth).expect(404);
  });

  it('lists a quiz’s attempts for its staff and a trainee’s own, closing overdue ones first', async () => {
    const w = await setup({ timeLimitSeconds: 60 });
    const [me, other] = w.trainees;
    const a = (await start(me.auth, w.quiz.id).expect(201)).body as Attempt;
    await start(other.auth, w.quiz.id).expect(201);
    await submit(other.auth, ((await start(other.auth, w.quiz.id)).body as Attempt).id).expect(200);
    at(new Date(a.deadline).getTime() + 31_000);
    const list = await http.get(`/api/quizzes/${w.quiz.id}/attempts`).set('Authorization', w.trainer.auth).expect(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((i: { status: string; finishedBy: string }) => [i.status, i.finishedBy]).sort()).toEqual(
      [
        ['finished', 'deadline'],
        ['finished', 'trainee'],
      ],
    );
    await http.get(`/api/quizzes/${w.quiz.id}/attempts`).set('Authorization', me.auth).expect(403);
    await http.get(`/api/quizzes/${w.quiz.id}/attempts`).set('Authorization', w.otherAdmin.auth).expect(404);
    const mine = await http.get('/api/me/attempts').set('Authorization', me.auth).expect(200);
    expect(mine.body).toMatchObject({ total: 1, items: [{ id: a.id, quizTitle: '单元测验', status: 'finished' }] });
  });
});

describe('attempt deadlines and closing reminders run as jobs (e2e)', () => {
  let t: TestApp;
  let w: TestWorker;
  let http: TestAgent;

  beforeAll(async () => {
    t = await startTestApp({ QUIZ_GRACE_SECONDS: '0', QUIZ_CLOSING_REMINDER_MINUTES: '2' });
    http = t.http;
    w = await startTestWorker(t);
  });
  afterAll(async () => {
    await w?.close();
    await t?.close();
  });

  it('closes and grades an attempt at its deadline, dated at the deadline, with the answers saved before it', async () => {
    const world = await quizWorld(http, t.ds);
    const quiz = await postQuiz(http, world.admin.auth, world, {
      title: '限时测验',
      gradingMethod: 'last',
      passPercent: 50,
      timeLimitSeconds: 2,
    });
    const [me] = world.trainees;
    const a = (await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', me.auth).expect(201))
      .body as Attempt;
    const q = a.questions.find((x) => x.type === 'multiple')!;
    await http
      .put(`/api/attempts/${a.id}/answers`)
      .set('Authorization', me.auth)
      .send({ answers: [rightAnswer(world.questions, q)] })
      .expect(200);
    const row = await waitFor('the attempt closed by its job', async () => {
      const [r] = await t.ds.query<{ status: string; finished_at: Date; finished_by: string; score: string }[]>(
        `SELECT status, finished_at, finished_by, score FROM quiz_attempts WHERE id = $1`,
        [a.id],
      );
      return r.status === 'finished' && r;
    });
    expect(row.finished_by).toBe('deadline');
    expect(row.finished_at.getTime()).toBe(new Date(a.deadline).getTime());
    expect(Number(row.score)).toBe(3);
  });

  it('re-creates a closing job Redis lost, so the attempt still closes on time', async () => {
    const world = await quizWorld(http, t.ds);
    const quiz = await postQuiz(http, world.admin.auth, world, {
      title: '丢了任务的测验',
      questionIds: [world.questions[0].id],
      gradingMethod: 'first',
      passPercent: 60,
      timeLimitSeconds: 1,
    });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { getQueueToken } = require('@nestjs/bullmq') as typeof import('@nestjs/bullmq');
    const { QuizSchedulingService } =
      require('../../src/quizzes/quiz-scheduling.service') as typeof import('../../src/quizzes/quiz-scheduling.service');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const queue = t.app.get<Queue>(getQueueToken('quizzes'));
    await queue.pause();
    const a = (await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', world.trainees[0].auth))
      .body as Attempt;
    const jobId = `quizzes.close.${a.id}.${new Date(a.deadline).getTime()}`;
    await waitFor('the closing job', () => queue.getJob(jobId));
    await queue.remove(jobId);
    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await w.context.get(QuizSchedulingService).reconcile()).toBeGreaterThanOrEqual(1);
    expect(await queue.getJob(jobId)).toBeDefined();
    await queue.resume();
    const [row] = await waitFor('the attempt closed', async () => {
      const rows = await t.ds.query<{ status: string; finished_by: string }[]>(
        `SELECT status, finished_by FROM quiz_attempts WHERE id = $1`,
        [a.id],
      );
      return rows[0]?.status === 'finished' && rows;
    });
    expect(row.finished_by).toBe('deadline');
  });

  it('reminds the trainees who have not handed in before the quiz closes, once', async () => {
    const world = await quizWorld(http, t.ds);
    const quiz = await postQuiz(http, world.trainer.auth, world, {
      title: '结业测验',
      questionIds: [world.questions[0].id],
      closesAt: iso(Date.now() + 24 * HOUR),
      gradingMethod: 'highest',
      passPercent: 60,
    });
    const [done, started] = world.trainees;
    const a = (await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', done.auth).expect(201))
      .body as Attempt;
    await http.post(`/api/attempts/${a.id}/submit`).set('Authorization', done.auth).expect(200);
    await http.post(`/api/quizzes/${quiz.id}/attempts`).set('Authorization', started.auth).expect(201);
    // The close moves to 1 minute away: its reminder (2 minutes before) is due at once.
    const moved = await http
      .patch(`/api/quizzes/${quiz.id}`)
      .set('Authorization', world.trainer.auth)
      .send({ closesAt: iso(Date.now() + 60_000) })
      .expect(200);
    const told = await waitFor('the closing reminders', async () => {
      const rows = await t.ds.query<{ user_id: string }[]>(
        `SELECT user_id FROM notifications WHERE template = 'quiz-closing' AND about_id = $1 AND channel = 'inbox'`,
        [quiz.id],
      );
      return rows.length >= 2 && rows;
    });
    expect(told.map((r) => r.user_id).sort()).toEqual([started.user.id, world.trainees[2].user.id].sort());
    const [inbox] = (await http.get('/api/me/notifications').set('Authorization', started.auth).expect(200)).body
      .items as { title: string }[];
    expect(JSON.stringify(inbox)).toContain('结业测验');
    // The job running again (a retry, the reconciler) tells nobody twice.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { QuizSchedulingService } =
      require('../../src/quizzes/quiz-scheduling.service') as typeof import('../../src/quizzes/quiz-scheduling.service');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const again = await w.context
      .get(QuizSchedulingService)
      .sendClosingReminder({ quizId: quiz.id, closesAt: moved.body.closesAt as string });
    expect(again).toBe(0);
  });
});
