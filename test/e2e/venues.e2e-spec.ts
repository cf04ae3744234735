import type { DataSource } from 'typeorm';
import type { AuthUser } from '../../src/common/auth/auth-user';
import type { VenuesService } from '../../src/venues/venues.service';
import { Venue } from '../../src/venues/venue.entity';
import { createOrgTree, createUnit, signedIn } from '../factories';
import { createVenue } from '../factories/planning';
import { startTestApp, type TestApp } from '../support/test-app';

describe('venues (e2e)', () => {
  let t: TestApp;
  let venuesService: VenuesService;
  let appDataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    // Nest's classes (and TypeORM's entities) come from the app's module registry, loaded by
    // startTestApp: require them now, as test/support/routes.ts does.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { VenuesService: Service } =
      require('../../src/venues/venues.service') as typeof import('../../src/venues/venues.service');
    const { DataSource: AppDataSource } = require('typeorm') as typeof import('typeorm');
    /* eslint-enable @typescript-eslint/no-require-imports */
    venuesService = t.app.get(Service);
    appDataSource = t.app.get(AppDataSource);
  });
  afterAll(() => t.close());

  /** A fresh tree and an admin of county A, so each test sees only its own venues. */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    return { tree, admin: admin.auth, adminUser: admin.user };
  }

  const ids = (body: { items: { id: string }[] }) => body.items.map((v) => v.id);

  it('creates a venue in the admin subtree, trimmed, with capacity and address', async () => {
    const { tree, admin } = await world();
    const res = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .send({ name: '  电子阅览室 ', orgUnitId: tree.countyA.id, capacity: 40, address: ' 县图书馆二楼 ' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      orgUnitId: tree.countyA.id,
      name: '电子阅览室',
      capacity: 40,
      address: '县图书馆二楼',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const stored = await t.ds.getRepository(Venue).findOneByOrFail({ id: res.body.id });
    expect(stored).toMatchObject({ name: '电子阅览室', capacity: 40, orgUnitId: tree.countyA.id });

    const minimal = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .send({ name: '镇文化站', orgUnitId: tree.townshipA1.id })
      .expect(201);
    expect(minimal.body).toMatchObject({ capacity: null, address: null, orgUnitId: tree.townshipA1.id });
  });

  it('validates the body field by field', async () => {
    const { tree, admin } = await world();
    const res = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .send({ name: '   ', orgUnitId: 'not-a-uuid', capacity: 1.5, address: 'x'.repeat(201) })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'address',
      'capacity',
      'name',
      'orgUnitId',
    ]);
    for (const capacity of [0, -3, 10001, '40']) {
      const bad = await t.http
        .post('/api/venues')
        .set('Authorization', admin)
        .send({ name: '教室', orgUnitId: tree.countyA.id, capacity })
        .expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'capacity' })]);
    }
    const unknown = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .send({ name: '教室', orgUnitId: tree.countyA.id, seats: 3 })
      .expect(400);
    expect(unknown.body.code).toBe('VALIDATION_FAILED');
    expect(await t.ds.getRepository(Venue).countBy({ orgUnitId: tree.countyA.id })).toBe(0);
  });

  it('answers 404 for a unit outside the admin subtree or unknown', async () => {
    const { tree, admin } = await world();
    for (const orgUnitId of [tree.countyB.id, tree.townshipB1.id, tree.province.id, crypto.randomUUID()]) {
      const res = await t.http
        .post('/api/venues')
        .set('Authorization', admin)
        .send({ name: '越界教室', orgUnitId })
        .expect(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'ORG_UNIT_NOT_FOUND', message: expect.any(String) });
    }
    expect(await t.ds.getRepository(Venue).countBy({ name: '越界教室' })).toBe(0);
  });

  it('refuses a duplicate name in the same unit with 409, and allows it in another unit', async () => {
    const { tree, admin } = await world();
    const body = { name: '多功能厅', orgUnitId: tree.countyA.id };
    await t.http.post('/api/venues').set('Authorization', admin).send(body).expect(201);
    const res = await t.http.post('/api/venues').set('Authorization', admin).send(body).expect(409);
    expect(res.body).toEqual({ statusCode: 409, code: 'VENUE_NAME_TAKEN', message: expect.any(String) });
    await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .send({ ...body, orgUnitId: tree.townshipA1.id })
      .expect(201);
  });

  it('holds the unique name under concurrent creation: one wins, the rest get 409', async () => {
    const { tree, admin } = await world();
    const body = { name: '并发教室', orgUnitId: tree.townshipA2.id };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.http.post('/api/venues').set('Authorization', admin).send(body)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('VENUE_NAME_TAKEN');
    expect(await t.ds.getRepository(Venue).countBy(body)).toBe(1);
  });

  it('replays a retried POST with the same Idempotency-Key instead of creating twice', async () => {
    const { tree, admin } = await world();
    const body = { name: '重试教室', orgUnitId: tree.countyA.id };
    const first = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'venue-retry-1')
      .send(body)
      .expect(201);
    const again = await t.http
      .post('/api/venues')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'venue-retry-1')
      .send(body)
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await t.ds.getRepository(Venue).countBy(body)).toBe(1);
  });

  it('lists the subtree only, with unit (and descendants), text filters and pagination', async () => {
    const { tree, admin } = await world();
    const county = await createVenue(t.ds, { orgUnitId: tree.countyA.id, name: 'B 报告厅', address: '城关路 1 号' });
    const town1 = await createVenue(t.ds, { orgUnitId: tree.townshipA1.id, name: 'A 文化站' });
    const village1 = await createVenue(t.ds, { orgUnitId: tree.villageA1.id, name: 'C 村书屋' });
    const town2 = await createVenue(t.ds, { orgUnitId: tree.townshipA2.id, name: 'D 100%_教室' });
    const outside = await createVenue(t.ds, { orgUnitId: tree.townshipB1.id, name: 'A 乙镇文化站' });
    const above = await createVenue(t.ds, { orgUnitId: tree.province.id, name: 'A 省馆' });

    const all = await t.http.get('/api/venues').set('Authorization', admin).expect(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(ids(all.body)).toEqual([town1.id, county.id, village1.id, town2.id]);
    expect(ids(all.body)).not.toEqual(expect.arrayContaining([outside.id]));
    expect(ids(all.body)).not.toEqual(expect.arrayContaining([above.id]));

    const underTown1 = await t.http
      .get(`/api/venues?orgUnitId=${tree.townshipA1.id}`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(underTown1.body)).toEqual([town1.id, village1.id]);

    const byAddress = await t.http
      .get(`/api/venues?q=${encodeURIComponent('城关')}`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(byAddress.body)).toEqual([county.id]);
    // LIKE wildcards in q are matched literally
    const literal = await t.http
      .get(`/api/venues?q=${encodeURIComponent('%_')}`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(literal.body)).toEqual([town2.id]);

    const page2 = await t.http.get('/api/venues?pageSize=3&page=2').set('Authorization', admin).expect(200);
    expect(page2.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(ids(page2.body)).toEqual([town2.id]);

    const outsideFilter = await t.http
      .get(`/api/venues?orgUnitId=${tree.countyB.id}`)
      .set('Authorization', admin)
      .expect(404);
    expect(outsideFilter.body.code).toBe('ORG_UNIT_NOT_FOUND');
    await t.http.get('/api/venues?pageSize=101').set('Authorization', admin).expect(400);
    await t.http.get('/api/venues?orgUnitId=nope').set('Authorization', admin).expect(400);
  });

  it('lets trainers read the venues of their own subtree, never write; trainees get 403', async () => {
    const { tree } = await world();
    const mine = await createVenue(t.ds, { orgUnitId: tree.countyA.id });
    await createVenue(t.ds, { orgUnitId: tree.countyB.id });
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const list = await t.http.get('/api/venues').set('Authorization', trainer.auth).expect(200);
    expect(ids(list.body)).toEqual([mine.id]);
    await t.http.get(`/api/venues?orgUnitId=${tree.townshipB1.id}`).set('Authorization', trainer.auth).expect(404);
    const denied = await t.http
      .post('/api/venues')
      .set('Authorization', trainer.auth)
      .send({ name: '培训师教室', orgUnitId: tree.countyA.id })
      .expect(403);
    expect(denied.body.code).toBe('FORBIDDEN');

    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    await t.http.get('/api/venues').set('Authorization', trainee.auth).expect(403);
    await t.http
      .post('/api/venues')
      .set('Authorization', trainee.auth)
      .send({ name: '学员教室', orgUnitId: tree.villageA1.id })
      .expect(403);
    expect(await t.ds.getRepository(Venue).countBy({ orgUnitId: tree.countyA.id })).toBe(1);
  });

  it('getInScope answers venues inside the admin subtree and 404 VENUE_NOT_FOUND otherwise', async () => {
    const { tree, adminUser } = await world();
    const actor = { ...adminUser, orgPath: tree.countyA.path } as AuthUser;
    const deep = await createUnit(t.ds, tree.townshipA2, 'village', '深处村');
    const inside = await createVenue(t.ds, { orgUnitId: deep.id });
    const outside = await createVenue(t.ds, { orgUnitId: tree.townshipB1.id });
    const above = await createVenue(t.ds, { orgUnitId: tree.province.id });

    await expect(venuesService.getInScope(actor, inside.id)).resolves.toMatchObject({
      id: inside.id,
      orgUnitId: deep.id,
      name: inside.name,
    });
    for (const id of [outside.id, above.id, crypto.randomUUID()]) {
      await expect(venuesService.getInScope(actor, id)).rejects.toMatchObject({
        code: 'VENUE_NOT_FOUND',
        kind: 'not_found',
      });
    }
    // With the caller's transaction manager it sees the caller's uncommitted rows; without it, not.
    await appDataSource.transaction(async (m) => {
      const [{ id }] = await m.query<{ id: string }[]>(
        `INSERT INTO venues (org_unit_id, name) VALUES ($1, '事务内教室') RETURNING id`,
        [deep.id],
      );
      await expect(venuesService.getInScope(actor, id, m)).resolves.toMatchObject({ id, name: '事务内教室' });
      await expect(venuesService.getInScope(actor, id)).rejects.toMatchObject({ code: 'VENUE_NOT_FOUND' });
    });
  });
});
