import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { In, Like } from 'typeorm';
import { User } from '../../src/users/user.entity';
import { createOrgTree, createUnit, createUser, login, PASSWORD, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildZip, deflateBomb, sheetXmlWith, workbookFiles } from '../support/xlsx-fixtures';

/** A username prefix of this test's own, so tests never see each other's rows. */
function prefix(): string {
  return `imp${randomUUID().slice(0, 8)}`;
}

let phoneCounter = 0;
const phoneBase = 10_000_000 + Math.floor(Math.random() * 80_000_000);
/** An 11-digit mainland mobile number no other test of this run uses. */
function phone(): string {
  phoneCounter += 1;
  return `139${phoneBase + phoneCounter}`;
}

function csv(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

async function xlsx(rows: (string | number)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const rowError = (row: number, field: string, code: string) => ({ row, field, code, message: expect.any(String) });
const errorBody = (statusCode: number, code: string) => ({ statusCode, code, message: expect.any(String) });

describe('users import (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    // No hyphen in this name: the hyphen case has a test of its own.
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id, username: `${prefix()}admin` });
  });
  afterAll(() => t.close());

  function upload(file: Buffer, filename = 'trainees.csv', query = '', auth = admin.auth) {
    return t.http.post(`/api/users/import${query}`).set('Authorization', auth).attach('file', file, filename);
  }

  function usersStartingWith(p: string): Promise<User[]> {
    return t.ds.getRepository(User).find({ where: { username: Like(`${p}%`) }, order: { username: 'ASC' } });
  }

  async function passwordWorks(username: string, password: string): Promise<boolean> {
    const res = await t.http.post('/api/auth/login').send({ username, password });
    return res.status === 200;
  }

  it('creates the good rows and reports each bad row by row number and field, writing nothing of it', async () => {
    const p = prefix();
    const [phoneA, phoneF] = [phone(), phone()];
    const file = csv([
      'username,displayName,phone,orgUnit,education,proficiency',
      `${p}a,张三,${phoneA},甲一镇,本科,基础`, // 2 good
      `${p}b,李四,not-a-phone,甲一镇,,`, // 3 bad phone
      `${p}c,王五,${phone()},不存在镇,,`, // 4 unknown unit
      `${p}d,,${phone()},甲二村,,`, // 5 no name
      `${p}a,张三二,${phone()},甲一村,,`, // 6 username repeated from row 2
      `${p}e,赵六,${phone()},乙一镇,,`, // 7 county B: outside the admin's scope
      `${p}f,钱七,${phoneF},甲二村,初中,精通`, // 8 good
    ]);

    const res = await upload(file).expect(200);

    expect(res.body).toEqual({
      dryRun: false,
      created: 2,
      updated: 0,
      failed: 5,
      errors: [
        rowError(3, 'phone', 'INVALID'),
        rowError(4, 'orgUnit', 'NOT_FOUND'),
        rowError(5, 'displayName', 'INVALID'),
        rowError(6, 'username', 'DUPLICATE_IN_FILE'),
        rowError(7, 'orgUnit', 'NOT_FOUND'),
      ],
      credentials: [
        { row: 2, username: `${p}a`, password: expect.any(String) },
        { row: 8, username: `${p}f`, password: expect.any(String) },
      ],
    });

    const users = await usersStartingWith(p);
    expect(users).toHaveLength(2);
    expect(users[0]).toMatchObject({
      username: `${p}a`,
      displayName: '张三', // not row 6's name
      role: 'trainee',
      orgUnitId: tree.townshipA1.id,
      phone: phoneA,
      education: 'tertiary',
      proficiency: 'basic',
      active: true,
    });
    expect(users[1]).toMatchObject({
      username: `${p}f`,
      displayName: '钱七',
      role: 'trainee',
      orgUnitId: tree.villageA2.id,
      phone: phoneF,
      education: 'secondary',
      proficiency: 'advanced',
    });
  });

  it('resolves units by code inside the scope only, and refuses a name two units share', async () => {
    const p = prefix();
    const coded = await createUnit(t.ds, tree.townshipA2, 'village', `${p}村`, `${p.toUpperCase()}-A`);
    const foreign = await createUnit(t.ds, tree.townshipB1, 'village', `${p}乙村`, `${p}-B`);
    const twinName = `${p}同名村`;
    await createUnit(t.ds, tree.townshipA1, 'village', twinName);
    await createUnit(t.ds, tree.townshipA2, 'village', twinName);
    const file = csv([
      'username,displayName,orgUnitCode,orgUnit',
      `${p}a,张三,${p}-a,`, // code matched without case
      `${p}b,李四,${foreign.code},`,
      `${p}c,王五,,${twinName}`,
      `${p}d,赵六,,`,
    ]);

    const res = await upload(file).expect(200);

    expect(res.body).toMatchObject({
      created: 1,
      failed: 3,
      errors: [
        rowError(3, 'orgUnitCode', 'NOT_FOUND'),
        rowError(4, 'orgUnit', 'AMBIGUOUS'),
        rowError(5, 'orgUnit', 'REQUIRED'),
      ],
    });
    const users = await usersStartingWith(p);
    expect(users.map((u) => [u.username, u.orgUnitId])).toEqual([[`${p}a`, coded.id]]);
  });

  it('reports unknown education and proficiency words as row errors', async () => {
    const p = prefix();
    const file = csv([
      'username,displayName,orgUnit,education,proficiency',
      `${p}a,张三,甲一镇,幼儿园,`,
      `${p}b,李四,甲一镇,,很厉害`,
      `${p}c,王五,甲一镇,高中,一般`,
    ]);

    const res = await upload(file).expect(200);

    expect(res.body).toMatchObject({
      created: 1,
      failed: 2,
      errors: [rowError(2, 'education', 'INVALID'), rowError(3, 'proficiency', 'INVALID')],
    });
    const users = await usersStartingWith(p);
    expect(users.map((u) => [u.username, u.education, u.proficiency])).toEqual([
      [`${p}c`, 'secondary', 'intermediate'],
    ]);
  });

  it('reports an education or proficiency cell holding an Object.prototype key as a row error, not a failed import', async () => {
    const p = prefix();
    const file = csv([
      'username,displayName,orgUnit,education,proficiency',
      `${p}a,张三,甲一镇,constructor,`,
      `${p}b,李四,甲一镇,,toString`,
      `${p}c,王五,甲一镇,本科,基础`,
    ]);

    const res = await upload(file);

    expect(res.body).toMatchObject({
      created: 1,
      failed: 2,
      errors: [rowError(2, 'education', 'INVALID'), rowError(3, 'proficiency', 'INVALID')],
    });
    expect(res.status).toBe(200);
    expect((await usersStartingWith(p)).map((u) => u.username)).toEqual([`${p}c`]);
  });

  it('reads a GB18030 CSV with Chinese headers and stores the Chinese names intact', async () => {
    const p = prefix();
    const text = [
      '用户名,姓名,手机号,单位,学历,计算机水平',
      `${p}a,欧阳娜娜,${phone()},甲一村,大专,中级`,
      `${p}b,诸葛亮,${phone()},甲二镇,小学,不会`,
      '',
    ].join('\r\n');
    const file = iconv.encode(text, 'gb18030');
    expect(file.equals(Buffer.from(text, 'utf8'))).toBe(false);

    const res = await upload(file).expect(200);

    expect(res.body).toMatchObject({ created: 2, failed: 0, errors: [] });
    const users = await usersStartingWith(p);
    expect(users.map((u) => [u.displayName, u.orgUnitId, u.education, u.proficiency])).toEqual([
      ['欧阳娜娜', tree.villageA1.id, 'tertiary', 'intermediate'],
      ['诸葛亮', tree.townshipA2.id, 'primary', 'none'],
    ]);
  });

  it('imports an XLSX workbook, reading a phone stored as a number as the username when there is no username column', async () => {
    const p = prefix();
    const [phoneA, phoneB] = [phone(), phone()];
    const file = await xlsx([
      ['姓名', '手机号', '单位', '邮箱', '计算机水平'],
      [`${p}甲`, Number(phoneA), '甲一镇', `${p}@example.cn`, '精通'],
      [`${p}乙`, Number(phoneB), '甲二村', '', ''],
    ]);

    const res = await upload(file, 'trainees.xlsx').expect(200);

    expect(res.body).toMatchObject({ created: 2, updated: 0, failed: 0, errors: [] });
    expect(res.body.credentials.map((c: { username: string }) => c.username)).toEqual([phoneA, phoneB]);
    const users = await t.ds
      .getRepository(User)
      .find({ where: { username: In([phoneA, phoneB]) }, order: { username: 'ASC' } });
    expect(users.map((u) => [u.username, u.phone, u.displayName, u.orgUnitId, u.email, u.proficiency])).toEqual([
      [phoneA, phoneA, `${p}甲`, tree.townshipA1.id, `${p}@example.cn`, 'advanced'],
      [phoneB, phoneB, `${p}乙`, tree.villageA2.id, null, null],
    ]);
  });

  it('gives new users without a password column generated passwords that work for login', async () => {
    const p = prefix();
    const res = await upload(csv(['用户名,姓名,单位', `${p}a,张三,甲一镇`, `${p}b,李四,甲二镇`])).expect(200);

    expect(res.body.credentials).toHaveLength(2);
    const passwords = new Set<string>();
    for (const c of res.body.credentials as { username: string; password: string }[]) {
      expect(c.password.length).toBeGreaterThanOrEqual(8);
      passwords.add(c.password);
      const token = await login(t.http, c.username, c.password);
      const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toMatchObject({ username: c.username, role: 'trainee' });
    }
    expect(passwords.size).toBe(2);
  });

  it('updates users imported again (no duplicates) and keeps their password when there is no password column', async () => {
    const p = prefix();
    const firstPhone = phone();
    const first = await upload(
      csv(['username,displayName,phone,orgUnit,education', `${p}a,张三,${firstPhone},甲一镇,初中`]),
    ).expect(200);
    const [{ password }] = first.body.credentials as { password: string }[];
    const before = await t.ds.getRepository(User).findOneByOrFail({ username: `${p}a` });
    const token = await login(t.http, `${p}a`, password);

    const again = await upload(
      csv(['USERNAME,displayName,orgUnit,education,proficiency', `${p.toUpperCase()}A,张三丰,甲二村,本科,熟练`]),
    ).expect(200);

    expect(again.body).toEqual({ dryRun: false, created: 0, updated: 1, failed: 0, errors: [], credentials: [] });
    const users = await usersStartingWith(p);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      id: before.id,
      displayName: '张三丰',
      orgUnitId: tree.villageA2.id,
      phone: firstPhone, // not in the second file: kept
      education: 'tertiary',
      proficiency: 'intermediate',
      role: 'trainee',
      tokenVersion: before.tokenVersion,
    });
    expect(await passwordWorks(`${p}a`, password)).toBe(true);
    // The trainee's session survives an import that did not touch the password.
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('sets the password from a password column, for new and for existing users', async () => {
    const p = prefix();
    const existing = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id, username: `${p}old` });
    const oldToken = await login(t.http, existing.username);
    const file = csv([
      '用户名,姓名,单位,密码',
      `${p}new,张三,甲一镇,Chosen-pass-1`,
      `${p}old,李四,甲一村,Changed-pass-2`,
      `${p}short,王五,甲一镇,short`,
    ]);

    const res = await upload(file).expect(200);

    expect(res.body).toEqual({
      dryRun: false,
      created: 1,
      updated: 1,
      failed: 1,
      errors: [rowError(4, 'password', 'INVALID')],
      credentials: [], // the file chose every password: nothing to hand out
    });
    expect(await passwordWorks(`${p}new`, 'Chosen-pass-1')).toBe(true);
    expect(await passwordWorks(`${p}old`, 'Changed-pass-2')).toBe(true);
    expect(await passwordWorks(`${p}old`, PASSWORD)).toBe(false);
    // A changed password ends the sessions opened with the old one.
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${oldToken}`).expect(401);
    expect(await usersStartingWith(`${p}short`)).toEqual([]);
  });

  it('with dryRun=true writes nothing but reports the same counts as the real import', async () => {
    const p = prefix();
    const existing = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: tree.townshipA1.id,
      username: `${p}x`,
      displayName: '原名',
    });
    const file = csv([
      'username,displayName,orgUnit',
      `${p}x,新名,甲二镇`,
      `${p}n,新人,甲一村`,
      `${p}bad,坏行,乙一镇`,
      `${admin.user.username},冒名,甲一镇`,
    ]);

    const dry = await upload(file, 'trainees.csv', '?dryRun=true').expect(200);

    expect(dry.body).toEqual({
      dryRun: true,
      created: 1,
      updated: 1,
      failed: 2,
      errors: [rowError(4, 'orgUnit', 'NOT_FOUND'), rowError(5, 'username', 'USERNAME_TAKEN')],
      credentials: [],
    });
    const untouched = await usersStartingWith(p);
    expect(untouched.map((u) => [u.username, u.displayName, u.orgUnitId, u.updatedAt])).toEqual([
      [existing.username, '原名', tree.townshipA1.id, existing.updatedAt],
    ]);

    const real = await upload(file, 'trainees.csv', '?dryRun=false').expect(200);

    const { dryRun: _d, credentials: _c, ...dryCounts } = dry.body;
    const { dryRun: _r, credentials, ...realCounts } = real.body;
    expect(realCounts).toEqual(dryCounts);
    expect(real.body.dryRun).toBe(false);
    expect(credentials).toEqual([{ row: 3, username: `${p}n`, password: expect.any(String) }]);
    expect((await usersStartingWith(p)).map((u) => [u.username, u.displayName])).toEqual([
      [`${p}n`, '新人'],
      [`${p}x`, '新名'],
    ]);
  });

  it('refuses usernames of admins, trainers and trainees outside the scope with USERNAME_TAKEN, leaving them unchanged', async () => {
    const p = prefix();
    const otherAdmin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, username: `${p}adm` });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.townshipA1.id, username: `${p}tr` });
    const traineeB = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id, username: `${p}tb` });
    const file = csv([
      'username,displayName,orgUnit,password,phone',
      `${p.toUpperCase()}ADM,冒名一,甲一镇,Hijack-pass-1,${phone()}`,
      `${p}tr,冒名二,甲一镇,Hijack-pass-2,${phone()}`,
      `${p}tb,冒名三,甲一镇,Hijack-pass-3,${phone()}`,
      `${admin.user.username},冒名四,甲一镇,Hijack-pass-4,${phone()}`,
      `${p}ok,正常,甲一镇,Normal-pass-5,${phone()}`,
    ]);

    const res = await upload(file).expect(200);

    expect(res.body).toEqual({
      dryRun: false,
      created: 1,
      updated: 0,
      failed: 4,
      errors: [
        rowError(2, 'username', 'USERNAME_TAKEN'),
        rowError(3, 'username', 'USERNAME_TAKEN'),
        rowError(4, 'username', 'USERNAME_TAKEN'),
        rowError(5, 'username', 'USERNAME_TAKEN'),
      ],
      credentials: [],
    });
    const repo = t.ds.getRepository(User);
    for (const before of [otherAdmin, trainer, traineeB, admin.user]) {
      const after = await repo.findOneByOrFail({ id: before.id });
      const fields = ['username', 'displayName', 'role', 'orgUnitId', 'phone', 'tokenVersion', 'updatedAt'] as const;
      for (const f of fields) expect([f, after[f]]).toEqual([f, before[f]]);
      expect(await passwordWorks(before.username, PASSWORD)).toBe(true);
    }
    expect(await passwordWorks(`${p}tb`, 'Hijack-pass-3')).toBe(false);
    // The admin's own session still works.
    await t.http.get('/api/auth/me').set('Authorization', admin.auth).expect(200);
  });

  it('matches a username with a hyphen as written: updates that trainee, refuses that admin', async () => {
    const p = prefix();
    const trainee = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: tree.townshipA1.id,
      username: `${p}-li`,
      displayName: '原名',
    });
    const otherAdmin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, username: `${p}-adm` });
    const file = csv(['username,displayName,orgUnit', `${p}-li,新名,甲二镇`, `${p}-adm,冒名,甲一镇`]);

    const res = await upload(file).expect(200);

    expect(res.body).toEqual({
      dryRun: false,
      created: 0,
      updated: 1,
      failed: 1,
      errors: [rowError(3, 'username', 'USERNAME_TAKEN')],
      credentials: [],
    });
    expect((await usersStartingWith(p)).map((u) => [u.id, u.username, u.displayName, u.role])).toEqual([
      [otherAdmin.id, `${p}-adm`, otherAdmin.displayName, 'admin'],
      [trainee.id, `${p}-li`, '新名', 'trainee'],
    ]);
  });

  it.each(['trainer', 'trainee'] as const)('answers 403 to a %s and writes nothing', async (role) => {
    const p = prefix();
    const caller = await signedIn(t.http, t.ds, { role, orgUnitId: tree.townshipA1.id });

    const res = await upload(
      csv(['username,displayName,orgUnit', `${p}a,张三,甲一镇`]),
      'trainees.csv',
      '',
      caller.auth,
    );

    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorBody(403, expect.any(String)));
    expect(await usersStartingWith(p)).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    const res = await t.http
      .post('/api/users/import')
      .attach('file', csv(['username,displayName,orgUnit']), 'trainees.csv')
      .expect(401);
    expect(res.body).toEqual(errorBody(401, 'UNAUTHORIZED'));
  });

  it('answers 400 FILE_REQUIRED when the multipart body has no file', async () => {
    const noFile = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .field('note', 'forgot the file')
      .expect(400);
    expect(noFile.body).toEqual(errorBody(400, 'FILE_REQUIRED'));

    const textInFileField = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .field('file', 'username,displayName,orgUnit')
      .expect(400);
    expect(textInFileField.body).toEqual(errorBody(400, 'FILE_REQUIRED'));

    const otherField = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .attach('upload', csv(['username,displayName,orgUnit']), 'trainees.csv')
      .expect(400);
    expect(otherField.body).toEqual(errorBody(400, 'FILE_REQUIRED'));
  });

  it('refuses a 5 MB file of blank rows with 400 IMPORT_INVALID_FILE', async () => {
    const file = Buffer.from(`username,displayName,orgUnit\r\n${'\r\n'.repeat(2_500_000)}`);
    const res = await upload(file).expect(400);
    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
  });

  // How far a bomb is inflated before the refusal is counted in zip-reader.spec.ts (speed is not asserted here).
  it('refuses a decompression bomb (400 MB inside ~410 KB) with 400 IMPORT_INVALID_FILE, without growing', async () => {
    const file = buildZip(
      workbookFiles({ name: 'xl/worksheets/sheet1.xml', data: '', raw: deflateBomb(400), declaredSize: 4000, crc: 0 }),
    );
    const rss = process.memoryUsage().rss;

    const res = await upload(file, 'trainees.xlsx').expect(400);

    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
    expect(res.body.message).toMatch(/工作簿解压后超过 20 MB/);
    // The old reader grew by more than a gigabyte on this file.
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a workbook whose end record miscounts its files, which could hide one from a size check', async () => {
    const p = prefix();
    const files = workbookFiles(
      sheetXmlWith(
        '<row r="1"><c t="inlineStr"><is><t>用户名</t></is></c><c t="inlineStr"><is><t>姓名</t></is></c>' +
          '<c t="inlineStr"><is><t>单位</t></is></c></row>' +
          `<row r="2"><c t="inlineStr"><is><t>${p}a</t></is></c><c t="inlineStr"><is><t>张三</t></is></c>` +
          '<c t="inlineStr"><is><t>甲一镇</t></is></c></row>',
      ),
    );
    const honest = buildZip(files);
    await upload(honest, 'trainees.xlsx', '?dryRun=true').expect(200);

    const res = await upload(buildZip(files, { declaredCount: files.length - 1 }), 'trainees.xlsx').expect(400);

    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
    expect(await usersStartingWith(p)).toEqual([]);
  });

  it('checks a 5,000-row workbook (dry run) while the event loop stays free for other requests', async () => {
    const p = prefix();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学员');
    sheet.addRow(['用户名', '姓名', '手机号', '单位', '学历', '计算机水平', '邮箱']);
    for (let i = 0; i < 5000; i++) {
      sheet.addRow([`${p}u${i}`, `学员${i}`, 13900000000 + i, '甲一镇', '本科', '基础', `${p}u${i}@example.cn`]);
    }
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    let last = performance.now();
    let longestGap = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);

    let res: Awaited<ReturnType<typeof upload>>;
    try {
      res = await upload(file, 'trainees.xlsx', '?dryRun=true');
    } finally {
      clearInterval(probe);
    }

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 5000, updated: 0, failed: 0, errors: [] });
    expect(longestGap).toBeLessThan(1000);
    expect(await usersStartingWith(p)).toEqual([]);
  });

  it('refuses a workbook of 5,001 trainees with 400 IMPORT_INVALID_FILE', async () => {
    const p = prefix();
    const file = await xlsx([
      ['username', 'displayName', 'orgUnit'],
      ...Array.from({ length: 5001 }, (_, i) => [`${p}u${i}`, `学员${i}`, '甲一镇']),
    ]);
    const res = await upload(file, 'trainees.xlsx').expect(400);
    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
    expect(res.body.message).toMatch(/一次最多导入 5000 行/);
  });

  it('refuses a CSV with bytes that are neither UTF-8 nor GB18030, naming the row, and writes nothing', async () => {
    const p = prefix();
    const file = iconv.encode(
      ['用户名,姓名,单位', `${p}a,张三,甲一镇`, `${p}b,李四,甲一镇`, `${p}c,王五,甲一镇`, ''].join('\r\n'),
      'gb18030',
    );
    file[file.indexOf(iconv.encode('王五', 'gb18030')) + 1] = 0x2c; // a lead byte before a comma: no character

    const res = await upload(file).expect(400);

    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
    expect(res.body.message).toMatch(/^第 4 行含有无法识别的字符（不是有效的GB18030（GBK）文字）/);
    expect(await usersStartingWith(p)).toEqual([]);
  });

  it('answers 415 to a JSON body instead of a multipart upload', async () => {
    const res = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .send({ file: 'username,displayName,orgUnit\nab,张三,甲一镇' });
    expect(res.body).toEqual(errorBody(415, 'UNSUPPORTED_MEDIA_TYPE'));
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'trainees.csv'],
    [
      'random binary bytes',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + ((i * i) % 251)) % 256)),
      'trainees.csv',
    ],
    ['a legacy .xls workbook', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]), 'a.xls'],
    ['a zip that is not a workbook', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(256, 1)]), 'a.xlsx'],
    ['a CSV whose header names no known columns', csv(['a,b,c', '1,2,3']), 'trainees.csv'],
  ])('answers 400 IMPORT_INVALID_FILE to %s', async (_what, file, filename) => {
    const res = await upload(file, filename).expect(400);
    expect(res.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
  });
});

describe('users import with a small upload limit (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    t = await startTestApp({ UPLOAD_LIMIT_BYTES: '2048' });
    const tree = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
  });
  afterAll(() => t.close());

  it('answers 413 PAYLOAD_TOO_LARGE to a file over the limit and writes nothing', async () => {
    const p = prefix();
    const lines = ['username,displayName,orgUnit'];
    for (let i = 0; lines.join('\n').length <= 4096; i++) lines.push(`${p}u${i},学员${i},甲一镇`);
    const file = csv(lines);
    expect(file.length).toBeGreaterThan(2048);

    const res = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .attach('file', file, 'trainees.csv')
      .expect(413);

    expect(res.body).toEqual(errorBody(413, 'PAYLOAD_TOO_LARGE'));
    expect(await t.ds.getRepository(User).countBy({ username: Like(`${p}%`) })).toBe(0);
  });

  it('still imports a file under the limit', async () => {
    const p = prefix();
    const res = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .attach('file', csv(['username,displayName,orgUnit', `${p}a,张三,甲一镇`]), 'trainees.csv')
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
  });
});
