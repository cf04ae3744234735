import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { migrations } from '../../src/database/migrations';
import type { Course } from '../../src/courses/course.entity';
import type { Plan } from '../../src/plans/plan.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { currentQuarter, openClassFields, signedInTrainees } from '../factories/enrolments';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { dbUrl, dropDatabase, runId, withAdminClient } from '../support/test-db';

/**
 * Why an enrolment was withdrawn (`withdrawalReason`): by the trainee or an admin, with the
 * class's completion (its waitlist) or its cancellation (everyone still in it, who are told).
 */
describe('enrolment withdrawal reasons (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;
  let plan: Plan;
  let course: Course;
  let trainer: User;
  let openClass: (over?: Record<string, unknown>) => Promise<TrainingClass>;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
    plan = await createPlan(t.ds, tree.countyA, currentQuarter().year);
    course = await createCourse(t.ds, tree.countyA);
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    openClass = (over = {}) => createClass(t.ds, plan, course, [trainer.id], openClassFields(plan, over));
  });
  afterAll(() => t.close());

  const enrol = async (classId: string, auth: string, body: Record<string, unknown> = {}) =>
    (await t.http.post(`/api/classes/${classId}/enrolments`).set('Authorization', auth).send(body).expect(201))
      .body as { id: string; status: string; position?: number; withdrawalReason: string | null };
  const withdraw = (id: string, auth: string) =>
    t.http.post(`/api/enrolments/${id}/withdraw`).set('Authorization', auth);
  const transition = (classId: string, action: string) =>
    t.http.post(`/api/classes/${classId}/${action}`).set('Authorization', admin).expect(200);
  const stored = async (id: string) =>
    (
      await t.ds.query<{ status: string; withdrawal_reason: string | null; waitlist_position: number | null }[]>(
        `SELECT status::text, withdrawal_reason::text, waitlist_position FROM enrolments WHERE id = $1`,
        [id],
      )
    )[0];

  it('is self when the trainee withdraws, admin when an admin does; enrolling again clears it', async () => {
    const c = await openClass();
    const [me, other] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 2);
    const mine = await enrol(c.id, me.auth);
    expect(mine.withdrawalReason).toBeNull();
    const self = await withdraw(mine.id, me.auth).expect(200);
    expect(self.body).toMatchObject({ status: 'withdrawn', withdrawalReason: 'self' });
    const theirs = await enrol(c.id, other.auth);
    const byAdmin = await withdraw(theirs.id, admin).expect(200);
    expect(byAdmin.body).toMatchObject({ status: 'withdrawn', withdrawalReason: 'admin' });

    const listed = await t.http.get('/api/me/enrolments').set('Authorization', me.auth).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: mine.id, withdrawalReason: 'self' })]);

    const again = await enrol(c.id, me.auth);
    expect(again).toMatchObject({ id: mine.id, status: 'confirmed', withdrawalReason: null });
    expect(await stored(mine.id)).toMatchObject({ status: 'confirmed', withdrawal_reason: null });
  });

  it('withdraws the waitlist with class_completed when the class completes', async () => {
    const c = await openClass({ maxPerTownship: 1, minPerTownship: 1 });
    const [seated, first, second] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 3);
    const ids = {
      seated: (await enrol(c.id, seated.auth)).id,
      first: (await enrol(c.id, first.auth)).id,
      second: (await enrol(c.id, second.auth)).id,
    };
    await transition(c.id, 'start');
    await transition(c.id, 'complete');
    expect(await stored(ids.seated)).toEqual({ status: 'completed', withdrawal_reason: null, waitlist_position: null });
    for (const id of [ids.first, ids.second]) {
      expect(await stored(id)).toEqual({
        status: 'withdrawn',
        withdrawal_reason: 'class_completed',
        waitlist_position: null,
      });
    }
    const listed = await t.http.get('/api/me/enrolments').set('Authorization', first.auth).expect(200);
    expect(listed.body[0]).toMatchObject({ id: ids.first, status: 'withdrawn', withdrawalReason: 'class_completed' });
    expect(listed.body[0].position).toBeUndefined();
  });

  it('withdraws confirmed and waitlisted enrolments with class_cancelled and tells each trainee once', async () => {
    const c = await openClass({ maxPerTownship: 1, minPerTownship: 1 });
    const [seated, waiting, left] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 3);
    const [elsewhere] = await signedInTrainees(t.http, t.ds, tree.townshipA2, 1);
    const ids = {
      seated: (await enrol(c.id, seated.auth)).id,
      waiting: (await enrol(c.id, waiting.auth)).id,
      left: (await enrol(c.id, left.auth)).id,
      elsewhere: (await enrol(c.id, elsewhere.auth)).id,
    };
    await withdraw(ids.left, left.auth).expect(200);
    await transition(c.id, 'cancel');

    for (const id of [ids.seated, ids.waiting, ids.elsewhere]) {
      expect(await stored(id)).toEqual({
        status: 'withdrawn',
        withdrawal_reason: 'class_cancelled',
        waitlist_position: null,
      });
    }
    expect(await stored(ids.left)).toMatchObject({ status: 'withdrawn', withdrawal_reason: 'self' });

    const notes = await t.ds.query<{ user_id: string; payload: { classTitle: string; centre: string } }[]>(
      `SELECT user_id, payload FROM notifications
        WHERE about_id = $1 AND template = 'class-cancelled' AND channel = 'inbox' ORDER BY user_id`,
      [c.id],
    );
    const [toTrainer] = notes.filter((n) => n.user_id === trainer.id);
    const toTrainees = notes.filter((n) => n.user_id !== trainer.id);
    expect(toTrainees.map((n) => n.user_id)).toEqual([seated.id, waiting.id, elsewhere.id].sort());
    expect(toTrainees[0].payload).toEqual({ classTitle: c.title, centre: tree.countyA.name });
    // Its trainer hears of it too, in words for a trainer.
    expect(toTrainer.payload).toEqual({ classTitle: c.title, centre: tree.countyA.name, toTrainer: true });

    const listed = await t.http.get('/api/me/enrolments').set('Authorization', waiting.auth).expect(200);
    expect(listed.body[0]).toMatchObject({ id: ids.waiting, status: 'withdrawn', withdrawalReason: 'class_cancelled' });
    // Over: nobody may withdraw it again.
    expect((await withdraw(ids.seated, admin).expect(409)).body.code).toBe('NOT_WITHDRAWABLE');
  });

  it('cancels a class nobody enrolled in, telling only its trainer', async () => {
    const c = await openClass();
    await transition(c.id, 'cancel');
    const told = await t.ds.query<{ user_id: string }[]>(
      `SELECT DISTINCT user_id FROM notifications WHERE about_id = $1`,
      [c.id],
    );
    expect(told).toEqual([{ user_id: trainer.id }]);
  });

  it('is held by the database: a reason exactly when withdrawn', async () => {
    const c = await openClass();
    const [me] = await signedInTrainees(t.http, t.ds, tree.townshipA2, 1);
    const { id } = await enrol(c.id, me.auth);
    await expect(
      t.ds.query(`UPDATE enrolments SET status = 'withdrawn', withdrawn_at = now() WHERE id = $1`, [id]),
    ).rejects.toThrow(/ck_enrolments_withdrawal_reason/);
    await expect(t.ds.query(`UPDATE enrolments SET withdrawal_reason = 'self' WHERE id = $1`, [id])).rejects.toThrow(
      /ck_enrolments_withdrawal_reason/,
    );
  });
});

