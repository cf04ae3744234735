import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import type { Venue } from '../../src/venues/venue.entity';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { createOrgTree, createUser, login, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

const HOUR = 60;

/** What screens need of sessions and classes: lists by time and person, names beside ids, `held`. */
describe('session lists and the names beside ids (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;
  let trainer: { user: User; auth: string };
  let coTrainer: { user: User; auth: string };
  let venue: Venue;
  let cls: TrainingClass;
  let other: TrainingClass;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
    trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
    coTrainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '李老师' });
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const course = await createCourse(t.ds, tree.countyA, { title: '数字资源检索' });
    venue = await createVenue(t.ds, tree.countyA, { name: '电子阅览室', address: '文化路1号' });
    cls = await createClass(t.ds, plan, course, [trainer.user.id, coTrainer.user.id], {
      venueId: venue.id,
      status: 'running',
    });
    other = await createClass(t.ds, plan, course, [coTrainer.user.id], { status: 'running' });
  });
  afterAll(() => t.close());

  const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);

  describe('GET /api/sessions', () => {
    let past: string;
    let soon: string;
    let later: string;
    let othersSession: string;

    beforeAll(async () => {
      past = (await createSession(t.ds, cls, trainer.user.id, -26 * HOUR, { venueId: venue.id })).id;
      soon = (await createSession(t.ds, cls, coTrainer.user.id, 2 * HOUR)).id;
      later = (await createSession(t.ds, cls, trainer.user.id, 50 * HOUR)).id;
      othersSession = (await createSession(t.ds, other, coTrainer.user.id, 4 * HOUR)).id;
      await createSession(t.ds, cls, trainer.user.id, 30 * HOUR, { status: 'cancelled' });
    });

    const ids = (body: { items: { id: string }[] }) => body.items.map((s) => s.id);
    const at = (hours: number) => encodeURIComponent(new Date(Date.now() + hours * 3_600_000).toISOString());

    it("lists an admin's sessions by time, with what a screen shows beside the ids, and held ones marked", async () => {
      const res = await get('/api/sessions', admin).expect(200);
      expect(ids(res.body)).toEqual([past, soon, othersSession, later]);
      expect(res.body.total).toBe(4);
      const [first, second] = res.body.items;
      expect(first).toMatchObject({
        id: past,
        status: 'held',
        class: { id: cls.id, title: cls.title },
        course: { id: cls.courseId, title: '数字资源检索' },
        trainer: { id: trainer.user.id, displayName: '王老师' },
        venue: { id: venue.id, name: '电子阅览室', address: '文化路1号' },
      });
      expect(second).toMatchObject({ id: soon, status: 'scheduled', venue: null, trainer: { displayName: '李老师' } });
      // Instants in the centre's offset.
      expect(first.startsAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00$/);
    });

    it("filters by time range, trainer and class: a trainer's today, an admin's week", async () => {
      expect(ids((await get(`/api/sessions?from=${at(0)}&to=${at(24)}`, admin).expect(200)).body)).toEqual([
        soon,
        othersSession,
      ]);
      expect(ids((await get(`/api/sessions?trainerId=${coTrainer.user.id}`, admin).expect(200)).body)).toEqual([
        soon,
        othersSession,
      ]);
      expect(ids((await get(`/api/sessions?classId=${other.id}`, admin).expect(200)).body)).toEqual([othersSession]);
      const withCancelled = await get(`/api/sessions?classId=${cls.id}&includeCancelled=true`, admin).expect(200);
      expect(withCancelled.body.total).toBe(4);
      expect(withCancelled.body.items.map((s: { status: string }) => s.status)).toContain('cancelled');
    });

    it('keeps to the caller: a trainer its classes, a trainee the classes it holds a seat in, an admin its subtree', async () => {
      expect(ids((await get('/api/sessions', trainer.auth).expect(200)).body)).toEqual([past, soon, later]);
      expect(ids((await get('/api/sessions', coTrainer.auth).expect(200)).body)).toEqual([
        past,
        soon,
        othersSession,
        later,
      ]);
      const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
      const traineeAuth = `Bearer ${await login(t.http, trainee.username)}`;
      expect((await get('/api/sessions', traineeAuth).expect(200)).body.total).toBe(0);
      await seat(t.ds, other, trainee, tree.townshipA1);
      expect(ids((await get('/api/sessions', traineeAuth).expect(200)).body)).toEqual([othersSession]);
      const adminB = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id })).auth;
      expect((await get('/api/sessions', adminB).expect(200)).body.total).toBe(0);
    });

    it('refuses a backwards range and instants without an offset (400)', async () => {
      const backwards = await get(`/api/sessions?from=${at(2)}&to=${at(1)}`, admin).expect(400);
      expect(backwards.body.code).toBe('SESSION_RANGE_ORDER');
      await get('/api/sessions?from=2026-10-08T09:00:00', admin).expect(400);
      await get('/api/sessions?trainerId=nobody', admin).expect(400);
    });
  });

  describe('classes', () => {
    it('name the course, venue and trainers, and show who moved a class to admins only', async () => {
      const open = await t.http.post(`/api/classes/${cls.id}/cancel`).set('Authorization', admin);
      expect(open.status).toBe(200);
      const detail = await get(`/api/classes/${cls.id}`, admin).expect(200);
      expect(detail.body).toMatchObject({
        course: { id: cls.courseId, title: '数字资源检索' },
        venue: { id: venue.id, name: '电子阅览室', address: '文化路1号' },
        trainers: expect.arrayContaining([
          { id: trainer.user.id, displayName: '王老师' },
          { id: coTrainer.user.id, displayName: '李老师' },
        ]),
      });
      expect(detail.body.transitions).toEqual([
        { fromStatus: 'running', toStatus: 'cancelled', actorId: expect.any(String), at: expect.any(String) },
      ]);
      const list = await get('/api/classes', admin).expect(200);
      expect(list.body.items.find((c: { id: string }) => c.id === other.id)).toMatchObject({
        trainers: [{ id: coTrainer.user.id, displayName: '李老师' }],
        venue: null,
      });
    });

    it('show a trainee the venue and trainers of a class it can see, but not who moved it', async () => {
      const c = await createClass(
        t.ds,
        await createPlan(t.ds, tree.countyA, 2027),
        await createCourse(t.ds, tree.countyA),
        [trainer.user.id],
        { venueId: venue.id, status: 'draft' },
      );
      await t.http.post(`/api/classes/${c.id}/open`).set('Authorization', admin).expect(200);
      const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
      const seen = await get(`/api/classes/${c.id}`, trainee.auth).expect(200);
      expect(seen.body).toMatchObject({
        venue: { name: '电子阅览室' },
        trainers: [{ id: trainer.user.id, displayName: '王老师' }],
      });
      expect(seen.body.transitions).toEqual([{ fromStatus: 'draft', toStatus: 'open', at: expect.any(String) }]);
      await get(`/api/venues/${venue.id}`, trainee.auth).expect(200);
    });
  });

  describe('a session always has its trainer', () => {
    it("needs trainerId when the class has several trainers, and defaults to the only one's", async () => {
      const c = await createClass(
        t.ds,
        await createPlan(t.ds, tree.countyA, 2028),
        await createCourse(t.ds, tree.countyA),
        [trainer.user.id, coTrainer.user.id],
      );
      const post = (body: Record<string, unknown>) =>
        t.http.post(`/api/classes/${c.id}/sessions`).set('Authorization', admin).send(body);
      const slot = { startsAt: '2028-10-10T09:00:00+08:00', endsAt: '2028-10-10T11:00:00+08:00' };
      expect((await post(slot).expect(400)).body.code).toBe('SESSION_TRAINER_REQUIRED');
      const recurring = { recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '09:00', durationMinutes: 60 } };
      expect((await post(recurring).expect(400)).body.code).toBe('SESSION_TRAINER_REQUIRED');
      const made = await post({ ...slot, trainerId: coTrainer.user.id }).expect(201);
      expect(made.body.trainer).toEqual({ id: coTrainer.user.id, displayName: '李老师' });
      // The trainer is booked: a second session of the same trainer at the same time is a conflict.
      const clash = await post({ ...slot, trainerId: coTrainer.user.id }).expect(409);
      expect(clash.body).toMatchObject({ code: 'SESSION_CONFLICT', conflictingSessionId: made.body.id });
      const cleared = await t.http
        .patch(`/api/sessions/${made.body.id}`)
        .set('Authorization', admin)
        .send({ trainerId: null })
        .expect(400);
      expect(cleared.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET and PATCH /api/venues/:id', () => {
    it('lets admins in scope read and change a venue, and people of the county read it', async () => {
      const room = await createVenue(t.ds, tree.countyA, { name: '多功能厅' });
      await createVenue(t.ds, tree.countyA, { name: '报告厅' });
      expect((await get(`/api/venues/${room.id}`, admin).expect(200)).body).toMatchObject({ name: '多功能厅' });
      await get(`/api/venues/${room.id}`, trainer.auth).expect(200);
      const adminB = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id })).auth;
      await get(`/api/venues/${room.id}`, adminB).expect(404);
      const traineeB = (await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id })).auth;
      await get(`/api/venues/${room.id}`, traineeB).expect(404);

      const patch = (body: Record<string, unknown>, auth = admin) =>
        t.http.patch(`/api/venues/${room.id}`).set('Authorization', auth).send(body);
      const changed = await patch({ capacity: 80, address: '二楼' }).expect(200);
      expect(changed.body).toMatchObject({ name: '多功能厅', capacity: 80, address: '二楼' });
      expect((await patch({ address: null }).expect(200)).body.address).toBeNull();
      expect((await patch({ name: '报告厅' }).expect(409)).body.code).toBe('VENUE_NAME_TAKEN');
      expect((await patch({ name: null }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await patch({ orgUnitId: tree.townshipA1.id }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      await patch({ capacity: 10 }, trainer.auth).expect(403);
      await patch({ capacity: 10 }, adminB).expect(404);
    });
  });
});
