import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import type { Course } from '../../src/courses/course.entity';
import type { Plan } from '../../src/plans/plan.entity';
import type { User } from '../../src/users/user.entity';
import type { Venue } from '../../src/venues/venue.entity';

describe('classes (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: { user: User; auth: string };
  let plan: Plan;
  let course: Course;
  let venue: Venue;
  let trainer: User;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    plan = await createPlan(t.ds, tree.countyA, 2026);
    course = await createCourse(t.ds, tree.countyA);
    venue = await createVenue(t.ds, tree.countyA);
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  });
  afterAll(() => t.close());

  const body = (over: Record<string, unknown> = {}) => ({
    planId: plan.id,
    courseId: course.id,
    title: '第四期培训班',
    quarter: 4,
    startDate: '2026-10-08',
    endDate: '2026-12-25',
    venueId: venue.id,
    trainerIds: [trainer.id],
    capacity: 40,
    enrolmentOpensAt: '2026-09-20T00:00:00+08:00',
    enrolmentClosesAt: '2026-10-05T18:00:00+08:00',
    ...over,
  });
  const post = (b: Record<string, unknown>) => t.http.post('/api/classes').set('Authorization', admin.auth).send(b);

  it('creates a draft class with the default limits and threshold', async () => {
    const res = await post(body()).expect(201);
    expect(res.body).toMatchObject({
      status: 'draft',
      minPerTownship: 3,
      maxPerTownship: 5,
      attendanceThreshold: 0.8,
      trainerIds: [trainer.id],
      startDate: '2026-10-08',
      endDate: '2026-12-25',
      enrolmentClosesAt: '2026-10-05T18:00:00+08:00',
    });
  });

  it('lets a class that begins in its quarter run on into the next one (a Q4 class ending in January)', async () => {
    const res = await post(body({ endDate: '2027-01-20', title: 'Runs into January' })).expect(201);
    expect(res.body).toMatchObject({ quarter: 4, startDate: '2026-10-08', endDate: '2027-01-20' });
  });

  it.each([
    ['dates outside the quarter', { startDate: '2026-09-30' }, 'CLASS_DATES_OUTSIDE_QUARTER'],
    ['dates in another year', { startDate: '2027-10-08', endDate: '2027-12-01' }, 'CLASS_DATES_OUTSIDE_QUARTER'],
    ['end before start', { startDate: '2026-12-01', endDate: '2026-11-01' }, 'CLASS_DATES_OUTSIDE_QUARTER'],
    ['an end after the next quarter', { endDate: '2027-04-01' }, 'CLASS_DATES_OUTSIDE_QUARTER'],
    ['an impossible date', { endDate: '2026-11-31' }, 'INVALID_DATE'],
    ['min above max', { minPerTownship: 6, maxPerTownship: 5 }, 'CLASS_LIMITS_INVALID'],
    ['max above capacity', { capacity: 4 }, 'CLASS_LIMITS_INVALID'],
    ['enrolment closing before it opens', { enrolmentClosesAt: '2026-09-01T00:00:00Z' }, 'ENROLMENT_WINDOW_INVALID'],
    [
      'enrolment closing after the class',
      { enrolmentClosesAt: '2026-12-26T00:00:01+08:00' },
      'ENROLMENT_WINDOW_INVALID',
    ],
    ['a quarter of 5', { quarter: 5 }, 'VALIDATION_FAILED'],
    ['no trainers', { trainerIds: [] }, 'VALIDATION_FAILED'],
    ['a threshold above 1', { attendanceThreshold: 1.2 }, 'VALIDATION_FAILED'],
    ['a date-time for a date', { startDate: '2026-10-08T00:00:00Z' }, 'VALIDATION_FAILED'],
  ])('refuses %s with 400 %s', async (_what, over, code) => {
    const res = await post(body(over)).expect(400);
    expect(res.body.code).toBe(code);
  });

  it('answers 404 for a plan, venue or trainer outside the scope, and for a non-trainer', async () => {
    const planB = await createPlan(t.ds, tree.countyB, 2026);
    await post(body({ planId: planB.id })).expect(404);
    const venueB = await createVenue(t.ds, tree.countyB);
    expect((await post(body({ venueId: venueB.id })).expect(404)).body.code).toBe('VENUE_NOT_FOUND');
    const trainerB = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyB.id });
    const res = await post(body({ trainerIds: [trainer.id, trainerB.id] })).expect(404);
    expect(res.body).toMatchObject({ code: 'TRAINER_NOT_FOUND', trainerIds: [trainerB.id] });
    const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    await post(body({ trainerIds: [trainee.id] })).expect(404);
    const inactive = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, active: false });
    await post(body({ trainerIds: [inactive.id] })).expect(404);
  });

  it("keeps a class's course, venue and trainers in the class's own county, even for a province admin", async () => {
    const province = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.province.id });
    const courseB = await createCourse(t.ds, tree.countyB);
    const venueB = await createVenue(t.ds, tree.countyB);
    const trainerB = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyB.id });
    const asProvince = (over: Record<string, unknown>) =>
      t.http.post('/api/classes').set('Authorization', province.auth).send(body(over));
    expect((await asProvince({ courseId: courseB.id }).expect(404)).body.code).toBe('COURSE_NOT_FOUND');
    expect((await asProvince({ venueId: venueB.id }).expect(404)).body.code).toBe('VENUE_NOT_FOUND');
    const res = await asProvince({ trainerIds: [trainerB.id] }).expect(404);
    expect(res.body).toMatchObject({ code: 'TRAINER_NOT_FOUND', trainerIds: [trainerB.id] });
    // A province-wide course may be used by every county's classes.
    const provincial = await createCourse(t.ds, tree.province);
    const created = (await asProvince({ courseId: provincial.id }).expect(201)).body.id as string;
    const patch = (over: Record<string, unknown>) =>
      t.http.patch(`/api/classes/${created}`).set('Authorization', province.auth).send(over);
    expect((await patch({ venueId: venueB.id }).expect(404)).body.code).toBe('VENUE_NOT_FOUND');
    expect((await patch({ trainerIds: [trainerB.id] }).expect(404)).body.code).toBe('TRAINER_NOT_FOUND');
    expect((await patch({ courseId: courseB.id }).expect(404)).body.code).toBe('COURSE_NOT_FOUND');
    const sessions = await t.http
      .post(`/api/classes/${created}/sessions`)
      .set('Authorization', province.auth)
      .send({ startsAt: '2026-10-10T09:00:00+08:00', endsAt: '2026-10-10T11:00:00+08:00', venueId: venueB.id })
      .expect(404);
    expect(sessions.body.code).toBe('VENUE_NOT_FOUND');
  });

  it('refuses null for the fields a class must have, and lets null clear the venue', async () => {
    const id = (await post(body({ venueId: venue.id })).expect(201)).body.id as string;
    for (const field of ['title', 'capacity', 'startDate', 'trainerIds', 'attendancePoints']) {
      const res = await t.http
        .patch(`/api/classes/${id}`)
        .set('Authorization', admin.auth)
        .send({ [field]: null });
      expect({ field, status: res.status, code: res.body.code }).toEqual({
        field,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const cleared = await t.http.patch(`/api/classes/${id}`).set('Authorization', admin.auth).send({ venueId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.venueId).toBeNull();
  });

  it('moves through draft > open > running > completed, recording who and when', async () => {
    const id = (await post(body()).expect(201)).body.id as string;
    for (const [action, status] of [
      ['open', 'open'],
      ['start', 'running'],
      ['complete', 'completed'],
    ]) {
      const res = await t.http.post(`/api/classes/${id}/${action}`).set('Authorization', admin.auth).expect(200);
      expect(res.body.status).toBe(status);
    }
    const detail = await t.http.get(`/api/classes/${id}`).set('Authorization', admin.auth).expect(200);
    expect(detail.body.transitions).toEqual([
      { fromStatus: 'draft', toStatus: 'open', actorId: admin.user.id, at: expect.any(String) },
      { fromStatus: 'open', toStatus: 'running', actorId: admin.user.id, at: expect.any(String) },
      { fromStatus: 'running', toStatus: 'completed', actorId: admin.user.id, at: expect.any(String) },
    ]);
  });

  it('refuses forbidden transitions with 409 INVALID_TRANSITION', async () => {
    const id = (await post(body()).expect(201)).body.id as string;
    const skip = await t.http.post(`/api/classes/${id}/complete`).set('Authorization', admin.auth).expect(409);
    expect(skip.body).toMatchObject({ code: 'INVALID_TRANSITION', status: 'draft' });
    await t.http.post(`/api/classes/${id}/start`).set('Authorization', admin.auth).expect(409);
    await t.http.post(`/api/classes/${id}/cancel`).set('Authorization', admin.auth).expect(200);
    await t.http.post(`/api/classes/${id}/open`).set('Authorization', admin.auth).expect(409);
    await t.http.post(`/api/classes/${id}/cancel`).set('Authorization', admin.auth).expect(409);
    const done = await createClass(t.ds, plan, course, [trainer.id], { status: 'completed' });
    const res = await t.http.post(`/api/classes/${done.id}/cancel`).set('Authorization', admin.auth).expect(409);
    expect(res.body).toMatchObject({ code: 'INVALID_TRANSITION', status: 'completed' });
  });

  it('lets exactly one of several parallel transitions win', async () => {
    const c = await createClass(t.ds, plan, course, [trainer.id], { status: 'open' });
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => t.http.post(`/api/classes/${c.id}/start`).set('Authorization', admin.auth)),
      ...Array.from({ length: 4 }, () => t.http.post(`/api/classes/${c.id}/cancel`).set('Authorization', admin.auth)),
    ]);
    const transitions = await t.ds.query<{ from_status: string; to_status: string }[]>(
      `SELECT from_status, to_status FROM class_transitions WHERE class_id = $1 ORDER BY at`,
      [c.id],
    );
    // either start then cancel (running > cancelled), or cancel alone; never two steps from the same state
    const froms = transitions.map((x) => x.from_status);
    expect(new Set(froms).size).toBe(froms.length);
    expect(results.filter((r) => r.status === 200)).toHaveLength(transitions.length);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
  });

  it('edits a class while it is not over, re-checking the rules, and locks it once completed', async () => {
    const id = (await post(body()).expect(201)).body.id as string;
    const res = await t.http
      .patch(`/api/classes/${id}`)
      .set('Authorization', admin.auth)
      .send({ capacity: 60, maxPerTownship: 4, title: '改名' })
      .expect(200);
    expect(res.body).toMatchObject({ capacity: 60, maxPerTownship: 4, title: '改名' });
    const bad = await t.http
      .patch(`/api/classes/${id}`)
      .set('Authorization', admin.auth)
      .send({ capacity: 3 })
      .expect(400);
    expect(bad.body.code).toBe('CLASS_LIMITS_INVALID');
    await t.http.patch(`/api/classes/${id}`).set('Authorization', admin.auth).send({ planId: plan.id }).expect(400);
    const nulled = await t.http
      .patch(`/api/classes/${id}`)
      .set('Authorization', admin.auth)
      .send({ title: null })
      .expect(400);
    expect(nulled.body.code).toBe('VALIDATION_FAILED');
    const done = await createClass(t.ds, plan, course, [trainer.id], { status: 'completed' });
    const locked = await t.http
      .patch(`/api/classes/${done.id}`)
      .set('Authorization', admin.auth)
      .send({ title: 'x' })
      .expect(409);
    expect(locked.body.code).toBe('CLASS_NOT_EDITABLE');
  });

  it('shows trainers their own classes, trainees the announced classes of their county, nothing else', async () => {
    const mine = await createClass(t.ds, plan, course, [trainer.id], { status: 'open' });
    const draft = await createClass(t.ds, plan, course, [trainer.id], { status: 'draft' });
    const otherTrainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const notMine = await createClass(t.ds, plan, course, [otherTrainer.id], { status: 'open' });
    const planB = await createPlan(t.ds, tree.countyB, 2029);
    const courseB = await createCourse(t.ds, tree.countyB);
    const trainerB = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyB.id });
    const elsewhere = await createClass(t.ds, planB, courseB, [trainerB.id], {
      status: 'open',
      startDate: '2029-10-01',
      endDate: '2029-12-31',
      enrolmentOpensAt: new Date('2029-09-01T00:00:00Z'),
      enrolmentClosesAt: new Date('2029-09-30T00:00:00Z'),
    });

    const asTrainer = `Bearer ${(await t.http.post('/api/auth/login').send({ username: trainer.username, password: 'correct-horse-battery' })).body.accessToken}`;
    const trainerList = await t.http.get('/api/classes?pageSize=100').set('Authorization', asTrainer).expect(200);
    const trainerIds = (trainerList.body.items as { id: string }[]).map((c) => c.id);
    expect(trainerIds).toEqual(expect.arrayContaining([mine.id, draft.id]));
    expect(trainerIds).not.toContain(notMine.id);
    await t.http.get(`/api/classes/${notMine.id}`).set('Authorization', asTrainer).expect(404);

    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const traineeList = await t.http.get('/api/classes?pageSize=100').set('Authorization', trainee.auth).expect(200);
    const traineeIds = (traineeList.body.items as { id: string; status: string }[]).map((c) => c.id);
    expect(traineeIds).toEqual(expect.arrayContaining([mine.id, notMine.id]));
    expect(traineeIds).not.toContain(draft.id);
    expect(traineeIds).not.toContain(elsewhere.id);
    await t.http.get(`/api/classes/${draft.id}`).set('Authorization', trainee.auth).expect(404);
    await t.http.get(`/api/classes/${elsewhere.id}`).set('Authorization', admin.auth).expect(404);
    await t.http.post('/api/classes').set('Authorization', trainee.auth).send(body()).expect(403);
    await t.http.post(`/api/classes/${mine.id}/start`).set('Authorization', asTrainer).expect(403);

    const filtered = await t.http
      .get(`/api/classes?status=draft&quarter=4&planId=${plan.id}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect((filtered.body.items as { status: string }[]).every((c) => c.status === 'draft')).toBe(true);
  });
});
