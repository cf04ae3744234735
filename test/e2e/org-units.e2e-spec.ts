import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createOrgTree, createUnit, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('org units (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  it('creates a township under the admin county and a village under it', async () => {
    const town = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'township', name: ' 新安镇 ', parentId: tree.countyA.id, code: 'T-001' })
      .expect(201);
    expect(town.body).toMatchObject({
      kind: 'township',
      name: '新安镇',
      parentId: tree.countyA.id,
      code: 'T-001',
      depth: 2,
    });
    const village = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'village', name: '新安村', parentId: town.body.id })
      .expect(201);
    expect(village.body).toMatchObject({ depth: 3, parentId: town.body.id });
    expect(village.body).not.toHaveProperty('path');
  });

  it('refuses a child whose kind is not below its parent', async () => {
    const res = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'county', name: '错县', parentId: tree.townshipA1.id })
      .expect(400);
    expect(res.body.code).toBe('ORG_UNIT_KIND_ORDER');
  });

  it('refuses a duplicate code with 409', async () => {
    const body = { kind: 'village', name: '重码村', parentId: tree.townshipA2.id, code: 'DUP-1' };
    await t.http.post('/api/org-units').set('Authorization', admin).send(body).expect(201);
    const res = await t.http.post('/api/org-units').set('Authorization', admin).send(body).expect(409);
    expect(res.body.code).toBe('ORG_UNIT_CODE_TAKEN');
  });

  it('answers 404 for a parent outside the admin subtree, and never shows those units', async () => {
    const res = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'village', name: '越界村', parentId: tree.townshipB1.id })
      .expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'ORG_UNIT_NOT_FOUND', message: expect.any(String) });
    await t.http.get(`/api/org-units/${tree.townshipB1.id}`).set('Authorization', admin).expect(404);
    await t.http.get(`/api/org-units/${tree.province.id}`).set('Authorization', admin).expect(404);
    await t.http
      .patch(`/api/org-units/${tree.townshipB1.id}`)
      .set('Authorization', admin)
      .send({ name: 'x' })
      .expect(404);
    await t.http.delete(`/api/org-units/${tree.townshipB1.id}`).set('Authorization', admin).expect(404);
  });

  it('lists the whole subtree with filters and pagination', async () => {
    const all = await t.http.get('/api/org-units?pageSize=100').set('Authorization', admin).expect(200);
    const ids = (all.body.items as { id: string }[]).map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([tree.countyA.id, tree.townshipA1.id, tree.villageA2.id]));
    expect(ids).not.toContain(tree.townshipB1.id);
    expect(ids).not.toContain(tree.province.id);
    expect(all.body).toMatchObject({ page: 1, pageSize: 100, total: ids.length });

    const towns = await t.http.get('/api/org-units?kind=township').set('Authorization', admin).expect(200);
    expect((towns.body.items as { kind: string }[]).every((u) => u.kind === 'township')).toBe(true);

    const children = await t.http
      .get(`/api/org-units?parentId=${tree.townshipA1.id}`)
      .set('Authorization', admin)
      .expect(200);
    expect((children.body.items as { id: string }[]).map((u) => u.id)).toEqual([tree.villageA1.id]);

    const page = await t.http.get('/api/org-units?pageSize=2&page=2').set('Authorization', admin).expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.page).toBe(2);

    const found = await t.http
      .get(`/api/org-units?q=${encodeURIComponent('甲一')}`)
      .set('Authorization', admin)
      .expect(200);
    expect((found.body.items as { name: string }[]).map((u) => u.name).sort()).toEqual(['甲一村', '甲一镇']);
  });

  it('finds everything under a unit with one indexed prefix query', async () => {
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      // With a handful of rows the planner prefers a scan; forbid it to see that the prefix match can use the index.
      await runner.query('SET enable_seqscan = off');
      const plan: { 'QUERY PLAN': string }[] = await runner.query(
        'EXPLAIN SELECT id FROM org_units WHERE path LIKE $1',
        [`${tree.countyA.path}%`],
      );
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index.*uq_org_units_path/);
    } finally {
      await runner.release();
    }
  });

  it('moves a township to another parent, re-rooting its whole subtree', async () => {
    const town = await createUnit(t.ds, tree.townshipA1, 'village', '移动村');
    const target = await createUnit(t.ds, tree.countyA, 'township', '目标镇');
    const moved = await t.http
      .patch(`/api/org-units/${town.id}`)
      .set('Authorization', admin)
      .send({ parentId: target.id })
      .expect(200);
    expect(moved.body).toMatchObject({ parentId: target.id, depth: 3 });
    const stored = await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: town.id });
    expect(stored.path).toBe(`${target.path}${town.id}/`);

    const county = await createUnit(t.ds, tree.province, 'county', '临时县');
    const deep = await createUnit(t.ds, tree.countyA, 'township', '深镇');
    const deepVillage = await createUnit(t.ds, deep, 'village', '深村');
    // county A's admin cannot move its township into a county outside its scope
    await t.http
      .patch(`/api/org-units/${deep.id}`)
      .set('Authorization', admin)
      .send({ parentId: county.id })
      .expect(404);
    const other = await createUnit(t.ds, tree.countyA, 'township', '另镇');
    // a township cannot go under another township
    const wrongKind = await t.http
      .patch(`/api/org-units/${deep.id}`)
      .set('Authorization', admin)
      .send({ parentId: other.id })
      .expect(400);
    expect(wrongKind.body.code).toBe('ORG_UNIT_KIND_ORDER');
    const v = await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: deepVillage.id });
    expect(v.path).toBe(`${deep.path}${deepVillage.id}/`);
  });

  it('refuses to move a unit under its own descendant', async () => {
    const a = await createUnit(t.ds, tree.countyA, 'township', '环镇');
    const b = await createUnit(t.ds, a, 'village', '环村');
    const res = await t.http
      .patch(`/api/org-units/${a.id}`)
      .set('Authorization', admin)
      .send({ parentId: b.id })
      .expect(409);
    expect(res.body.code).toBe('ORG_UNIT_CYCLE');
  });

  it('lets an admin rename its own unit but never move it or delete it', async () => {
    await t.http
      .patch(`/api/org-units/${tree.countyA.id}`)
      .set('Authorization', admin)
      .send({ name: '甲县（新）' })
      .expect(200);
    const other = await createUnit(t.ds, tree.province, 'city', '某市');
    // moving its own unit: the parent is outside its scope anyway (404); re-kinding its own unit is 403
    await t.http
      .patch(`/api/org-units/${tree.countyA.id}`)
      .set('Authorization', admin)
      .send({ parentId: other.id })
      .expect(403);
    const rekind = await t.http
      .patch(`/api/org-units/${tree.countyA.id}`)
      .set('Authorization', admin)
      .send({ kind: 'city' })
      .expect(403);
    expect(rekind.body.code).toBe('OWN_ORG_UNIT');
    await t.http.delete(`/api/org-units/${tree.countyA.id}`).set('Authorization', admin).expect(403);
  });

  it('deletes an empty unit, and refuses units with children or users with 409', async () => {
    const empty = await createUnit(t.ds, tree.townshipA2, 'village', '空村');
    await t.http.delete(`/api/org-units/${empty.id}`).set('Authorization', admin).expect(204);
    await t.http.get(`/api/org-units/${empty.id}`).set('Authorization', admin).expect(404);

    const parent = await createUnit(t.ds, tree.countyA, 'township', '有子镇');
    await createUnit(t.ds, parent, 'village', '子村');
    const withChildren = await t.http.delete(`/api/org-units/${parent.id}`).set('Authorization', admin).expect(409);
    expect(withChildren.body.code).toBe('ORG_UNIT_HAS_CHILDREN');

    const peopled = await createUnit(t.ds, tree.townshipA2, 'village', '有人村');
    await createUser(t.ds, { role: 'trainee', orgUnitId: peopled.id });
    const withUsers = await t.http.delete(`/api/org-units/${peopled.id}`).set('Authorization', admin).expect(409);
    expect(withUsers.body.code).toBe('ORG_UNIT_HAS_USERS');
  });

  it.each([
    ['a plan', 'plan', 'county'],
    ['a survey', 'survey', 'township'],
    ['a venue', 'venue', 'township'],
    ['a course', 'course', 'township'],
  ] as const)(
    'refuses to delete a unit still used by %s with 409 ORG_UNIT_IN_USE naming it',
    async (_what, usedBy, kind) => {
      const unit = await createUnit(t.ds, kind === 'county' ? tree.province : tree.countyA, kind);
      const province = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.province.id });
      const insert: Record<typeof usedBy, string> = {
        plan: `INSERT INTO plans (org_unit_id, year, title) VALUES ($1, 2030, '计划')`,
        survey: `INSERT INTO surveys (org_unit_id, year, service_points, staff_count, proficiency_none, proficiency_basic,
               proficiency_intermediate, proficiency_advanced) VALUES ($1, 2030, 1, 1, 1, 0, 0, 0)`,
        venue: `INSERT INTO venues (org_unit_id, name) VALUES ($1, '教室')`,
        course: `INSERT INTO courses (org_unit_id, title, level, hours) VALUES ($1, '课程', 'beginner', 2)`,
      };
      await t.ds.query(insert[usedBy], [unit.id]);
      const res = await t.http.delete(`/api/org-units/${unit.id}`).set('Authorization', province.auth).expect(409);
      expect(res.body).toMatchObject({ code: 'ORG_UNIT_IN_USE', usedBy });
      expect(await t.ds.getRepository(OrgUnit).countBy({ id: unit.id })).toBe(1);
    },
  );

  it('lets trainees and trainers read their own unit and its ancestors only, and not write', async () => {
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    await t.http.get(`/api/org-units/${tree.villageA1.id}`).set('Authorization', trainee.auth).expect(200);
    await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', trainee.auth).expect(200);
    await t.http.get(`/api/org-units/${tree.villageA2.id}`).set('Authorization', trainee.auth).expect(404);
    await t.http.get('/api/org-units').set('Authorization', trainee.auth).expect(403);
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const denied = await t.http
      .post('/api/org-units')
      .set('Authorization', trainer.auth)
      .send({ kind: 'village', name: '不许村', parentId: tree.townshipA1.id })
      .expect(403);
    expect(denied.body.code).toBe('FORBIDDEN');
  });
});

