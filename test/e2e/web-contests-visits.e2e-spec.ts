import type { Clock as ClockType } from '../../src/common/time/clock';
import { createUnit } from '../factories';
import { localDateIn } from '../factories/dates';
import { postQuiz, quizWorld } from '../factories/quiz-world';
import { startTestApp, type TestApp } from '../support/test-app';
import { formToken, getPage, postForm, signInPage } from '../support/web-pages';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** 测验实况 and 回访 for trainers, over HTTP: every route, who may see what, forms, tokens, ETag polls (e2e). */
describe('web pages: contests live and visits (e2e)', () => {
  let t: TestApp;
  let clock: ClockType;

  beforeAll(async () => {
    t = await startTestApp();
    // The app's own Clock (the test app loads its modules afresh).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Clock } = require('../../src/common/time/clock') as typeof import('../../src/common/time/clock');
    /* eslint-enable @typescript-eslint/no-require-imports */
    clock = t.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  /** The quiz world with a contest of its class that opens in an hour (or as `fields` say). */
  async function contestWorld(fields: Record<string, unknown> = {}) {
    const w = await quizWorld(t.http, t.ds);
    const contest = await postQuiz(t.http, w.trainer.auth, w, {
      title: '电脑操作竞赛',
      mode: 'contest',
      opensAt: iso(Date.now() + HOUR),
      closesAt: iso(Date.now() + 3 * HOUR),
      ...fields,
    });
    const trainer = await signInPage(t.http, w.trainer.user.username);
    return { ...w, contest, browser: trainer };
  }

  /** A trainee starts the contest and hands in at once, through the API. */
  async function handIn(auth: string, quizId: string): Promise<void> {
    const started = await t.http.post(`/api/quizzes/${quizId}/attempts`).set('Authorization', auth);
    expect([200, 201]).toContain(started.status);
    await t.http.post(`/api/attempts/${started.body.id}/submit`).set('Authorization', auth).expect(200);
  }

  const quizRow = async (id: string) =>
    (await t.ds.query(`SELECT opens_at, closes_at FROM quizzes WHERE id = $1`, [id]))[0] as {
      opens_at: Date;
      closes_at: Date;
    };

  it('lists the trainer’s contests and shows one live; trainees get 403, others’ and plain quizzes 404', async () => {
    const w = await contestWorld();
    const plain = await postQuiz(t.http, w.trainer.auth, w, { title: '普通测验' });
    // The trainer's home leads here.
    const trainerHome = await getPage(t.http, w.browser, '/').expect(200);
    expect(trainerHome.text).toContain('href="/contests">测验实况（竞赛）</a>');
    const list = await getPage(t.http, w.browser, '/contests').expect(200);
    expect(list.text).toContain('电脑操作竞赛');
    expect(list.text).toContain(w.cls.title);
    expect(list.text).toContain('还没开始');
    expect(list.text).toContain(`href="/contests/${w.contest.id}/live"`);
    expect(list.text).not.toContain('普通测验');

    const live = await getPage(t.http, w.browser, `/contests/${w.contest.id}/live`).expect(200);
    expect(live.headers['content-security-policy']).toContain("script-src 'self'");
    expect(live.headers.etag).toMatch(/^"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}"$/);
    expect(live.text).toContain('现在开始');
    expect(live.text).toContain('还没有人交卷');
    expect(live.text).toContain(`action="/contests/${w.contest.id}/start"`);
    expect(live.text).toMatch(/<script src="\/static\/live\.[0-9a-f]{8}\.js" defer><\/script>/);
    expect(live.text).toContain(`href="/contests/${w.contest.id}/live">刷新</a>`);

    const trainee = await signInPage(t.http, w.trainees[0].user.username);
    for (const path of ['/contests', `/contests/${w.contest.id}/live`, `/contests/${w.contest.id}/end`]) {
      const res = await getPage(t.http, trainee, path).expect(403);
      expect(res.text).toContain('这是老师用的页面');
    }
    const home = await getPage(t.http, trainee, '/').expect(200);
    const refused = await postForm(t.http, trainee, `/contests/${w.contest.id}/start`, {
      _csrf: formToken(home.text),
    }).expect(403);
    expect(refused.text).toContain('这是老师用的页面');

    const other = await signInPage(t.http, w.otherTrainer.user.username);
    await getPage(t.http, other, `/contests/${w.contest.id}/live`).expect(404);
    const otherList = await getPage(t.http, other, '/contests').expect(200);
    expect(otherList.text).toContain('你的班级还没有竞赛');
    const outsideAdmin = await signInPage(t.http, w.otherAdmin.user.username);
    const gone = await getPage(t.http, outsideAdmin, `/contests/${w.contest.id}/live`).expect(404);
    expect(gone.text).toContain('找不到这个测验');
    const admin = await signInPage(t.http, w.admin.user.username);
    await getPage(t.http, admin, `/contests/${w.contest.id}/live`).expect(200);

    await getPage(t.http, w.browser, `/contests/${plain.id}/live`).expect(404);
    await getPage(t.http, w.browser, '/contests/not-a-uuid/live').expect(404);
    // Signed out: to the login page, and back here after.
    const out = await t.http.get(`/contests/${w.contest.id}/live`).set('Accept', 'text/html').expect(303);
    expect(out.headers.location).toBe(`/login?next=${encodeURIComponent(`/contests/${w.contest.id}/live`)}`);
  });

  it('starts a contest now, with its form token only, and once', async () => {
    const w = await contestWorld();
    const live = await getPage(t.http, w.browser, `/contests/${w.contest.id}/live`).expect(200);
    const start = `/contests/${w.contest.id}/start`;
    const forged = await postForm(t.http, w.browser, start, {}).expect(403);
    expect(forged.text).toContain('页面已过期');
    expect((await quizRow(w.contest.id)).opens_at.getTime()).toBeGreaterThan(Date.now());

    // The app's clock, pinned: the contest opens at exactly that instant.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    jest.spyOn(clock, 'now').mockReturnValue(now);
    const started = await postForm(t.http, w.browser, start, { _csrf: formToken(live.text) }).expect(303);
    expect(started.headers.location).toBe(`/contests/${w.contest.id}/live?done=start`);
    const opensAt = (await quizRow(w.contest.id)).opens_at.getTime();
    expect(opensAt).toBe(now.getTime());
    const after = await getPage(t.http, w.browser, started.headers.location).expect(200);
    expect(after.text).toContain('竞赛已经开始');
    expect(after.text).toContain('正在进行');
    expect(after.text).toContain(`href="/contests/${w.contest.id}/end"`);
    expect(after.text).not.toContain('现在开始</button>');
    // Trainees can start now.
    await handIn(w.trainees[0].auth, w.contest.id);

    const again = await postForm(t.http, w.browser, start, { _csrf: formToken(live.text) }).expect(409);
    expect(again.text).toContain('竞赛已经开始了');
    expect((await quizRow(w.contest.id)).opens_at.getTime()).toBe(opensAt);
  });

  it('starts and ends a contest once when two trainers tap at the same moment', async () => {
    const w = await contestWorld();
    const admin = await signInPage(t.http, w.admin.user.username);
    const tokens = await Promise.all(
      [w.browser, admin].map(async (b) =>
        formToken((await getPage(t.http, b, `/contests/${w.contest.id}/live`).expect(200)).text),
      ),
    );
    const both = (action: 'start' | 'end') =>
      Promise.all(
        [w.browser, admin].map((b, i) =>
          postForm(t.http, b, `/contests/${w.contest.id}/${action}`, { _csrf: tokens[i] }),
        ),
      );
    const starts = await both('start');
    expect(starts.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(starts.find((r) => r.status === 409)!.text).toContain('竞赛已经开始了');
    const ends = await both('end');
    expect(ends.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(ends.find((r) => r.status === 409)!.text).toContain('竞赛现在没有在进行');
    const row = await quizRow(w.contest.id);
    expect(row.closes_at.getTime()).toBeGreaterThan(row.opens_at.getTime());
  });

  it('answers a poll with 304 while nothing changed, and a new board when a trainee hands in', async () => {
    const w = await contestWorld({ opensAt: iso(Date.now() - HOUR) });
    const path = `/contests/${w.contest.id}/live`;
    await handIn(w.trainees[0].auth, w.contest.id);
    const first = await getPage(t.http, w.browser, path).expect(200);
    const etag = first.headers.etag;
    expect(first.text).toContain(w.trainees[0].user.displayName);
    expect(first.text).toContain('已交卷 1 人');
    expect(first.text).toContain(`data-etag="${etag.replace(/"/g, '&quot;')}"`);

    const poll = () => getPage(t.http, w.browser, path).set('If-None-Match', etag);
    const same = await poll().expect(304);
    expect(same.text ?? '').toBe('');
    expect(same.headers.etag).toBe(etag);
    // Several polls at once: all 304.
    expect((await Promise.all([poll(), poll(), poll()])).map((r) => r.status)).toEqual([304, 304, 304]);

    await handIn(w.trainees[2].auth, w.contest.id);
    const changed = await poll().expect(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.text).toContain(w.trainees[2].user.displayName);
    expect(changed.text).toContain('已交卷 2 人');
    expect(changed.text).toContain('甲一镇');
    expect(changed.text).toContain('甲二镇');
    await getPage(t.http, w.browser, path).set('If-None-Match', changed.headers.etag).expect(304);

    // The same board in English is another page, and another trainer's another tag.
    const english = await getPage(t.http, w.browser, path)
      .set('Accept-Language', 'en')
      .set('If-None-Match', changed.headers.etag)
      .expect(200);
    expect(english.text).toContain('Leaderboard');
    expect(english.text).toContain('Handed in: 2');
    const admin = await signInPage(t.http, w.admin.user.username);
    await getPage(t.http, admin, path).set('If-None-Match', changed.headers.etag).expect(200);
    // A tag that is not ours builds the page.
    await getPage(t.http, w.browser, path).set('If-None-Match', '"nonsense"').expect(200);
  });

  it('ends a contest after a confirmation: attempts in progress are handed in, and it cannot end twice', async () => {
    const w = await contestWorld({ opensAt: iso(Date.now() - HOUR) });
    await handIn(w.trainees[0].auth, w.contest.id);
    // One still answering when the trainer ends it.
    await t.http.post(`/api/quizzes/${w.contest.id}/attempts`).set('Authorization', w.trainees[1].auth).expect(201);
    const confirm = await getPage(t.http, w.browser, `/contests/${w.contest.id}/end`).expect(200);
    expect(confirm.text).toContain('结束竞赛？');
    expect(confirm.text).toContain('确认结束');
    expect(confirm.text).toContain('不结束，返回');
    const end = `/contests/${w.contest.id}/end`;
    await postForm(t.http, w.browser, end, { _csrf: 'wrong' }).expect(403);
    const json = await t.http
      .post(end)
      .set('Cookie', w.browser.cookie)
      .set('Accept', 'application/json')
      .send({})
      .expect(403);
    expect(json.body.code).toBe('CSRF_REJECTED');
    expect((await quizRow(w.contest.id)).closes_at.getTime()).toBeGreaterThan(Date.now());

    const ended = await postForm(t.http, w.browser, end, { _csrf: formToken(confirm.text) }).expect(303);
    expect(ended.headers.location).toBe(`/contests/${w.contest.id}/live?done=end`);
    expect((await quizRow(w.contest.id)).closes_at.getTime()).toBeLessThanOrEqual(Date.now());
    const after = await getPage(t.http, w.browser, ended.headers.location).expect(200);
    expect(after.text).toContain('竞赛已经结束');
    expect(after.text).toContain('已交卷 1 人');
    expect(after.text).not.toContain(`href="/contests/${w.contest.id}/end"`);
    // The attempt in progress is due now; once the service's grace (QUIZ_GRACE_SECONDS) has passed
    // (here: its deadline moved back past it), the board counts it.
    const [open] = await t.ds.query(
      `SELECT id, deadline FROM quiz_attempts WHERE quiz_id = $1 AND status = 'in_progress'`,
      [w.contest.id],
    );
    expect(open.deadline.getTime()).toBeLessThanOrEqual(Date.now());
    await t.ds.query(`UPDATE quiz_attempts SET deadline = now() - interval '1 minute' WHERE id = $1`, [open.id]);
    const final = await getPage(t.http, w.browser, `/contests/${w.contest.id}/live`).expect(200);
    expect(final.text).toContain('已交卷 2 人');
    expect(final.text).toContain(w.trainees[1].user.displayName);
    const attempts = await t.ds.query(`SELECT status FROM quiz_attempts WHERE quiz_id = $1`, [w.contest.id]);
    expect(attempts.map((a: { status: string }) => a.status)).toEqual(['finished', 'finished']);

    const twice = await postForm(t.http, w.browser, end, { _csrf: formToken(confirm.text) }).expect(409);
    expect(twice.text).toContain('竞赛现在没有在进行');
    await getPage(t.http, w.browser, end).expect(409);
  });

  // ---------------------------------------------------------------------------------------------
  // 回访

  /** Visits of the world's class: two of the trainer's (one overdue), one done, one of another trainer's. */
  async function visitWorld() {
    const w = await quizWorld(t.http, t.ds);
    const insert = async (township: string, assignee: string, dueOn: string) => {
      const [row] = await t.ds.query(
        `INSERT INTO visits (class_id, township_id, assignee_id, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
        [w.cls.id, township, assignee, dueOn],
      );
      return row.id as string;
    };
    const due = await insert(w.tree.townshipA1.id, w.trainer.user.id, localDateIn(5));
    const late = await insert(w.tree.townshipA2.id, w.trainer.user.id, localDateIn(-3));
    const others = await insert(w.tree.villageA1.id, w.otherTrainer.user.id, localDateIn(2));
    const browser = await signInPage(t.http, w.trainer.user.username);
    return { ...w, due, late, others, browser };
  }

  const visitRow = async (id: string) =>
    (
      await t.ds.query(
        `SELECT status::text AS status, to_char(visited_on, 'YYYY-MM-DD') AS visited_on, notes, problems,
                trainee_ids, follow_up_needed, reported_by FROM visits WHERE id = $1`,
        [id],
      )
    )[0];

  it('lists my visits, overdue first, and refuses trainees and visits that are not mine', async () => {
    const w = await visitWorld();
    const list = await getPage(t.http, w.browser, '/visits').expect(200);
    expect(list.text).toContain('我的回访');
    expect(list.text).toContain('还有 2 个回访要做');
    expect(list.text).toContain('还有 2 个回访要做。其中 1 个已过期');
    expect(list.text).toContain('已过期 3 天');
    expect(list.text).toContain('还有 5 天');
    expect(list.text).toContain('aria-current="page">回访</a>');
    const lateAt = list.text.indexOf(`href="/visits/${w.late}"`);
    const dueAt = list.text.indexOf(`href="/visits/${w.due}"`);
    expect(lateAt).toBeGreaterThan(0);
    expect(dueAt).toBeGreaterThan(lateAt);
    expect(list.text).not.toContain(w.others);

    await getPage(t.http, w.browser, `/visits/${w.others}`).expect(404);
    const missing = await getPage(t.http, w.browser, '/visits/nope').expect(404);
    expect(missing.text).toContain('回访任务不存在');
    const trainee = await signInPage(t.http, w.trainees[0].user.username);
    for (const path of ['/visits', `/visits/${w.due}`]) {
      const res = await getPage(t.http, trainee, path).expect(403);
      expect(res.text).toContain('回访是老师和管理员的工作');
    }
    // An admin sees the visits assigned to them (none here).
    const admin = await signInPage(t.http, w.admin.user.username);
    const adminList = await getPage(t.http, admin, '/visits').expect(200);
    expect(adminList.text).toContain('现在没有要做的回访');
    await getPage(t.http, admin, `/visits/${w.due}`).expect(200);

    const english = await getPage(t.http, w.browser, '/visits').set('Accept-Language', 'en').expect(200);
    expect(english.text).toContain('My visits');
    expect(english.text).toContain('3 days overdue');
  });

  it('lists the latest 10 done visits, the latest visited first, however many there are', async () => {
    const w = await visitWorld();
    // 12 done visits: due in one order, visited in the other.
    for (let i = 0; i < 12; i++) {
      const township = await createUnit(t.ds, w.tree.countyA, 'township', `回访乡${i}`);
      await t.ds.query(
        `INSERT INTO visits (class_id, township_id, assignee_id, due_on, status, visited_on, notes, reported_at, reported_by)
         VALUES ($1, $2, $3, $4, 'done', $5, $6, now(), $3)`,
        [w.cls.id, township.id, w.trainer.user.id, localDateIn(-40 + i), localDateIn(-1 - i), `v${i}`],
      );
    }
    const list = await getPage(t.http, w.browser, '/visits').expect(200);
    const shown = [...list.text.matchAll(/href="\/visits\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const done = await t.ds.query<{ id: string }[]>(
      `SELECT id FROM visits WHERE assignee_id = $1 AND status = 'done' ORDER BY visited_on DESC LIMIT 10`,
      [w.trainer.user.id],
    );
    expect(shown.filter((id) => id !== w.due && id !== w.late)).toEqual(done.map((r) => r.id));
  });

  it('files the report from the form: problems come back beside their fields, with everything typed kept', async () => {
    const w = await visitWorld();
    const page = await getPage(t.http, w.browser, `/visits/${w.due}`).expect(200);
    expect(page.text).toContain('回访甲一镇');
    expect(page.text).toContain('提交回访报告');
    // The township's trainees of the class, and only them.
    expect(page.text).toContain(`name="trainee_${w.trainees[0].user.id}"`);
    expect(page.text).toContain(`name="trainee_${w.trainees[1].user.id}"`);
    expect(page.text).not.toContain(`name="trainee_${w.trainees[2].user.id}"`);
    const csrf = formToken(page.text);
    const post = (fields: Record<string, string>) =>
      postForm(t.http, w.browser, `/visits/${w.due}/report`, { _csrf: csrf, ...fields });

    await postForm(t.http, w.browser, `/visits/${w.due}/report`, { visitedOn: localDateIn(0), notes: '好' }).expect(
      403,
    );

    const bad = await post({
      visitedOn: localDateIn(1),
      notes: '   ',
      problems: '网络<不稳定>',
      followUpNeeded: '1',
      [`trainee_${w.trainees[1].user.id}`]: '1',
    }).expect(400);
    expect(bad.text).toContain('报告还没有提交');
    expect(bad.text).toContain('请写一写回访情况，再提交');
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain(`value="${localDateIn(1)}"`);
    expect(bad.text).toContain('>网络&lt;不稳定&gt;</textarea>');
    expect(bad.text).toMatch(new RegExp(`name="trainee_${w.trainees[1].user.id}" value="1" checked`));
    expect(bad.text).toMatch(/name="followUpNeeded" value="1" checked/);
    expect((await visitRow(w.due)).status).toBe('assigned');
    // A date after today: the service's rule (VISIT_VISITED_ON_INVALID), shown beside the date.
    const future = await post({ visitedOn: localDateIn(1), notes: '走访了服务点' }).expect(400);
    expect(future.text).toContain('回访日期要是真实的日期，而且不能晚于今天');
    expect(future.text).toContain(`value="${localDateIn(1)}"`);
    expect(future.text).toContain('>走访了服务点</textarea>');
    expect((await visitRow(w.due)).status).toBe('assigned');

    const long = await post({ visitedOn: 'yesterday', notes: '字'.repeat(4001) }).expect(400);
    expect(long.text).toContain('请填写回访日期');
    expect(long.text).toContain('回访情况最多写 4000 个字');
    // A trainee of another township, slipped into the form.
    const stranger = await post({
      visitedOn: localDateIn(0),
      notes: '走访了服务点',
      [`trainee_${w.trainees[2].user.id}`]: '1',
    }).expect(400);
    expect(stranger.text).toContain('不是这个乡镇的本班学员');
    expect(stranger.text).toContain('>走访了服务点</textarea>');

    const done = await post({
      visitedOn: localDateIn(-1),
      notes: '走访了 3 个服务点，学员已能独立操作。\n第二行',
      problems: '',
      followUpNeeded: '1',
      [`trainee_${w.trainees[0].user.id}`]: '1',
      [`trainee_${w.trainees[1].user.id}`]: '1',
    }).expect(303);
    expect(done.headers.location).toBe(`/visits/${w.due}?done=1`);
    const row = await visitRow(w.due);
    expect(row).toMatchObject({
      status: 'done',
      visited_on: localDateIn(-1),
      notes: '走访了 3 个服务点，学员已能独立操作。\n第二行',
      problems: null,
      follow_up_needed: true,
      reported_by: w.trainer.user.id,
    });
    expect([...row.trainee_ids].sort()).toEqual([w.trainees[0].user.id, w.trainees[1].user.id].sort());
    const shown = await getPage(t.http, w.browser, done.headers.location).expect(200);
    expect(shown.text).toContain('回访报告已提交');
    expect(shown.text).toContain(`${w.trainees[0].user.displayName}`);
    expect(shown.text).not.toContain('提交回访报告</button>');

    const twice = await post({ visitedOn: localDateIn(0), notes: '再交一次' }).expect(409);
    expect(twice.text).toContain('该回访已提交过报告');
    expect((await visitRow(w.due)).notes).toContain('走访了 3 个服务点');
    const list = await getPage(t.http, w.browser, '/visits').expect(200);
    expect(list.text).toContain('最近完成的回访');
    expect(list.text).toContain('还有 1 个回访要做');
  });

  it('reports once when the form is sent twice at the same moment', async () => {
    const w = await visitWorld();
    const page = await getPage(t.http, w.browser, `/visits/${w.late}`).expect(200);
    const send = () =>
      postForm(t.http, w.browser, `/visits/${w.late}/report`, {
        _csrf: formToken(page.text),
        visitedOn: localDateIn(0),
        notes: '双击了提交',
      });
    const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status).sort();
    expect(statuses).toEqual([303, 409, 409]);
    expect((await visitRow(w.late)).status).toBe('done');
  });
});
