import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { createUnit, createUser } from '../factories';
import { expectMatchesBaseline, launchBrowser } from '../support/browser';
import {
  AXE_ONLY,
  consoleProblems,
  consoleWeights,
  openDesktop,
  surveyConsolePage,
  type SurveyOptions,
} from '../support/console';
import { signedInState } from '../support/phone-survey';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { buildXlsx } from '../support/xlsx-fixtures';

const HEADER = ['用户名', '姓名', '手机号', '单位', '学历', '计算机水平'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['芳', '伟', '娜', '敏', '静', '丽', '强', '磊', '军', '洋'];

/** 60 trainees of three townships; `bad` rows (1-based) name a township nobody has. */
function trainees(bad: number[] = []): (string | number)[][] {
  const towns = ['城关镇', '白杨镇', '柳泉镇'];
  return Array.from({ length: 60 }, (_, i) => [
    `1393700${String(i + 1).padStart(4, '0')}`,
    `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10)]}`,
    `1393700${String(i + 1).padStart(4, '0')}`,
    bad.includes(i + 1) ? '城关' : towns[i % 3],
    '初中',
    '基础',
  ]);
}

/**
 * 学员与组织 in Debian's Chromium at a library desktop (1280×800), as a new admin meets it: an
 * empty county whose townships and a village are added through the tree's form (a mistake on the
 * way), a user created, and 60 trainees imported from an XLSX chosen in the file input: the dry
 * run lists the 2 bad rows, the fixed file is uploaded again, the import runs in the background
 * (its worker started once the page is open) with its progress bar moved by the page's script through
 * values between 0 and 60 to 100 %, and the trainees are in the list.
 * Every page passes axe and the keyboard walk; first loads ≤ 120 KB; screenshots
 * console-people.png and console-import.png.
 */
describe('console: people and units in a desktop browser (e2e)', () => {
  let t: TestApp;
  let worker: TestWorker | undefined;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let state: BrowserContextOptions['storageState'];
  let county: OrgUnit;
  let admin: User;
  let files: string;
  jest.setTimeout(120_000);

  beforeAll(async () => {
    // 60 rows go to the background import (more than 20), a row per batch: the bar moves at every row, and
    // 60 password hashes one after another last seconds, so the page's script, asking every second, sees it
    // between 0 and 60.
    [t, browser] = await Promise.all([
      startTestApp({ IMPORT_ASYNC_ROWS: '20', IMPORT_BATCH_ROWS: '1' }),
      launchBrowser(),
    ]);
    baseUrl = await listenOnLoopback(t);
    const province = await createUnit(t.ds, null, 'province', '河南省');
    county = await createUnit(t.ds, province, 'county', '宜阳县', 'YY');
    admin = await createUser(t.ds, {
      role: 'admin',
      orgUnitId: county.id,
      username: 'yyadmin',
      displayName: '县馆管理员',
    });
    state = await signedInState(t, baseUrl, admin);
    page = await openDesktop(browser, { baseURL: baseUrl, storageState: state });
    files = mkdtempSync(path.join(tmpdir(), 'people-import-'));
  });
  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await worker?.close();
    await t?.close();
  });

  const survey = async (name: string, options?: SurveyOptions) =>
    expect(consoleProblems(name, await surveyConsolePage(page, options))).toEqual([]);

  /** Fills the tree page's add form and submits it. */
  async function addUnit(name: string, code = '') {
    await page.getByLabel('单位名称').fill(name);
    await page.getByLabel('单位编码').fill(code);
    await Promise.all([page.waitForURL(/done=unitAdded/), page.getByRole('button', { name: '添加单位' }).click()]);
  }

  it('builds the tree of an empty county through the form, a mistake fixed on the way', async () => {
    await page.goto('/console/people');
    await expect(page.locator('h1').innerText()).resolves.toBe('学员与组织');
    await expect(page.locator('.notice_warn').innerText()).resolves.toContain('这里还没有下属单位');

    // A township without a name: the form again, the problem beside the field.
    await page.getByLabel('单位名称').fill('');
    await page.getByLabel('单位编码').fill('YY01');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '添加单位' }).click()]);
    await expect(page.locator('#unit-name-error').innerText()).resolves.toBe('请填写单位名称（一行）。');
    await expect(page.getByLabel('单位编码').inputValue()).resolves.toBe('YY01');
    // The tree's form with its error: the same controls as the tree walked below, so axe alone.
    await survey('tree (form errors)', AXE_ONLY);

    await addUnit('城关镇', 'YY01');
    await addUnit('白杨镇', 'YY02');
    await addUnit('柳泉镇', 'YY03');
    // A village under 城关镇, from its "add under it" link.
    await page.getByRole('link', { name: '在“城关镇”下添加单位' }).click();
    await expect(page.getByLabel('上级单位').inputValue()).resolves.not.toBe(county.id);
    await expect(page.getByLabel('类型').inputValue()).resolves.toBe('village');
    await addUnit('城关一村', 'YY0101');

    await expect(page.locator('#org-tree').innerText()).resolves.toMatch(
      /宜阳县[\s\S]*城关镇[\s\S]*城关一村[\s\S]*柳泉镇/,
    );
    await expect(page.locator('[role="status"].notice_ok').innerText()).resolves.toBe('单位已添加。');
    await survey('tree');
    // Loaded again: the keyboard walk leaves the focus on the skip link.
    await page.reload();
    await expectMatchesBaseline(page, 'console-people', { fullPage: true });

    // The township's page (contacts, edit) and the delete confirmation.
    await page.locator('#org-tree').getByRole('link', { name: '白杨镇', exact: true }).click();
    await expect(page.locator('h1').innerText()).resolves.toContain('白杨镇');
    await survey('unit');
    await page.getByRole('link', { name: '删除此单位' }).click();
    await survey('unit delete');
  });

  it('creates a user after fixing the form, and finds it in the list', async () => {
    await page.goto('/console/people/users/new');
    await survey('new user');
    await page.getByLabel('用户名').fill('yy trainer');
    await page.getByLabel('密码').fill('short');
    await page.getByLabel('姓名').fill('王老师');
    await page.getByLabel('角色').selectOption('trainer');
    await page.getByLabel('所属单位').selectOption({ label: '宜阳县' });
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '创建账号' }).click()]);
    await expect(page.locator('.notice_error').first().innerText()).resolves.toBe(
      '有 2 处需要改正，请看下面标红的地方。',
    );
    await expect(page.getByLabel('姓名').inputValue()).resolves.toBe('王老师');
    await survey('new user (errors)', AXE_ONLY);

    await page.getByLabel('用户名').fill('wanglaoshi');
    await page.getByLabel('密码').fill('Yiyang@2027');
    await Promise.all([page.waitForURL(/done=userCreated/), page.getByRole('button', { name: '创建账号' }).click()]);
    await expect(page.locator('h1').innerText()).resolves.toBe('王老师');
    await survey('user');

    await page.goto('/console/people/users');
    await page.getByLabel('姓名、用户名或手机号').fill('王老');
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: '查找' }).click()]);
    await expect(page.locator('#users-count').innerText()).resolves.toBe('共找到 1 人');
    await survey('users');
  });

  it('imports 60 trainees from an XLSX: dry run with 2 bad rows, fixed and uploaded again, progress to 100 %', async () => {
    const bad = path.join(files, '宜阳县学员.xlsx');
    writeFileSync(bad, buildXlsx([HEADER, ...trainees([7, 33])]));
    const fixed = path.join(files, '宜阳县学员-改正.xlsx');
    writeFileSync(fixed, buildXlsx([HEADER, ...trainees()]));

    await page.goto('/console/people/import');
    await survey('import');
    await page.getByLabel('Excel 或 CSV 文件').setInputFiles(bad);
    await Promise.all([
      page.waitForURL(/\/console\/people\/import\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: '上传并检查' }).click(),
    ]);
    await expect(page.locator('#check-failed').innerText()).resolves.toBe('2');
    await expect(page.locator('#row-errors tbody').innerText()).resolves.toBe(
      '第 8 行\t单位\t您管辖范围内没有名为“城关”的单位\n第 34 行\t单位\t您管辖范围内没有名为“城关”的单位',
    );
    await survey('import check (errors)');
    await page.reload();
    await expectMatchesBaseline(page, 'console-import', { fullPage: true });

    // The fixed file, through the same page's upload form: nothing was written meanwhile.
    await page.getByLabel('Excel 或 CSV 文件').setInputFiles(fixed);
    await Promise.all([
      page.waitForURL(/\/console\/people\/import\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: '上传并检查' }).click(),
    ]);
    await expect(page.locator('#check-result').innerText()).resolves.toBe('全部 60 行都没有问题，可以导入。');
    await survey('import check (clean)');

    await Promise.all([
      page.waitForURL(/\/console\/people\/imports\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: '确认导入 60 人' }).click(),
    ]);
    // No worker yet: the import waits in the queue, its bar at 0, while the page's script asks for its numbers.
    const bar = page.locator('#import-progress');
    await expect(bar.getAttribute('value')).resolves.toBe('0');
    const moved = page
      .waitForFunction(
        () => {
          const el = (
            globalThis as unknown as {
              document: { getElementById(id: string): { value: number; max: number } | null };
            }
          ).document.getElementById('import-progress');
          return el !== null && el.value > 0 && el.value < el.max;
        },
        undefined,
        { timeout: 60_000 },
      )
      .then(
        () => 'moved',
        (e: Error) => `the bar never stood between 0 and 60: ${e.message}`,
      );
    worker = await startTestWorker(t);
    // The script moves the bar as the rows are written, and loads the page again once the import is done.
    await expect(moved).resolves.toBe('moved');
    await page.locator('#import-summary').waitFor({ timeout: 60_000 });
    await expect(bar.getAttribute('max')).resolves.toBe('60');
    await expect(bar.getAttribute('value')).resolves.toBe('60');
    await expect(page.locator('#import-status').innerText()).resolves.toBe('已完成：60 行全部处理（100%）');
    await expect(page.locator('#import-summary').innerText()).resolves.toBe('新建 60 人，更新 0 人，跳过 0 行有错误的');
    expect(await page.locator('table code').count()).toBe(60);
    await survey('import result');

    await Promise.all([page.waitForURL(/role=trainee/), page.getByRole('link', { name: '查看学员名单' }).click()]);
    await expect(page.locator('#users-count').innerText()).resolves.toBe('共找到 60 人');
  });

  it('keeps every first load within 120 KB', async () => {
    const pages = [
      { name: 'tree', path: '/console/people' },
      { name: 'users', path: '/console/people/users' },
      { name: 'new user', path: '/console/people/users/new' },
      { name: 'import', path: '/console/people/import' },
    ].map((p) => ({ ...p, storageState: state }));
    const { over, weights } = await consoleWeights(browser, baseUrl, pages);
    expect({ over, weights }).toMatchObject({ over: [] });
  });
});