describe('org units under concurrent changes (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('keeps every path equal to its parent path plus its id when moves and creates race', async () => {
    const province = await createUnit(t.ds, null, 'province', '并发省');
    const cityA = await createUnit(t.ds, province, 'city', '甲市');
    const cityB = await createUnit(t.ds, province, 'city', '乙市');
    const admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: province.id })).auth;
    for (let round = 0; round < 10; round++) {
      const county = await createUnit(t.ds, round % 2 ? cityB : cityA, 'county', `县${round}`);
      const target = round % 2 ? cityA : cityB;
      const results = await Promise.all([
        t.http.patch(`/api/org-units/${county.id}`).set('Authorization', admin).send({ parentId: target.id }),
        t.http
          .post('/api/org-units')
          .set('Authorization', admin)
          .send({ kind: 'township', name: `镇${round}`, parentId: county.id }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 201]);
    }
    const broken = await t.ds.query<{ id: string }[]>(
      `SELECT c.id FROM org_units c JOIN org_units p ON p.id = c.parent_id
        WHERE c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1`,
    );
    expect(broken).toEqual([]);
  });
});

describe('org units: null is not "absent" (e2e)', () => {
  it('answers 400 for null in a PATCH', async () => {
    const t = await startTestApp();
    try {
      const tree = await createOrgTree(t.ds);
      const admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
      for (const field of ['name', 'parentId', 'kind', 'code']) {
        const res = await t.http
          .patch(`/api/org-units/${tree.villageA1.id}`)
          .set('Authorization', admin)
          .send({ [field]: null });
        expect([field, res.status, res.body.code]).toEqual([field, 400, 'VALIDATION_FAILED']);
      }
    } finally {
      await t.close();
    }
  });
});
