import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { User } from '../../src/users/user.entity';
import { createOrgTree, createUnit, createUser, login } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';
import {
  type Browser,
  formToken,
  getPage,
  pageText,
  postForm,
  scriptRequest,
  signInPage,
  submitForm,
} from '../support/web-pages';
import { buildXlsx } from '../support/xlsx-fixtures';

const HEADER = ['用户名', '姓名', '手机号', '单位', '学历', '计算机水平'];

/** Rows of trainees for `township`, usernames `<prefix>01…`; `bad` rows (1-based data rows) get a unit nobody has. */
function traineeRows(prefix: string, count: number, township: string, bad: number[] = []): (string | number)[][] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return [
      `${prefix}${n}`,
      `学员${n}`,
      `139${prefix.length}${n}0000`.slice(0, 11),
      bad.includes(i + 1) ? '不存在镇' : township,
      '初中',
      '基础',
    ];
  });
}

/** The location a 303 sent the browser to. */
const location = (res: { headers: Record<string, unknown> }) => String(res.headers.location);

/**
 * 学员与组织 (issue 15, page 5) through HTTP as a browser uses it: an admin of an empty county
 * builds its tree, edits and deletes units (refusals in words), sets a township's contacts,
 * finds, creates and changes users (every mistake beside its field, in Chinese, nothing typed
 * lost), and imports trainees from a spreadsheet: a dry run that lists bad rows and writes
 * nothing, a re-upload, the import at once or in the background with its progress. Another
 * county's admin gets 404 on every id, a trainee 403, a form without its token 403.
 */
