import { Enrolment } from '../../src/enrolments/enrolment.entity';
import type { Course } from '../../src/courses/course.entity';
import type { Plan } from '../../src/plans/plan.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { currentQuarter, openClassFields, signedInTrainees } from '../factories/enrolments';
import { createOrgTree, createUnit, createUser, login, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('enrolments (e2e)', () => {
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

  const enrol = (classId: string, auth: string, body: Record<string, unknown> = {}) =>
    t.http.post(`/api/classes/${classId}/enrolments`).set('Authorization', auth).send(body);
  const withdraw = (id: string, auth: string) =>
    t.http.post(`/api/enrolments/${id}/withdraw`).set('Authorization', auth);

  it('lets a trainee enrol itself, counting for its township; twice is 409', async () => {
    const c = await openClass();
    const [me] = await signedInTrainees(t.http, t.ds, tree.villageA1, 1);
    const res = await enrol(c.id, me.auth).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      status: 'confirmed',
      townshipId: tree.townshipA1.id,
      traineeId: me.id,
      classId: c.id,
      withdrawalReason: null,
    });
    const again = await enrol(c.id, me.auth).expect(409);
    expect(again.body).toMatchObject({ code: 'ALREADY_ENROLLED', enrolmentId: res.body.id });
  });

  it('lets an admin enrol a trainee of its scope, and nobody else', async () => {
    const c = await openClass();
    const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA2.id });
    const res = await enrol(c.id, admin, { traineeId: trainee.id }).expect(201);
    expect(res.body).toMatchObject({ traineeId: trainee.id, townshipId: tree.townshipA2.id, status: 'confirmed' });
    expect((await enrol(c.id, admin).expect(400)).body.code).toBe('TRAINEE_REQUIRED');
    const outsider = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id });
    expect((await enrol(c.id, admin, { traineeId: outsider.id }).expect(404)).body.code).toBe('TRAINEE_NOT_FOUND');
    const notTrainee = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.townshipA1.id });
    await enrol(c.id, admin, { traineeId: notTrainee.id }).expect(404);
    const adminB = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id })).auth;
    await enrol(c.id, adminB, { traineeId: trainee.id }).expect(404);

    const [other] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 1);
    const someoneElse = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    expect((await enrol(c.id, other.auth, { traineeId: someoneElse.id }).expect(403)).body.code).toBe(
      'CANNOT_ENROL_OTHERS',
    );
    const trainerAuth = `Bearer ${await login(t.http, trainer.username)}`;
    await enrol(c.id, trainerAuth, { traineeId: someoneElse.id }).expect(403);
    const [countyB] = await signedInTrainees(t.http, t.ds, tree.townshipB1, 1);
    await enrol(c.id, countyB.auth).expect(404);
  });

  it('is only possible while the class is open and its window runs', async () => {
    const [me] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 1);
    const draft = await openClass({ status: 'draft' });
    // a draft class is not announced: trainees do not see it at all
    await enrol(draft.id, me.auth).expect(404);
    const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    expect((await enrol(draft.id, admin, { traineeId: trainee.id }).expect(409)).body.code).toBe('ENROLMENT_CLOSED');
    const early = await openClass({
      enrolmentOpensAt: new Date(Date.now() + 3_600_000),
      enrolmentClosesAt: new Date(Date.now() + 7_200_000),
    });
    expect((await enrol(early.id, me.auth).expect(409)).body.code).toBe('ENROLMENT_CLOSED');
    const late = await openClass({
      enrolmentOpensAt: new Date(Date.now() - 7_200_000),
      enrolmentClosesAt: new Date(Date.now() - 3_600_000),
    });
    expect((await enrol(late.id, me.auth).expect(409)).body.code).toBe('ENROLMENT_CLOSED');
    const running = await openClass({ status: 'running' });
    expect((await enrol(running.id, me.auth).expect(409)).body.code).toBe('ENROLMENT_CLOSED');
  });

  it('refuses trainees who belong to no township', async () => {
    const c = await openClass();
    const [countyStaff] = await signedInTrainees(t.http, t.ds, tree.countyA, 1);
    expect((await enrol(c.id, countyStaff.auth).expect(409)).body.code).toBe('TRAINEE_WITHOUT_TOWNSHIP');
  });

  it('confirms exactly 5 of 50 simultaneous self-enrolments from one township and waitlists 45 at positions 1..45', async () => {
    const c = await openClass({ capacity: 100 });
    const trainees = await signedInTrainees(t.http, t.ds, tree.townshipA1, 50);
    const results = await Promise.all(trainees.map((x) => enrol(c.id, x.auth)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const confirmed = results.filter((r) => r.body.status === 'confirmed');
    const waitlisted = results.filter((r) => r.body.status === 'waitlisted');
    expect(confirmed).toHaveLength(5);
    expect(waitlisted.map((r) => r.body.position as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 45 }, (_, i) => i + 1),
    );
    expect(await t.ds.getRepository(Enrolment).countBy({ classId: c.id, status: 'confirmed' })).toBe(5);
  });

  it('holds both limits for 200 simultaneous enrolments from 10 townships into a class of 30', async () => {
    const county = await createUnit(t.ds, tree.province, 'county', '并发县');
    const countyAdmin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: county.id })).auth;
    const countyPlan = await createPlan(t.ds, county, currentQuarter().year);
    const countyCourse = await createCourse(t.ds, county);
    const countyTrainer = await createUser(t.ds, { role: 'trainer', orgUnitId: county.id });
    const c = await createClass(
      t.ds,
      countyPlan,
      countyCourse,
      [countyTrainer.id],
      openClassFields(countyPlan, { capacity: 30 }),
    );
    const townships = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createUnit(t.ds, county, 'township', `并发镇${i}`)),
    );
    const trainees = (await Promise.all(townships.map((u) => signedInTrainees(t.http, t.ds, u, 20)))).flat();
    const results = await Promise.all(trainees.map((x) => enrol(c.id, x.auth)));
    expect(results.filter((r) => r.status !== 201)).toEqual([]);

    const perTownship = await t.ds.query<{ township_id: string; confirmed: number }[]>(
      `SELECT township_id, count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed FROM enrolments
        WHERE class_id = $1 GROUP BY township_id`,
      [c.id],
    );
    expect(perTownship.every((r) => r.confirmed <= 5)).toBe(true);
    expect(perTownship.reduce((a, r) => a + r.confirmed, 0)).toBe(30);
    const positions = (
      await t.ds.query<{ p: number }[]>(
        `SELECT waitlist_position AS p FROM enrolments WHERE class_id = $1 AND status = 'waitlisted' ORDER BY 1`,
        [c.id],
      )
    ).map((r) => r.p);
    expect(positions).toEqual(Array.from({ length: 170 }, (_, i) => i + 1));
    const quota = await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', countyAdmin).expect(200);
    expect(quota.body).toMatchObject({ capacity: 30, confirmed: 30, waitlisted: 170 });
  });

  it('promotes the first waitlisted trainee who fits when a confirmed one withdraws, not-yet-trained first, and tells them', async () => {
    const c = await openClass({ capacity: 3, maxPerTownship: 2, minPerTownship: 1 });
    const [a1, a2] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 2);
    const [b1] = await signedInTrainees(t.http, t.ds, tree.townshipA2, 1);
    const [w1, w2] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 2);
    const [w3] = await signedInTrainees(t.http, t.ds, tree.villageA2, 1);
    const ids: Record<string, string> = {};
    for (const [name, x] of Object.entries({ a1, a2, b1, w1, w2, w3 }))
      ids[name] = (await enrol(c.id, x.auth).expect(201)).body.id;
    const statusOf = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(ids).map(async ([name, id]) => {
            const e = await t.ds.getRepository(Enrolment).findOneByOrFail({ id });
            return [name, e.status === 'waitlisted' ? `w${e.waitlistPosition}` : e.status];
          }),
        ),
      );
    expect(await statusOf()).toEqual({
      a1: 'confirmed',
      a2: 'confirmed',
      b1: 'confirmed',
      w1: 'w1',
      w2: 'w2',
      w3: 'w3',
    });

    // w1 was already trained this year: w2 (same township, not trained) goes ahead of it
    const other = await openClass({ status: 'completed' });
    await t.ds.getRepository(Enrolment).insert({
      classId: other.id,
      traineeId: w1.id,
      townshipId: tree.townshipA1.id,
      status: 'completed',
      enrolledBy: w1.id,
    });
    await withdraw(ids.a1, a1.auth).expect(200);
    expect(await statusOf()).toEqual({
      a1: 'withdrawn',
      a2: 'confirmed',
      b1: 'confirmed',
      w1: 'w1',
      w2: 'confirmed',
      w3: 'w2',
    });
    const notes = await t.ds.query<{ user_id: string; template: string }[]>(
      `SELECT user_id, template FROM notifications WHERE about_id = $1 AND channel = 'inbox'`,
      [c.id],
    );
    expect(notes).toEqual([{ user_id: w2.id, template: 'enrolment-promoted' }]);

    // a seat freed in township A2: A1 is at its maximum, so w3 (A2, behind w1) is promoted, w1 keeps its place
    await withdraw(ids.b1, admin).expect(200);
    expect(await statusOf()).toEqual({
      a1: 'withdrawn',
      a2: 'confirmed',
      b1: 'withdrawn',
      w1: 'w1',
      w2: 'confirmed',
      w3: 'confirmed',
    });

    // a waitlisted trainee withdrawing closes the gap
    await withdraw(ids.w1, w1.auth).expect(200);
    expect(await t.ds.getRepository(Enrolment).countBy({ classId: c.id, status: 'waitlisted' })).toBe(0);
    expect((await withdraw(ids.w1, w1.auth).expect(409)).body.code).toBe('NOT_WITHDRAWABLE');
  });

  it('passes over a deactivated waitlisted trainee when promoting, and keeps its place', async () => {
    const c = await openClass({ capacity: 1, maxPerTownship: 1, minPerTownship: 1 });
    const [seated, gone, next] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 3);
    const seatedId = (await enrol(c.id, seated.auth).expect(201)).body.id;
    const goneId = (await enrol(c.id, gone.auth).expect(201)).body.id;
    const nextId = (await enrol(c.id, next.auth).expect(201)).body.id;
    await t.http.patch(`/api/users/${gone.id}`).set('Authorization', admin).send({ active: false }).expect(200);
    await withdraw(seatedId, admin).expect(200);
    const byId = async (id: string) => t.ds.getRepository(Enrolment).findOneByOrFail({ id });
    expect(await byId(nextId)).toMatchObject({ status: 'confirmed', waitlistPosition: null });
    expect(await byId(goneId)).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const told = await t.ds.query<{ user_id: string }[]>(
      `SELECT user_id FROM notifications WHERE template = 'enrolment-promoted' AND about_id = $1 AND channel = 'inbox'`,
      [c.id],
    );
    expect(told).toEqual([{ user_id: next.id }]);
  });

  it('keeps withdrawals to the trainee before the class starts, or an admin in scope', async () => {
    const c = await openClass();
    const [me, neighbour] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 2);
    const mine = (await enrol(c.id, me.auth).expect(201)).body.id as string;
    await withdraw(mine, neighbour.auth).expect(404);
    const adminB = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id })).auth;
    await withdraw(mine, adminB).expect(404);
    await t.http.post(`/api/classes/${c.id}/start`).set('Authorization', admin).expect(200);
    expect((await withdraw(mine, me.auth).expect(409)).body.code).toBe('WITHDRAW_CLOSED');
    const res = await withdraw(mine, admin).expect(200);
    expect(res.body.status).toBe('withdrawn');
    await withdraw('00000000-0000-4000-8000-000000000000', admin).expect(404);
  });

  it('lets a withdrawn trainee enrol again, at the back of the queue', async () => {
    const c = await openClass({ capacity: 5, maxPerTownship: 1, minPerTownship: 1 });
    const [first, second] = await signedInTrainees(t.http, t.ds, tree.townshipA1, 2);
    const e1 = (await enrol(c.id, first.auth).expect(201)).body;
    await enrol(c.id, second.auth).expect(201);
    await withdraw(e1.id, first.auth).expect(200);
    const back = await enrol(c.id, first.auth).expect(201);
    expect(back.body).toMatchObject({ id: e1.id, status: 'waitlisted', position: 1 });
  });
});

