import { checkInKey, publicBaseUrl, validateEnv } from '../../src/config/env';
import { codeAt, stepOf } from '../../src/attendance/check-in-codes';
import type { ClassSession } from '../../src/classes/class-session.entity';
import { attendanceWorld, createSession, seat, seatedTrainees } from '../factories/attendance';
import { createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Taking attendance: the trainer's bulk marks and their rules, the audit trail, self
 * check-in with rotating codes, and both racing on the same records.
 * (Summaries, person-times, exports and the sign-in sheet: attendance-reports.e2e-spec.ts.)
 */

interface Entry {
  enrolmentId: string;
  status: string | null;
  note: string | null;
  source: string | null;
  recordedBy: string | null;
  version: number;
}

interface Change {
  id: string;
  enrolmentId: string;
  oldStatus: string | null;
  newStatus: string;
  oldNote: string | null;
  newNote: string | null;
  source: string;
  changedBy: string;
  changedByName: string;
  changedAt: string;
}

const byEnrolment = (entries: Entry[]) => new Map(entries.map((e) => [e.enrolmentId, e]));

describe('attendance (e2e)', () => {
  let t: TestApp;
  const key = checkInKey(validateEnv(process.env));

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A running class with trainees in two townships and a session that started 5 minutes ago (`heldStartsIn`). */
  async function world(trainees = 4, heldStartsIn = -5) {
    const w = await attendanceWorld(t.http, t.ds);
    const a1 = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, Math.ceil(trainees / 2));
    const a2 = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA2, Math.floor(trainees / 2));
    const held = await createSession(t.ds, w.cls, w.trainer.user.id, heldStartsIn);
    return { ...w, trainees: [...a1, ...a2], held };
  }

  const put = (session: ClassSession | string, auth: string, records: unknown) =>
    t.http
      .put(`/api/sessions/${typeof session === 'string' ? session : session.id}/attendance`)
      .set('Authorization', auth)
      .send({ records });

  const get = (session: ClassSession, auth: string, history = false) =>
    t.http.get(`/api/sessions/${session.id}/attendance${history ? '?history=true' : ''}`).set('Authorization', auth);

  const open = (s: ClassSession, auth: string, body: Record<string, unknown> = {}) =>
    t.http.post(`/api/sessions/${s.id}/check-in-code`).set('Authorization', auth).send(body);
  const checkIn = (s: ClassSession, auth: string, code: string) =>
    t.http.post(`/api/sessions/${s.id}/check-in`).set('Authorization', auth).send({ code });

  /** The code a trainer's screen would show now, derived outside the app from the window in the database. */
  async function currentCode(sessionId: string): Promise<string> {
    const [w] = await t.ds.query<{ opened_at: Date }[]>(
      `SELECT opened_at FROM check_in_windows WHERE session_id = $1`,
      [sessionId],
    );
    return codeAt(key, { sessionId, openedAt: w.opened_at }, stepOf(new Date()));
  }

  /**
   * Runs `request` while another transaction holds `lock` (a row lock taken by `lockSql`):
   * once the request is seen waiting for it, `whileHeld` changes things in that transaction,
   * which then commits. The request carries on with what it finds after the wait.
   */
  async function whileLocked<T>(
    lockSql: string,
    params: unknown[],
    request: () => Promise<T>,
    whileHeld: (q: (sql: string, p?: unknown[]) => Promise<unknown>) => Promise<void>,
  ): Promise<T> {
    const qr = t.ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await qr.query(lockSql, params);
      const pending = request();
      // Wait for the event "the request is blocked on our lock", seen in pg_stat_activity.
      for (let i = 0; ; i++) {
        const [{ n }] = await t.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (n > 0) break;
        if (i > 500) throw new Error('the request never waited for the lock');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await whileHeld((sql, p) => qr.query(sql, p));
      await qr.commitTransaction();
      return await pending;
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
  }
  const LOCK_SESSION = `SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`;

  describe('marking', () => {
    it('marks a whole roster in one request and shows it', async () => {
      const w = await world(4);
      const statuses = ['present', 'late', 'excused', 'absent'];
      const res = await put(
        w.held,
        w.trainer.auth,
        w.trainees.map((x, i) => ({
          enrolmentId: x.enrolment.id,
          status: statuses[i],
          note: i === 3 ? ' 生病 ' : undefined,
        })),
      ).expect(200);
      expect(res.body.counts).toEqual({ present: 1, late: 1, excused: 1, absent: 1, unmarked: 0 });
      expect(res.body.personTimes).toBe(2);
      const view = await get(w.held, w.admin.auth).expect(200);
      const entries = byEnrolment(view.body.records as Entry[]);
      w.trainees.forEach((x, i) => {
        expect(entries.get(x.enrolment.id)).toMatchObject({
          status: statuses[i],
          source: 'trainer',
          recordedBy: w.trainer.user.id,
          version: 1,
        });
      });
      expect(entries.get(w.trainees[3].enrolment.id)?.note).toBe('生病');
      expect(view.body.history).toBeUndefined();
    });

    it('lists every seated trainee, marked or not', async () => {
      const w = await world(4);
      await put(w.held, w.trainer.auth, [{ enrolmentId: w.trainees[0].enrolment.id, status: 'present' }]).expect(200);
      const view = await get(w.held, w.trainer.auth).expect(200);
      expect(view.body.records).toHaveLength(4);
      expect(view.body.counts).toMatchObject({ present: 1, unmarked: 3 });
      expect((view.body.records as Entry[]).filter((e) => e.status === null && e.version === 0)).toHaveLength(3);
    });

    it('keeps every change in the audit trail: who, when, old and new', async () => {
      const w = await world(2);
      const [a, b] = w.trainees;
      await put(w.held, w.trainer.auth, [
        { enrolmentId: a.enrolment.id, status: 'absent' },
        { enrolmentId: b.enrolment.id, status: 'present' },
      ]).expect(200);
      // Same values again: nothing changes, nothing is added to the trail.
      await put(w.held, w.trainer.auth, [{ enrolmentId: b.enrolment.id, status: 'present' }]).expect(200);
      await put(w.held, w.admin.auth, [{ enrolmentId: a.enrolment.id, status: 'excused', note: '请假条' }]).expect(200);
      await put(w.held, w.trainer.auth, [{ enrolmentId: a.enrolment.id, status: 'late' }]).expect(200);

      const view = await get(w.held, w.admin.auth, true).expect(200);
      const history = view.body.history as Change[];
      const ofA = history.filter((h) => h.enrolmentId === a.enrolment.id);
      expect(ofA.map((h) => [h.oldStatus, h.newStatus, h.oldNote, h.newNote, h.changedBy])).toEqual([
        [null, 'absent', null, null, w.trainer.user.id],
        ['absent', 'excused', null, '请假条', w.admin.user.id],
        ['excused', 'late', '请假条', null, w.trainer.user.id],
      ]);
      expect(ofA.every((h) => h.source === 'trainer' && !Number.isNaN(Date.parse(h.changedAt)))).toBe(true);
      expect(ofA[1].changedByName).toBe(w.admin.user.displayName);
      expect(history.filter((h) => h.enrolmentId === b.enrolment.id)).toHaveLength(1);
      expect(byEnrolment(view.body.records as Entry[]).get(a.enrolment.id)).toMatchObject({
        status: 'late',
        version: 3,
      });
    });

    it('refuses the whole batch if one enrolment is not a confirmed one of this class, and writes nothing', async () => {
      const w = await world(2);
      const waiting = await createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
      const waitlisted = await seat(t.ds, w.cls, waiting, w.tree.townshipA1, 'waitlisted', 1);
      const other = await attendanceWorld(t.http, t.ds);
      const [elsewhere] = await seatedTrainees(t.http, t.ds, other.cls, other.tree.townshipA1, 1);
      const res = await put(w.held, w.trainer.auth, [
        { enrolmentId: w.trainees[0].enrolment.id, status: 'present' },
        { enrolmentId: waitlisted.id, status: 'present' },
        { enrolmentId: elsewhere.enrolment.id, status: 'present' },
      ]).expect(422);
      expect(res.body.code).toBe('ATTENDANCE_ENROLMENT_INVALID');
      expect([...res.body.enrolmentIds].sort()).toEqual([waitlisted.id, elsewhere.enrolment.id].sort());
      const view = await get(w.held, w.trainer.auth).expect(200);
      expect(view.body.counts.unmarked).toBe(2);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM attendance_changes WHERE session_id = $1`, [
        w.held.id,
      ]);
      expect(n).toBe(0);
    });

    it('refuses records read before a change (version) and writes none of the batch', async () => {
      const w = await world(2);
      const [a, b] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const read = await get(w.held, w.trainer.auth).expect(200);
      const versions = byEnrolment(read.body.records as Entry[]);
      expect(versions.get(a.enrolment.id)?.version).toBe(0);
      // a checks in while the trainer's screen still shows it unmarked
      await checkIn(w.held, a.auth, await currentCode(w.held.id)).expect(200);
      const stale = await put(w.held, w.trainer.auth, [
        { enrolmentId: a.enrolment.id, status: 'absent', version: 0 },
        { enrolmentId: b.enrolment.id, status: 'absent', version: 0 },
      ]).expect(409);
      expect(stale.body).toMatchObject({
        code: 'ATTENDANCE_STALE',
        conflicts: [{ enrolmentId: a.enrolment.id, version: 1, status: 'present' }],
      });
      const after = byEnrolment((await get(w.held, w.trainer.auth).expect(200)).body.records as Entry[]);
      expect(after.get(a.enrolment.id)).toMatchObject({ status: 'present', source: 'self' });
      expect(after.get(b.enrolment.id)?.status).toBeNull();
      // With the versions just read, the save goes through.
      await put(w.held, w.trainer.auth, [
        { enrolmentId: a.enrolment.id, status: 'late', version: 1 },
        { enrolmentId: b.enrolment.id, status: 'absent', version: 0 },
      ]).expect(200);
    });

    it('stamps each change with its own moment, after waiting for the session, not its transaction start', async () => {
      const w = await world(1);
      let released = 0;
      const res = await whileLocked(
        LOCK_SESSION,
        [w.held.id],
        () =>
          put(w.held, w.trainer.auth, [{ enrolmentId: w.trainees[0].enrolment.id, status: 'present' }]).then((r) => r),
        async (q) => {
          const [{ at }] = (await q(`SELECT clock_timestamp() AS at`)) as { at: Date }[];
          released = at.getTime();
        },
      );
      expect(res.status).toBe(200);
      const [{ changed_at }] = await t.ds.query<{ changed_at: Date }[]>(
        `SELECT changed_at FROM attendance_changes WHERE session_id = $1`,
        [w.held.id],
      );
      expect(changed_at.getTime()).toBeGreaterThanOrEqual(released);
    });

    it('does not mark a trainee whose withdrawal committed while the marking waited', async () => {
      const w = await world(2);
      const [a] = w.trainees;
      const res = await whileLocked(
        `SELECT 1 FROM enrolments WHERE id = $1 FOR UPDATE`,
        [a.enrolment.id],
        () => put(w.held, w.trainer.auth, [{ enrolmentId: a.enrolment.id, status: 'present' }]).then((r) => r),
        async (q) => {
          await q(
            `UPDATE enrolments SET status = 'withdrawn', withdrawal_reason = 'admin', withdrawn_at = now() WHERE id = $1`,
            [a.enrolment.id],
          );
        },
      );
      expect([res.status, res.body.code]).toEqual([422, 'ATTENDANCE_ENROLMENT_INVALID']);
    });

    it('reads enrolment ids in any letter case', async () => {
      const w = await world(1);
      const id = w.trainees[0].enrolment.id;
      const res = await put(w.held, w.trainer.auth, [{ enrolmentId: id.toUpperCase(), status: 'present' }]).expect(200);
      expect(res.body.counts.present).toBe(1);
      await put(w.held, w.trainer.auth, [
        { enrolmentId: id, status: 'present' },
        { enrolmentId: id.toUpperCase(), status: 'late' },
      ]).expect(400);
    });

    it('refuses cancelled sessions and sessions more than 30 minutes away (409)', async () => {
      // The held session ended 40 minutes ago, so the trainer is free for the ones below.
      const w = await world(1, -100);
      const record = [{ enrolmentId: w.trainees[0].enrolment.id, status: 'present' }];
      const cancelled = await createSession(t.ds, w.cls, w.trainer.user.id, -300, { status: 'cancelled' });
      expect((await put(cancelled, w.trainer.auth, record).expect(409)).body.code).toBe('SESSION_CANCELLED');
      const later = await createSession(t.ds, w.cls, w.trainer.user.id, 45);
      const early = await put(later, w.trainer.auth, record).expect(409);
      expect(early.body.code).toBe('ATTENDANCE_TOO_EARLY');
      expect(Date.parse(early.body.opensAt)).toBe(later.startsAt.getTime() - 30 * 60_000);
      // A trainer is never in two overlapping sessions: this one is the co-trainer's.
      const soon = await createSession(t.ds, w.cls, w.coTrainer.user.id, 25);
      await put(soon, w.coTrainer.auth, record).expect(200);
    });

    it('refuses sessions of a class that is not open, running or completed (409)', async () => {
      const w = await attendanceWorld(t.http, t.ds, { status: 'cancelled' });
      const [x] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1);
      const s = await createSession(t.ds, w.cls, w.trainer.user.id, -10);
      const res = await put(s, w.admin.auth, [{ enrolmentId: x.enrolment.id, status: 'present' }]).expect(409);
      expect(res.body).toMatchObject({ code: 'ATTENDANCE_CLASS_NOT_ACTIVE', status: 'cancelled' });
    });

    it("lets only the session's trainer and admins in scope mark (others: 403 or 404)", async () => {
      const w = await world(1);
      const [x] = w.trainees;
      const record = [{ enrolmentId: x.enrolment.id, status: 'present' }];
      const coTrainer = await put(w.held, w.coTrainer.auth, record).expect(403);
      expect(coTrainer.body.code).toBe('NOT_SESSION_TRAINER');
      const stranger = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      expect((await put(w.held, stranger.auth, record).expect(404)).body.code).toBe('SESSION_NOT_FOUND');
      await put(w.held, x.auth, record).expect(403);
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      await put(w.held, adminB.auth, record).expect(404);
      await put('00000000-0000-4000-8000-000000000000', w.admin.auth, record).expect(404);
      // The co-trainer may read, a stranger may not.
      await get(w.held, w.coTrainer.auth).expect(200);
      await get(w.held, stranger.auth).expect(404);
      await get(w.held, x.auth).expect(403);
      await get(w.held, adminB.auth).expect(404);
      // The co-trainer marks the sessions it teaches.
      const own = await createSession(t.ds, w.cls, w.coTrainer.user.id, -200);
      await put(own, w.coTrainer.auth, record).expect(200);
      await put(w.held, w.admin.auth, record).expect(200);
    });

    it('validates the body (400) without writing anything', async () => {
      const w = await world(1);
      const id = w.trainees[0].enrolment.id;
      const bad: unknown[] = [
        [],
        [{ enrolmentId: id, status: 'here' }],
        [{ enrolmentId: 'nope', status: 'present' }],
        [
          { enrolmentId: id, status: 'present' },
          { enrolmentId: id, status: 'absent' },
        ],
        [{ enrolmentId: id, status: 'present', note: 'x'.repeat(501) }],
        [{ enrolmentId: id, status: 'present', extra: 1 }],
        Array.from({ length: 1001 }, () => ({ enrolmentId: id, status: 'present' })),
        'present',
      ];
      for (const records of bad) {
        const res = await put(w.held, w.trainer.auth, records);
        expect([res.status, res.body.code]).toEqual([400, expect.stringMatching(/^[A-Z_]+$/)]);
      }
      await t.http
        .put(`/api/sessions/${w.held.id}/attendance`)
        .set('Authorization', w.trainer.auth)
        .send({ records: [{ enrolmentId: id, status: 'present' }], more: true })
        .expect(400);
      await get(w.held, w.trainer.auth).expect(200);
      await t.http
        .get(`/api/sessions/${w.held.id}/attendance?history=yes`)
        .set('Authorization', w.trainer.auth)
        .expect(400);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM attendance_records WHERE session_id = $1`, [
        w.held.id,
      ]);
      expect(n).toBe(0);
    });
  });

  describe('self check-in', () => {
    it('gives a six-digit code and a QR code of the check-in page; an enrolled trainee checks in present', async () => {
      const w = await world(2);
      const res = await open(w.held, w.trainer.auth).expect(200);
      expect(res.body.code).toMatch(/^\d{6}$/);
      // PUBLIC_BASE_URL (by default http://localhost:<PORT>) + /c/<session id in base64url>/<code>.
      const compact = Buffer.from(w.held.id.replace(/-/g, ''), 'hex').toString('base64url');
      const base = publicBaseUrl(validateEnv(process.env));
      expect(res.body.qrPayload).toBe(`${base}/c/${compact}/${res.body.code}`);
      expect(res.body.qrSvg).toMatch(/^<svg/);
      expect(Date.parse(res.body.windowClosesAt) - Date.parse(res.body.windowOpenedAt)).toBe(15 * 60_000);
      expect(Date.parse(res.body.rotatesAt) % 30_000).toBe(0);
      // Asking again while open keeps the same window.
      const again = await open(w.held, w.trainer.auth).expect(200);
      expect(again.body.windowOpenedAt).toBe(res.body.windowOpenedAt);

      const [x] = w.trainees;
      const done = await checkIn(w.held, x.auth, await currentCode(w.held.id)).expect(200);
      expect(done.body).toMatchObject({
        enrolmentId: x.enrolment.id,
        status: 'present',
        source: 'self',
        recordedBy: x.user.id,
        version: 1,
      });
      // Checking in again changes nothing.
      const twice = await checkIn(w.held, x.auth, await currentCode(w.held.id)).expect(200);
      expect(twice.body).toMatchObject({ status: 'present', version: 1 });
      const view = await get(w.held, w.trainer.auth, true).expect(200);
      expect(view.body.history).toHaveLength(1);
      expect(view.body.history[0]).toMatchObject({ oldStatus: null, newStatus: 'present', source: 'self' });
    });

    it('accepts the code derived independently of the process that showed it', async () => {
      const w = await world(1);
      const shown = await open(w.held, w.trainer.auth).expect(200);
      // The shown code is the one of the step that ends at `rotatesAt`, whenever this runs.
      const shownStep = stepOf(new Date(shown.body.rotatesAt as string)) - 1;
      const ref = { sessionId: w.held.id, openedAt: new Date(shown.body.windowOpenedAt as string) };
      expect(shown.body.code).toBe(codeAt(key, ref, shownStep));
      await checkIn(w.held, w.trainees[0].auth, await currentCode(w.held.id)).expect(200);
    });

    it('records late after the grace period, present within it', async () => {
      const late = await world(1, -11);
      await open(late.held, late.trainer.auth).expect(200);
      const res = await checkIn(late.held, late.trainees[0].auth, await currentCode(late.held.id)).expect(200);
      expect(res.body.status).toBe('late');
      const onTime = await world(1, -9);
      await open(onTime.held, onTime.trainer.auth).expect(200);
      const ok = await checkIn(onTime.held, onTime.trainees[0].auth, await currentCode(onTime.held.id)).expect(200);
      expect(ok.body.status).toBe('present');
    });

    it('refuses a code two steps old', async () => {
      const w = await world(1);
      await open(w.held, w.trainer.auth).expect(200);
      const [win] = await t.ds.query<{ opened_at: Date }[]>(
        `SELECT opened_at FROM check_in_windows WHERE session_id = $1`,
        [w.held.id],
      );
      // Move the opening back a few minutes, so older steps belong to this window too. Of the
      // openings a few ms apart (each has codes of its own), take one whose code of two steps
      // ago is none of the codes the server may accept: its step is `now` or, if a 30 s
      // boundary passes before the request lands, `now + 1`. (The rule's edges, with fixed
      // times: check-in-codes.spec.ts.)
      const now = stepOf(new Date());
      const opening = (ms: number) => {
        const ref = { sessionId: w.held.id, openedAt: new Date(win.opened_at.getTime() - 5 * 60_000 - ms) };
        const old = codeAt(key, ref, now - 2);
        return [now - 1, now, now + 1].some((s) => codeAt(key, ref, s) === old) ? undefined : { ...ref, old };
      };
      const chosen = Array.from({ length: 10 }, (_, ms) => opening(ms)).find((o) => o !== undefined)!;
      await t.ds.query(`UPDATE check_in_windows SET opened_at = $2 WHERE session_id = $1`, [
        w.held.id,
        chosen.openedAt,
      ]);
      const res = await checkIn(w.held, w.trainees[0].auth, chosen.old);
      expect([res.status, res.body.code, res.body.attemptsLeft]).toEqual([400, 'CHECK_IN_CODE_INVALID', 4]);
      // The window itself works: its code of the moment is accepted.
      await checkIn(w.held, w.trainees[0].auth, await currentCode(w.held.id)).expect(200);
    });

    it('ends with the session: the window closes at its end, later check-ins are refused', async () => {
      const w = await world(1, -50);
      const res = await open(w.held, w.trainer.auth, { windowMinutes: 60 }).expect(200);
      expect(Date.parse(res.body.windowClosesAt)).toBe(w.held.endsAt.getTime());
      const code = await currentCode(w.held.id);
      // The session ends (it is moved earlier) while the window would still be open.
      await t.ds.query(
        `UPDATE sessions SET starts_at = now() - interval '70 minutes', ends_at = now() - interval '10 minutes'
          WHERE id = $1`,
        [w.held.id],
      );
      await t.ds.query(`UPDATE check_in_windows SET closes_at = now() + interval '1 hour' WHERE session_id = $1`, [
        w.held.id,
      ]);
      const after = await checkIn(w.held, w.trainees[0].auth, code).expect(409);
      expect(after.body.code).toBe('CHECK_IN_SESSION_ENDED');
    });

    it('re-checks under the session lock: a window closed, a seat given up or a session cancelled meanwhile', async () => {
      const w = await world(3);
      const [a, b, c] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const code = await currentCode(w.held.id);
      const attempt = (x: (typeof w.trainees)[number]) => () => checkIn(w.held, x.auth, code).then((r) => r);

      const withdrawn = await whileLocked(LOCK_SESSION, [w.held.id], attempt(a), async (q) => {
        await q(
          `UPDATE enrolments SET status = 'withdrawn', withdrawal_reason = 'admin', withdrawn_at = now() WHERE id = $1`,
          [a.enrolment.id],
        );
      });
      expect([withdrawn.status, withdrawn.body.code]).toEqual([403, 'NOT_ENROLLED']);

      const closed = await whileLocked(LOCK_SESSION, [w.held.id], attempt(b), async (q) => {
        await q(`DELETE FROM check_in_windows WHERE session_id = $1`, [w.held.id]);
      });
      expect([closed.status, closed.body.code]).toEqual([409, 'CHECK_IN_CLOSED']);

      await open(w.held, w.trainer.auth).expect(200);
      const fresh = await currentCode(w.held.id);
      const cancelled = await whileLocked(
        LOCK_SESSION,
        [w.held.id],
        () => checkIn(w.held, c.auth, fresh).then((r) => r),
        async (q) => {
          await q(`UPDATE sessions SET status = 'cancelled' WHERE id = $1`, [w.held.id]);
        },
      );
      expect([cancelled.status, cancelled.body.code]).toEqual([409, 'SESSION_CANCELLED']);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM attendance_records WHERE session_id = $1`, [
        w.held.id,
      ]);
      expect(n).toBe(0);
    });

    it('refuses a check-in whose trainee withdrew in a transaction that committed while it waited', async () => {
      const w = await world(1);
      const [a] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const code = await currentCode(w.held.id);
      const res = await whileLocked(
        `SELECT 1 FROM enrolments WHERE id = $1 FOR UPDATE`,
        [a.enrolment.id],
        () => checkIn(w.held, a.auth, code).then((r) => r),
        async (q) => {
          await q(
            `UPDATE enrolments SET status = 'withdrawn', withdrawal_reason = 'admin', withdrawn_at = now() WHERE id = $1`,
            [a.enrolment.id],
          );
        },
      );
      expect([res.status, res.body.code]).toEqual([403, 'NOT_ENROLLED']);
    });

    it('refuses a check-in whose session ended while it waited, and one into a reopened window', async () => {
      const w = await world(2);
      const [a, b] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const code = await currentCode(w.held.id);
      const reopened = await whileLocked(
        LOCK_SESSION,
        [w.held.id],
        () => checkIn(w.held, a.auth, code).then((r) => r),
        async (q) => {
          await q(
            `UPDATE check_in_windows SET opened_at = opened_at + interval '1 millisecond' WHERE session_id = $1`,
            [w.held.id],
          );
        },
      );
      expect([reopened.status, reopened.body.code]).toEqual([409, 'CHECK_IN_CLOSED']);
      const fresh = await currentCode(w.held.id);
      const ended = await whileLocked(
        LOCK_SESSION,
        [w.held.id],
        () => checkIn(w.held, b.auth, fresh).then((r) => r),
        async (q) => {
          await q(
            `UPDATE sessions SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 minute' WHERE id = $1`,
            [w.held.id],
          );
        },
      );
      expect([ended.status, ended.body.code]).toEqual([409, 'CHECK_IN_SESSION_ENDED']);
    });

    it('never replays a code: a retried opening answers the code fields empty', async () => {
      const w = await world(1);
      const first = await open(w.held, w.trainer.auth).set('Idempotency-Key', 'open-1').expect(200);
      expect(first.body.code).toMatch(/^\d{6}$/);
      const replay = await open(w.held, w.trainer.auth).set('Idempotency-Key', 'open-1').expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toMatchObject({ code: null, codeRedacted: true, qrPayload: null, qrSvg: null });
      const [{ body }] = await t.ds.query(
        `SELECT response_body::text AS body FROM idempotency_keys WHERE key = 'open-1' AND scope = $1`,
        [w.trainer.user.id],
      );
      expect(body).not.toContain(first.body.code);
    });

    it('refuses wrong codes and, after five, answers 429 even to the right one', async () => {
      const w = await world(1);
      const [x] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const right = await currentCode(w.held.id);
      const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
      for (let left = 4; left >= 0; left--) {
        const res = await checkIn(w.held, x.auth, wrong).expect(400);
        expect(res.body).toMatchObject({ code: 'CHECK_IN_CODE_INVALID', attemptsLeft: left });
      }
      const blocked = await checkIn(w.held, x.auth, await currentCode(w.held.id)).expect(429);
      expect(blocked.body.code).toBe('CHECK_IN_TOO_MANY_ATTEMPTS');
      // Another trainee is not affected.
      const other = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1, '他人');
      await checkIn(w.held, other[0].auth, await currentCode(w.held.id)).expect(200);
    });

    it('holds the limit when wrong codes arrive in parallel', async () => {
      const w = await world(1);
      const [x] = w.trainees;
      await open(w.held, w.trainer.auth).expect(200);
      const right = await currentCode(w.held.id);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const statuses = (await Promise.all(Array.from({ length: 12 }, () => checkIn(w.held, x.auth, wrong)))).map(
        (r) => r.status,
      );
      expect(statuses.filter((s) => s === 400)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    });

    it('answers 403 to trainees without a confirmed place, 404 outside the county', async () => {
      const w = await world(1);
      await open(w.held, w.trainer.auth).expect(200);
      const code = await currentCode(w.held.id);
      const notEnrolled = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.villageA1.id });
      expect((await checkIn(w.held, notEnrolled.auth, code).expect(403)).body.code).toBe('NOT_ENROLLED');
      const waiting = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA2.id });
      await seat(t.ds, w.cls, waiting.user, w.tree.townshipA2, 'waitlisted', 1);
      await checkIn(w.held, waiting.auth, code).expect(403);
      const outside = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipB1.id });
      await checkIn(w.held, outside.auth, code).expect(404);
      // Trainers and admins do not check in.
      await checkIn(w.held, w.trainer.auth, code).expect(403);
      // A malformed code is a validation error and costs no attempt.
      const [x] = w.trainees;
      for (const bad of ['12345', 'abcdef', '1234567']) {
        expect((await checkIn(w.held, x.auth, bad).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      await checkIn(w.held, x.auth, await currentCode(w.held.id)).expect(200);
    });

    it("never overwrites a trainer's mark; a trainer's mark overrides a self check-in", async () => {
      const w = await world(2);
      const [a, b] = w.trainees;
      await put(w.held, w.trainer.auth, [{ enrolmentId: a.enrolment.id, status: 'absent' }]).expect(200);
      await open(w.held, w.trainer.auth).expect(200);
      const refused = await checkIn(w.held, a.auth, await currentCode(w.held.id)).expect(409);
      expect(refused.body).toMatchObject({ code: 'ATTENDANCE_MARKED_BY_TRAINER', status: 'absent' });

      await checkIn(w.held, b.auth, await currentCode(w.held.id)).expect(200);
      await put(w.held, w.trainer.auth, [{ enrolmentId: b.enrolment.id, status: 'present', note: '核实' }]).expect(200);
      const view = await get(w.held, w.trainer.auth, true).expect(200);
      expect(byEnrolment(view.body.records as Entry[]).get(a.enrolment.id)).toMatchObject({
        status: 'absent',
        source: 'trainer',
      });
      expect(byEnrolment(view.body.records as Entry[]).get(b.enrolment.id)).toMatchObject({
        status: 'present',
        source: 'trainer',
        version: 2,
      });
      expect(
        (view.body.history as Change[])
          .filter((h) => h.enrolmentId === b.enrolment.id)
          .map((h) => [h.source, h.oldStatus, h.newStatus]),
      ).toEqual([
        ['self', null, 'present'],
        ['trainer', 'present', 'present'],
      ]);
    });

    it('answers 409 when no window is open, after it is closed and after it expires', async () => {
      const w = await world(1);
      const [x] = w.trainees;
      expect((await checkIn(w.held, x.auth, '123456').expect(409)).body.code).toBe('CHECK_IN_CLOSED');
      await open(w.held, w.trainer.auth, { windowMinutes: 5 }).expect(200);
      const code = await currentCode(w.held.id);
      await t.http.delete(`/api/sessions/${w.held.id}/check-in-code`).set('Authorization', w.trainer.auth).expect(204);
      await checkIn(w.held, x.auth, code).expect(409);
      // Reopened, the window has new codes; then it runs out.
      const reopened = await open(w.held, w.trainer.auth, { windowMinutes: 1 }).expect(200);
      expect(Date.parse(reopened.body.windowClosesAt) - Date.parse(reopened.body.windowOpenedAt)).toBe(60_000);
      await t.ds.query(
        `UPDATE check_in_windows SET opened_at = now() - interval '2 minutes', closes_at = now() - interval '1 second'
          WHERE session_id = $1`,
        [w.held.id],
      );
      await checkIn(w.held, x.auth, await currentCode(w.held.id)).expect(409);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM attendance_records WHERE session_id = $1`, [
        w.held.id,
      ]);
      expect(n).toBe(0);
    });

    it('opens windows only for the trainer of a live session, from 30 minutes before until it ends', async () => {
      const w = await world(1);
      await open(w.held, w.trainees[0].auth).expect(403);
      expect((await open(w.held, w.coTrainer.auth).expect(403)).body.code).toBe('NOT_SESSION_TRAINER');
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      await open(w.held, adminB.auth).expect(404);
      const later = await createSession(t.ds, w.cls, w.trainer.user.id, 60);
      expect((await open(later, w.trainer.auth).expect(409)).body.code).toBe('ATTENDANCE_TOO_EARLY');
      const ended = await createSession(t.ds, w.cls, w.trainer.user.id, -100);
      expect((await open(ended, w.trainer.auth).expect(409)).body.code).toBe('CHECK_IN_SESSION_ENDED');
      const cancelled = await createSession(t.ds, w.cls, w.trainer.user.id, -20 - 24 * 60, { status: 'cancelled' });
      expect((await open(cancelled, w.trainer.auth).expect(409)).body.code).toBe('SESSION_CANCELLED');
      for (const windowMinutes of [0, 241, 1.5, '10']) {
        await open(w.held, w.trainer.auth, { windowMinutes }).expect(400);
      }
      await open(w.held, w.admin.auth, { windowMinutes: 30 }).expect(200);
    });
  });

  describe('under concurrency', () => {
    it('bulk marking racing self check-ins ends in one consistent record each, every step in the trail', async () => {
      const w = await world(30);
      await open(w.held, w.trainer.auth, { windowMinutes: 30 }).expect(200);
      const code = await currentCode(w.held.id);
      const marks = w.trainees.map((x, i) => ({ enrolmentId: x.enrolment.id, status: i % 2 ? 'absent' : 'excused' }));
      const [bulk, ...checkIns] = await Promise.all([
        put(w.held, w.trainer.auth, marks),
        ...w.trainees.map((x) => checkIn(w.held, x.auth, code)),
      ]);
      expect(bulk.status).toBe(200);
      expect(checkIns.every((r) => r.status === 200 || r.status === 409)).toBe(true);

      const records = await t.ds.query<{ enrolment_id: string; status: string; source: string; version: number }[]>(
        `SELECT enrolment_id, status, source, version FROM attendance_records WHERE session_id = $1`,
        [w.held.id],
      );
      const changes = await t.ds.query<
        { enrolment_id: string; old_status: string | null; new_status: string; source: string; changed_at: Date }[]
      >(
        `SELECT enrolment_id, old_status, new_status, source, changed_at
           FROM attendance_changes WHERE session_id = $1 ORDER BY id`,
        [w.held.id],
      );
      // The trail's times follow its order: each is the moment of the change, not of its transaction's start.
      changes
        .slice(1)
        .forEach((c, k) => expect(c.changed_at.getTime()).toBeGreaterThanOrEqual(changes[k].changed_at.getTime()));
      expect(records).toHaveLength(30);
      for (const [i, x] of w.trainees.entries()) {
        const record = records.find((r) => r.enrolment_id === x.enrolment.id)!;
        // Whichever came first, the trainer's mark is what stands.
        expect(record).toMatchObject({ status: marks[i].status, source: 'trainer' });
        const trail = changes.filter((c) => c.enrolment_id === x.enrolment.id);
        expect(trail).toHaveLength(record.version);
        expect(trail[0].old_status).toBeNull();
        trail.slice(1).forEach((c, k) => expect(c.old_status).toBe(trail[k].new_status));
        expect(trail[trail.length - 1].new_status).toBe(record.status);
        // A check-in that got in first is in the trail; one that came after was refused.
        const checkedIn = checkIns[i].status === 200;
        expect(trail.some((c) => c.source === 'self')).toBe(checkedIn);
      }
    });

    it('two trainers-worth of bulk marks racing end with one of them whole, each step in the trail', async () => {
      const w = await world(20);
      const asTrainer = w.trainees.map((x) => ({ enrolmentId: x.enrolment.id, status: 'present' }));
      const asAdmin = w.trainees.map((x) => ({ enrolmentId: x.enrolment.id, status: 'late' }));
      const results = await Promise.all([put(w.held, w.trainer.auth, asTrainer), put(w.held, w.admin.auth, asAdmin)]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const statuses = new Set(
        (
          await t.ds.query<{ status: string }[]>(`SELECT status FROM attendance_records WHERE session_id = $1`, [
            w.held.id,
          ])
        ).map((r) => r.status),
      );
      expect(statuses.size).toBe(1);
      const changes = await t.ds.query<{ enrolment_id: string; old_status: string | null; new_status: string }[]>(
        `SELECT enrolment_id, old_status, new_status FROM attendance_changes WHERE session_id = $1 ORDER BY id`,
        [w.held.id],
      );
      expect(changes).toHaveLength(40);
      // Each record: first written from nothing, then changed from exactly what the first writer left.
      for (const x of w.trainees) {
        const trail = changes.filter((c) => c.enrolment_id === x.enrolment.id);
        expect(trail).toHaveLength(2);
        expect(trail[0].old_status).toBeNull();
        expect(trail[1].old_status).toBe(trail[0].new_status);
        expect(trail[1].new_status).not.toBe(trail[0].new_status);
      }
    });
  });

  describe('without Redis', () => {
    let down: TestApp;
    beforeAll(async () => {
      down = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    });
    afterAll(() => down.close());

    it('refuses check-in with 503 (no unlimited guessing) while the trainer can still mark', async () => {
      const w = await attendanceWorld(down.http, down.ds);
      const [x] = await seatedTrainees(down.http, down.ds, w.cls, w.tree.townshipA1, 1);
      const s = await createSession(down.ds, w.cls, w.trainer.user.id, -5);
      await down.http
        .post(`/api/sessions/${s.id}/check-in-code`)
        .set('Authorization', w.trainer.auth)
        .send({})
        .expect(200);
      const res = await down.http
        .post(`/api/sessions/${s.id}/check-in`)
        .set('Authorization', x.auth)
        .send({ code: '123456' })
        .expect(503);
      expect(res.body.code).toBe('CHECK_IN_UNAVAILABLE');
      await down.http
        .put(`/api/sessions/${s.id}/attendance`)
        .set('Authorization', w.trainer.auth)
        .send({ records: [{ enrolmentId: x.enrolment.id, status: 'present' }] })
        .expect(200);
    });
  });
});
