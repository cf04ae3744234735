import { codeAt, stepOf } from '../../src/attendance/check-in-codes';
import { checkInKey, validateEnv } from '../../src/config/env';
import { attendanceWorld, createSession, seatedTrainees } from '../factories/attendance';
import { createUser } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { formToken, getPage, postForm, signInPage } from '../support/web-pages';

/** Checking in from the phone: the QR code's link, one tap after signing in, and the typed code (e2e). */
describe('web pages: check-in (e2e)', () => {
  let t: TestApp;
  const key = checkInKey(validateEnv(process.env));

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_BASE_URL: 'https://lms.example.org' });
  });
  afterAll(() => t.close());

  /** A running class, a session that started 5 minutes ago with its check-in window open, a seated trainee. */
  async function world() {
    const w = await attendanceWorld(t.http, t.ds);
    const [trainee] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1);
    const session = await createSession(t.ds, w.cls, w.trainer.user.id, -5);
    const opened = await t.http
      .post(`/api/sessions/${session.id}/check-in-code`)
      .set('Authorization', w.trainer.auth)
      .send({})
      .expect(200);
    const qr = opened.body.qrPayload as string;
    expect(qr).toMatch(/^https:\/\/lms\.example\.org\/c\/[A-Za-z0-9_-]{22}\/\d{6}$/);
    return { ...w, trainee, session, link: qr.slice('https://lms.example.org'.length) };
  }

  const recordsOf = (sessionId: string) =>
    t.ds.query(`SELECT status, source, recorded_by FROM attendance_records WHERE session_id = $1`, [sessionId]);

  it('checks in with one tap after signing in from the scanned link; a second tap changes nothing', async () => {
    const w = await world();
    // Scanned while signed out: to the login page, and back to the link.
    const first = await t.http.get(w.link).set('Accept', 'text/html').expect(303);
    expect(first.headers.location).toBe(`/login?next=${encodeURIComponent(w.link)}`);
    const b = await signInPage(t.http, w.trainee.user.username, { next: w.link });
    expect(b.location).toBe(w.link);

    const confirm = await getPage(t.http, b, w.link).expect(200);
    expect(confirm.text).toContain('确认签到');
    expect(confirm.text).toContain(w.cls.title);
    expect(await recordsOf(w.session.id)).toEqual([]);

    const tap = () => postForm(t.http, b, w.link, { _csrf: formToken(confirm.text) });
    const done = await tap().expect(200);
    expect(done.text).toContain('签到成功');
    expect(done.text).toMatch(/签到时间：\d{2}:\d{2}/);
    expect(done.text).toContain('考勤：出席');
    expect(await recordsOf(w.session.id)).toEqual([
      { status: 'present', source: 'self', recorded_by: w.trainee.user.id },
    ]);

    const again = await tap().expect(200);
    expect(again.text).toContain('你已经签到了');
    const changes = await t.ds.query(`SELECT id FROM attendance_changes WHERE session_id = $1`, [w.session.id]);
    expect(changes).toHaveLength(1);
    // Opening the link again says so too, without a button.
    const reopened = await getPage(t.http, b, w.link).expect(200);
    expect(reopened.text).toContain('你已经签到了');
    expect(reopened.text).not.toContain('确认签到');
  });

  it('accepts the linked code for five minutes, time to sign in, but not a typed one that old', async () => {
    const w = await world();
    // The window opened (and the QR code was shown) four minutes ago.
    const openedAt = new Date(Date.now() - 4 * 60_000);
    await t.ds.query(`UPDATE check_in_windows SET opened_at = $2 WHERE session_id = $1`, [w.session.id, openedAt]);
    const code = codeAt(key, { sessionId: w.session.id, openedAt }, stepOf(openedAt));
    const compact = w.link.split('/')[2];
    const typed = await signInPage(t.http, w.trainee.user.username);
    const form = await getPage(t.http, typed, '/check-in').expect(200);
    const wrong = await postForm(t.http, typed, '/check-in', { _csrf: formToken(form.text), code }).expect(400);
    expect(wrong.text).toContain('签到码错误或已过期');
    expect(wrong.text).toContain('还可以再试 4 次');

    const link = `/c/${compact}/${code}`;
    const b = await signInPage(t.http, w.trainee.user.username, { next: link });
    const confirm = await getPage(t.http, b, link).expect(200);
    const done = await postForm(t.http, b, link, { _csrf: formToken(confirm.text) }).expect(200);
    expect(done.text).toContain('签到成功');
  });

  it('explains an expired code in Chinese and offers to type the code', async () => {
    const w = await world();
    const openedAt = new Date(Date.now() - 10 * 60_000);
    await t.ds.query(`UPDATE check_in_windows SET opened_at = $2 WHERE session_id = $1`, [w.session.id, openedAt]);
    const link = `/c/${w.link.split('/')[2]}/${codeAt(key, { sessionId: w.session.id, openedAt }, stepOf(openedAt))}`;
    const b = await signInPage(t.http, w.trainee.user.username, { next: link });
    const confirm = await getPage(t.http, b, link).expect(200);
    const res = await postForm(t.http, b, link, { _csrf: formToken(confirm.text) }).expect(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('没能签到');
    expect(res.text).toContain('签到码错误或已过期');
    expect(res.text).toContain('请重新扫老师屏幕上的二维码，或者输入屏幕上的 6 位数字');
    expect(res.text).toContain('href="/check-in"');
    expect(await recordsOf(w.session.id)).toEqual([]);
  });

  it('tells a trainee without a seat, and a closed window, what to do', async () => {
    const w = await world();
    const stranger = await createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA2.id });
    const s = await signInPage(t.http, stranger.username);
    const page = await getPage(t.http, s, w.link).expect(403);
    expect(page.text).toContain('您没有本班的正式名额');
    expect(page.text).toContain('只有报了这个班的学员才能签到');

    await t.http.delete(`/api/sessions/${w.session.id}/check-in-code`).set('Authorization', w.trainer.auth).expect(204);
    const b = await signInPage(t.http, w.trainee.user.username);
    const confirm = await getPage(t.http, b, w.link).expect(200);
    const closed = await postForm(t.http, b, w.link, { _csrf: formToken(confirm.text) }).expect(409);
    expect(closed.text).toContain('本次课未开放自助签到');
    expect(closed.text).toContain('请老师为你登记');

    const broken = await getPage(t.http, b, '/c/not-a-session/12').expect(404);
    expect(broken.text).toContain('这个签到链接不完整');
  });

  it('checks in by the six digits typed on the form', async () => {
    const w = await world();
    const b = await signInPage(t.http, w.trainee.user.username);
    const home = await getPage(t.http, b, '/').expect(200);
    expect(home.text).toContain('老师已经打开签到');
    const form = await getPage(t.http, b, '/check-in').expect(200);
    expect(form.text).toContain(w.cls.title);
    expect(form.text).toContain(`name="sessionId" value="${w.session.id}"`);
    const [row] = await t.ds.query(`SELECT opened_at FROM check_in_windows WHERE session_id = $1`, [w.session.id]);
    const code = codeAt(key, { sessionId: w.session.id, openedAt: row.opened_at }, stepOf(new Date()));
    const badShape = await postForm(t.http, b, '/check-in', { _csrf: formToken(form.text), code: '12a' }).expect(400);
    expect(badShape.text).toContain('签到码是 6 位数字');
    const done = await postForm(t.http, b, '/check-in', {
      _csrf: formToken(form.text),
      code: ` ${code.slice(0, 3)} ${code.slice(3)} `,
    }).expect(200);
    expect(done.text).toContain('签到成功');
    expect(await recordsOf(w.session.id)).toEqual([
      { status: 'present', source: 'self', recorded_by: w.trainee.user.id },
    ]);
    // Sent again: nothing is left to check in to, and the page says so.
    const again = await postForm(t.http, b, '/check-in', { _csrf: formToken(form.text), code }).expect(409);
    expect(again.text).toContain('现在没有可以签到的课');
    expect(await recordsOf(w.session.id)).toHaveLength(1);
  });

  it('says when nothing is open, and that check-in is for trainees', async () => {
    const w = await attendanceWorld(t.http, t.ds);
    const [trainee] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1);
    const b = await signInPage(t.http, trainee.user.username);
    const none = await getPage(t.http, b, '/check-in').expect(200);
    expect(none.text).toContain('现在没有可以签到的课');
    const trainer = await signInPage(t.http, w.trainer.user.username);
    const res = await getPage(t.http, trainer, '/check-in').expect(403);
    expect(res.text).toContain('签到是给学员用的');
  });
});