describe('class limits changed after enrolment (e2e)', () => {
  it('refuses a cut below the seats held, and fills new room from the waitlist in order', async () => {
    const t = await startTestApp();
    try {
      const tree = await createOrgTree(t.ds);
      const admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
      const plan = await createPlan(t.ds, tree.countyA, currentQuarter().year);
      const course = await createCourse(t.ds, tree.countyA);
      const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
      const c = await createClass(
        t.ds,
        plan,
        course,
        [trainer.id],
        openClassFields(plan, { capacity: 3, maxPerTownship: 3, minPerTownship: 1 }),
      );
      const a = await signedInTrainees(t.http, t.ds, tree.townshipA1, 3);
      const b = await signedInTrainees(t.http, t.ds, tree.townshipA2, 2);
      for (const x of [...a, ...b])
        await t.http.post(`/api/classes/${c.id}/enrolments`).set('Authorization', x.auth).expect(201);
      const patch = (body: Record<string, unknown>) =>
        t.http.patch(`/api/classes/${c.id}`).set('Authorization', admin).send(body);
      expect((await patch({ maxPerTownship: 2 }).expect(409)).body.code).toBe('LIMITS_BELOW_ENROLMENT');
      expect((await patch({ capacity: 2, maxPerTownship: 2 }).expect(409)).body.code).toBe('LIMITS_BELOW_ENROLMENT');
      await patch({ capacity: 4 }).expect(200);
      const rows = await t.ds.query<{ trainee_id: string; status: string; waitlist_position: number | null }[]>(
        `SELECT trainee_id, status, waitlist_position FROM enrolments WHERE class_id = $1`,
        [c.id],
      );
      const byId = new Map(rows.map((r) => [r.trainee_id, r]));
      expect(byId.get(b[0].id)).toMatchObject({ status: 'confirmed', waitlist_position: null });
      expect(byId.get(b[1].id)).toMatchObject({ status: 'waitlisted', waitlist_position: 1 });
    } finally {
      await t.close();
    }
  });
});
