import ExcelJS from 'exceljs';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** Messages are Chinese by default and English on request; codes never change; local times in messages. */
describe('messages in the caller’s language (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  it('answers a domain error in Chinese, or in English when asked, with the same code', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const zh = await t.http.get(`/api/classes/${missing}`).set('Authorization', admin).expect(404);
    expect(zh.body).toEqual({ statusCode: 404, code: 'CLASS_NOT_FOUND', message: '找不到该培训班' });
    const en = await t.http
      .get(`/api/classes/${missing}`)
      .set('Authorization', admin)
      .set('Accept-Language', 'en')
      .expect(404);
    expect(en.body).toEqual({ statusCode: 404, code: 'CLASS_NOT_FOUND', message: 'Class not found' });
    const browser = await t.http
      .get(`/api/classes/${missing}`)
      .set('Authorization', admin)
      .set('Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.8')
      .expect(404);
    expect(browser.body.message).toBe('找不到该培训班');
    // Before any guard or route: sign-in failures and unknown routes too.
    const login = await t.http.post('/api/auth/login').send({ username: 'nobody', password: 'wrong-password' });
    expect(login.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
    const route = await t.http.get('/api/nowhere').set('Accept-Language', 'en').expect(404);
    expect(route.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });
  });

  it("lists every field's problems at once, naming the fields as sent, in the caller's language", async () => {
    const body = { kind: 'village', name: '', parentId: 'not-an-id', code: 'a b', extra: 1 };
    const zh = await t.http.post('/api/org-units').set('Authorization', admin).send(body).expect(400);
    expect(zh.body.code).toBe('VALIDATION_FAILED');
    const fields = (zh.body.errors as { field: string; messages: string[] }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['code', 'extra', 'name', 'parentId']);
    const byField = Object.fromEntries(
      (zh.body.errors as { field: string; messages: string[] }[]).map((e) => [e.field, e.messages]),
    );
    expect(byField.extra).toEqual(['不认识的字段“extra”']);
    expect(byField.parentId).toEqual(['parentId 须是有效的编号（UUID）']);
    expect(byField.code).toEqual(['code 只能含字母、数字、- 和 _（最多 32 个）']);
    expect(zh.body.message).toContain('；');
    const en = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .set('Accept-Language', 'en-US,en;q=0.9')
      .send(body)
      .expect(400);
    expect(en.body.errors).toContainEqual({ field: 'parentId', messages: ['parentId must be a UUID'] });
    expect(en.body.errors).toContainEqual({ field: 'extra', messages: ['property extra should not exist'] });
  });

  it('names nested fields by their path and quotes the constraint', async () => {
    const res = await t.http
      .post('/api/classes')
      .set('Authorization', admin)
      .send({ attendancePoints: { present: 200, late: 1, excused: 1, absent: 0 } })
      .expect(400);
    const present = (res.body.errors as { field: string; messages: string[] }[]).find(
      (e) => e.field === 'attendancePoints.present',
    );
    expect(present?.messages).toEqual(['attendancePoints.present 不能大于 100']);
  });

  it('quotes instants in the centre’s local time', async () => {
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const course = await createCourse(t.ds, tree.countyA);
    const [a, b] = [
      await createClass(t.ds, plan, course, [trainer.id]),
      await createClass(t.ds, plan, course, [trainer.id]),
    ];
    const slot = { startsAt: '2026-10-10T09:00:00+08:00', endsAt: '2026-10-10T11:00:00+08:00' };
    await t.http.post(`/api/classes/${a.id}/sessions`).set('Authorization', admin).send(slot).expect(201);
    const clash = await t.http.post(`/api/classes/${b.id}/sessions`).set('Authorization', admin).send(slot).expect(409);
    expect(clash.body).toMatchObject({ code: 'SESSION_CONFLICT', message: '该教师在 2026-10-10 09:00 已有课' });
  });

  it('writes import row problems in the caller’s language', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学员');
    sheet.addRow(['姓名', '手机号', '单位', '学历']);
    sheet.addRow(['张三', '13800003333', '没有这个镇', '博士后']);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const upload = (lang?: string) => {
      const request = t.http.post('/api/users/import?dryRun=true').set('Authorization', admin);
      if (lang) void request.set('Accept-Language', lang);
      return request.attach('file', file, 'trainees.xlsx').expect(200);
    };
    const zh = (await upload()).body.errors as { field: string; code: string; message: string }[];
    expect(zh).toContainEqual({
      row: 2,
      field: 'orgUnit',
      code: 'NOT_FOUND',
      message: '您管辖范围内没有名为“没有这个镇”的单位',
    });
    expect(zh).toContainEqual({ row: 2, field: 'education', code: 'INVALID', message: '不认识的学历“博士后”' });
    const en = (await upload('en')).body.errors as { field: string; message: string }[];
    expect(en.find((e) => e.field === 'orgUnit')?.message).toBe('no unit named "没有这个镇" in your scope');
  });

  it('never reads what a client sent as a message template', async () => {
    const started = Date.now();
    const injected = '$t(errors.INTERNAL_ERROR){field}';
    const res = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'village', name: '村', parentId: tree.townshipA1.id, [injected]: 1 })
      .expect(400);
    expect(res.body.errors).toEqual([{ field: injected, messages: [`不认识的字段“${injected}”`] }]);
    const id = await t.http.get('/api/users/$t(errors)').set('Authorization', admin).expect(400);
    expect(id.body.message).toBe('“$t(errors)”不是有效的编号');
    // Many unknown keys are refused as one problem, at once, before anyone is signed in.
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`$t(errors)${i}`, 1]));
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: 'a', password: 'b', ...many })
      .expect(400);
    expect(login.body.code).toBe('JSON_TOO_MANY_KEYS');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    ['en-GB,zh-CN;q=0.8', 'Class not found'],
    ['en-US,zh;q=0.9', 'Class not found'],
    ['zh-Hans-CN, en;q=0.9', '找不到该培训班'],
    ['zh-TW,en;q=0.5', '找不到该培训班'],
    ['fr-FR,en;q=0.5', 'Class not found'],
    ['fr-FR', '找不到该培训班'],
  ])('answers Accept-Language %s by its first preference that is English or Chinese', async (header, message) => {
    const res = await t.http
      .get('/api/classes/00000000-0000-4000-8000-000000000000')
      .set('Authorization', admin)
      .set('Accept-Language', header)
      .expect(404);
    expect(res.body.message).toBe(message);
  });

  it('answers the errors Fastify raises before any route, and unreadable uploads, like every other error', async () => {
    const url = await t.http.get('/api/users/%').expect(400);
    expect(url.body).toEqual({ statusCode: 400, code: 'BAD_REQUEST', message: '请求有误' });
    const long = await t.http
      .get(`/api/users/${'a'.repeat(1000)}`)
      .set('Accept-Language', 'en')
      .expect(414);
    expect(long.body).toEqual({ statusCode: 414, code: 'URI_TOO_LONG', message: 'The address is too long' });
    const cut = await t.http
      .post('/api/users/import')
      .set('Authorization', admin)
      .set('Content-Type', 'multipart/form-data; boundary=XX')
      .send('--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc');
    expect(cut.status).toBe(400);
    expect(cut.body.code).toBe('INVALID_UPLOAD');
    const noBoundary = await t.http
      .post('/api/users/import')
      .set('Authorization', admin)
      .set('Content-Type', 'multipart/form-data')
      .send('garbage');
    expect(noBoundary.status).toBe(400);
  });

  it('refuses a body that is an array where one object is expected, and halves of characters', async () => {
    const array = await t.http.post('/api/org-units').set('Authorization', admin).send([]).expect(400);
    expect(array.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'body', messages: ['内容须是一个对象'] }],
    });
    const surrogate = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send(`{"kind":"village","name":"\\ud800村","parentId":"${tree.townshipA1.id}"}`)
      .expect(400);
    expect(surrogate.body.code).toBe('INVALID_CHARACTER');
  });
});
