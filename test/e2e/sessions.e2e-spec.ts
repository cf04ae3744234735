import { ClassSession } from '../../src/classes/class-session.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import type { Venue } from '../../src/venues/venue.entity';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** Listens to the app's domain events (EventEmitter2 from the app's own module registry). */
function recordEvents(t: TestApp): { name: string; payload: Record<string, unknown> }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter2 } = require('@nestjs/event-emitter') as typeof import('@nestjs/event-emitter');
  const seen: { name: string; payload: Record<string, unknown> }[] = [];
  t.app.get(EventEmitter2).onAny((name: string | string[], payload: Record<string, unknown>) => {
    seen.push({ name: String(name), payload });
  });
  return seen;
}

describe('sessions (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;
  let trainer: User;
  let venue: Venue;
  let makeClass: (over?: Partial<TrainingClass>, trainers?: string[]) => Promise<TrainingClass>;
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    t = await startTestApp();
    events = recordEvents(t);
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const course = await createCourse(t.ds, tree.countyA);
    venue = await createVenue(t.ds, tree.countyA);
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    makeClass = (over = {}, trainers = [trainer.id]) =>
      createClass(t.ds, plan, course, trainers, { venueId: venue.id, ...over });
  });
  afterAll(() => t.close());

  const postSessions = (classId: string, body: Record<string, unknown>) =>
    t.http.post(`/api/classes/${classId}/sessions`).set('Authorization', admin).send(body);

  it('creates one session with the class trainer and venue by default', async () => {
    const c = await makeClass();
    const res = await postSessions(c.id, {
      startsAt: '2026-10-10T09:00:00+08:00',
      endsAt: '2026-10-10T12:00:00+08:00',
      topic: '数字资源检索',
    }).expect(201);
    expect(res.body).toMatchObject({
      classId: c.id,
      startsAt: '2026-10-10T09:00:00+08:00',
      endsAt: '2026-10-10T12:00:00+08:00',
      trainerId: trainer.id,
      trainer: { id: trainer.id, displayName: trainer.displayName },
      venueId: venue.id,
      venue: { id: venue.id, name: venue.name, address: venue.address },
      class: { id: c.id, title: c.title },
      course: { id: c.courseId, title: expect.any(String) },
      // A session shows `held` once it has ended: this one's end lies in the past from 2026-10-10 on.
      status: Date.now() >= Date.parse('2026-10-10T12:00:00+08:00') ? 'held' : 'scheduled',
      sequence: 0,
      topic: '数字资源检索',
    });
    expect(events).toContainEqual({
      name: 'session.scheduled',
      payload: { sessionId: res.body.id, classId: c.id, startsAt: '2026-10-10T01:00:00.000Z' },
    });
  });

  it('keeps what trainees should bring: one line of at most 200 characters, changed or cleared by PATCH', async () => {
    const c = await makeClass();
    const res = await postSessions(c.id, {
      startsAt: '2026-10-11T09:00:00+08:00',
      endsAt: '2026-10-11T12:00:00+08:00',
      whatToBring: '  手机（充好电）、身份证 ',
    }).expect(201);
    expect(res.body).toMatchObject({ whatToBring: '手机（充好电）、身份证', topic: null });
    const plain = await postSessions(c.id, {
      startsAt: '2026-10-12T09:00:00+08:00',
      endsAt: '2026-10-12T12:00:00+08:00',
    }).expect(201);
    expect(plain.body.whatToBring).toBeNull();
    const tooLong = await postSessions(c.id, {
      startsAt: '2026-10-13T09:00:00+08:00',
      endsAt: '2026-10-13T12:00:00+08:00',
      whatToBring: '笔'.repeat(201),
    }).expect(400);
    expect(tooLong.body.code).toBe('VALIDATION_FAILED');
    const twoLines = await postSessions(c.id, {
      startsAt: '2026-10-13T09:00:00+08:00',
      endsAt: '2026-10-13T12:00:00+08:00',
      whatToBring: '手机\n身份证',
    }).expect(400);
    expect(twoLines.body.code).toBe('VALIDATION_FAILED');
    const patch = (body: Record<string, unknown>) =>
      t.http.patch(`/api/sessions/${res.body.id}`).set('Authorization', admin).send(body).expect(200);
    expect((await patch({ whatToBring: '笔记本' })).body.whatToBring).toBe('笔记本');
    // Other changes leave it as it is; "" clears it.
    expect((await patch({ topic: '扫码签到' })).body).toMatchObject({ topic: '扫码签到', whatToBring: '笔记本' });
    expect((await patch({ whatToBring: '' })).body.whatToBring).toBeNull();
  });

  it('expands three dates a month over the quarter, at 09:00 Shanghai time, skipping holidays', async () => {
    const c = await makeClass({ startDate: '2026-10-01', endDate: '2026-12-31' });
    const res = await postSessions(c.id, {
      recurrence: {
        rrule: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25',
        startTime: '09:00',
        durationMinutes: 180,
        exdates: ['2026-10-05'],
      },
    }).expect(201);
    const items = res.body.items as { startsAt: string; endsAt: string }[];
    expect(items.map((s) => s.startsAt)).toEqual([
      '2026-10-15T09:00:00+08:00',
      '2026-10-25T09:00:00+08:00',
      '2026-11-05T09:00:00+08:00',
      '2026-11-15T09:00:00+08:00',
      '2026-11-25T09:00:00+08:00',
      '2026-12-05T09:00:00+08:00',
      '2026-12-15T09:00:00+08:00',
      '2026-12-25T09:00:00+08:00',
    ]);
    expect(items.every((s) => new Date(s.endsAt).getTime() - new Date(s.startsAt).getTime() === 3 * 3.6e6)).toBe(true);
    const listed = await t.http.get(`/api/classes/${c.id}/sessions`).set('Authorization', admin).expect(200);
    expect(listed.body.total).toBe(8);
  });

  it('refuses sessions outside the class dates, backwards, too long, or with a trainer of another class', async () => {
    const c = await makeClass({ startDate: '2026-10-08', endDate: '2026-10-31' });
    const outside = await postSessions(c.id, {
      startsAt: '2026-10-07T23:00:00+08:00',
      endsAt: '2026-10-08T01:00:00+08:00',
    }).expect(400);
    expect(outside.body.code).toBe('SESSION_OUTSIDE_CLASS_DATES');
    const backwards = await postSessions(c.id, {
      startsAt: '2026-10-10T12:00:00+08:00',
      endsAt: '2026-10-10T09:00:00+08:00',
    }).expect(400);
    expect(backwards.body.code).toBe('SESSION_TIME_ORDER');
    const long = await postSessions(c.id, {
      startsAt: '2026-10-10T06:00:00+08:00',
      endsAt: '2026-10-10T20:00:00+08:00',
    }).expect(400);
    expect(long.body.code).toBe('SESSION_TOO_LONG');
    const stranger = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const wrong = await postSessions(c.id, {
      startsAt: '2026-10-10T09:00:00+08:00',
      endsAt: '2026-10-10T10:00:00+08:00',
      trainerId: stranger.id,
    }).expect(400);
    expect(wrong.body.code).toBe('SESSION_TRAINER_NOT_IN_CLASS');
    const both = await postSessions(c.id, {
      startsAt: '2026-10-10T09:00:00+08:00',
      endsAt: '2026-10-10T10:00:00+08:00',
      recurrence: { rrule: 'FREQ=WEEKLY', startTime: '09:00', durationMinutes: 60 },
    }).expect(400);
    expect(both.body.code).toBe('VALIDATION_FAILED');
    const rrule = await postSessions(c.id, {
      recurrence: { rrule: 'FREQ=SOMETIMES', startTime: '09:00', durationMinutes: 60 },
    }).expect(400);
    expect(rrule.body.code).toBe('INVALID_RRULE');
    expect(await t.ds.getRepository(ClassSession).countBy({ classId: c.id })).toBe(0);
  });

  it('refuses a trainer or a venue in two overlapping sessions with 409 naming the other session', async () => {
    const a = await makeClass();
    const b = await makeClass();
    const first = await postSessions(a.id, {
      startsAt: '2026-11-02T09:00:00+08:00',
      endsAt: '2026-11-02T12:00:00+08:00',
    }).expect(201);
    const clash = await postSessions(b.id, {
      startsAt: '2026-11-02T11:00:00+08:00',
      endsAt: '2026-11-02T13:00:00+08:00',
    }).expect(409);
    expect(clash.body).toMatchObject({
      code: 'SESSION_CONFLICT',
      conflictingSessionId: first.body.id,
      conflictWith: 'trainer',
    });

    const otherTrainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const c = await makeClass({}, [otherTrainer.id]);
    const room = await postSessions(c.id, {
      startsAt: '2026-11-02T10:00:00+08:00',
      endsAt: '2026-11-02T11:00:00+08:00',
    }).expect(409);
    expect(room.body).toMatchObject({
      code: 'SESSION_CONFLICT',
      conflictingSessionId: first.body.id,
      conflictWith: 'venue',
    });
    // back to back is fine
    await postSessions(b.id, { startsAt: '2026-11-02T12:00:00+08:00', endsAt: '2026-11-02T13:00:00+08:00' }).expect(
      201,
    );
  });

  it('lets only one of many parallel bookings of the same trainer and time win (database constraint)', async () => {
    const classes = await Promise.all(Array.from({ length: 8 }, () => makeClass({}, [trainer.id])));
    const results = await Promise.all(
      classes.map((c, i) =>
        postSessions(c.id, {
          startsAt: '2026-11-20T09:00:00+08:00',
          endsAt: '2026-11-20T11:00:00+08:00',
          venueId: i % 2 ? venue.id : undefined,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(7);
    const winner = results.find((r) => r.status === 201)!.body.id as string;
    expect(refused.every((r) => r.body.code === 'SESSION_CONFLICT' && r.body.conflictingSessionId === winner)).toBe(
      true,
    );
    const [{ n }] = await t.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM sessions WHERE trainer_id = $1 AND starts_at = '2026-11-20T01:00:00Z'`,
      [trainer.id],
    );
    expect(n).toBe(1);
  });

  it('moves a session with the same rules, raising its sequence and an event', async () => {
    const c = await makeClass();
    const s = (
      await postSessions(c.id, { startsAt: '2026-12-01T09:00:00+08:00', endsAt: '2026-12-01T11:00:00+08:00' }).expect(
        201,
      )
    ).body;
    const moved = await t.http
      .patch(`/api/sessions/${s.id}`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-12-02T14:00:00+08:00', endsAt: '2026-12-02T16:00:00+08:00' })
      .expect(200);
    expect(moved.body).toMatchObject({ startsAt: '2026-12-02T14:00:00+08:00', sequence: 1 });
    expect(events).toContainEqual({
      name: 'session.rescheduled',
      payload: {
        sessionId: s.id,
        classId: c.id,
        previousStartsAt: '2026-12-01T01:00:00.000Z',
        startsAt: '2026-12-02T06:00:00.000Z',
        sequence: 1,
      },
    });
    // moving onto itself (overlapping its old slot) is no conflict
    await t.http
      .patch(`/api/sessions/${s.id}`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-12-02T15:00:00+08:00', endsAt: '2026-12-02T17:00:00+08:00' })
      .expect(200);
    const other = (
      await postSessions(c.id, { startsAt: '2026-12-03T09:00:00+08:00', endsAt: '2026-12-03T11:00:00+08:00' }).expect(
        201,
      )
    ).body;
    const clash = await t.http
      .patch(`/api/sessions/${other.id}`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-12-02T16:00:00+08:00', endsAt: '2026-12-02T18:00:00+08:00' })
      .expect(409);
    expect(clash.body).toMatchObject({ code: 'SESSION_CONFLICT', conflictingSessionId: s.id });
    await t.http
      .patch(`/api/sessions/${other.id}`)
      .set('Authorization', admin)
      .send({ startsAt: '2027-01-10T09:00:00+08:00' })
      .expect(400);
  });

  it('cancels a session (kept, marked, sequence raised, slot freed), and cancelling again changes nothing', async () => {
    const c = await makeClass();
    const s = (
      await postSessions(c.id, { startsAt: '2026-12-10T09:00:00+08:00', endsAt: '2026-12-10T11:00:00+08:00' }).expect(
        201,
      )
    ).body;
    const cancelled = await t.http.delete(`/api/sessions/${s.id}`).set('Authorization', admin).expect(200);
    expect(cancelled.body).toMatchObject({
      id: s.id,
      status: 'cancelled',
      sequence: 1,
      cancelledAt: expect.any(String),
    });
    expect(events.filter((e) => e.name === 'session.cancelled' && e.payload.sessionId === s.id)).toHaveLength(1);
    const again = await t.http.delete(`/api/sessions/${s.id}`).set('Authorization', admin).expect(200);
    expect(again.body.sequence).toBe(1);
    expect(events.filter((e) => e.name === 'session.cancelled' && e.payload.sessionId === s.id)).toHaveLength(1);
    expect(await t.ds.getRepository(ClassSession).countBy({ id: s.id })).toBe(1);
    // the slot is free again
    await postSessions(c.id, { startsAt: '2026-12-10T09:00:00+08:00', endsAt: '2026-12-10T11:00:00+08:00' }).expect(
      201,
    );
    await t.http.patch(`/api/sessions/${s.id}`).set('Authorization', admin).send({ topic: 'x' }).expect(409);
    const listed = await t.http
      .get(`/api/classes/${c.id}/sessions?includeCancelled=true`)
      .set('Authorization', admin)
      .expect(200);
    expect(listed.body.total).toBe(2);
  });

  it('cancels the sessions of a cancelled class, freeing their slots and telling the calendars', async () => {
    const c = await makeClass({ status: 'open' });
    const s = (
      await postSessions(c.id, { startsAt: '2026-12-16T09:00:00+08:00', endsAt: '2026-12-16T11:00:00+08:00' }).expect(
        201,
      )
    ).body;
    await t.http.post(`/api/classes/${c.id}/cancel`).set('Authorization', admin).expect(200);
    const [row] = await t.ds.query<{ status: string; sequence: number }[]>(
      `SELECT status, sequence FROM sessions WHERE id = $1`,
      [s.id],
    );
    expect(row).toEqual({ status: 'cancelled', sequence: 1 });
    expect(events).toContainEqual({
      name: 'session.cancelled',
      payload: { sessionId: s.id, classId: c.id, startsAt: '2026-12-16T01:00:00.000Z' },
    });
    const other = await makeClass();
    await postSessions(other.id, { startsAt: '2026-12-16T09:00:00+08:00', endsAt: '2026-12-16T11:00:00+08:00' }).expect(
      201,
    );
  });

  it('refuses instants without a time zone (they would be read as UTC)', async () => {
    const c = await makeClass();
    const res = await postSessions(c.id, { startsAt: '2026-12-17T09:00:00', endsAt: '2026-12-17T11:00:00' }).expect(
      400,
    );
    expect(res.body.code).toBe('VALIDATION_FAILED');
    await postSessions(c.id, { startsAt: '2026-12-17', endsAt: '2026-12-18' }).expect(400);
  });

  it('keeps sessions to admins of the class county; trainers and trainees read, never write', async () => {
    const c = await makeClass({ status: 'open' });
    const s = (
      await postSessions(c.id, { startsAt: '2026-12-14T09:00:00+08:00', endsAt: '2026-12-14T10:00:00+08:00' }).expect(
        201,
      )
    ).body;
    const adminB = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id })).auth;
    await t.http.get(`/api/classes/${c.id}/sessions`).set('Authorization', adminB).expect(404);
    await t.http.patch(`/api/sessions/${s.id}`).set('Authorization', adminB).send({ topic: 'x' }).expect(404);
    await t.http.delete(`/api/sessions/${s.id}`).set('Authorization', adminB).expect(404);
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    await t.http.get(`/api/classes/${c.id}/sessions`).set('Authorization', trainee.auth).expect(200);
    await t.http.delete(`/api/sessions/${s.id}`).set('Authorization', trainee.auth).expect(403);
    await t.http.post(`/api/classes/${c.id}/sessions`).set('Authorization', trainee.auth).send({}).expect(403);
  });

  it('lists all sessions of a plan in time order, paginated', async () => {
    const plan = await createPlan(t.ds, tree.countyA, 2034);
    const course = await createCourse(t.ds, tree.countyA);
    const lone = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const c = await createClass(t.ds, plan, course, [lone.id]);
    await postSessions(c.id, {
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE', startTime: '09:00', durationMinutes: 60 },
    }).expect(201);
    const page = await t.http
      .get(`/api/plans/${plan.id}/sessions?pageSize=200`)
      .set('Authorization', admin)
      .expect(200);
    const starts = (page.body.items as { startsAt: string }[]).map((s) => s.startsAt);
    expect(page.body.total).toBe(starts.length);
    expect(starts.length).toBeGreaterThan(20);
    expect([...starts].sort()).toEqual(starts);
  });
});

describe('sessions in a zone with daylight saving (e2e)', () => {
  it('keeps 09:00 Berlin time across the change to summer time', async () => {
    const t = await startTestApp({ TZ_DEFAULT: 'Europe/Berlin' });
    try {
      const tree = await createOrgTree(t.ds);
      const admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
      const plan = await createPlan(t.ds, tree.countyA, 2026);
      const course = await createCourse(t.ds, tree.countyA);
      const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
      const c = await createClass(t.ds, plan, course, [trainer.id], {
        quarter: 1,
        startDate: '2026-03-16',
        endDate: '2026-03-31',
        enrolmentOpensAt: new Date('2026-03-01T00:00:00Z'),
        enrolmentClosesAt: new Date('2026-03-10T00:00:00Z'),
      });
      const res = await t.http
        .post(`/api/classes/${c.id}/sessions`)
        .set('Authorization', admin)
        .send({ recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '09:00', durationMinutes: 120 } })
        .expect(201);
      expect((res.body.items as { startsAt: string }[]).map((s) => s.startsAt)).toEqual([
        '2026-03-17T09:00:00+01:00', // CET, UTC+1
        '2026-03-24T09:00:00+01:00',
        '2026-03-31T09:00:00+02:00', // CEST from 29 March, UTC+2
      ]);
    } finally {
      await t.close();
    }
  });
});
