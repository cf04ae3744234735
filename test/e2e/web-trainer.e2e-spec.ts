import { createUser, login, signedIn } from '../factories';
import { attendanceWorld, createSession, seatTrainees } from '../factories/attendance';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, formToken, getPage, postForm, scriptRequest, signInPage } from '../support/web-pages';

/** The trainer's pages over HTTP: 点名 (roll call) and 签到码 (the check-in QR code), and today's links (e2e). */
describe('web pages: trainer roll call and check-in code (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_BASE_URL: 'https://lms.example.org' });
  });
  afterAll(() => t.close());

  /** A running class with three trainees of 甲一镇 and two of 甲二镇, a session that started 5 minutes ago. */
  async function world(startsInMinutes = -5) {
    const w = await attendanceWorld(t.http, t.ds);
    const a1 = await seatTrainees(t.ds, w.cls, w.tree.townshipA1, ['赵一', '钱二', '孙三']);
    const a2 = await seatTrainees(t.ds, w.cls, w.tree.townshipA2, ['李四', '周五']);
    const session = await createSession(t.ds, w.cls, w.trainer.user.id, startsInMinutes);
    const browser = await signInPage(t.http, w.trainer.user.username);
    return { ...w, trainees: [...a1, ...a2], session, browser, path: `/sessions/${session.id}` };
  }

  const recordsOf = async (sessionId: string) =>
    Object.fromEntries(
      (
        await t.ds.query<{ enrolment_id: string; status: string }[]>(
          `SELECT enrolment_id, status FROM attendance_records WHERE session_id = $1`,
          [sessionId],
        )
      ).map((r) => [r.enrolment_id, r.status]),
    );

  /** A tap from the page's script: JSON, with the session's token in the header. */
  const tap = (b: Browser, path: string, body: object) =>
    scriptRequest(t.http, b, 'post', `${path}/roll-call/mark`).send(body);

  const rosterOf = (html: string) => {
    const match = /name="roster" value="([^"]*)"/.exec(html);
    if (!match) throw new Error('no roster field');
    return match[1];
  };

  it('shows the roster by township with counts, to the session’s trainer and to an admin of the county', async () => {
    const w = await world();
    await tap(w.browser, w.path, { enrolmentId: w.trainees[0].enrolment.id, status: 'late' }).expect(200);
    const page = await getPage(t.http, w.browser, `${w.path}/roll-call`).expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const text = page.text.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).toContain('点名');
    expect(text).toContain(w.cls.title);
    expect(text).toContain('到 0 · 迟到 1 · 请假 0 · 缺席 0 · 未点 4');
    // 甲一镇 then 甲二镇, each with its people in order.
    const [, a1, a2] = /甲一镇 （3 人）(.*)甲二镇 （2 人）(.*)/.exec(text) ?? [];
    for (const name of ['赵一', '钱二', '孙三']) expect(a1).toContain(name);
    for (const name of ['李四', '周五']) expect(a2).toContain(name);
    // One radio group per name (the form without JavaScript), the mark checked.
    expect(page.text.match(/type="radio"/g)).toHaveLength(5 * 4);
    expect(page.text).toContain(`name="s_${w.trainees[0].enrolment.id}" value="late" checked`);
    expect(page.text).toMatch(/<script src="\/static\/rollcall\.\w{8}\.js" defer><\/script>/);

    const admin = await signInPage(t.http, (await adminOf(w.tree.countyA.id)).username);
    await getPage(t.http, admin, `${w.path}/roll-call`).expect(200);
    await getPage(t.http, admin, `${w.path}/qr`).expect(200);
  });

  async function adminOf(orgUnitId: string) {
    return createUser(t.ds, { role: 'admin', orgUnitId });
  }

  it('answers trainees 403, the class’s other trainer 403, anyone outside the class 404, a bad id 404', async () => {
    const w = await world();
    const trainee = await signInPage(t.http, w.trainees[0].user.username);
    const coTrainer = await signInPage(t.http, w.coTrainer.user.username);
    const otherCounty = await signInPage(t.http, (await adminOf(w.tree.countyB.id)).username);
    const stranger = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
    const otherTrainer = await signInPage(t.http, stranger.user.username);
    const pages = ['/roll-call', '/qr'];
    for (const page of pages) {
      const refused = await getPage(t.http, trainee, `${w.path}${page}`).expect(403);
      expect(refused.text).toContain('这是老师用的页面');
      const co = await getPage(t.http, coTrainer, `${w.path}${page}`).expect(403);
      expect(co.text).toContain('只有本次课的授课教师');
      await getPage(t.http, otherCounty, `${w.path}${page}`).expect(404);
      await getPage(t.http, otherTrainer, `${w.path}${page}`).expect(404);
      await getPage(t.http, w.browser, `/sessions/2f0c0a4e-0d4b-4a7e-9d54-1d7f1e0b9a11${page}`).expect(404);
      await getPage(t.http, w.browser, `/sessions/not-an-id${page}`).expect(404);
    }
    // The scripts' routes answer JSON errors.
    const body = { enrolmentId: w.trainees[0].enrolment.id, status: 'present' };
    expect((await tap(trainee, w.path, body).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await tap(coTrainer, w.path, body).expect(403)).body.code).toBe('NOT_SESSION_TRAINER');
    expect((await tap(otherCounty, w.path, body).expect(404)).body.code).toBe('SESSION_NOT_FOUND');
    for (const route of ['/qr/code', '/qr/live']) {
      const res = await t.http.get(`${w.path}${route}`).set('Cookie', trainee.cookie).set('Accept', 'application/json');
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: 403, code: 'FORBIDDEN' });
    }
    // Signed out: to the login page, and back here afterwards.
    const out = await t.http.get(`${w.path}/roll-call`).set('Accept', 'text/html').expect(303);
    expect(out.headers.location).toBe(`/login?next=${encodeURIComponent(`${w.path}/roll-call`)}`);
    expect(await recordsOf(w.session.id)).toEqual({});
  });

  it('saves a tap at once (JSON), refuses a bad mark (400) and a request without its token (403)', async () => {
    const w = await world();
    const [first, second] = w.trainees;
    const saved = await tap(w.browser, w.path, { enrolmentId: first.enrolment.id, status: 'present' }).expect(200);
    expect(saved.body.counts).toMatchObject({ present: 1, unmarked: 4 });
    expect(saved.body.records).toContainEqual({ enrolmentId: first.enrolment.id, status: 'present' });
    await tap(w.browser, w.path, { enrolmentId: first.enrolment.id, status: 'late' }).expect(200);

    for (const bad of [
      { enrolmentId: second.enrolment.id, status: 'here' },
      { enrolmentId: second.enrolment.id },
      { enrolmentId: 'x', status: 'present' },
      { status: 'present' },
    ]) {
      const res = await tap(w.browser, w.path, bad);
      expect({ bad, status: res.status, code: res.body.code }).toEqual({ bad, status: 400, code: 'VALIDATION_FAILED' });
    }
    // A trainee of another class: the service's rule.
    const other = await attendanceWorld(t.http, t.ds);
    const [stranger] = await seatTrainees(t.ds, other.cls, other.tree.townshipA1, ['吴六']);
    const notSeated = await tap(w.browser, w.path, { enrolmentId: stranger.enrolment.id, status: 'present' });
    expect([notSeated.status, notSeated.body.code]).toEqual([422, 'ATTENDANCE_ENROLMENT_INVALID']);

    const noToken = await t.http
      .post(`${w.path}/roll-call/mark`)
      .set('Cookie', w.browser.cookie)
      .set('Accept', 'application/json')
      .send({ enrolmentId: second.enrolment.id, status: 'present' })
      .expect(403);
    expect(noToken.body.code).toBe('CSRF_REJECTED');
    const noTokenForm = await postForm(t.http, w.browser, `${w.path}/roll-call`, { action: 'all' }).expect(403);
    expect(noTokenForm.text).toContain('页面已过期');
    expect(await recordsOf(w.session.id)).toEqual({ [first.enrolment.id]: 'late' });
    // Every change is in the trail, made by the trainer.
    const trail = await t.ds.query(
      `SELECT new_status, source FROM attendance_changes WHERE session_id = $1 ORDER BY id`,
      [w.session.id],
    );
    expect(trail).toEqual([
      { new_status: 'present', source: 'trainer' },
      { new_status: 'late', source: 'trainer' },
    ]);
  });

  it('keeps every mark when a roster is marked in parallel', async () => {
    const w = await world();
    const more = await seatTrainees(
      t.ds,
      w.cls,
      w.tree.townshipA1,
      Array.from({ length: 15 }, (_, i) => `学员${i + 1}`),
    );
    const everyone = [...w.trainees, ...more];
    const statuses = ['present', 'late', 'excused', 'absent'];
    const answers = await Promise.all(
      everyone.map((x, i) => tap(w.browser, w.path, { enrolmentId: x.enrolment.id, status: statuses[i % 4] })),
    );
    expect(answers.map((a) => a.status)).toEqual(everyone.map(() => 200));
    expect(await recordsOf(w.session.id)).toEqual(
      Object.fromEntries(everyone.map((x, i) => [x.enrolment.id, statuses[i % 4]])),
    );
    // …and "all present" racing taps never overwrites one.
    const w2 = await world();
    const [, ...rest] = await Promise.all([
      scriptRequest(t.http, w2.browser, 'post', `${w2.path}/roll-call/all-present`).send({}),
      ...w2.trainees
        .slice(0, 3)
        .map((x) => tap(w2.browser, w2.path, { enrolmentId: x.enrolment.id, status: 'absent' })),
    ]);
    expect(rest.map((r) => r.status)).toEqual([200, 200, 200]);
    const after = await recordsOf(w2.session.id);
    expect(Object.keys(after)).toHaveLength(5);
    // Whichever ran first, a tapped name ends as tapped: "all present" writes at version 0 only.
    for (const x of w2.trainees.slice(0, 3)) expect(after[x.enrolment.id]).toBe('absent');
    for (const x of w2.trainees.slice(3)) expect(after[x.enrolment.id]).toBe('present');
  });

  it('works as a plain form without JavaScript: the changed names are saved, then the page with a notice', async () => {
    const w = await world();
    const [a, b, c] = w.trainees;
    const page = await getPage(t.http, w.browser, `${w.path}/roll-call`).expect(200);
    const post = (fields: Record<string, string>) =>
      postForm(t.http, w.browser, `${w.path}/roll-call`, {
        _csrf: formToken(page.text),
        roster: rosterOf(page.text),
        ...fields,
      });

    const saved = await post({ [`s_${a.enrolment.id}`]: 'present', [`s_${b.enrolment.id}`]: 'excused' }).expect(303);
    expect(saved.headers.location).toBe(`${w.path}/roll-call?saved=2`);
    const shown = await getPage(t.http, w.browser, saved.headers.location).expect(200);
    expect(shown.text).toContain('已保存 2 人的考勤。');
    expect(shown.text).toContain(`name="s_${b.enrolment.id}" value="excused" checked`);
    expect(await recordsOf(w.session.id)).toEqual({ [a.enrolment.id]: 'present', [b.enrolment.id]: 'excused' });

    // The same form again (what the page showed before): unchanged names are not written again,
    // but a name that changed since the page was loaded is not overwritten unseen.
    await tap(w.browser, w.path, { enrolmentId: c.enrolment.id, status: 'late' }).expect(200);
    const stale = await post({ [`s_${c.enrolment.id}`]: 'absent' }).expect(409);
    expect(stale.text).toContain('部分记录在您打开后已有变化');
    expect(stale.text).toContain('下面是现在的点名情况');
    expect(stale.text).toContain(`name="s_${c.enrolment.id}" value="late" checked`);
    expect((await recordsOf(w.session.id))[c.enrolment.id]).toBe('late');

    const bad = await post({ [`s_${a.enrolment.id}`]: 'gone' }).expect(400);
    expect(bad.text).toContain('请检查填写的内容');
    await post({ roster: 'nonsense' }).expect(400);

    // "All present" as a form: the unmarked only.
    const fresh = await getPage(t.http, w.browser, `${w.path}/roll-call`).expect(200);
    const all = await postForm(t.http, w.browser, `${w.path}/roll-call`, {
      _csrf: formToken(fresh.text),
      action: 'all',
    }).expect(303);
    expect(all.headers.location).toBe(`${w.path}/roll-call?saved=2`);
    expect(await recordsOf(w.session.id)).toEqual({
      [a.enrolment.id]: 'present',
      [b.enrolment.id]: 'excused',
      [c.enrolment.id]: 'late',
      [w.trainees[3].enrolment.id]: 'present',
      [w.trainees[4].enrolment.id]: 'present',
    });
    const none = await getPage(t.http, w.browser, `${w.path}/roll-call?saved=0`).expect(200);
    expect(none.text).toContain('没有改动，不用保存。');
  });

  it('says when roll call opens, and refuses marks before then as the API does', async () => {
    const w = await world(120);
    const page = await getPage(t.http, w.browser, `${w.path}/roll-call`).expect(200);
    expect(page.text).toMatch(/点名从 \d{2}:\d{2} 开始（上课前 30 分钟）。/);
    const early = await tap(w.browser, w.path, { enrolmentId: w.trainees[0].enrolment.id, status: 'present' });
    expect([early.status, early.body.code]).toEqual([409, 'ATTENDANCE_TOO_EARLY']);
    const form = await postForm(t.http, w.browser, `${w.path}/roll-call`, {
      _csrf: formToken(page.text),
      roster: rosterOf(page.text),
      [`s_${w.trainees[0].enrolment.id}`]: 'late',
    }).expect(409);
    expect(form.text).toContain('考勤在开课前 30 分钟开始');
    // The QR code cannot be opened yet either.
    const qr = await postForm(t.http, w.browser, `${w.path}/qr`, { _csrf: formToken(page.text) }).expect(409);
    expect(qr.text).toMatch(/请在上课前 30 分钟以内（\d{2}:\d{2} 以后）再打开签到。/);
    expect(await recordsOf(w.session.id)).toEqual({});
  });

  it('opens check-in with a form, shows the QR code of the check-in link, counts check-ins and closes', async () => {
    const w = await world();
    const closed = await getPage(t.http, w.browser, `${w.path}/qr`).expect(200);
    expect(closed.text).toContain('签到还没打开');
    expect(closed.text).not.toContain('<svg');

    // Without its token the form is refused; with it, a window opens and the page shows its code.
    await postForm(t.http, w.browser, `${w.path}/qr`, {}).expect(403);
    const opened = await postForm(t.http, w.browser, `${w.path}/qr`, { _csrf: formToken(closed.text) }).expect(303);
    expect(opened.headers.location).toBe(`${w.path}/qr`);
    const shown = await getPage(t.http, w.browser, `${w.path}/qr`).expect(200);
    expect(shown.text).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    const digits = /<p class="qr__digits" data-code>(\d{6})<\/p>/.exec(shown.text)?.[1];
    expect(digits).toBeDefined();
    expect(shown.text).toMatch(/<noscript><meta http-equiv="refresh" content="\d{1,2}"><\/noscript>/);
    expect(shown.text).toMatch(/已签到 <b data-checked-in>0<\/b> \/ <b data-total>5<\/b>/);
    expect(shown.text).toMatch(/<script src="\/static\/qr\.\w{8}\.js" defer><\/script>/);

    // The script's code: the same as the API's, an https address to the check-in page.
    const code = await t.http
      .get(`${w.path}/qr/code`)
      .set('Cookie', w.browser.cookie)
      .set('Accept', 'application/json')
      .expect(200);
    expect(code.headers['cache-control']).toBe('no-store');
    expect(code.body).toMatchObject({ open: true, code: expect.stringMatching(/^\d{6}$/) });
    expect(code.body.link).toMatch(/^https:\/\/lms\.example\.org\/c\/[A-Za-z0-9_-]{22}\/\d{6}$/);
    expect(code.body.link.endsWith(`/${code.body.code}`)).toBe(true);
    expect(code.body.msLeft).toBeGreaterThanOrEqual(0);
    expect(code.body.msLeft).toBeLessThanOrEqual(30_000);
    // Looking at it again opens no second window.
    expect(
      await t.ds.query(`SELECT count(*)::int AS n FROM check_in_windows WHERE session_id = $1`, [w.session.id]),
    ).toEqual([{ n: 1 }]);

    // The count, with an ETag: 304 while nobody new checks in.
    const live = () =>
      t.http.get(`${w.path}/qr/live`).set('Cookie', w.browser.cookie).set('Accept', 'application/json');
    const before = await live().expect(200);
    expect(before.body).toEqual({ checkedIn: 0, total: 5, latest: [] });
    const etag = before.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    await live().set('If-None-Match', etag).expect(304);

    const trainee = w.trainees[1];
    await t.http
      .post(`/api/sessions/${w.session.id}/check-in`)
      .set('Authorization', `Bearer ${await login(t.http, trainee.user.username)}`)
      .send({ code: code.body.code })
      .expect(200);
    const after = await live().set('If-None-Match', etag).expect(200);
    expect(after.body).toEqual({ checkedIn: 1, total: 5, latest: ['钱二'] });

    // Closing: a form with its token; the codes stop, the page says so.
    await postForm(t.http, w.browser, `${w.path}/qr/close`, {}).expect(403);
    const close = await postForm(t.http, w.browser, `${w.path}/qr/close`, { _csrf: formToken(shown.text) }).expect(303);
    expect(close.headers.location).toBe(`${w.path}/qr?closed=1`);
    const ended = await getPage(t.http, w.browser, close.headers.location).expect(200);
    expect(ended.text).toContain('签到已结束');
    expect(ended.text).toContain('打开签到');
    const gone = await t.http
      .get(`${w.path}/qr/code`)
      .set('Cookie', w.browser.cookie)
      .set('Accept', 'application/json')
      .expect(200);
    expect(gone.body).toEqual({ open: false });
  });

  it("puts 点名 and 签到码 on each of today's sessions on the trainer's home page", async () => {
    const w = await world();
    const later = await createSession(t.ds, w.cls, w.trainer.user.id, 60);
    const home = await getPage(t.http, w.browser, '/').expect(200);
    // The session under way: 点名 is the page's primary action; the other's links are secondary.
    expect(home.text).toContain(
      `<a class="weui-btn weui-btn_primary primary" href="/sessions/${w.session.id}/roll-call">点名</a>`,
    );
    expect(home.text).toContain(`<a class="weui-btn secondary" href="/sessions/${w.session.id}/qr">签到码</a>`);
    // A session later today (unless today ends within the hour) gets secondary links.
    if (home.text.includes(`/sessions/${later.id}/roll-call`)) {
      expect(home.text).toContain(`<a class="weui-btn secondary" href="/sessions/${later.id}/roll-call">点名</a>`);
    }
    expect(home.text.match(/weui-btn_primary/g)).toHaveLength(1);
  });

  it('speaks English when asked', async () => {
    const w = await world();
    const page = await getPage(t.http, w.browser, `${w.path}/roll-call`).set('Accept-Language', 'en').expect(200);
    expect(page.text).toContain('<h1>Roll call</h1>');
    expect(page.text).toContain('Mark the rest present');
    const qr = await getPage(t.http, w.browser, `${w.path}/qr`).set('Accept-Language', 'en').expect(200);
    expect(qr.text).toContain('Open check-in');
  });
});
