import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** Input that once reached PostgreSQL and came back as a 500: every one of them is a 400 now. */
describe('input hardening (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  it('refuses null for user fields the database requires, changing nothing', async () => {
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    for (const field of ['displayName', 'role', 'active', 'orgUnitId', 'password']) {
      const res = await t.http
        .patch(`/api/users/${user.id}`)
        .set('Authorization', admin)
        .send({ [field]: null });
      expect({ field, status: res.status, code: res.body.code }).toEqual({
        field,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    // null still clears the fields that may be empty
    await t.http.patch(`/api/users/${user.id}`).set('Authorization', admin).send({ phone: null }).expect(200);
    expect(await t.ds.getRepository(User).findOneByOrFail({ id: user.id })).toMatchObject({
      displayName: user.displayName,
      role: 'trainee',
      active: true,
      orgUnitId: tree.townshipA1.id,
    });
  });

  it('refuses null for the fields a plan or a session must have, changing nothing', async () => {
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const cls = await createClass(t.ds, plan, await createCourse(t.ds, tree.countyA), [trainer.id]);
    const session = await t.http
      .post(`/api/classes/${cls.id}/sessions`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-10-10T09:00:00+08:00', endsAt: '2026-10-10T11:00:00+08:00' })
      .expect(201);
    const patches: [string, Record<string, unknown>][] = [
      [`/api/plans/${plan.id}`, { title: null }],
      [`/api/sessions/${session.body.id}`, { startsAt: null }],
      [`/api/sessions/${session.body.id}`, { endsAt: null }],
    ];
    for (const [path, body] of patches) {
      const res = await t.http.patch(path).set('Authorization', admin).send(body);
      expect({ path, body, status: res.status, code: res.body.code }).toEqual({
        path,
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const [row] = await t.ds.query<{ starts_at: Date }[]>(`SELECT starts_at FROM sessions WHERE id = $1`, [
      session.body.id,
    ]);
    expect(row.starts_at.toISOString()).toBe('2026-10-10T01:00:00.000Z');
  });

  it('refuses a NUL character anywhere in a JSON body', async () => {
    const login = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"ab\\u0000","password":"whatever-it-is"}');
    expect(login.status).toBe(400);
    expect(login.body).toEqual({ statusCode: 400, code: 'INVALID_CHARACTER', message: expect.any(String) });
    const nested = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send(`{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","x":{"a\\u0000":1}}`);
    expect(nested.status).toBe(400);
    expect(nested.body.code).toBe('INVALID_CHARACTER');
    // An escaped backslash followed by "u0000" is six ordinary characters, not a NUL.
    const escaped = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"ab\\\\u0000","password":"whatever-it-is"}');
    expect(escaped.status).toBe(401);
  });

  it('refuses control and text-direction characters in any text, and line breaks in names', async () => {
    const create = (name: string) =>
      t.http
        .post('/api/org-units')
        .set('Authorization', admin)
        .send({ kind: 'village', name, parentId: tree.townshipA1.id });
    // U+202E makes "村甲\u202Egnp.exe" read backwards on screens and printouts; U+0007 rings a terminal's bell.
    for (const name of ['村\u202E甲', '村\u2066甲\u2069', '村\u200F', '村\u0007', '村\u009B']) {
      const res = await create(name);
      expect({ name, status: res.status, code: res.body.code }).toEqual({
        name,
        status: 400,
        code: 'INVALID_CHARACTER',
      });
    }
    for (const name of ['村\n甲', '村\t甲', '村\r甲']) {
      const res = await create(name);
      expect({ name, status: res.status, code: res.body.code }).toEqual({
        name,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    const renamed = await t.http
      .patch(`/api/users/${user.id}`)
      .set('Authorization', admin)
      .send({ displayName: '张\u202E三' });
    expect(renamed.body.code).toBe('INVALID_CHARACTER');
    expect(await t.ds.query(`SELECT 1 FROM org_units WHERE name LIKE '村%'`)).toHaveLength(0);
    // Text that may span lines keeps its line breaks.
    await t.http
      .post('/api/courses')
      .set('Authorization', admin)
      .send({ title: '课程', level: 'beginner', hours: 2, description: '第一行\n第二行' })
      .expect(201);
  });

  it('reports an imported name holding a text-direction character as a row error', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学员');
    sheet.addRow(['姓名', '手机号', '单位']);
    sheet.addRow(['李\u202E四', '13800001111', tree.townshipA1.name]);
    sheet.addRow(['王五', '13800002222', tree.townshipA1.name]);
    const res = await t.http
      .post('/api/users/import?dryRun=true')
      .set('Authorization', admin)
      .attach('file', Buffer.from(await workbook.xlsx.writeBuffer()), 'trainees.xlsx')
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, failed: 1 });
    expect(res.body.errors).toEqual([
      { row: 2, field: 'displayName', code: 'INVALID_CHARACTER', message: expect.any(String) },
    ]);
  });

  it('refuses a NUL character in the query string or path', async () => {
    for (const url of ['/api/users?q=%00', '/api/org-units?q=a%00b', '/api/users?role=%00admin', '/api/courses/%00']) {
      const res = await t.http.get(url).set('Authorization', admin);
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'INVALID_CHARACTER' });
    }
  });

  it('refuses a page number so large that the offset would overflow', async () => {
    for (const page of ['1e300', '100001']) {
      const res = await t.http.get(`/api/users?page=${page}`).set('Authorization', admin);
      expect({ page, status: res.status, code: res.body.code }).toEqual({
        page,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    await t.http.get('/api/users?page=100000').set('Authorization', admin).expect(200);
  });

  it('drops a NUL character an XLSX cell holds as _x0000_', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['username', 'displayName', 'orgUnit']);
    sheet.addRow(['nulcell1', '名字', tree.townshipA1.name]);
    // ExcelJS drops NUL when writing, so write Excel's escape for it into the shared strings by hand.
    const zip = await JSZip.loadAsync(Buffer.from(await workbook.xlsx.writeBuffer()));
    const strings = await zip.file('xl/sharedStrings.xml')!.async('string');
    zip.file('xl/sharedStrings.xml', strings.replace('名字', '名_x0000_字'));
    const file = await zip.generateAsync({ type: 'nodebuffer' });
    const res = await t.http
      .post('/api/users/import')
      .set('Authorization', admin)
      .attach('file', file, 'trainees.xlsx')
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
    expect(await t.ds.getRepository(User).findOneByOrFail({ username: 'nulcell1' })).toMatchObject({
      displayName: '名字',
    });
  });

  it('answers 400 INVALID_VALUE, without SQL, when PostgreSQL refuses a value that validation let through', async () => {
    const unit = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'village', name: '守门村', parentId: tree.townshipA1.id })
      .expect(201);
    // A rule only the database knows about (as when a migration adds a check before the DTO learns it).
    await t.ds.query(`ALTER TABLE org_units ADD CONSTRAINT ck_test_no_gate CHECK (name <> '禁门村')`);
    try {
      const res = await t.http
        .patch(`/api/org-units/${unit.body.id}`)
        .set('Authorization', admin)
        .send({ name: '禁门村' })
        .expect(400);
      expect(res.body).toEqual({ statusCode: 400, code: 'INVALID_VALUE', message: expect.any(String) });
      expect(res.text).not.toMatch(/ck_test|org_units|UPDATE/);
    } finally {
      await t.ds.query(`ALTER TABLE org_units DROP CONSTRAINT ck_test_no_gate`);
    }
    // null for a required org-unit field (the org-unit DTO lets it through today) is a 400, not a 500.
    const nulled = await t.http
      .patch(`/api/org-units/${unit.body.id}`)
      .set('Authorization', admin)
      .send({ name: null });
    expect(nulled.status).toBe(400);
    expect(['INVALID_VALUE', 'VALIDATION_FAILED']).toContain(nulled.body.code);
  });
});