/** AddEnrolmentWithdrawalReason gives existing withdrawals a reason from who enrolled them. */
describe('migration AddEnrolmentWithdrawalReason (e2e)', () => {
  const name = `lms_t${runId()}_withdrawal_migration`;
  const index = migrations.findIndex((m) => m.name === 'AddEnrolmentWithdrawalReason1795890002000');
  let before: DataSource;

  beforeAll(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    before = new DataSource({ ...dataSourceOptions(dbUrl(name)), migrations: migrations.slice(0, index) });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await before.destroy();
    await withAdminClient((c) => dropDatabase(c, name));
  });

  it("backfills 'self' for self-enrolled withdrawals, 'admin' for the others, nothing for the rest", async () => {
    const q = (sql: string, params: unknown[] = []) => before.query<{ id: string }[]>(sql, params);
    const [county] = await q(
      `INSERT INTO org_units (kind, name, path, depth) VALUES ('county', '县', '/' || gen_random_uuid() || '/', 0) RETURNING id`,
    );
    const user = async (username: string, role: string) =>
      (
        await q(
          `INSERT INTO users (username, password_hash, display_name, role, org_unit_id)
           VALUES ($1, 'x', $1, $2, $3) RETURNING id`,
          [username, role, county.id],
        )
      )[0].id;
    const adminId = await user('admin', 'admin');
    const [plan] = await q(`INSERT INTO plans (org_unit_id, year, title) VALUES ($1, 2026, '计划') RETURNING id`, [
      county.id,
    ]);
    const [course] = await q(
      `INSERT INTO courses (org_unit_id, title, level, hours) VALUES ($1, '课程', 'beginner', 2) RETURNING id`,
      [county.id],
    );
    const [cls] = await q(
      `INSERT INTO classes (plan_id, course_id, title, quarter, start_date, end_date, capacity, enrolment_opens_at,
                            enrolment_closes_at)
       VALUES ($1, $2, '班', 4, '2026-10-01', '2026-12-31', 40, '2026-09-01', '2026-09-30') RETURNING id`,
      [plan.id, course.id],
    );
    const enrolment = async (traineeId: string, enrolledBy: string, status: string) =>
      (
        await q(
          `INSERT INTO enrolments (class_id, trainee_id, township_id, status, enrolled_by, withdrawn_at)
           VALUES ($1, $2, $3, $4::enrolment_status, $5, CASE WHEN $4::text = 'withdrawn' THEN now() END)
           RETURNING id`,
          [cls.id, traineeId, county.id, status, enrolledBy],
        )
      )[0].id;
    const a = await user('a', 'trainee');
    const b = await user('b', 'trainee');
    const c = await user('c', 'trainee');
    const ids = {
      self: await enrolment(a, a, 'withdrawn'),
      admin: await enrolment(b, adminId, 'withdrawn'),
      confirmed: await enrolment(c, c, 'confirmed'),
    };

    await before.destroy();
    before = await new DataSource({
      ...dataSourceOptions(dbUrl(name)),
      migrations: migrations.slice(0, index + 1),
    }).initialize();
    await before.runMigrations({ transaction: 'each' });
    const reasons = await before.query<{ id: string; withdrawal_reason: string | null }[]>(
      `SELECT id, withdrawal_reason::text FROM enrolments`,
    );
    const reasonOf = (id: string) => reasons.find((r) => r.id === id)?.withdrawal_reason;
    expect(reasonOf(ids.self)).toBe('self');
    expect(reasonOf(ids.admin)).toBe('admin');
    expect(reasonOf(ids.confirmed)).toBeNull();

    // And down again, cleanly.
    await before.undoLastMigration({ transaction: 'each' });
    const [{ n }] = await before.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'enrolments' AND column_name = 'withdrawal_reason'`,
    );
    expect(n).toBe(0);
  });
});
