import type { DataSource } from 'typeorm';
import { Course } from '../../src/courses/course.entity';
import type { CoursesService } from '../../src/courses/courses.service';
import { createOrgTree, signedIn } from '../factories';
import { createCourse } from '../factories/planning';
import { startTestApp, type TestApp } from '../support/test-app';

describe('courses (e2e)', () => {
  let t: TestApp;
  let coursesService: CoursesService;
  let appDataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    // Nest's classes (and TypeORM's entities) come from the app's module registry, loaded by
    // startTestApp: require them now, as test/support/routes.ts does.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { CoursesService: Service } =
      require('../../src/courses/courses.service') as typeof import('../../src/courses/courses.service');
    const { DataSource: AppDataSource } = require('typeorm') as typeof import('typeorm');
    /* eslint-enable @typescript-eslint/no-require-imports */
    coursesService = t.app.get(Service);
    appDataSource = t.app.get(AppDataSource);
  });
  afterAll(() => t.close());

  /** A fresh tree and an admin of county A, so each test sees only its own courses. */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    return { tree, admin: admin.auth, adminUser: admin.user };
  }

  const ids = (body: { items: { id: string }[] }) => body.items.map((c) => c.id);
  const valid = { title: '智能手机入门', level: 'beginner', hours: 12.5 };

  it('creates a course owned by the admin unit, trimmed, with hours as a number', async () => {
    const { tree, admin } = await world();
    const res = await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ ...valid, title: '  智能手机入门 ', description: ' 微信、支付 ', topics: [' 微信 ', 'Excel'] })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      orgUnitId: tree.countyA.id,
      title: '智能手机入门',
      description: '微信、支付',
      level: 'beginner',
      hours: 12.5,
      topics: ['微信', 'Excel'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const stored = await t.ds.getRepository(Course).findOneByOrFail({ id: res.body.id });
    expect(stored).toMatchObject({ orgUnitId: tree.countyA.id, hours: 12.5, topics: ['微信', 'Excel'] });

    const got = await t.http.get(`/api/courses/${res.body.id}`).set('Authorization', admin).expect(200);
    expect(got.body).toEqual(res.body);

    const minimal = await t.http.post('/api/courses').set('Authorization', admin).send(valid).expect(201);
    expect(minimal.body).toMatchObject({ description: null, topics: [] });
  });

  it('accepts the limits: 200-character title, 0.1 and 1000 hours, 30 topics of 50 characters', async () => {
    const { admin } = await world();
    const topics = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'题'.repeat(48)}`);
    const res = await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ title: '长'.repeat(200), level: 'advanced', hours: 1000, topics })
      .expect(201);
    expect(res.body).toMatchObject({ hours: 1000, level: 'advanced' });
    expect(res.body.topics).toEqual(topics);
    const small = await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ ...valid, hours: 0.1 })
      .expect(201);
    expect(small.body.hours).toBe(0.1);
  });

  it('validates the body field by field', async () => {
    const { tree, admin } = await world();
    const res = await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ title: '   ', level: 'expert', hours: 0, topics: 'Excel' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set((res.body.errors as { field: string }[]).map((e) => e.field))].sort()).toEqual([
      'hours',
      'level',
      'title',
      'topics',
    ]);

    const cases: [string, Record<string, unknown>][] = [
      ['title', { title: 'x'.repeat(201) }],
      ['title', { title: 42 }],
      ['hours', { hours: -1 }],
      ['hours', { hours: 1000.5 }],
      ['hours', { hours: 1.25 }],
      ['hours', { hours: '12' }],
      ['topics', { topics: Array.from({ length: 31 }, (_, i) => `t${i}`) }],
      ['topics', { topics: ['Excel', ' excel '] }],
      ['topics', { topics: ['ok', '  '] }],
      ['topics', { topics: ['x'.repeat(51)] }],
      ['topics', { topics: [7] }],
      ['description', { description: 'x'.repeat(2001) }],
    ];
    for (const [field, change] of cases) {
      const bad = await t.http
        .post('/api/courses')
        .set('Authorization', admin)
        .send({ ...valid, ...change })
        .expect(400);
      expect({ change, fields: (bad.body.errors as { field: string }[]).map((e) => e.field) }).toEqual({
        change,
        fields: [field],
      });
    }
    // The owner is always the admin's own unit: it cannot be chosen.
    const owner = await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ ...valid, orgUnitId: tree.townshipA1.id })
      .expect(400);
    expect(owner.body.code).toBe('VALIDATION_FAILED');
    expect(await t.ds.getRepository(Course).countBy({ orgUnitId: tree.countyA.id })).toBe(0);
  });

  it('shows a course to users of its unit and below, and to admins above it; never sideways', async () => {
    const { tree, admin } = await world();
    const provincial = await createCourse(t.ds, { orgUnitId: tree.province.id, title: '省级课程' });
    const county = await createCourse(t.ds, { orgUnitId: tree.countyA.id, title: '县级课程' });
    const township = await createCourse(t.ds, { orgUnitId: tree.townshipA1.id, title: '镇级课程' });
    const otherTownship = await createCourse(t.ds, { orgUnitId: tree.townshipA2.id, title: '乙镇课程' });
    const otherCounty = await createCourse(t.ds, { orgUnitId: tree.countyB.id, title: '外县课程' });

    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const outsider = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });

    const visible = async (auth: string) => {
      const res = await t.http.get('/api/courses?pageSize=100').set('Authorization', auth).expect(200);
      return [...ids(res.body)].sort();
    };
    expect(await visible(admin)).toEqual([provincial.id, county.id, township.id, otherTownship.id].sort());
    expect(await visible(trainer.auth)).toEqual([provincial.id, county.id].sort());
    expect(await visible(trainee.auth)).toEqual([provincial.id, county.id, township.id].sort());
    expect(await visible(outsider.auth)).toEqual([provincial.id, otherCounty.id].sort());

    await t.http.get(`/api/courses/${township.id}`).set('Authorization', trainee.auth).expect(200);
    await t.http.get(`/api/courses/${provincial.id}`).set('Authorization', trainee.auth).expect(200);
    for (const [auth, id] of [
      [trainee.auth, otherTownship.id],
      [trainer.auth, township.id],
      [admin, otherCounty.id],
      [admin, crypto.randomUUID()],
    ]) {
      const res = await t.http.get(`/api/courses/${id}`).set('Authorization', auth).expect(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'COURSE_NOT_FOUND', message: expect.any(String) });
    }
    await t.http.get('/api/courses/not-an-id').set('Authorization', admin).expect(400);
  });

  it('lets an admin edit courses owned inside its subtree only', async () => {
    const { tree, admin } = await world();
    const own = await createCourse(t.ds, { orgUnitId: tree.countyA.id, description: '旧说明', topics: ['旧'] });
    const below = await createCourse(t.ds, { orgUnitId: tree.townshipA1.id });
    const provincial = await createCourse(t.ds, { orgUnitId: tree.province.id, title: '省级课程' });
    const otherCounty = await createCourse(t.ds, { orgUnitId: tree.countyB.id, title: '外县课程' });

    const edited = await t.http
      .patch(`/api/courses/${own.id}`)
      .set('Authorization', admin)
      .send({ title: ' 新标题 ', level: 'intermediate', hours: 8.5, description: null, topics: ['新', 'Word'] })
      .expect(200);
    expect(edited.body).toMatchObject({
      id: own.id,
      orgUnitId: tree.countyA.id,
      title: '新标题',
      level: 'intermediate',
      hours: 8.5,
      description: null,
      topics: ['新', 'Word'],
    });
    expect(await t.ds.getRepository(Course).findOneByOrFail({ id: own.id })).toMatchObject({
      title: '新标题',
      hours: 8.5,
      description: null,
    });
    // fields left out stay as they are
    const partial = await t.http
      .patch(`/api/courses/${own.id}`)
      .set('Authorization', admin)
      .send({ hours: 3 })
      .expect(200);
    expect(partial.body).toMatchObject({ title: '新标题', hours: 3, topics: ['新', 'Word'] });

    await t.http.patch(`/api/courses/${below.id}`).set('Authorization', admin).send({ title: '镇课' }).expect(200);

    // visible but owned above: read-only, so not found for editing
    for (const id of [provincial.id, otherCounty.id, crypto.randomUUID()]) {
      const res = await t.http.patch(`/api/courses/${id}`).set('Authorization', admin).send({ title: 'x' }).expect(404);
      expect(res.body.code).toBe('COURSE_NOT_FOUND');
    }
    expect(await t.ds.getRepository(Course).findOneByOrFail({ id: provincial.id })).toMatchObject({
      title: '省级课程',
    });
  });

  it('refuses a PATCH that would null a required field or sets unknown fields', async () => {
    const { tree, admin } = await world();
    const own = await createCourse(t.ds, { orgUnitId: tree.countyA.id });
    for (const change of [
      { title: null },
      { level: null },
      { hours: null },
      { topics: null },
      { hours: 0 },
      { topics: ['a', 'A'] },
      { orgUnitId: tree.townshipA1.id },
    ]) {
      const res = await t.http.patch(`/api/courses/${own.id}`).set('Authorization', admin).send(change).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await t.ds.getRepository(Course).findOneByOrFail({ id: own.id })).toMatchObject({
      title: own.title,
      level: own.level,
      hours: own.hours,
      orgUnitId: tree.countyA.id,
    });
  });

  it('answers 403 to trainers and trainees that try to write', async () => {
    const { tree } = await world();
    const own = await createCourse(t.ds, { orgUnitId: tree.countyA.id });
    for (const fields of [
      { role: 'trainer' as const, orgUnitId: tree.countyA.id },
      { role: 'trainee' as const, orgUnitId: tree.villageA1.id },
    ]) {
      const user = await signedIn(t.http, t.ds, fields);
      const created = await t.http.post('/api/courses').set('Authorization', user.auth).send(valid).expect(403);
      expect(created.body.code).toBe('FORBIDDEN');
      await t.http.patch(`/api/courses/${own.id}`).set('Authorization', user.auth).send({ title: 'x' }).expect(403);
    }
    expect(await t.ds.getRepository(Course).countBy({ orgUnitId: tree.countyA.id })).toBe(1);
  });

  it('filters by level and by text in the title or a topic, and paginates', async () => {
    const { tree, admin } = await world();
    const a = await createCourse(t.ds, { orgUnitId: tree.countyA.id, title: 'A 电脑基础', level: 'beginner' });
    const b = await createCourse(t.ds, {
      orgUnitId: tree.countyA.id,
      title: 'B 办公软件',
      level: 'intermediate',
      topics: ['Excel 表格', '文字处理'],
    });
    const c = await createCourse(t.ds, { orgUnitId: tree.province.id, title: 'C 网上办事', level: 'beginner' });
    const d = await createCourse(t.ds, { orgUnitId: tree.townshipA2.id, title: 'D 100% 实操', level: 'advanced' });

    const all = await t.http.get('/api/courses').set('Authorization', admin).expect(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(ids(all.body)).toEqual([a.id, b.id, c.id, d.id]);

    const beginners = await t.http.get('/api/courses?level=beginner').set('Authorization', admin).expect(200);
    expect(ids(beginners.body)).toEqual([a.id, c.id]);
    const byTopic = await t.http.get('/api/courses?q=excel').set('Authorization', admin).expect(200);
    expect(ids(byTopic.body)).toEqual([b.id]);
    const byTitle = await t.http
      .get(`/api/courses?q=${encodeURIComponent('办')}`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(byTitle.body)).toEqual([b.id, c.id]);
    const both = await t.http
      .get(`/api/courses?level=beginner&q=${encodeURIComponent('办')}`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(both.body)).toEqual([c.id]);
    const literal = await t.http.get('/api/courses?q=%25').set('Authorization', admin).expect(200);
    expect(ids(literal.body)).toEqual([d.id]);

    const page2 = await t.http.get('/api/courses?pageSize=3&page=2').set('Authorization', admin).expect(200);
    expect(page2.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(ids(page2.body)).toEqual([d.id]);
    await t.http.get('/api/courses?level=expert').set('Authorization', admin).expect(400);
  });

  it('replays a retried POST with the same Idempotency-Key instead of creating twice', async () => {
    const { tree, admin } = await world();
    const send = () =>
      t.http.post('/api/courses').set('Authorization', admin).set('Idempotency-Key', 'course-retry').send(valid);
    const [first, second] = [await send(), await send()];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(await t.ds.getRepository(Course).countBy({ orgUnitId: tree.countyA.id })).toBe(1);
  });

  it("getUsableFor answers courses of the class's county or from above it, and 404 COURSE_NOT_FOUND otherwise", async () => {
    const { tree } = await world();
    const county = tree.countyA.path;
    const provincial = await createCourse(t.ds, { orgUnitId: tree.province.id });
    const below = await createCourse(t.ds, { orgUnitId: tree.townshipA2.id, hours: 2.5 });
    const sideways = await createCourse(t.ds, { orgUnitId: tree.countyB.id });

    await expect(coursesService.getUsableFor(county, provincial.id)).resolves.toMatchObject({ id: provincial.id });
    await expect(coursesService.getUsableFor(county, below.id)).resolves.toMatchObject({ id: below.id, hours: 2.5 });
    for (const id of [sideways.id, crypto.randomUUID()]) {
      await expect(coursesService.getUsableFor(county, id)).rejects.toMatchObject({
        code: 'COURSE_NOT_FOUND',
        kind: 'not_found',
      });
    }
    // With the caller's transaction manager it sees the caller's uncommitted rows; without it, not.
    await appDataSource.transaction(async (m) => {
      const [{ id }] = await m.query<{ id: string }[]>(
        `INSERT INTO courses (org_unit_id, title, level, hours) VALUES ($1, '事务内课程', 'beginner', 4) RETURNING id`,
        [tree.countyA.id],
      );
      await expect(coursesService.getUsableFor(county, id, m)).resolves.toMatchObject({ id, hours: 4 });
      await expect(coursesService.getUsableFor(county, id)).rejects.toMatchObject({ code: 'COURSE_NOT_FOUND' });
    });
  });
});
