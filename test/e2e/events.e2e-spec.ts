import { OutreachEvent } from '../../src/events/outreach-event.entity';
import { createOrgTree, createUnit, signedIn } from '../factories';
import { buildXlsx } from '../support/xlsx-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

describe('outreach events (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A fresh tree and an admin of county A, so each test sees only its own events. */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    return { tree, admin: admin.auth, adminId: admin.user.id };
  }

  const body = (orgUnitId: string, over: Record<string, unknown> = {}) => ({
    kind: 'lecture',
    title: ' 智能手机防诈骗讲座 ',
    date: '2027-03-15',
    orgUnitId,
    headCount: 85,
    materials: { books: 10, discs: 2, leaflets: 200 },
    notes: ' 村委会会议室 ',
    ...over,
  });
  const post = (auth: string, b: unknown) =>
    t.http
      .post('/api/events')
      .set('Authorization', auth)
      .send(b as object);
  const titles = (res: { body: { items: { title: string }[] } }) => res.body.items.map((e) => e.title);

  it('records, reads, corrects and deletes an event', async () => {
    const { tree, admin, adminId } = await world();
    const res = await post(admin, body(tree.townshipA1.id)).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      kind: 'lecture',
      title: '智能手机防诈骗讲座',
      date: '2027-03-15',
      orgUnitId: tree.townshipA1.id,
      orgUnitName: '甲一镇',
      headCount: 85,
      materials: { books: 10, discs: 2, leaflets: 200 },
      notes: '村委会会议室',
      createdBy: adminId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const got = await t.http.get(`/api/events/${res.body.id}`).set('Authorization', admin).expect(200);
    expect(got.body).toEqual(res.body);

    // materials and notes are optional
    const minimal = await post(admin, {
      kind: 'other',
      title: 'x',
      date: '2027-01-01',
      orgUnitId: tree.villageA1.id,
      headCount: 1,
    }).expect(201);
    expect(minimal.body).toMatchObject({ materials: { books: 0, discs: 0, leaflets: 0 }, notes: null });

    const patched = await t.http
      .patch(`/api/events/${res.body.id}`)
      .set('Authorization', admin)
      .send({ kind: 'screening', headCount: 120, materials: { discs: 5 }, notes: null, orgUnitId: tree.townshipA2.id })
      .expect(200);
    expect(patched.body).toMatchObject({
      kind: 'screening',
      title: '智能手机防诈骗讲座',
      date: '2027-03-15',
      headCount: 120,
      materials: { books: 0, discs: 5, leaflets: 0 },
      notes: null,
      orgUnitId: tree.townshipA2.id,
      orgUnitName: '甲二镇',
    });
    expect(new Date(patched.body.updatedAt).getTime()).toBeGreaterThan(new Date(res.body.updatedAt).getTime());

    await t.http.delete(`/api/events/${res.body.id}`).set('Authorization', admin).expect(204);
    const gone = await t.http.get(`/api/events/${res.body.id}`).set('Authorization', admin).expect(404);
    expect(gone.body.code).toBe('EVENT_NOT_FOUND');
    await t.http.delete(`/api/events/${res.body.id}`).set('Authorization', admin).expect(404);
    expect(await t.ds.getRepository(OutreachEvent).countBy({ id: res.body.id })).toBe(0);
  });

  it('refuses every invalid field with 400 VALIDATION_FAILED naming it', async () => {
    const { tree, admin } = await world();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'training' }, 'kind'],
      [{ kind: undefined }, 'kind'],
      [{ title: '' }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 'a\nb' }, 'title'],
      [{ title: 5 }, 'title'],
      [{ date: '2027-02-30' }, 'date'],
      [{ date: '2027-02-29' }, 'date'],
      [{ date: '2027/03/15' }, 'date'],
      [{ date: '2027-03-15T10:00:00Z' }, 'date'],
      [{ date: undefined }, 'date'],
      [{ orgUnitId: 'nope' }, 'orgUnitId'],
      [{ headCount: 0 }, 'headCount'],
      [{ headCount: 100_001 }, 'headCount'],
      [{ headCount: 1.5 }, 'headCount'],
      [{ headCount: '10' }, 'headCount'],
      [{ headCount: undefined }, 'headCount'],
      [{ materials: { books: -1 } }, 'materials.books'],
      [{ materials: { discs: 1_000_001 } }, 'materials.discs'],
      [{ materials: { leaflets: 0.5 } }, 'materials.leaflets'],
      [{ materials: 'lots' }, 'materials'],
      [{ materials: { books: 1, posters: 2 } }, 'materials.posters'],
      [{ notes: 'x'.repeat(2001) }, 'notes'],
      [{ extra: 1 }, 'extra'],
    ];
    for (const [change, field] of cases) {
      const res = await post(admin, body(tree.townshipA1.id, change));
      const fields = ((res.body.errors ?? []) as { field: string }[]).map((e) => e.field);
      expect({ change, status: res.status, code: res.body.code, has: fields.includes(field) }).toEqual({
        change,
        status: 400,
        code: 'VALIDATION_FAILED',
        has: true,
      });
    }
    // the edges are allowed
    await post(
      admin,
      body(tree.townshipA1.id, {
        title: 'x'.repeat(200),
        headCount: 100_000,
        materials: { books: 1_000_000, discs: 0, leaflets: 0 },
        notes: 'y'.repeat(2000),
      }),
    ).expect(201);

    const created = await post(admin, body(tree.townshipA1.id)).expect(201);
    for (const [change, field] of [
      [{ headCount: 0 }, 'headCount'],
      [{ title: null }, 'title'],
      [{ date: '2027-13-01' }, 'date'],
      [{ kind: null }, 'kind'],
    ] as [Record<string, unknown>, string][]) {
      const res = await t.http.patch(`/api/events/${created.body.id}`).set('Authorization', admin).send(change);
      expect({ change, status: res.status, code: res.body.code, field: res.body.errors?.[0]?.field }).toEqual({
        change,
        status: 400,
        code: 'VALIDATION_FAILED',
        field,
      });
    }
    for (const q of ['year=1999', 'year=abc', 'kind=training', 'orgUnitId=x', 'pageSize=1000']) {
      const res = await t.http.get(`/api/events?${q}`).set('Authorization', admin);
      expect({ q, status: res.status, code: res.body.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
    }
    const badId = await t.http.get('/api/events/not-an-id').set('Authorization', admin).expect(400);
    expect(badId.body.code).toBe('INVALID_ID');
  });

  it('keeps trainers and trainees out (403)', async () => {
    const { tree, admin } = await world();
    const created = await post(admin, body(tree.townshipA1.id)).expect(201);
    for (const role of ['trainer', 'trainee'] as const) {
      const { auth } = await signedIn(t.http, t.ds, { role, orgUnitId: tree.countyA.id });
      await t.http.get('/api/events').set('Authorization', auth).expect(403);
      await t.http.get(`/api/events/${created.body.id}`).set('Authorization', auth).expect(403);
      await post(auth, body(tree.townshipA1.id)).expect(403);
      await t.http
        .patch(`/api/events/${created.body.id}`)
        .set('Authorization', auth)
        .send({ headCount: 2 })
        .expect(403);
      await t.http.delete(`/api/events/${created.body.id}`).set('Authorization', auth).expect(403);
      await t.http
        .post('/api/events/import')
        .set('Authorization', auth)
        .attach('file', Buffer.from('类型,标题,日期,单位,人数\r\n'), 'e.csv')
        .expect(403);
    }
  });

  it("answers 404 for another county's units and events", async () => {
    const { tree, admin } = await world();
    const other = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
    const theirs = await post(other.auth, body(tree.townshipB1.id)).expect(201);
    const ours = await post(admin, body(tree.townshipA1.id)).expect(201);

    const create = await post(admin, body(tree.townshipB1.id)).expect(404);
    expect(create.body.code).toBe('ORG_UNIT_NOT_FOUND');
    expect((await post(admin, body(tree.province.id)).expect(404)).body.code).toBe('ORG_UNIT_NOT_FOUND');
    for (const req of [
      t.http.get(`/api/events/${theirs.body.id}`),
      t.http.patch(`/api/events/${theirs.body.id}`).send({ headCount: 1 }),
      t.http.delete(`/api/events/${theirs.body.id}`),
    ]) {
      const res = await req.set('Authorization', admin).expect(404);
      expect(res.body.code).toBe('EVENT_NOT_FOUND');
    }
    const move = await t.http
      .patch(`/api/events/${ours.body.id}`)
      .set('Authorization', admin)
      .send({ orgUnitId: tree.townshipB1.id })
      .expect(404);
    expect(move.body.code).toBe('ORG_UNIT_NOT_FOUND');
    const list = await t.http.get(`/api/events?orgUnitId=${tree.countyB.id}`).set('Authorization', admin).expect(404);
    expect(list.body.code).toBe('ORG_UNIT_NOT_FOUND');
    const mine = await t.http.get('/api/events').set('Authorization', admin).expect(200);
    expect(mine.body.items.map((e: { id: string }) => e.id)).toEqual([ours.body.id]);
    // their event is untouched
    expect(await t.ds.getRepository(OutreachEvent).findOneByOrFail({ id: theirs.body.id })).toMatchObject({
      headCount: 85,
    });
  });

  it('filters by year (local dates), kind and unit subtree; pages newest first', async () => {
    const { tree, admin } = await world();
    const make = (title: string, date: string, kind: string, orgUnitId: string) =>
      post(admin, body(orgUnitId, { title, date, kind })).expect(201);
    await make('a', '2026-12-31', 'lecture', tree.townshipA1.id);
    await make('b', '2027-01-01', 'screening', tree.villageA1.id);
    await make('c', '2027-06-30', 'lecture', tree.townshipA2.id);
    await make('d', '2027-12-31', 'outreach', tree.countyA.id);
    await make('e', '2028-01-01', 'guidance', tree.townshipA1.id);

    const get = (q: string) => t.http.get(`/api/events?${q}`).set('Authorization', admin).expect(200);
    const all = await get('');
    expect(titles(all)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(all.body).toMatchObject({ total: 5, page: 1, pageSize: 20 });
    expect(titles(await get('year=2027'))).toEqual(['d', 'c', 'b']);
    expect(titles(await get('kind=lecture'))).toEqual(['c', 'a']);
    expect(titles(await get(`orgUnitId=${tree.townshipA1.id}`))).toEqual(['e', 'b', 'a']);
    expect(titles(await get(`orgUnitId=${tree.townshipA1.id}&year=2027&kind=screening`))).toEqual(['b']);
    const page2 = await get('pageSize=2&page=2');
    expect(page2.body).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(titles(page2)).toEqual(['c', 'b']);
  });

  it('replays a retried POST with the same Idempotency-Key', async () => {
    const { tree, admin } = await world();
    const send = () =>
      t.http
        .post('/api/events')
        .set('Authorization', admin)
        .set('Idempotency-Key', `event-${tree.countyA.id}`)
        .send(body(tree.townshipA1.id));
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await t.ds.getRepository(OutreachEvent).countBy({ orgUnitId: tree.townshipA1.id })).toBe(1);
  });

  describe('import', () => {
    const header = ['类型', '标题', '日期', '单位', '人数', '图书', '光盘', '宣传册', '备注'];
    const csv = (rows: (string | number)[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);

    function upload(auth: string, file: Buffer, name: string, dryRun = false) {
      return t.http
        .post(`/api/events/import${dryRun ? '?dryRun=true' : ''}`)
        .set('Authorization', auth)
        .attach('file', file, name);
    }

    async function importWorld() {
      const w = await world();
      const coded = await createUnit(t.ds, w.tree.townshipA2, 'village', '乙村', `EV-${w.tree.countyA.id.slice(0, 8)}`);
      return { ...w, coded };
    }
    const count = (orgUnitIds: string[]) =>
      t.ds
        .getRepository(OutreachEvent)
        .createQueryBuilder('e')
        .where('e.org_unit_id IN (:...ids)', { ids: orgUnitIds })
        .getCount();

    it('imports an xlsx with Chinese headers and Excel dates, after a dry run that writes nothing', async () => {
      const { tree, admin, coded } = await importWorld();
      const file = buildXlsx([
        header,
        ['讲座', '防诈骗讲座', 46461, '甲一镇', 80, 10, 2, 300, '村委会'],
        ['放映', '露天电影', '2027-04-01', coded.code!, 200, '', '', '', ''],
        ['下乡', '文化下乡', '2027/5/1', '甲二村', 150, 500, 0, 0, ''],
        ['guidance', '现场指导', '2027-06-02', '甲县', 12, '', '', '', ''],
      ]);
      const units = [tree.countyA.id, tree.townshipA1.id, tree.villageA2.id, coded.id];
      const dry = await upload(admin, file, 'events.xlsx', true).expect(200);
      expect(dry.body).toEqual({ dryRun: true, total: 4, created: 4, failed: 0, errors: [] });
      expect(await count(units)).toBe(0);

      const done = await upload(admin, file, 'events.xlsx').expect(200);
      expect(done.body).toEqual({ dryRun: false, total: 4, created: 4, failed: 0, errors: [] });
      const list = await t.http.get('/api/events?year=2027').set('Authorization', admin).expect(200);
      expect(
        list.body.items.map((e: { kind: string; date: string; orgUnitId: string; headCount: number }) => [
          e.kind,
          e.date,
          e.orgUnitId,
          e.headCount,
        ]),
      ).toEqual([
        ['guidance', '2027-06-02', tree.countyA.id, 12],
        ['outreach', '2027-05-01', tree.villageA2.id, 150],
        ['screening', '2027-04-01', coded.id, 200],
        ['lecture', '2027-03-15', tree.townshipA1.id, 80],
      ]);
      expect(list.body.items[3]).toMatchObject({ materials: { books: 10, discs: 2, leaflets: 300 }, notes: '村委会' });
    });

    it('imports a csv with Chinese headers', async () => {
      const { tree, admin } = await importWorld();
      const res = await upload(
        admin,
        csv([header, ['指导', '上门指导', '2027-02-03', '甲一村', 5, 0, 0, 20, '']]),
        'events.csv',
      ).expect(200);
      expect(res.body).toMatchObject({ created: 1, failed: 0 });
      expect(await count([tree.villageA1.id])).toBe(1);
    });

    it('reports every row error by row and column, in the caller language, and writes nothing', async () => {
      const { tree, admin } = await importWorld();
      const file = csv([
        header,
        ['讲座', '好的一行', '2027-03-01', '甲一镇', 10, '', '', '', ''],
        ['培训', '', '2027-02-30', '乙一镇', 0, -1, 'x', '', ''],
        ['放映', 'y', '2027-03-01', '不存在', 100001, '', '', '', ''],
      ]);
      const res = await upload(admin, file, 'events.csv').set('Accept-Language', 'zh-CN').expect(200);
      expect(res.body).toMatchObject({ dryRun: false, total: 3, created: 0, failed: 2 });
      expect(
        res.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, e.field, e.code]),
      ).toEqual([
        [3, 'kind', 'INVALID'],
        [3, 'title', 'REQUIRED'],
        [3, 'date', 'INVALID'],
        [3, 'headCount', 'RANGE'],
        [3, 'books', 'RANGE'],
        [3, 'discs', 'NUMBER'],
        [4, 'headCount', 'RANGE'],
      ]);
      expect(res.body.errors[0].message).toContain('培训');
      expect(await count([tree.townshipA1.id])).toBe(0);

      // a unit of another county is not found; two units of one name are ambiguous
      await createUnit(t.ds, tree.townshipA2, 'village', '甲一村');
      const units = await upload(
        admin,
        csv([
          header,
          ['讲座', 'a', '2027-03-01', '乙一镇', 10, '', '', '', ''],
          ['讲座', 'b', '2027-03-01', '甲一村', 10, '', '', '', ''],
        ]),
        'events.csv',
      ).expect(200);
      expect(
        units.body.errors.map((e: { row: number; field: string; code: string; message: string }) => [
          e.row,
          e.field,
          e.code,
        ]),
      ).toEqual([
        [2, 'unit', 'NOT_FOUND'],
        [3, 'unit', 'AMBIGUOUS'],
      ]);
      expect(units.body.errors[0].message).toContain('乙一镇');
    });

    it('refuses a file without the headers, and no file', async () => {
      const { admin } = await importWorld();
      const res = await upload(
        admin,
        csv([
          ['标题', '日期'],
          ['x', '2027-01-01'],
        ]),
        'e.csv',
      ).expect(400);
      expect(res.body.code).toBe('IMPORT_INVALID_FILE');
      const none = await t.http
        .post('/api/events/import')
        .set('Authorization', admin)
        .attach('other', Buffer.from('x'), 'e.csv')
        .expect(400);
      expect(none.body.code).toBe('FILE_REQUIRED');
    });
  });
});
