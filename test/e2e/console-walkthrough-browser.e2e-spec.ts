import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createUnit, createUser, login } from '../factories';
import { launchBrowser } from '../support/browser';
import { consoleProblems, openDesktop, surveyConsolePage } from '../support/console';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { buildXlsx } from '../support/xlsx-fixtures';

const TOWNSHIPS = ['城关镇', '白杨镇', '柳泉镇', '三乡镇'];
const TRAINEE_PASSWORD = 'Xunlian@2026';
const HEADER = ['姓名', '手机号', '乡镇', '密码', '学历', '计算机水平'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['秀英', '桂兰', '玉梅', '建国', '志强', '海燕'];

/** The phone number of trainee `i` (0-based): also its username. */
const phoneOf = (i: number) => `1393901${String(i).padStart(4, '0')}`;

/** 60 trainees, 15 per township; the `bad` rows (0-based) have no name or a township nobody has. */
function traineeRows(bad: Record<number, 'noName' | 'badTownship'> = {}): string[][] {
  return Array.from({ length: 60 }, (_, i) => [
    bad[i] === 'noName' ? '' : `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10)]}`,
    phoneOf(i),
    bad[i] === 'badTownship' ? '城关' : TOWNSHIPS[i % 4],
    TRAINEE_PASSWORD,
    '初中',
    '基础',
  ]);
}

/** `YYYY-MM-DD` of a day `days` after the local date `date` (calendar arithmetic, no time zone involved). */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
/** Today in the centre (UTC+8, no daylight saving). */
const localToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Issue 15, Must show 1: a new admin, from an empty county, through the console's pages only, in
 * Debian's Chromium at a library desktop: signs in, builds the org tree, adds a trainer, imports 60
 * trainees from an XLSX with two bad rows (fixed and uploaded again), creates the year's plan and a
 * class with a recurrence rule (previewed first), opens enrolment, watches the quota view fill as
 * trainees enrol (they enrol themselves, through the API as their phones would), starts and
 * completes the class, issues the certificates and downloads the township table. The trainer's
 * roll calls go through the API too (the trainer's own pages are tested elsewhere).
 *
 * The class runs in the real calendar: it began three weeks ago, so its sessions so far are over
 * and count (person-times and attendance are counted against the real time), and its enrolment is
 * still open. The pages met in a state of their own here (an empty county's dashboard, a quota that
 * filled, the completion's consequences, the issued certificates) are held to axe's rules and the
 * keyboard walk; the area specs survey every page in theirs.
 */
describe('console: a new admin’s first class, from an empty county to the township table (e2e)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let files: string;
  jest.setTimeout(300_000);

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    [worker, baseUrl] = await Promise.all([startTestWorker(t), listenOnLoopback(t)]);
    const province = await createUnit(t.ds, null, 'province', '河南省');
    const county = await createUnit(t.ds, province, 'county', '宜阳县', 'YY');
    await createUser(t.ds, {
      role: 'admin',
      orgUnitId: county.id,
      username: 'yyguanli',
      password: 'Guanli@2026',
      displayName: '县馆管理员',
    });
    page = await openDesktop(browser, { baseURL: baseUrl });
    files = mkdtempSync(path.join(tmpdir(), 'walkthrough-'));
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await worker?.close();
    await t?.close();
  });

  const checked: string[] = [];
  /** axe and the keyboard walk on the page in front of the admin; problems gathered for one assertion at the end. */
  async function survey(name: string): Promise<void> {
    checked.push(...consoleProblems(name, await surveyConsolePage(page)));
  }
  /** Clicks and waits for the page the click leads to. */
  async function clickAndLoad(target: ReturnType<Page['locator']>): Promise<void> {
    const loaded = page.waitForEvent('load');
    await target.click();
    await loaded;
  }
  const nav = (name: string) => page.locator('nav.console-nav').getByRole('link', { name });
  const h1 = () => page.locator('h1').innerText();
  const status = () => page.locator('[role="status"]').first().innerText();

  // The class's calendar: it started 21 days ago; sessions on Tuesdays and Thursdays until
  // yesterday, the first Thursday a holiday; enrolment from its first day to its last.
  const today = localToday();
  const startDate = addDays(today, -21);
  const endDate = addDays(startDate, 80);
  const year = Number(startDate.slice(0, 4));
  const quarter = Math.floor((Number(startDate.slice(5, 7)) - 1) / 3) + 1;
  const ruleDays = Array.from({ length: 21 }, (_, i) => addDays(startDate, i)).filter((d) =>
    [2, 4].includes(weekdayOf(d)),
  );
  const holiday = ruleDays.find((d) => weekdayOf(d) === 4)!;
  const sessionDays = ruleDays.filter((d) => d !== holiday);
  let classId: string;

  it('1. signs in and builds the org tree of an empty county', async () => {
    await page.goto('/login');
    await page.locator('input[name="username"]').fill('yyguanli');
    await page.locator('input[name="password"]').fill('Guanli@2026');
    await clickAndLoad(page.getByRole('button', { name: '登录' }));
    expect(new URL(page.url()).pathname).toBe('/console');
    await survey('dashboard (empty county)');

    await clickAndLoad(nav('学员与组织'));
    expect(await h1()).toBe('学员与组织');
    for (const [i, name] of TOWNSHIPS.entries()) {
      await page.getByLabel('上级单位').selectOption({ label: '宜阳县' });
      await page.getByLabel('类型').selectOption('township');
      await page.getByLabel('单位名称').fill(name);
      await page.getByLabel('单位编码').fill(`YY0${i + 1}`);
      await clickAndLoad(page.getByRole('button', { name: '添加单位' }));
      expect(await status()).toBe('单位已添加。');
    }
    const tree = await page.locator('#org-tree').innerText();
    expect(TOWNSHIPS.filter((name) => !tree.includes(name))).toEqual([]);
    expect(tree.startsWith('宜阳县')).toBe(true);
  });

  it('2. adds the trainer who will teach', async () => {
    await page.goto('/console/people/users/new');
    await page.getByLabel('用户名').fill('wanglaoshi');
    await page.getByLabel('密码').fill('Laoshi@2026');
    await page.getByLabel('姓名').fill('王老师');
    await page.getByLabel('角色').selectOption('trainer');
    await page.getByLabel('所属单位').selectOption({ label: '宜阳县' });
    await clickAndLoad(page.getByRole('button', { name: '创建账号' }));
    expect(await h1()).toBe('王老师');
  });

  it('3. imports 60 trainees: the dry run lists 2 bad rows, the fixed file goes in', async () => {
    const bad = path.join(files, '宜阳县学员.xlsx');
    writeFileSync(bad, buildXlsx([HEADER, ...traineeRows({ 12: 'noName', 45: 'badTownship' })]));
    const fixed = path.join(files, '宜阳县学员（改正）.xlsx');
    writeFileSync(fixed, buildXlsx([HEADER, ...traineeRows()]));

    await page.goto('/console/people');
    await clickAndLoad(page.getByRole('link', { name: '导入学员' }));
    await page.getByLabel('Excel 或 CSV 文件').setInputFiles(bad);
    await clickAndLoad(page.getByRole('button', { name: '上传并检查' }));
    expect(await page.locator('#check-failed').innerText()).toBe('2');
    const errors = await page.locator('#row-errors tbody tr').allInnerTexts();
    expect(errors).toHaveLength(2);
    // Spreadsheet rows: the header is row 1, so trainee 12 (0-based) is row 14, trainee 45 row 47.
    expect(errors[0]).toMatch(/^第 14 行\t姓名\t.*[\u4e00-\u9fff]/);
    expect(errors[1]).toBe('第 47 行\t单位\t您管辖范围内没有名为“城关”的单位');
    expect(await t.ds.query(`SELECT 1 FROM users WHERE role = 'trainee'`)).toEqual([]);

    await page.getByLabel('Excel 或 CSV 文件').setInputFiles(fixed);
    await clickAndLoad(page.getByRole('button', { name: '上传并检查' }));
    expect(await page.locator('#check-result').innerText()).toBe('全部 60 行都没有问题，可以导入。');
    await clickAndLoad(page.getByRole('button', { name: '确认导入 60 人' }));
    await page.locator('#import-summary').waitFor();
    expect(await page.locator('#import-progress').getAttribute('value')).toBe('60');
    expect(await page.locator('#import-summary').innerText()).toBe('新建 60 人，更新 0 人，跳过 0 行有错误的');
    await clickAndLoad(page.getByRole('link', { name: '查看学员名单' }));
    expect(await page.locator('#users-count').innerText()).toBe('共找到 60 人');
  });

  it('4. creates the year’s plan and a class whose sessions follow a rule, previewed before saving', async () => {
    await clickAndLoad(nav('年度计划'));
    if (new URL(page.url()).searchParams.get('year') !== String(year)) await page.goto(`/console/plan?year=${year}`);
    await page.getByLabel('目标培训班数').fill('4');
    await page.getByLabel('目标培训人次').fill('3000');
    await clickAndLoad(page.getByRole('button', { name: '建立计划' }));
    expect(await status()).toBe('年度计划已建立。下一步：为每个季度新建培训班。');

    await clickAndLoad(page.locator(`#q${quarter} .actions a`));
    expect(await h1()).toBe('新建培训班');
    // No course yet: added from the same page.
    await page.getByLabel('课程名称').fill('电脑基础与智能手机应用');
    await page.getByLabel('学时').fill('24');
    await clickAndLoad(page.getByRole('button', { name: '添加课程' }));
    expect(await status()).toBe('课程已添加，可以在下面选择。');

    await page.getByLabel('培训班名称').fill('第一期基层服务点人员培训班');
    await page.getByLabel('开班日期').fill(startDate);
    await page.getByLabel('结班日期').fill(endDate);
    await page.getByLabel('班级容量（人）').fill('20');
    await page.getByLabel('王老师').check();
    await page.getByLabel('报名开始日期').fill(startDate);
    await page.getByLabel('报名开始时间').fill('00:00');
    await page.getByLabel('报名截止日期').fill(endDate);
    await page.getByLabel('报名截止时间').fill('18:00');
    await page.getByLabel('每周的某几天').check();
    await page.getByLabel('周二').check();
    await page.getByLabel('周四').check();
    await page.getByLabel('排到哪天为止（可不填）').fill(addDays(today, -1));
    await page.getByLabel('跳过的日期（节假日）').fill(holiday);
    await page.getByLabel('上课内容').fill('电脑操作与智能手机应用');
    await clickAndLoad(page.getByRole('button', { name: '预览日期' }));
    const preview = page.locator('#preview');
    expect(await preview.locator('p').first().innerText()).toBe(
      `共 ${sessionDays.length} 次课；跳过节假日 1 天。尚未保存。`,
    );
    expect(await preview.locator('del').count()).toBe(1);
    expect(await t.ds.query(`SELECT 1 FROM classes`)).toEqual([]);

    await clickAndLoad(page.getByRole('button', { name: '保存培训班和课次' }));
    const match = /^\/console\/classes\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname);
    expect(match).not.toBeNull();
    classId = match![1];
    const saved: { day: string }[] = await t.ds.query(
      `SELECT to_char(starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day FROM sessions
        WHERE class_id = $1 ORDER BY starts_at`,
      [classId],
    );
    expect(saved.map((s) => s.day)).toEqual(sessionDays);
  });

  /** The quota view's row for a township: confirmed count and its state's words. */
  async function quotaRow(township: string): Promise<{ confirmed: string; state: string }> {
    const row = page.locator('#quota tbody tr').filter({ has: page.locator('th', { hasText: township }) });
    return { confirmed: await row.locator('td').nth(0).innerText(), state: await row.locator('.badge').innerText() };
  }

  /** Trainee `i` enrols itself, as its phone would. */
  async function enrol(i: number): Promise<void> {
    const token = await login(t.http, phoneOf(i), TRAINEE_PASSWORD);
    await t.http
      .post(`/api/classes/${classId}/enrolments`)
      .set('Authorization', `Bearer ${token}`)
      .send({})
      .expect(201);
  }

  it('5. opens enrolment and watches the quota view fill as trainees enrol', async () => {
    await clickAndLoad(page.getByRole('link', { name: '开放报名' }));
    expect(await page.locator('main').innerText()).toContain('现在共 4 个乡镇，其中 4 个不足 3 人。');
    await clickAndLoad(page.getByRole('button', { name: '确认开放报名' }));
    expect(await status()).toBe('已开放报名。');
    expect((await quotaRow('城关镇')).confirmed).toBe('0');

    // Trainee i belongs to TOWNSHIPS[i % 4]: 0..11 are three of each.
    for (let i = 0; i < 6; i++) await enrol(i);
    await page.reload();
    expect(await quotaRow('城关镇')).toMatchObject({ confirmed: '2' });
    expect((await quotaRow('城关镇')).state).toMatch(/不足/);
    for (let i = 6; i < 11; i++) await enrol(i);
    await page.reload();
    expect(await quotaRow('城关镇')).toMatchObject({ confirmed: '3' });
    expect(await quotaRow('柳泉镇')).toMatchObject({ confirmed: '3' });
    expect(await quotaRow('三乡镇')).toMatchObject({ confirmed: '2' });
    expect((await quotaRow('三乡镇')).state).toMatch(/不足/);
    expect((await quotaRow('城关镇')).state).not.toMatch(/不足/);
    await enrol(11);
    await page.reload();
    expect(await quotaRow('三乡镇')).toMatchObject({ confirmed: '3' });
    expect((await quotaRow('三乡镇')).state).not.toMatch(/不足/);
    expect(await page.locator('#quota .stat__value').first().innerText()).toBe('12 / 20');
    await survey('class with its quota filled');
  });

  it('6. starts the class, and after the trainer’s roll calls completes it', async () => {
    await clickAndLoad(page.getByRole('link', { name: '开班' }));
    await clickAndLoad(page.getByRole('button', { name: '确认开班' }));
    expect(await status()).toBe('已开班，报名已结束。');

    // The trainer's roll call of each session held (through the API, as its phone would).
    const trainer = `Bearer ${await login(t.http, 'wanglaoshi', 'Laoshi@2026')}`;
    const enrolments: { id: string }[] = await t.ds.query(
      `SELECT id FROM enrolments WHERE class_id = $1 AND status = 'confirmed'`,
      [classId],
    );
    expect(enrolments).toHaveLength(12);
    const sessions: { id: string }[] = await t.ds.query(`SELECT id FROM sessions WHERE class_id = $1`, [classId]);
    for (const s of sessions) {
      await t.http
        .put(`/api/sessions/${s.id}/attendance`)
        .set('Authorization', trainer)
        .send({ records: enrolments.map((e) => ({ enrolmentId: e.id, status: 'present' })) })
        .expect(200);
    }

    await clickAndLoad(page.getByRole('link', { name: '结班' }));
    const said = await page.locator('main').innerText();
    for (const township of TOWNSHIPS) expect(said).toContain(township);
    await survey('complete confirmation');
    await clickAndLoad(page.getByRole('button', { name: '确认结班' }));
    expect(await status()).toContain('已结班');
  });

  it('7. issues the class’s certificates, with the progress shown until done', async () => {
    await clickAndLoad(nav('证书'));
    await page.getByLabel('已结班的培训班').selectOption({ label: '第一期基层服务点人员培训班' });
    await clickAndLoad(page.getByRole('button', { name: '查看' }));
    expect(await page.locator('#count-to-issue').innerText()).toBe('12');
    await clickAndLoad(page.getByRole('link', { name: '为本班发证' }));
    await clickAndLoad(page.getByRole('button', { name: '确认发证（12 人）' }));
    // The worker issues them; the page's script follows the run and shows the end.
    await page.locator('#run-status.notice_ok').waitFor({ timeout: 60_000 });
    expect(await page.locator('#run-status').innerText()).toBe('发证完成：发出 12 张，跳过 0 人。');
    await clickAndLoad(page.getByRole('link', { name: '查看本班证书' }));
    expect(await page.locator('#count-issued').innerText()).toBe('12');
    await survey('certificates of the class');
  });

  it('8. downloads the township table in at most 3 clicks, under its Chinese name, with the class counted', async () => {
    await page.goto('/console');
    await clickAndLoad(nav('统计与导出'));
    if (new URL(page.url()).searchParams.get('year') !== String(year)) await page.goto(`/console/reports?year=${year}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `${year}年乡镇培训统计表（Excel）` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`宜阳县${year}年乡镇培训统计.xlsx`);
    // exceljs loaded after startTestApp reset the module registry, as the other specs do.
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(await download.path()) as unknown as ArrayBuffer);
    const rows: string[] = [];
    book.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1).join('|')));
    // Each township sent 3 trainees to every session held: 3 × sessions person-times.
    for (const township of TOWNSHIPS) {
      const row = rows.find((r) => r.startsWith(`${township}|`) || r.includes(`|${township}|`));
      expect({ township, row }).toEqual({ township, row: expect.stringContaining(`|${3 * sessionDays.length}|`) });
    }
    expect(checked).toEqual([]);
  });
});
