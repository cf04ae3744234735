import { ClassSession } from '../../src/classes/class-session.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('plans (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  it('creates one plan per county and year with targets', async () => {
    const res = await t.http
      .post('/api/plans')
      .set('Authorization', admin)
      .send({
        orgUnitId: tree.countyA.id,
        year: 2031,
        title: '2031年培训计划',
        targetClasses: 4,
        targetPersonTimes: 3000,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      orgUnitId: tree.countyA.id,
      year: 2031,
      targetClasses: 4,
      targetPersonTimes: 3000,
    });
    const again = await t.http
      .post('/api/plans')
      .set('Authorization', admin)
      .send({ orgUnitId: tree.countyA.id, year: 2031, title: '重复' })
      .expect(409);
    expect(again.body).toMatchObject({ code: 'PLAN_EXISTS', planId: res.body.id });
  });

  it('holds one plan per county and year under parallel requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.http
          .post('/api/plans')
          .set('Authorization', admin)
          .send({ orgUnitId: tree.countyA.id, year: 2032, title: '并发' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    // Every loser names the winner, including those that lost at the unique constraint.
    const winner = results.find((r) => r.status === 201)!.body.id as string;
    for (const lost of results.filter((r) => r.status === 409)) {
      expect(lost.body).toMatchObject({ code: 'PLAN_EXISTS', planId: winner });
    }
  });

  it('refuses a plan for a unit that is not a county, or outside the admin scope', async () => {
    const town = await t.http
      .post('/api/plans')
      .set('Authorization', admin)
      .send({ orgUnitId: tree.townshipA1.id, year: 2030, title: '镇计划' })
      .expect(400);
    expect(town.body.code).toBe('PLAN_UNIT_NOT_COUNTY');
    await t.http
      .post('/api/plans')
      .set('Authorization', admin)
      .send({ orgUnitId: tree.countyB.id, year: 2030, title: 'x' })
      .expect(404);
    const bad = await t.http
      .post('/api/plans')
      .set('Authorization', admin)
      .send({ orgUnitId: tree.countyA.id, year: 1990, title: '' })
      .expect(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['title', 'year']);
  });

  it('is for admins only, and only in their subtree', async () => {
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    await t.http.get('/api/plans').set('Authorization', trainer.auth).expect(403);
    const other = await createPlan(t.ds, tree.countyB, 2030);
    await t.http.get(`/api/plans/${other.id}`).set('Authorization', admin).expect(404);
    await t.http.patch(`/api/plans/${other.id}`).set('Authorization', admin).send({ title: 'x' }).expect(404);
    const list = await t.http.get('/api/plans?pageSize=100').set('Authorization', admin).expect(200);
    expect((list.body.items as { id: string }[]).map((p) => p.id)).not.toContain(other.id);
  });

  it('shows plan against actual, counted live from classes and sessions', async () => {
    const plan = await createPlan(t.ds, tree.countyA, 2026, { targetClasses: 4, targetPersonTimes: 3000 });
    const course = await createCourse(t.ds, tree.countyA);
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const q1 = await createClass(t.ds, plan, course, [trainer.id], {
      quarter: 1,
      startDate: '2026-01-05',
      endDate: '2026-03-25',
      status: 'completed',
    });
    await createClass(t.ds, plan, course, [trainer.id], {
      quarter: 2,
      startDate: '2026-04-05',
      endDate: '2026-06-25',
      status: 'cancelled',
    });
    const q4 = await createClass(t.ds, plan, course, [trainer.id], { status: 'running' });
    const sessions = t.ds.getRepository(ClassSession);
    // Held means started: sessions are placed relative to now (progress counts them by their class's quarter).
    const at = (daysFromNow: number, hours = 3) => {
      const startsAt = new Date(Date.now() + daysFromNow * 86_400_000);
      return { startsAt, endsAt: new Date(startsAt.getTime() + hours * 3.6e6), trainerId: trainer.id };
    };
    await sessions.save([
      sessions.create({ classId: q1.id, ...at(-30) }),
      sessions.create({ classId: q1.id, ...at(-20) }),
      sessions.create({ classId: q1.id, ...at(-10), status: 'cancelled' }),
      sessions.create({ classId: q4.id, ...at(-1) }),
      sessions.create({ classId: q4.id, ...at(30) }),
    ]);
    const res = await t.http.get(`/api/plans/${plan.id}`).set('Authorization', admin).expect(200);
    expect(res.body.progress).toEqual({
      classesPlanned: 2,
      classesHeld: 2,
      classesCompleted: 1,
      sessionsPlanned: 4,
      sessionsHeld: 3,
      classesRate: 0.5,
      personTimes: 0,
      personTimesRate: 0,
      byQuarter: [
        { quarter: 1, classes: 1, sessionsPlanned: 2, sessionsHeld: 2, personTimes: 0 },
        { quarter: 2, classes: 0, sessionsPlanned: 0, sessionsHeld: 0, personTimes: 0 },
        { quarter: 3, classes: 0, sessionsPlanned: 0, sessionsHeld: 0, personTimes: 0 },
        { quarter: 4, classes: 1, sessionsPlanned: 2, sessionsHeld: 1, personTimes: 0 },
      ],
    });
    // live: cancelling a session changes the answer at once
    await t.ds.query(`UPDATE sessions SET status = 'cancelled' WHERE class_id = $1 AND starts_at < now()`, [q4.id]);
    const after = await t.http.get(`/api/plans/${plan.id}`).set('Authorization', admin).expect(200);
    expect(after.body.progress.sessionsHeld).toBe(2);
  });

  it('updates title and targets', async () => {
    const plan = await createPlan(t.ds, tree.countyA, 2033);
    const res = await t.http
      .patch(`/api/plans/${plan.id}`)
      .set('Authorization', admin)
      .send({ title: '新标题', targetPersonTimes: 2800 })
      .expect(200);
    expect(res.body).toMatchObject({ title: '新标题', targetPersonTimes: 2800, year: 2033 });
    await t.http.patch(`/api/plans/${plan.id}`).set('Authorization', admin).send({ year: 2040 }).expect(400);
  });
});