describe('console: people and units (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let county: OrgUnit;
  let admin: Browser;
  let adminUser: User;
  let otherAdmin: Browser;
  let trainee: Browser;
  let worker: TestWorker | undefined;
  jest.setTimeout(90_000);

  beforeAll(async () => {
    // 60 rows import at once, 70 in the background (batches of 25).
    t = await startTestApp({ IMPORT_ASYNC_ROWS: '60', IMPORT_BATCH_ROWS: '25' });
    tree = await createOrgTree(t.ds);
    county = await createUnit(t.ds, tree.province, 'county', '新县');
    adminUser = await createUser(t.ds, {
      role: 'admin',
      orgUnitId: county.id,
      username: 'xinadmin',
      displayName: '新管理员',
    });
    await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyB.id, username: 'yiadmin' });
    await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id, username: 'yitrainee' });
    [admin, otherAdmin, trainee] = await Promise.all([
      signInPage(t.http, 'xinadmin'),
      signInPage(t.http, 'yiadmin'),
      signInPage(t.http, 'yitrainee'),
    ]);
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(() => t?.close());

  /** Adds a unit through the tree page's form; answers it. */
  async function addUnit(name: string, parentId: string, kind = 'township', code = ''): Promise<OrgUnit> {
    const res = await submitForm(t.http, admin, '/console/people/units', { parentId, kind, name, code }).expect(303);
    expect(location(res)).toMatch(/^\/console\/people\?done=unitAdded#unit-/);
    return t.ds.getRepository(OrgUnit).findOneByOrFail({ name, parentId });
  }

  it('gives trainees a 403 page on every people page, and forms without their token a 403', async () => {
    for (const path of [
      '/console/people',
      '/console/people/users',
      '/console/people/users/new',
      '/console/people/import',
    ]) {
      const res = await getPage(t.http, trainee, path).expect(403);
      expect(pageText(res)).toContain('这是图书馆管理员用的后台');
    }
    await postForm(t.http, admin, '/console/people/units', {
      parentId: county.id,
      kind: 'township',
      name: '无令牌镇',
    }).expect(403);
    await t.http
      .post('/console/people/import')
      .set('Cookie', admin.cookie)
      .attach('file', buildXlsx([HEADER]), 'a.xlsx')
      .expect(403);
    expect(await t.ds.getRepository(OrgUnit).countBy({ name: '无令牌镇' })).toBe(0);
  });

  it('builds the tree of an empty county: townships, a village under one, counts of users', async () => {
    const empty = await getPage(t.http, admin, '/console/people').expect(200);
    expect(pageText(empty)).toContain('这里还没有下属单位');
    expect(empty.text).toContain('aria-current="page">学员与组织</a>');

    const chengguan = await addUnit('城关镇', county.id, 'township', 'XC01');
    await addUnit('东关镇', county.id);
    const village = await addUnit('城关一村', chengguan.id, 'village');
    await createUser(t.ds, { role: 'trainee', orgUnitId: village.id });

    // The add form under a unit starts with that unit and the kind below it.
    const under = await getPage(t.http, admin, `/console/people?parentId=${chengguan.id}`).expect(200);
    expect(under.text).toMatch(new RegExp(`<option value="${chengguan.id}" selected>`));
    expect(under.text).toMatch(/<option value="village" selected>/);

    const page = await getPage(t.http, admin, '/console/people?done=unitAdded').expect(200);
    const text = pageText(page);
    expect(text).toContain('单位已添加。');
    expect(text).not.toContain('这里还没有下属单位');
    expect(text).toContain('共 4 个单位，其中乡镇 2 个');
    expect(text).toMatch(/城关镇 乡镇 编码 XC01 0 人.*城关一村 村 1 人/);
    // Nested: the village is in the township's list.
    const branch = page.text.slice(page.text.indexOf(`id="unit-${chengguan.id}"`));
    expect(branch.indexOf(`id="unit-${village.id}"`)).toBeLessThan(branch.indexOf('</li>\n</ul>\n</li>'));
    // Another county's units are not there.
    expect(text).not.toContain('甲一镇');
  });

  it('says every mistake in adding or changing a unit beside its field, keeping what was typed', async () => {
    const town = await addUnit('西关镇', county.id, 'township', 'XG01');

    const blank = await submitForm(t.http, admin, '/console/people/units', {
      parentId: county.id,
      kind: 'township',
      name: '  ',
      code: 'bad code!',
    }).expect(400);
    expect(pageText(blank)).toContain('有 2 处需要改正');
    expect(pageText(blank)).toContain('请填写单位名称');
    expect(pageText(blank)).toContain('编码只能用字母、数字、- 和 _');
    expect(blank.text).toContain('value="bad code!"');
    expect(blank.text).toMatch(/id="unit-name"[^>]*aria-invalid="true"/);

    const order = await submitForm(t.http, admin, '/console/people/units', {
      parentId: town.id,
      kind: 'county',
      name: '错层县',
    }).expect(400);
    expect(pageText(order)).toContain('县不能放在乡镇之下');
    expect(order.text).toContain('value="错层县"');

    const taken = await submitForm(t.http, admin, '/console/people/units', {
      parentId: county.id,
      kind: 'township',
      name: '重码镇',
      code: 'XG01',
    }).expect(400);
    expect(pageText(taken)).toContain('单位编码“XG01”已被使用');

    // Rename and recode on the unit's page.
    const renamed = await submitForm(t.http, admin, `/console/people/units/${town.id}`, {
      name: '西关新镇',
      code: 'XG02',
      kind: 'township',
    }).expect(303);
    expect(location(renamed)).toBe(`/console/people/units/${town.id}?done=unitSaved`);
    const shown = pageText(await getPage(t.http, admin, location(renamed)).expect(200));
    expect(shown).toContain('单位已保存。');
    expect(shown).toContain('西关新镇');
    expect(shown).toContain('XG02');

    const badRename = await submitForm(t.http, admin, `/console/people/units/${town.id}`, {
      name: '',
      code: 'XG02',
      kind: 'township',
    }).expect(400);
    expect(pageText(badRename)).toContain('请填写单位名称');
  });

  it('deletes an empty unit after a confirmation, and says in words why one with users or units under it stays', async () => {
    const town = await addUnit('南关镇', county.id);
    const village = await addUnit('南关一村', town.id, 'village');
    const confirm = await getPage(t.http, admin, `/console/people/units/${village.id}/delete`).expect(200);
    expect(pageText(confirm)).toContain('确定删除村“南关一村”吗？');
    expect(confirm.text).toContain('>确认删除</button>');
    expect(confirm.text).toContain('>返回，不做改动</a>');

    const hasChildren = await submitForm(t.http, admin, `/console/people/units/${town.id}/delete`).expect(409);
    expect(pageText(hasChildren)).toContain('该单位下还有下属单位，不能删除');
    expect(pageText(hasChildren)).toContain('请先删除或移走它的下级单位');

    const member = await createUser(t.ds, { role: 'trainee', orgUnitId: village.id });
    const hasUsers = await submitForm(t.http, admin, `/console/people/units/${village.id}/delete`).expect(409);
    expect(pageText(hasUsers)).toContain('该单位还有用户，不能删除');

    await t.ds.getRepository(User).delete({ id: member.id });
    const gone = await submitForm(t.http, admin, `/console/people/units/${village.id}/delete`).expect(303);
    expect(location(gone)).toBe('/console/people?done=unitDeleted');
    expect(pageText(await getPage(t.http, admin, location(gone)))).not.toContain('南关一村');

    // The admin's own unit has no delete button, and the service refuses it in words.
    expect((await getPage(t.http, admin, `/console/people/units/${county.id}`).expect(200)).text).not.toContain(
      '/delete"',
    );
    const own = await submitForm(t.http, admin, `/console/people/units/${county.id}/delete`).expect(409);
    expect(pageText(own)).toContain('不能移动、更改类型或删除您自己所在的单位');
  });

  it('sets and removes a township contact among its own users', async () => {
    const town = await addUnit('北关镇', county.id);
    const wang = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: town.id,
      displayName: '王联络',
      phone: '13900001111',
    });
    const outsider = await createUser(t.ds, { role: 'trainee', orgUnitId: county.id, displayName: '县里人' });

    const page = await getPage(t.http, admin, `/console/people/units/${town.id}`).expect(200);
    expect(pageText(page)).toContain('还没有联系人');
    expect(page.text).toContain(`<option value="${wang.id}">王联络（13900001111）</option>`);
    expect(page.text).not.toContain(outsider.id);

    const added = await submitForm(t.http, admin, `/console/people/units/${town.id}/contacts`, {
      userId: wang.id,
    }).expect(303);
    const withContact = await getPage(t.http, admin, location(added)).expect(200);
    expect(pageText(withContact)).toContain('联系人已添加。');
    expect(pageText(withContact)).toMatch(/王联络 13900001111 移除/);
    const api = await t.http
      .get(`/api/org-units/${town.id}`)
      .set('Authorization', `Bearer ${await login(t.http, 'xinadmin')}`)
      .expect(200);
    expect(api.body.contacts).toEqual([{ userId: wang.id, displayName: '王联络', phone: '13900001111' }]);

    const stranger = await submitForm(t.http, admin, `/console/people/units/${town.id}/contacts`, {
      userId: outsider.id,
    }).expect(400);
    expect(pageText(stranger)).toContain('联系人必须是本单位在用的用户');

    const removed = await submitForm(t.http, admin, `/console/people/units/${town.id}/contacts/remove`, {
      userId: wang.id,
    }).expect(303);
    expect(pageText(await getPage(t.http, admin, location(removed)))).toContain('联系人已移除。');
    expect(
      (await t.http.get(`/api/org-units/${town.id}`).set('Authorization', `Bearer ${await login(t.http, 'xinadmin')}`))
        .body.contacts,
    ).toEqual([]);
  });

  it('finds users by name, username or phone, filters by role, unit and status, a page at a time', async () => {
    const town = await addUnit('查找镇', county.id);
    for (let i = 1; i <= 25; i++) {
      await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: town.id,
        username: `find${String(i).padStart(2, '0')}`,
        displayName: `查找${String(i).padStart(2, '0')}`,
        phone: `1370000${String(i).padStart(4, '0')}`,
      });
    }
    await createUser(t.ds, { role: 'trainer', orgUnitId: county.id, username: 'findteacher', displayName: '查找老师' });
    await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: town.id,
      username: 'findgone',
      displayName: '查找停用',
      active: false,
    });

    const first = await getPage(t.http, admin, `/console/people/users?orgUnitId=${town.id}`).expect(200);
    expect(pageText(first)).toContain('共找到 26 人');
    expect(first.text.match(/<tr>\n<td><a class="people-link" href="\/console\/people\/users\//g)).toHaveLength(20);
    expect(pageText(first)).toContain('第 1 页，共 2 页（26 条）');
    const next = /href="([^"]*)" rel="next"/
      .exec(first.text)![1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    expect(next).toBe(`/console/people/users?orgUnitId=${town.id}&page=2`);
    const second = await getPage(t.http, admin, next).expect(200);
    expect(second.text.match(/<tr>\n<td><a class="people-link" href="\/console\/people\/users\//g)).toHaveLength(6);
    expect(pageText(second)).toContain('查找停用');

    const byPhone = pageText(await getPage(t.http, admin, '/console/people/users?q=13700000007').expect(200));
    expect(byPhone).toContain('共找到 1 人');
    expect(byPhone).toContain('查找07');
    const byName = pageText(await getPage(t.http, admin, `/console/people/users?q=${encodeURIComponent('查找老')}`));
    expect(byName).toContain('查找老师');
    const trainers = pageText(await getPage(t.http, admin, '/console/people/users?q=find&role=trainer').expect(200));
    expect(trainers).toContain('共找到 1 人');
    const inactive = pageText(await getPage(t.http, admin, '/console/people/users?q=find&active=false').expect(200));
    expect(inactive).toContain('共找到 1 人');
    expect(inactive).toContain('已停用');
    // Nothing of another county, and its unit is not a filter here.
    expect(pageText(await getPage(t.http, admin, '/console/people/users?q=yi'))).toContain('共找到 0 人');
    await getPage(t.http, admin, `/console/people/users?orgUnitId=${tree.countyB.id}`).expect(404);
  });

  it('creates a user, saying every mistake beside its field in Chinese and keeping what was typed', async () => {
    const town = await addUnit('新建镇', county.id);
    const wrong = await submitForm(t.http, admin, '/console/people/users/new', {
      username: '张 三',
      password: 'short',
      displayName: '张三',
      role: 'trainee',
      orgUnitId: '',
      phone: 'abc',
      email: 'not-mail',
      education: 'secondary',
      proficiency: '',
    }).expect(400);
    const text = pageText(wrong);
    expect(text).toContain('有 5 处需要改正');
    expect(text).toContain('用户名须为 2 至 64 个字母、数字或 . _ @ + -');
    expect(text).toContain('密码须为 8 至 128 个字符');
    expect(text).toContain('请选择所属单位');
    expect(text).toContain('手机号只能填数字');
    expect(text).toContain('邮箱地址格式不对');
    expect(wrong.text).toContain('value="张三"');
    expect(wrong.text).toContain('value="abc"');
    expect(wrong.text).toMatch(/<option value="secondary" selected>/);
    expect(wrong.text).not.toContain('value="short"');

    const created = await submitForm(t.http, admin, '/console/people/users/new', {
      username: '13911112222',
      password: 'Yiyang@2027',
      displayName: '张三',
      role: 'trainee',
      orgUnitId: town.id,
      phone: '13911112222',
      email: '',
      education: 'secondary',
      proficiency: 'basic',
    }).expect(303);
    expect(location(created)).toMatch(/^\/console\/people\/users\/[0-9a-f-]{36}\?done=userCreated$/);
    const page = pageText(await getPage(t.http, admin, location(created)).expect(200));
    expect(page).toContain('账号已创建。');
    expect(page).toContain('新建镇');
    await login(t.http, '13911112222', 'Yiyang@2027');

    const again = await submitForm(t.http, admin, '/console/people/users/new', {
      username: '13911112222',
      password: 'Yiyang@2027',
      displayName: '张三二',
      role: 'trainee',
      orgUnitId: town.id,
    }).expect(400);
    expect(pageText(again)).toContain('用户名“13911112222”已被使用');
    expect(again.text).toContain('value="张三二"');

    const elsewhere = await submitForm(t.http, admin, '/console/people/users/new', {
      username: 'elsewhere',
      password: 'Yiyang@2027',
      displayName: '外县人',
      role: 'trainee',
      orgUnitId: tree.townshipB1.id,
    }).expect(400);
    expect(pageText(elsewhere)).toContain('找不到该单位');
  });

  it('changes a user, resets the password and deactivates and reactivates the account', async () => {
    const town = await addUnit('修改镇', county.id);
    const user = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: town.id,
      username: 'changeme',
      displayName: '李四',
    });
    const path = `/console/people/users/${user.id}`;
    const page = await getPage(t.http, admin, path).expect(200);
    expect(page.text).toContain('<h1>李四</h1>');
    expect(pageText(page)).toMatch(/用户名 changeme 角色 学员 所属单位 修改镇 状态 在用/);

    const bad = await submitForm(t.http, admin, path, {
      displayName: '李四',
      role: 'trainer',
      orgUnitId: town.id,
      phone: 'x',
      email: '',
      education: '',
      proficiency: '',
    }).expect(400);
    expect(pageText(bad)).toContain('手机号只能填数字');
    expect(bad.text).toMatch(/<option value="trainer" selected>/);

    await submitForm(t.http, admin, path, {
      displayName: '李老师',
      role: 'trainer',
      orgUnitId: county.id,
      phone: '13800001234',
      email: 'li@example.com',
      education: 'tertiary',
      proficiency: 'advanced',
    }).expect(303);
    const saved = await t.ds.getRepository(User).findOneByOrFail({ id: user.id });
    expect(saved).toMatchObject({
      displayName: '李老师',
      role: 'trainer',
      orgUnitId: county.id,
      phone: '13800001234',
      education: 'tertiary',
      proficiency: 'advanced',
    });

    const short = await submitForm(t.http, admin, `${path}/password`, { password: '1234' }).expect(400);
    expect(pageText(short)).toContain('密码须为 8 至 128 个字符');
    const reset = await submitForm(t.http, admin, `${path}/password`, { password: 'NewPass@2027' }).expect(303);
    expect(pageText(await getPage(t.http, admin, location(reset)))).toContain('新密码已设置');
    await login(t.http, 'changeme', 'NewPass@2027');

    const off = await submitForm(t.http, admin, `${path}/active`, { active: 'false' }).expect(303);
    expect(pageText(await getPage(t.http, admin, location(off)))).toContain('账号已停用');
    await t.http.post('/api/auth/login').send({ username: 'changeme', password: 'NewPass@2027' }).expect(401);
    const on = await submitForm(t.http, admin, `${path}/active`, { active: 'true' }).expect(303);
    expect(pageText(await getPage(t.http, admin, location(on)))).toContain('账号已恢复使用');
    await login(t.http, 'changeme', 'NewPass@2027');

    // On its own page an admin changes only its name, phone and e-mail (no role, unit or deactivation).
    const self = await getPage(t.http, admin, `/console/people/users/${adminUser.id}`).expect(200);
    expect(self.text).not.toContain('name="role"');
    expect(self.text).not.toContain('/active"');
    await submitForm(t.http, admin, `/console/people/users/${adminUser.id}`, {
      displayName: '新管理员',
      phone: '13700009999',
    }).expect(303);
  });

  it('answers 404 to another county admin on every id, and on malformed ids', async () => {
    const town = await addUnit('保密镇', county.id);
    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: town.id });
    for (const path of [
      `/console/people/units/${town.id}`,
      `/console/people/units/${town.id}/delete`,
      `/console/people/users/${user.id}`,
      '/console/people/units/not-an-id',
      '/console/people/users/not-an-id',
      '/console/people/imports/not-an-id',
    ]) {
      await getPage(t.http, otherAdmin, path).expect(404);
    }
    await submitForm(t.http, otherAdmin, `/console/people/units/${town.id}`, { name: '偷改', kind: 'township' }).expect(
      404,
    );
    await submitForm(t.http, otherAdmin, `/console/people/units/${town.id}/delete`).expect(404);
    await submitForm(t.http, otherAdmin, `/console/people/users/${user.id}/active`, { active: 'false' }).expect(404);
    await submitForm(t.http, otherAdmin, `/console/people/users/${user.id}/password`, {
      password: 'Other@2027x',
    }).expect(404);
    expect((await t.ds.getRepository(User).findOneByOrFail({ id: user.id })).active).toBe(true);
    expect((await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: town.id })).name).toBe('保密镇');
  });

  it('downloads the import template: the header row in Chinese, the units to choose from', async () => {
    await addUnit('模板镇', county.id, 'township', 'MB01');
    const res = await getPage(t.http, admin, '/console/people/import/template.xlsx')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('学员导入模板.xlsx')}`,
    );
    // Loaded here: startTestApp resets the module registry (see attendance-reports.e2e-spec.ts).
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as ArrayBuffer);
    const [sheet, help] = book.worksheets;
    expect(sheet.name).toBe('学员名单');
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      '用户名',
      '姓名',
      '手机号',
      '单位',
      '单位编码',
      '学历',
      '计算机水平',
      '邮箱',
      '密码',
    ]);
    expect(sheet.rowCount).toBe(1);
    const listed = help.getSheetValues().map((r) => (Array.isArray(r) ? r.slice(1).map(String).join(' ') : ''));
    expect(listed).toContain('模板镇 MB01（乡镇）');
  });

  it('checks an upload without writing anything, lists the bad rows in Chinese, and imports the fixed file', async () => {
    await addUnit('导入镇', county.id);
    const before = await t.ds.getRepository(User).count();
    const start = await getPage(t.http, admin, '/console/people/import').expect(200);
    expect(start.text).toContain('enctype="multipart/form-data"');
    expect(start.text).toContain('accept=".xlsx,.csv"');

    const upload = (file: Buffer, name = 'trainees.xlsx') =>
      t.http
        .post('/console/people/import')
        .set('Cookie', admin.cookie)
        .set('Accept', 'text/html')
        .field('_csrf', formToken(start.text))
        .attach('file', file, name);

    // No file, then not a spreadsheet: the form again, the problem beside the field.
    const none = await t.http
      .post('/console/people/import')
      .set('Cookie', admin.cookie)
      .field('_csrf', admin.csrf)
      .expect(400);
    expect(pageText(none)).toContain('请选择要上传的文件');
    const junk = await upload(Buffer.from([0, 1, 2, 3, 0, 255, 254, 0]), 'junk.xlsx').expect(400);
    expect(pageText(junk)).toContain('文件既不是 CSV 也不是 XLSX');
    expect(junk.text).toMatch(/id="import-file"[^>]*aria-invalid="true"/);

    const withErrors = await upload(buildXlsx([HEADER, ...traineeRows('imp', 60, '导入镇', [11, 40])])).expect(303);
    const checkPath = location(withErrors);
    expect(checkPath).toMatch(/^\/console\/people\/import\/[0-9a-f-]{36}$/);
    const check = await getPage(t.http, admin, checkPath).expect(200);
    const text = pageText(check);
    expect(text).toContain('将新建 58');
    expect(text).toContain('有 2 行有错误');
    expect(text).toContain('第 12 行 单位 您管辖范围内没有名为“不存在镇”的单位');
    expect(text).toContain('第 41 行 单位 您管辖范围内没有名为“不存在镇”的单位');
    expect(await t.ds.getRepository(User).count()).toBe(before);
    // The way on is a re-upload (the primary action), or only the good rows.
    expect(check.text).toContain('id="import-upload"');
    expect(text).toContain('只导入没有错误的 58 人');
    // Someone else's upload is not there for another admin.
    await getPage(t.http, otherAdmin, checkPath).expect(404);
    await submitForm(t.http, otherAdmin, checkPath).expect(404);

    const fixed = await upload(buildXlsx([HEADER, ...traineeRows('imp', 60, '导入镇')])).expect(303);
    const clean = await getPage(t.http, admin, location(fixed)).expect(200);
    expect(pageText(clean)).toContain('全部 60 行都没有问题，可以导入');
    expect(await t.ds.getRepository(User).count()).toBe(before);

    const done = await submitForm(t.http, admin, location(fixed)).expect(200);
    const result = pageText(done);
    expect(result).toContain('导入完成');
    expect(result).toContain('新建 60 人，更新 0 人，跳过 0 行有错误的');
    expect(done.text).toMatch(/<progress id="import-progress" max="60" value="60"/);
    expect(done.text.match(/<td><code>[a-z0-9]{10}<\/code><\/td>/g)).toHaveLength(60);
    expect(await t.ds.getRepository(User).count()).toBe(before + 60);
    expect(pageText(await getPage(t.http, admin, '/console/people/users?q=imp&role=trainee'))).toContain(
      '共找到 60 人',
    );

    // The kept file was taken: posting the form again imports nothing twice.
    const twice = await submitForm(t.http, admin, location(fixed)).expect(404);
    expect(pageText(twice)).toContain('上传的文件已过期或找不到了');

    // Only the good rows of a file with errors; the bad rows are listed as skipped.
    const mixed = await upload(buildXlsx([HEADER, ...traineeRows('mix', 5, '导入镇', [2])])).expect(303);
    const partial = pageText(await submitForm(t.http, admin, location(mixed)).expect(200));
    expect(partial).toContain('新建 4 人，更新 0 人，跳过 1 行有错误的');
    expect(partial).toContain('第 3 行 单位');
  });

  it('runs a large import in the background: progress as JSON for the script, then the result and passwords once', async () => {
    await addUnit('大镇', county.id);
    const start = await getPage(t.http, admin, '/console/people/import').expect(200);
    const uploaded = await t.http
      .post('/console/people/import')
      .set('Cookie', admin.cookie)
      .field('_csrf', formToken(start.text))
      .attach('file', buildXlsx([HEADER, ...traineeRows('big', 70, '大镇')]), 'big.xlsx')
      .expect(303);
    const started = await submitForm(t.http, admin, location(uploaded)).expect(303);
    const progressPath = location(started);
    expect(progressPath).toMatch(/^\/console\/people\/imports\/[0-9a-f-]{36}$/);

    const waiting = await getPage(t.http, admin, progressPath).expect(200);
    expect(pageText(waiting)).toContain('正在导入');
    expect(waiting.text).toContain(`data-poll="${progressPath}/progress"`);
    expect(waiting.text).toMatch(/<script src="\/static\/console-people\.[^"]*\.js" defer>/);
    expect(waiting.text).toContain(`href="${progressPath}"`);

    worker = await startTestWorker(t);
    const finished = await waitFor(
      'the import to finish',
      async () => {
        const res = await scriptRequest(t.http, admin, 'get', `${progressPath}/progress`).expect(200);
        return res.body.finished ? res.body : undefined;
      },
      60_000,
      200,
    );
    expect(finished).toEqual({
      status: 'done',
      finished: true,
      total: 70,
      done: 70,
      percent: 100,
      created: 70,
      updated: 0,
      failed: 0,
      text: '已完成：70 行全部处理（100%）',
    });

    // The first page read after the end shows the passwords; the polls above did not take them.
    const result = await getPage(t.http, admin, progressPath).expect(200);
    expect(pageText(result)).toContain('新建 70 人');
    expect(result.text.match(/<td><code>[a-z0-9]{10}<\/code><\/td>/g)).toHaveLength(70);
    expect(result.text).not.toContain('console-people.');
    const later = await getPage(t.http, admin, progressPath).expect(200);
    expect(pageText(later)).toContain('初始密码已经显示过');
    expect(later.text).not.toContain('<code>');

    // Another admin's import is not there; an unknown one neither.
    await getPage(t.http, otherAdmin, progressPath).expect(404);
    await scriptRequest(t.http, otherAdmin, 'get', `${progressPath}/progress`).expect(404);
  });

  it('speaks English when asked', async () => {
    const res = await getPage(t.http, admin, '/console/people').set('Accept-Language', 'en').expect(200);
    const text = pageText(res);
    expect(text).toContain('People and units');
    expect(text).toContain('Add a unit');
    const users = pageText(await getPage(t.http, admin, '/console/people/users').set('Accept-Language', 'en'));
    expect(users).toMatch(/\d+ found/);
  });
});
