import type { Clock as ClockType } from '../../src/common/time/clock';
import { outsider, postQuiz, quizWorld } from '../factories/quiz-world';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, getPage, scriptRequest, signInPage, submitForm } from '../support/web-pages';

interface ShownQuestion {
  id: string;
  type: string;
  options: { id: string; text: string }[] | null;
}

const HOUR = 3_600_000;

/** The pages of 测验 over HTTP: every route, its refusals, and the rules that matter under load (e2e). */
describe('web pages: quizzes (e2e)', () => {
  let t: TestApp;
  let clock: ClockType;

  beforeAll(async () => {
    t = await startTestApp({ QUIZ_GRACE_SECONDS: '30' });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Clock } = require('../../src/common/time/clock') as typeof import('../../src/common/time/clock');
    /* eslint-enable @typescript-eslint/no-require-imports */
    clock = t.app.get(Clock);
  });
  afterAll(() => t?.close());
  afterEach(() => jest.restoreAllMocks());

  const at = (ms: number) => jest.spyOn(clock, 'now').mockReturnValue(new Date(ms));

  /** The quiz world (five question types, three seated trainees) with a 10-minute quiz, the first trainee signed in. */
  async function world(fields: Record<string, unknown> = {}) {
    const w = await quizWorld(t.http, t.ds);
    const quiz = await postQuiz(t.http, w.trainer.auth, w, { title: '电脑基础测验', timeLimitSeconds: 600, ...fields });
    const me = await signInPage(t.http, w.trainees[0].user.username);
    return { ...w, quiz, me };
  }

  /** Starts (or resumes) the attempt through the start form: its id and the question it opened at. */
  async function startAttempt(b: Browser, quizId: string): Promise<{ id: string; at: number }> {
    const res = await submitForm(t.http, b, `/quizzes/${quizId}`).expect(303);
    const m = /^\/attempts\/([0-9a-f-]{36})\/q\/(\d+)$/.exec(String(res.headers.location));
    if (!m) throw new Error(`start went to ${res.headers.location}`);
    return { id: m[1], at: Number(m[2]) };
  }

  /** The attempt's questions in its order, as the API shows them to the trainee. */
  async function questionsOf(w: { trainees: { auth: string }[] }, attemptId: string): Promise<ShownQuestion[]> {
    const res = await t.http.get(`/api/attempts/${attemptId}`).set('Authorization', w.trainees[0].auth).expect(200);
    return res.body.questions as ShownQuestion[];
  }

  const answersOf = (attemptId: string) =>
    t.ds.query<{ question_id: string; response: unknown; answered_at: Date }[]>(
      `SELECT question_id, response, answered_at FROM attempt_answers WHERE attempt_id = $1`,
      [attemptId],
    );

  it('lists my open quizzes with time limit, deadline and attempts left, and sends others away', async () => {
    const w = await world({ attemptsAllowed: 2 });
    const res = await getPage(t.http, w.me, '/quizzes').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('现在可以做的测验');
    expect(res.text).toContain('电脑基础测验');
    expect(res.text).toContain('10 分钟');
    expect(res.text).toContain('还能做 2 次');
    expect(res.text).toContain(`href="/quizzes/${w.quiz.id}"`);
    expect(res.text).toContain('你还没有做完的测验');
    // The tab bar marks 测验.
    expect(res.text).toMatch(/<a class="tabs__tab" href="\/quizzes" aria-current="page">测验<\/a>/);

    // Signed out: to the login page, and back here afterwards.
    const out = await t.http.get('/quizzes').set('Accept', 'text/html').expect(303);
    expect(out.headers.location).toBe('/login?next=%2Fquizzes');
    // A trainer: a page saying quizzes are for trainees.
    const trainer = await signInPage(t.http, w.trainer.user.username);
    const refused = await getPage(t.http, trainer, '/quizzes').expect(403);
    expect(refused.text).toContain('测验是给学员做的');
    // Another county's trainee sees none of it.
    const other = await outsider(t.http, t.ds, w.tree.townshipB1);
    const stranger = await signInPage(t.http, other.user.username);
    const empty = await getPage(t.http, stranger, '/quizzes').expect(200);
    expect(empty.text).not.toContain('电脑基础测验');
    expect(empty.text).toContain('现在没有要做的测验');
  });

  it('shows one quiz with its start button; 404 for quizzes out of reach, 400 for a bad address, 403 for staff', async () => {
    const w = await world();
    const res = await getPage(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(200);
    expect(res.text).toContain('<h1>电脑基础测验</h1>');
    expect(res.text).toContain('5 道题');
    expect(res.text).toContain('开始答题');
    expect(res.text).toContain(`action="/quizzes/${w.quiz.id}"`);

    await getPage(t.http, w.me, '/quizzes/7d3c3b7e-8d8e-4b7a-9b8e-2f4d7c1a0b9c').expect(404);
    const bad = await getPage(t.http, w.me, '/quizzes/not-a-quiz').expect(404);
    expect(bad.text).toContain('找不到这个页面');
    const other = await outsider(t.http, t.ds, w.tree.townshipB1);
    await getPage(t.http, await signInPage(t.http, other.user.username), `/quizzes/${w.quiz.id}`).expect(404);
    const trainer = await signInPage(t.http, w.trainer.user.username);
    await getPage(t.http, trainer, `/quizzes/${w.quiz.id}`).expect(403);
    await submitForm(t.http, trainer, `/quizzes/${w.quiz.id}`).expect(403);
  });

  it('starts with the form token only, and a second start resumes the same attempt at the first unanswered question', async () => {
    const w = await world();
    const noToken = await t.http.post(`/quizzes/${w.quiz.id}`).set('Cookie', w.me.cookie).type('form').send({});
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('页面已过期');
    expect(await t.ds.query(`SELECT id FROM quiz_attempts WHERE quiz_id = $1`, [w.quiz.id])).toEqual([]);

    const first = await startAttempt(w.me, w.quiz.id);
    expect(first.at).toBe(1);
    const [q1] = await questionsOf(w, first.id);
    await submitForm(t.http, w.me, `/attempts/${first.id}/q/1`, answerFields(q1)).expect(303);
    const again = await startAttempt(w.me, w.quiz.id);
    expect(again).toEqual({ id: first.id, at: 2 });
    // The list and the quiz page offer to go on with it.
    expect((await getPage(t.http, w.me, '/quizzes').expect(200)).text).toContain('接着答题');
    expect((await getPage(t.http, w.me, `/attempts/${first.id}`).expect(303)).headers.location).toBe(
      `/attempts/${first.id}/q/2`,
    );
  });

  it('refuses a start when no attempts are left, saying what to do next', async () => {
    const w = await world({ attemptsAllowed: 1 });
    const a = await startAttempt(w.me, w.quiz.id);
    await submitForm(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303);
    const res = await submitForm(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(409);
    expect(res.text).toContain('您已经答完允许的 1 次');
    expect(res.text).toContain('可以在“做完的测验”里看成绩');
    // The quiz's page says so too, without a start button.
    const intro = await getPage(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(200);
    expect(intro.text).toContain('你的答题次数已经用完了');
    expect(intro.text).not.toContain('开始答题</button>');
  });

  /** `count` handed-in attempts of a trainee, numbered from `from`: what a long quiz history looks like. */
  const finishedAttempts = (quizId: string, traineeId: string, from: number, to: number) =>
    t.ds.query(
      `INSERT INTO quiz_attempts (quiz_id, trainee_id, number, status, started_at, deadline, finished_at, finished_by,
                                  questions, max_score, score, percent, passed)
       SELECT $1, $2, n, 'finished', now() - interval '2 hours', now() - interval '110 minutes',
              now() - interval '110 minutes', 'trainee', '[]'::jsonb, 10, 5, 50, false
         FROM generate_series($3::int, $4::int) AS n`,
      [quizId, traineeId, from, to],
    );

  it("counts every attempt and applies the trainee's override as a start does, past 100 attempts too", async () => {
    const w = await world({ attemptsAllowed: 100 });
    const me = w.trainees[0].user;
    const quizClose = new Date(w.quiz.closesAt).getTime();
    const ownClose = quizClose + 24 * HOUR;
    await t.http
      .put(`/api/quizzes/${w.quiz.id}/overrides/${me.id}`)
      .set('Authorization', w.trainer.auth)
      .send({ extraAttempts: 5, closesAt: new Date(ownClose).toISOString().replace('Z', '+00:00') })
      .expect(200);
    await finishedAttempts(w.quiz.id, me.id, 1, 101);

    // Past the quiz's close but before her own: open for her, with 100 + 5 - 101 tries left.
    at(quizClose + HOUR);
    expect((await getPage(t.http, w.me, '/quizzes').expect(200)).text).toContain('还能做 4 次');
    const open = await getPage(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(200);
    expect(open.text).toContain('还能做 4 次');
    expect(open.text).toContain('开始答题</button>');

    // Past her own close: closed, on the page and for a start.
    at(ownClose + 60_000);
    const closed = await getPage(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(200);
    expect(closed.text).toContain('这个测验已经结束了');
    expect(closed.text).not.toContain('开始答题</button>');
    expect((await getPage(t.http, w.me, '/quizzes').expect(200)).text).not.toContain(`href="/quizzes/${w.quiz.id}"`);
    expect((await submitForm(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(409)).text).toContain('测验已经在');

    // Every try used (105): none left, on the page and for a start.
    at(quizClose + HOUR);
    await finishedAttempts(w.quiz.id, me.id, 102, 105);
    const used = await getPage(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(200);
    expect(used.text).toContain('你的答题次数已经用完了');
    expect(used.text).not.toContain('开始答题</button>');
    expect((await submitForm(t.http, w.me, `/quizzes/${w.quiz.id}`).expect(409)).text).toContain(
      '您已经答完允许的 105 次',
    );
  });

  it('shows one question per screen with progress; the others are hidden forms; wrong numbers are 404', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const questions = await questionsOf(w, a.id);
    const res = await getPage(t.http, w.me, `/attempts/${a.id}/q/3`).expect(200);
    expect(res.text).toContain('题目 3/5');
    expect(res.text).toContain('data-deadline="');
    expect(res.text).toContain('data-now="');
    expect(res.text).toContain('网络不稳定，答案已暂存');
    expect(res.text).toMatch(/<script src="\/static\/quiz\.[0-9a-f]{8}\.js" defer><\/script>/);
    const shown = [...res.text.matchAll(/<form class="form quiz-q"[^>]*data-n="(\d)"[^>]*?( hidden)?>/g)];
    expect(shown.map((m) => [m[1], !!m[2]])).toEqual([
      ['1', true],
      ['2', true],
      ['3', false],
      ['4', true],
      ['5', true],
    ]);
    // Large options: radios for single choice and true/false, checkboxes for multiple, text for the rest.
    const single = questions.findIndex((q) => q.type === 'single') + 1;
    const html = (await getPage(t.http, w.me, `/attempts/${a.id}/q/${single}`).expect(200)).text;
    expect(html).toMatch(new RegExp(`<label class="choice quiz-option" for="q${single}-o0"><input type="radio"`));
    const multiple = questions.findIndex((q) => q.type === 'multiple') + 1;
    expect(html).toMatch(new RegExp(`for="q${multiple}-o1"><input type="checkbox" id="q${multiple}-o1" name="opt1"`));
    expect(html).toContain('正确');

    for (const n of ['0', '6', 'x', '1.5']) await getPage(t.http, w.me, `/attempts/${a.id}/q/${n}`).expect(404);
    const someoneElse = await signInPage(t.http, w.trainees[1].user.username);
    await getPage(t.http, someoneElse, `/attempts/${a.id}/q/1`).expect(404);
    await getPage(t.http, w.me, '/attempts/00000000-0000-4000-8000-000000000000/q/1').expect(404);
  });

  it('saves each screen’s answer without JavaScript and goes on, back, or to the hand-in', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    const next1 = await submitForm(t.http, w.me, `/attempts/${a.id}/q/1`, {
      ...answerFields(qs[0]),
      go: 'next',
    }).expect(303);
    expect(next1.headers.location).toBe(`/attempts/${a.id}/q/2`);
    const back = await submitForm(t.http, w.me, `/attempts/${a.id}/q/2`, { ...answerFields(qs[1]), go: 'prev' }).expect(
      303,
    );
    expect(back.headers.location).toBe(`/attempts/${a.id}/q/1`);
    const toHandIn = await submitForm(t.http, w.me, `/attempts/${a.id}/q/3`, {
      ...answerFields(qs[2]),
      go: 'hand-in',
    }).expect(303);
    expect(toHandIn.headers.location).toBe(`/attempts/${a.id}/hand-in`);
    const last = await submitForm(t.http, w.me, `/attempts/${a.id}/q/5`, { ...answerFields(qs[4]), go: 'next' }).expect(
      303,
    );
    expect(last.headers.location).toBe(`/attempts/${a.id}/hand-in`);
    // Nothing chosen: nothing saved, and on to the next.
    await submitForm(t.http, w.me, `/attempts/${a.id}/q/4`, { go: 'next' }).expect(303);
    const saved = await answersOf(a.id);
    expect(saved.map((r) => r.question_id).sort()).toEqual([qs[0].id, qs[1].id, qs[2].id, qs[4].id].sort());
    // The page shows the saved answer again.
    const again = await getPage(t.http, w.me, `/attempts/${a.id}/q/1`).expect(200);
    const firstForm = again.text.split('data-n="1"')[1].split('</form>')[0];
    expect(firstForm).toMatch(['short', 'numerical'].includes(qs[0].type) ? /value="(图书馆|3,5)"/ : / checked>/);

    // An option of another question: 400, the same screen with a Chinese explanation.
    const wrong = await submitForm(t.http, w.me, `/attempts/${a.id}/q/${indexOf(qs, 'single')}`, {
      opt: 'true',
    }).expect(400);
    expect(wrong.text).toContain('这个答案填得不对');
    // Without the form token: 403, nothing saved.
    const before = await answersOf(a.id);
    await t.http
      .post(`/attempts/${a.id}/q/4`)
      .set('Cookie', w.me.cookie)
      .type('form')
      .send(answerFields(qs[3]))
      .expect(403);
    expect(await answersOf(a.id)).toEqual(before);
  });

  it('saves answers sent as JSON by the page’s script, with its form token only', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    const tf = qs.find((q) => q.type === 'truefalse')!;
    const res = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['true'] }] })
      .expect(200);
    expect(res.body).toMatchObject({ id: a.id, status: 'in_progress', saved: [tf.id], stale: [], late: [] });
    expect(typeof res.body.now).toBe('string');
    expect(typeof res.body.deadline).toBe('string');

    const noToken = await t.http
      .put(`/attempts/${a.id}/answers`)
      .set('Cookie', w.me.cookie)
      .set('Accept', 'application/json')
      .send({ answers: [{ questionId: tf.id, optionIds: ['false'] }] })
      .expect(403);
    expect(noToken.body).toMatchObject({ statusCode: 403, code: 'CSRF_REJECTED' });
    const signedOut = await t.http
      .put(`/attempts/${a.id}/answers`)
      .set('Accept', 'application/json')
      .send({ answers: [{ questionId: tf.id, optionIds: ['false'] }] })
      .expect(401);
    expect(signedOut.body).toMatchObject({ code: 'UNAUTHORIZED' });
    // Bad bodies: 400 with the API's error, nothing saved.
    const invalid = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [] })
      .expect(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id }], x: 1 })
      .expect(400);
    const foreign = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['maybe'] }] })
      .expect(400);
    expect(foreign.body).toMatchObject({ code: 'ATTEMPT_ANSWERS_INVALID' });
    // Not mine: 404; staff: 403.
    const someoneElse = await signInPage(t.http, w.trainees[1].user.username);
    await scriptRequest(t.http, someoneElse, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['false'] }] })
      .expect(404);
    const trainer = await signInPage(t.http, w.trainer.user.username);
    const staff = await scriptRequest(t.http, trainer, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['false'] }] })
      .expect(403);
    expect(staff.body).toMatchObject({ code: 'FORBIDDEN' });
    await scriptRequest(t.http, trainer, 'get', `/attempts/${a.id}/state`).expect(403);
    expect((await answersOf(a.id)).map((r) => r.response)).toEqual([{ type: 'truefalse', value: true }]);
  });

  it('never lets a late resend of an older answer overwrite a newer one', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const single = (await questionsOf(w, a.id)).find((q) => q.type === 'single')!;
    const [first, second] = single.options!;
    // Two minutes into the attempt (answers count as given between its start and the server's now).
    const started = Date.now();
    at(started + 120_000);
    const newer = new Date(started + 100_000).toISOString();
    const older = new Date(started + 80_000).toISOString();
    // The newer answer arrives first (sent online); the outbox's older one arrives after it.
    await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: single.id, optionIds: [second.id], answeredAt: newer }] })
      .expect(200);
    const late = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: single.id, optionIds: [first.id], answeredAt: older }] })
      .expect(200);
    expect(late.body).toMatchObject({ saved: [], stale: [single.id] });
    const [row] = await answersOf(a.id);
    expect(row.response).toEqual({ type: 'single', optionId: second.id });
    expect(row.answered_at.toISOString()).toBe(newer);
    // The same resend again (a retry) changes nothing either.
    await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: single.id, optionIds: [first.id], answeredAt: older }] })
      .expect(200);
    expect((await answersOf(a.id))[0].response).toEqual({ type: 'single', optionId: second.id });
  });

  it('keeps the last given answer when many saves arrive at once, in any order', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    const single = qs.find((q) => q.type === 'single')!;
    const short = qs.find((q) => q.type === 'short')!;
    const started = Date.now();
    at(started + 120_000);
    const base = started + 30_000;
    // Twelve answers to two questions, given a second apart, sent at once in shuffled order.
    const sends = Array.from({ length: 12 }, (_, i) => i)
      .sort(() => Math.random() - 0.5)
      .map((i) => {
        const answeredAt = new Date(base + i * 1000).toISOString();
        const answer =
          i % 2 === 0
            ? { questionId: single.id, optionIds: [single.options![i % 3].id], answeredAt }
            : { questionId: short.id, text: `答案${i}`, answeredAt };
        return scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`).send({ answers: [answer] });
      });
    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    const rows = new Map((await answersOf(a.id)).map((r) => [r.question_id, r]));
    expect(rows.get(single.id)!.response).toEqual({ type: 'single', optionId: single.options![10 % 3].id });
    expect(rows.get(single.id)!.answered_at.toISOString()).toBe(new Date(base + 10_000).toISOString());
    expect(rows.get(short.id)!.response).toEqual({ type: 'short', text: '答案11' });
  });

  it('refuses answers after the deadline and shows that the server handed it in', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    const tf = qs.find((q) => q.type === 'truefalse')!;
    const [{ deadline }] = await t.ds.query<{ deadline: Date }[]>(`SELECT deadline FROM quiz_attempts WHERE id = $1`, [
      a.id,
    ]);
    // In the grace after the deadline: an answer given now is late, not saved.
    at(deadline.getTime() + 5_000);
    const late = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['true'] }] })
      .expect(200);
    expect(late.body).toMatchObject({ saved: [], late: [tf.id] });
    const waiting = await scriptRequest(t.http, w.me, 'get', `/attempts/${a.id}/state`).expect(200);
    expect(waiting.body).toMatchObject({ status: 'in_progress', finishedBy: null });
    // The form without JavaScript: to the result page, which says the server is handing it in.
    const formLate = await submitForm(t.http, w.me, `/attempts/${a.id}/q/${indexOf(qs, 'truefalse')}`, {
      opt: 'true',
    }).expect(303);
    expect(formLate.headers.location).toBe(`/attempts/${a.id}/result`);
    expect((await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200)).text).toContain('系统正在替你交卷');

    // Past the grace: refused (409), and the server has handed it in, as the page's poll hears.
    at(deadline.getTime() + 31_000);
    const closed = await scriptRequest(t.http, w.me, 'put', `/attempts/${a.id}/answers`)
      .send({ answers: [{ questionId: tf.id, optionIds: ['true'] }] })
      .expect(409);
    expect(closed.body).toMatchObject({ code: 'ATTEMPT_CLOSED' });
    const state = await scriptRequest(t.http, w.me, 'get', `/attempts/${a.id}/state`).expect(200);
    expect(state.body).toMatchObject({
      status: 'finished',
      finishedBy: 'deadline',
      result: `/attempts/${a.id}/result`,
    });
    expect(await answersOf(a.id)).toEqual([]);
    const result = await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200);
    expect(result.text).toContain('时间到了，系统已经替你交卷');
    expect(result.text).toContain('0 / 10');
    // The question pages and the form send there too.
    expect((await getPage(t.http, w.me, `/attempts/${a.id}/q/1`).expect(303)).headers.location).toBe(
      `/attempts/${a.id}/result`,
    );
    expect((await submitForm(t.http, w.me, `/attempts/${a.id}/q/1`, { opt: 'x' }).expect(303)).headers.location).toBe(
      `/attempts/${a.id}/result`,
    );
  });

  it('confirms the hand-in with the unanswered count, then shows the score without the answers (score only)', async () => {
    const w = await world();
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    await submitForm(t.http, w.me, `/attempts/${a.id}/q/1`, rightFields(w, qs[0])).expect(303);
    await submitForm(t.http, w.me, `/attempts/${a.id}/q/2`, rightFields(w, qs[1])).expect(303);
    const confirm = await getPage(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(200);
    expect(confirm.text).toContain('共 5 题，你答了 2 题');
    expect(confirm.text).toContain('还有 3 题没答');
    for (const n of [3, 4, 5]) expect(confirm.text).toContain(`href="/attempts/${a.id}/q/${n}"`);
    expect(confirm.text).toContain('确认交卷');
    // Not handed in without the token.
    await t.http.post(`/attempts/${a.id}/hand-in`).set('Cookie', w.me.cookie).type('form').send({}).expect(403);
    expect((await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200)).text).toContain('还没交卷');

    const done = await submitForm(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303);
    expect(done.headers.location).toBe(`/attempts/${a.id}/result`);
    // Handing in again (a double tap) answers the same result.
    await submitForm(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303);
    const [row] = await t.ds.query(`SELECT status, finished_by, score FROM quiz_attempts WHERE id = $1`, [a.id]);
    expect(row).toMatchObject({ status: 'finished', finished_by: 'trainee' });
    const result = await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200);
    expect(result.text).toContain('你已经交卷');
    expect(result.text).toContain(`${Number(row.score)} / 10`);
    expect(result.text).toContain('只公布分数，不公布答案');
    expect(result.text).not.toContain('正确答案');
    expect((await getPage(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303)).headers.location).toBe(
      `/attempts/${a.id}/result`,
    );
    // Listed among my finished quizzes, with a link to the result.
    const list = await getPage(t.http, w.me, '/quizzes').expect(200);
    expect(list.text).toContain(`href="/attempts/${a.id}/result"`);
    // Not someone else's to read.
    await getPage(t.http, await signInPage(t.http, w.trainees[1].user.username), `/attempts/${a.id}/result`).expect(
      404,
    );
  });

  it('shows the right answers once the quiz has closed under answers_after_close', async () => {
    const w = await world({ reviewPolicy: 'answers_after_close' });
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    await submitForm(t.http, w.me, `/attempts/${a.id}/q/1`, rightFields(w, qs[0])).expect(303);
    await submitForm(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303);
    const before = await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200);
    expect(before.text).toContain('结束以后，可以在这里看每道题的正确答案');
    expect(before.text).not.toContain('Ctrl+C</dd>');

    at(new Date(w.quiz.closesAt).getTime() + 2 * HOUR);
    const after = await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200);
    expect(after.text).toContain('每道题的答案');
    expect(after.text).toContain('正确答案');
    expect(after.text).toContain('Ctrl+C');
    expect(after.text).toContain('记住：C 是 Copy。');
  });

  it('lists several right options with the separator of the page’s language', async () => {
    const w = await world({ reviewPolicy: 'answers_after_close' });
    const a = await startAttempt(w.me, w.quiz.id);
    const qs = await questionsOf(w, a.id);
    const n = indexOf(qs, 'multiple');
    await submitForm(t.http, w.me, `/attempts/${a.id}/q/${n}`, rightFields(w, qs[n - 1])).expect(303);
    await submitForm(t.http, w.me, `/attempts/${a.id}/hand-in`).expect(303);
    at(new Date(w.quiz.closesAt).getTime() + 2 * HOUR);
    const zh = await getPage(t.http, w.me, `/attempts/${a.id}/result`).expect(200);
    expect(zh.text).toMatch(/Edge、Chrome|Chrome、Edge/);
    const en = await getPage(t.http, w.me, `/attempts/${a.id}/result`).set('Accept-Language', 'en').expect(200);
    expect(en.text).toMatch(/Edge, Chrome|Chrome, Edge/);
    expect(en.text).not.toContain('、');
  });

  it('puts an open quiz on the trainee’s home page as a second action', async () => {
    const w = await world();
    const home = await getPage(t.http, w.me, '/').expect(200);
    expect(home.text).toContain('有测验要做：电脑基础测验');
    expect(home.text).toContain(
      `<a class="weui-btn weui-btn_default secondary" href="/quizzes/${w.quiz.id}">去做测验</a>`,
    );
    await startAttempt(w.me, w.quiz.id);
    expect((await getPage(t.http, w.me, '/').expect(200)).text).toContain('你有测验没答完：电脑基础测验');
  });

  it('shows a question’s picture through the page route, only to trainees whose attempt showed it', async () => {
    const w = await quizWorld(t.http, t.ds);
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
      Buffer.from('0000000049454e44ae426082', 'hex'),
    ]);
    const uploaded = await t.http
      .put(`/api/questions/${w.questions[0].id}/image`)
      .set('Authorization', w.admin.auth)
      .attach('file', png, 'shot.png')
      .expect(200);
    const imageId = String(uploaded.body.imageUrl).split('/').pop()!;
    const quiz = await postQuiz(t.http, w.trainer.auth, w, { questionIds: [w.questions[0].id] });
    const me = await signInPage(t.http, w.trainees[0].user.username);
    // Not before her attempt shows it.
    await getPage(t.http, me, `/question-images/${imageId}`).expect(404);
    const a = await startAttempt(me, quiz.id);
    const q = await getPage(t.http, me, `/attempts/${a.id}/q/1`).expect(200);
    expect(q.text).toContain(`<img class="quiz-image" src="/question-images/${imageId}" alt="第 1 题的图片"`);
    const served = await getPage(t.http, me, `/question-images/${imageId}`).buffer(true).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(Buffer.compare(served.body as Buffer, png)).toBe(0);
    await getPage(t.http, me, `/question-images/${imageId}`)
      .set('If-None-Match', String(served.headers.etag))
      .expect(304);
    const other = await signInPage(t.http, w.trainees[1].user.username);
    await getPage(t.http, other, `/question-images/${imageId}`).expect(404);
    expect((await t.http.get(`/question-images/${imageId}`).expect(303)).headers.location).toMatch(/^\/login/);
  });

  it('speaks English with Accept-Language: en', async () => {
    const w = await world();
    const list = await getPage(t.http, w.me, '/quizzes').set('Accept-Language', 'en').expect(200);
    expect(list.text).toContain('Quizzes you can take now');
    expect(list.text).toContain('10 minutes');
    const a = await startAttempt(w.me, w.quiz.id);
    const q = await getPage(t.http, w.me, `/attempts/${a.id}/q/1`).set('Accept-Language', 'en').expect(200);
    expect(q.text).toContain('Question 1/5');
    expect(q.text).toContain('Weak network: your answers are kept on the phone');
    expect(q.text).not.toMatch(/下一题|交卷/);
  });
});

function indexOf(qs: ShownQuestion[], type: string): number {
  return qs.findIndex((q) => q.type === type) + 1;
}

/** Some answer to the question, as its form sends it. */
function answerFields(q: ShownQuestion): Record<string, string> {
  switch (q.type) {
    case 'single':
    case 'truefalse':
      return { opt: q.options![0].id };
    case 'multiple':
      return { opt0: q.options![0].id, opt2: q.options![2].id };
    case 'short':
      return { text: '图书馆' };
    default:
      return { text: '3,5' };
  }
}

/** The right answer to the question, as its form sends it. */
function rightFields(
  w: { questions: { id: string; options: { id: string; correct: boolean }[] }[] },
  q: ShownQuestion,
): Record<string, string> {
  const bank = w.questions.find((b) => b.id === q.id)!;
  switch (q.type) {
    case 'single':
      return { opt: bank.options.find((o) => o.correct)!.id };
    case 'truefalse':
      return { opt: 'true' };
    case 'multiple': {
      const fields: Record<string, string> = {};
      q.options!.forEach((o, k) => {
        if (bank.options.find((b) => b.id === o.id)!.correct) fields[`opt${k}`] = o.id;
      });
      return fields;
    }
    case 'short':
      return { text: 'Library' };
    default:
      return { text: '3.5' };
  }
}
