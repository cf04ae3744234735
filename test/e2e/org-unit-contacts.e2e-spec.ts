import { parse as parseCsv } from 'csv-parse/sync';
import { currentYear } from '../../src/common/time/zoned-time';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUser, login, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Contact people of townships and villages (PUT /api/org-units/:id/contacts): who may be one,
 * who may set them, the unit answer, order and replacement under concurrency, and where they
 * show up (the quota view and the rotation report with its exports).
 */

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('org unit contacts (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const person = (orgUnitId: string, displayName: string, phone: string | null = null, fields = {}) =>
      createUser(t.ds, { role: 'trainee', orgUnitId, displayName, phone, ...fields });
    return { tree, admin, person };
  }
  const put = (auth: string, unitId: string, userIds: unknown) =>
    t.http.put(`/api/org-units/${unitId}/contacts`).set('Authorization', auth).send({ userIds });

  it('sets, shows in order, replaces and clears the contacts of a township', async () => {
    const { tree, admin, person } = await world();
    const a = await person(tree.townshipA1.id, '张三', '13900000001');
    const b = await createUser(t.ds, {
      role: 'trainer',
      orgUnitId: tree.townshipA1.id,
      displayName: '李四',
      phone: null,
    });
    const res = await put(admin.auth, tree.townshipA1.id, [b.id, a.id]).expect(200);
    expect(res.body).toMatchObject({ id: tree.townshipA1.id, kind: 'township' });
    expect(res.body.contacts).toEqual([
      { userId: b.id, displayName: '李四', phone: null },
      { userId: a.id, displayName: '张三', phone: '13900000001' },
    ]);
    const got = await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', admin.auth).expect(200);
    expect(got.body.contacts.map((c: { userId: string }) => c.userId)).toEqual([b.id, a.id]);

    await put(admin.auth, tree.townshipA1.id, [a.id]).expect(200);
    const after = await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', admin.auth);
    expect(after.body.contacts).toEqual([{ userId: a.id, displayName: '张三', phone: '13900000001' }]);
    // PATCH answers the unit with its contacts too; lists stay light.
    const patched = await t.http
      .patch(`/api/org-units/${tree.townshipA1.id}`)
      .set('Authorization', admin.auth)
      .send({ name: '甲一镇（新）' })
      .expect(200);
    expect(patched.body.contacts).toEqual([{ userId: a.id, displayName: '张三', phone: '13900000001' }]);
    const list = await t.http
      .get('/api/org-units')
      .query({ parentId: tree.countyA.id })
      .set('Authorization', admin.auth)
      .expect(200);
    expect(list.body.items[0].contacts).toBeUndefined();

    expect((await put(admin.auth, tree.townshipA1.id, []).expect(200)).body.contacts).toEqual([]);
    // Villages have contacts too.
    const v = await person(tree.villageA1.id, '村联系人');
    expect((await put(admin.auth, tree.villageA1.id, [v.id]).expect(200)).body.contacts).toHaveLength(1);
  });

  it('refuses bad lists with 400 and a code', async () => {
    const { tree, admin, person } = await world();
    const mine = await person(tree.townshipA1.id, '本镇');
    const village = await person(tree.villageA1.id, '村里人');
    const inactive = await person(tree.townshipA1.id, '停用', null, { active: false });
    const notInUnit = await put(admin.auth, tree.townshipA1.id, [mine.id, village.id, inactive.id]).expect(400);
    expect(notInUnit.body).toMatchObject({ code: 'CONTACT_NOT_IN_UNIT', userIds: [village.id, inactive.id] });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await put(admin.auth, tree.townshipA1.id, [unknown]).expect(400)).body.code).toBe('CONTACT_NOT_IN_UNIT');

    const countyUser = await person(tree.countyA.id, '县里人');
    expect((await put(admin.auth, tree.countyA.id, [countyUser.id]).expect(400)).body.code).toBe(
      'ORG_UNIT_CONTACTS_KIND',
    );

    for (const userIds of [
      [mine.id, mine.id],
      Array.from({ length: 11 }, (_, i) => `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`),
      ['not-a-uuid'],
      'x',
      null,
    ]) {
      const res = await put(admin.auth, tree.townshipA1.id, userIds);
      expect({ userIds, status: res.status, code: res.body.code }).toEqual({
        userIds,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    // Nothing was written by the refused requests.
    const got = await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', admin.auth);
    expect(got.body.contacts).toEqual([]);
  });

  it('answers 404 outside the admin’s scope and 403 to trainers and trainees, who see masked phones', async () => {
    const { tree, admin, person } = await world();
    const b = await person(tree.townshipB1.id, '乙县人');
    expect((await put(admin.auth, tree.townshipB1.id, [b.id]).expect(404)).body.code).toBe('ORG_UNIT_NOT_FOUND');
    await put(admin.auth, '00000000-0000-4000-8000-000000000000', []).expect(404);

    const contact = await person(tree.townshipA1.id, '联系人', '13912345678');
    await put(admin.auth, tree.townshipA1.id, [contact.id]).expect(200);
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.townshipA1.id });
    for (const who of [trainee, trainer]) {
      expect((await put(who.auth, tree.townshipA1.id, []).expect(403)).body.code).toBe('FORBIDDEN');
      const seen = await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', who.auth).expect(200);
      expect(seen.body.contacts).toEqual([{ userId: contact.id, displayName: '联系人', phone: '139******78' }]);
    }
  });

  it('lists only contacts still active in the unit', async () => {
    const { tree, admin, person } = await world();
    const stays = await person(tree.townshipA1.id, '留下');
    const leaves = await person(tree.townshipA1.id, '调走');
    const stops = await person(tree.townshipA1.id, '停用');
    await put(admin.auth, tree.townshipA1.id, [leaves.id, stays.id, stops.id]).expect(200);
    await t.ds.query(`UPDATE users SET org_unit_id = $2 WHERE id = $1`, [leaves.id, tree.townshipA2.id]);
    await t.ds.query(`UPDATE users SET active = false WHERE id = $1`, [stops.id]);
    const got = await t.http.get(`/api/org-units/${tree.townshipA1.id}`).set('Authorization', admin.auth);
    expect(got.body.contacts.map((c: { userId: string }) => c.userId)).toEqual([stays.id]);
  });

  it('keeps one of two simultaneous lists whole', async () => {
    const { tree, admin, person } = await world();
    const people = await Promise.all(Array.from({ length: 8 }, (_, i) => person(tree.townshipA2.id, `并发${i}`)));
    const lists = [
      people.slice(0, 4).map((p) => p.id),
      people
        .slice(4)
        .map((p) => p.id)
        .reverse(),
    ];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(lists.map((l) => put(admin.auth, tree.townshipA2.id, l)));
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const got = await t.http.get(`/api/org-units/${tree.townshipA2.id}`).set('Authorization', admin.auth);
      const ids = got.body.contacts.map((c: { userId: string }) => c.userId);
      expect(lists).toContainEqual(ids);
    }
  });

  it('stands beside each township in the quota view', async () => {
    const { tree, admin, person } = await world();
    const a = await person(tree.townshipA1.id, '甲一联系人', '13900000021');
    await put(admin.auth, tree.townshipA1.id, [a.id]).expect(200);
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const plan = await createPlan(t.ds, tree.countyA, currentYear('Asia/Shanghai'));
    const c = await createClass(t.ds, plan, await createCourse(t.ds, tree.countyA), [trainer.id], { status: 'open' });
    const trainerAuth = `Bearer ${await login(t.http, trainer.username)}`;
    for (const auth of [admin.auth, trainerAuth]) {
      const quota = await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', auth).expect(200);
      const byId = new Map(
        (quota.body.townships as { townshipId: string; contacts: unknown[] }[]).map((x) => [x.townshipId, x]),
      );
      expect(byId.get(tree.townshipA1.id)!.contacts).toEqual([
        { userId: a.id, displayName: '甲一联系人', phone: '13900000021' },
      ]);
      expect(byId.get(tree.townshipA2.id)!.contacts).toEqual([]);
    }
  });

  it('stands beside each township in the rotation report, its CSV and its XLSX', async () => {
    const { tree, admin, person } = await world();
    const year = currentYear('Asia/Shanghai');
    const a = await person(tree.townshipA1.id, '联系甲', '13900000031');
    const b = await person(tree.townshipA1.id, '联系乙');
    await person(tree.villageA1.id, '未训', '13900000033');
    await put(admin.auth, tree.townshipA1.id, [a.id, b.id]).expect(200);
    const rotation = (query: object) =>
      t.http
        .get('/api/reports/rotation')
        .query({ year, ...query })
        .set('Authorization', admin.auth);

    const json = (await rotation({}).expect(200)).body;
    const byId = new Map(
      (json.townships as { townshipId: string; contacts: unknown[] }[]).map((x) => [x.townshipId, x]),
    );
    expect(byId.get(tree.townshipA1.id)!.contacts).toEqual([
      { userId: a.id, displayName: '联系甲', phone: '13900000031' },
      { userId: b.id, displayName: '联系乙', phone: null },
    ]);
    expect(byId.get(tree.townshipA2.id)!.contacts).toEqual([]);

    const csv = (await rotation({ format: 'csv' }).buffer(true).parse(binary).expect(200)).body as Buffer;
    const [header, ...lines]: string[][] = parseCsv(csv.subarray(3).toString('utf8'));
    expect(header).toEqual(['乡镇', '单位', '姓名', '手机号', '联系人']);
    const line = lines.find((l) => l[2] === '未训')!;
    expect(line).toEqual(['甲一镇', '甲一村', '未训', '13900000033', '联系甲 13900000031、联系乙']);

    const xlsx = (await rotation({ format: 'xlsx' }).buffer(true).parse(binary).expect(200)).body as Buffer;
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
    const summary = workbook.getWorksheet('乡镇汇总')!;
    const rows = (summary.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    expect(rows[1][7]).toBe('联系人');
    expect(rows.find((r) => r[0] === '甲一镇')![7]).toBe('联系甲 13900000031、联系乙');
    const people = (workbook.getWorksheet('未参训人员')!.getSheetValues() as unknown[][])
      .filter(Boolean)
      .map((r) => r.slice(1));
    expect(people[1]).toEqual(['乡镇', '单位', '姓名', '手机号', '联系人']);
    expect(people.find((r) => r[2] === '未训')![4]).toBe('联系甲 13900000031、联系乙');
  });
});
