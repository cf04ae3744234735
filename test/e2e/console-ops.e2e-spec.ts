import { getQueueToken } from '@nestjs/bullmq';
import { type Job, type Queue, QueueEvents, Worker } from 'bullmq';
import { bullConnection, bullPrefix } from '../../src/common/queue/queue-connection';
import { currentYear } from '../../src/common/time/zoned-time';
import { validateEnv } from '../../src/config/env';
import { createUser } from '../factories';
import { localDateIn } from '../factories/dates';
import { quizWorld } from '../factories/quiz-world';
import { startTestApp, type TestApp } from '../support/test-app';
import { getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

/** The rows of the table with `id` on a page: each row's cells as their text. */
function tableRows(html: string, id: string, part: 'tbody' | 'tfoot' = 'tbody'): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (!table) throw new Error(`no table #${id}`);
  const body = new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => pageText(cell[1]).trim()),
  );
}

/** What a download answers, read whole. */
const binary = (
  res: { on(e: string, cb: (chunk?: Buffer) => void): void },
  done: (e: Error | null, b: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk) => chunks.push(chunk!));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** The `filename*` of a Chinese file name, as RFC 5987/8187 write it. */
const filenameStar = (name: string) =>
  `attachment; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

/** 回访, 统计与导出 and 运行 of the console over HTTP: every route, scope, forms, tokens, files (e2e). */
describe('console: visits, reports and operations (e2e)', () => {
  let t: TestApp;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  /** A county with a running class, its trainees, two trainers, and visits: open, overdue, due soon and done. */
  async function world() {
    const w = await quizWorld(t.http, t.ds);
    const insert = async (township: string, assignee: string, dueOn: string, done = false) => {
      const [row] = await t.ds.query(
        done
          ? `INSERT INTO visits (class_id, township_id, assignee_id, due_on, status, visited_on, notes, problems,
                                 trainee_ids, follow_up_needed, reported_at, reported_by)
             VALUES ($1, $2, $3, $4, 'done', $4, '服务点电脑已能正常使用', '网络不稳定', ARRAY[$5]::uuid[], true, now(), $3)
             RETURNING id`
          : `INSERT INTO visits (class_id, township_id, assignee_id, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
        done ? [w.cls.id, township, assignee, dueOn, w.trainees[0].user.id] : [w.cls.id, township, assignee, dueOn],
      );
      return row.id as string;
    };
    await t.ds.query(`UPDATE users SET display_name = '王老师' WHERE id = $1`, [w.trainer.user.id]);
    await t.ds.query(`UPDATE users SET display_name = '李老师' WHERE id = $1`, [w.otherTrainer.user.id]);
    await t.ds.query(`UPDATE users SET display_name = '赵小红' WHERE id = $1`, [w.trainees[0].user.id]);
    const later = await insert(w.tree.villageA2.id, w.trainer.user.id, localDateIn(20));
    const late = await insert(w.tree.townshipA2.id, w.trainer.user.id, localDateIn(-3));
    const soon = await insert(w.tree.villageA1.id, w.otherTrainer.user.id, localDateIn(2));
    const done = await insert(w.tree.townshipA1.id, w.otherTrainer.user.id, localDateIn(-10), true);
    const [admin, outsider] = await Promise.all([
      signInPage(t.http, w.admin.user.username),
      signInPage(t.http, w.otherAdmin.user.username),
    ]);
    return { ...w, later, late, soon, done, browser: admin, outsider };
  }

  const visitIds = (html: string) => [...html.matchAll(/href="\/console\/visits\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

  // ---------------------------------------------------------------------------------------------
  // 回访

  it('lists the visits in scope by assignee and filters them by status and assignee', async () => {
    const w = await world();
    const page = await getPage(t.http, w.browser, '/console/visits').expect(200);
    expect(page.text).toContain('href="/console/visits" aria-current="page"');
    // Open ones by due date: the overdue first; the done one is not among them.
    expect(visitIds(page.text)).toEqual([w.late, w.soon, w.later]);
    const text = pageText(page);
    expect(text).toContain('已逾期 3 天');
    expect(text).toContain('还有 2 天');
    const people = tableRows(page.text, 'ops-visit-list');
    expect(people.find((r) => r[0] === '甲二镇' && r[2] === '王老师')?.[4]).toBe('已逾期');
    // By assignee: 王老师 two open, one of them overdue; 李老师 one open, one done.
    expect(page.text).toMatch(
      /王老师<\/a><\/th>\s*<td class="num">2<\/td>\s*<td class="num"><span class="badge badge_bad">逾期 1 个/,
    );
    expect(page.text).toMatch(
      /李老师<\/a><\/th>\s*<td class="num">1<\/td>\s*<td class="num">0<\/td>\s*<td class="num">1<\/td>/,
    );

    const ids = async (query: string) =>
      visitIds((await getPage(t.http, w.browser, `/console/visits?${query}`).expect(200)).text);
    expect(await ids('status=overdue')).toEqual([w.late]);
    expect(await ids('status=due')).toEqual([w.soon]);
    expect(await ids('status=done')).toEqual([w.done]);
    expect(await ids(`assigneeId=${w.trainer.user.id}`)).toEqual([w.late, w.later]);
    expect(await ids(`status=done&assigneeId=${w.trainer.user.id}`)).toEqual([]);
    // A filter that makes no sense is the default view, not an error.
    expect(await ids('status=nonsense&assigneeId=x')).toEqual([w.late, w.soon, w.later]);

    // Another county's admin sees none of them, and gets 404 on each.
    const other = await getPage(t.http, w.outsider, '/console/visits').expect(200);
    expect(visitIds(other.text)).toEqual([]);
    const gone = await getPage(t.http, w.outsider, `/console/visits/${w.late}`).expect(404);
    expect(pageText(gone)).toContain('回访任务不存在');
    await submitForm(t.http, w.outsider, `/console/visits/${w.late}`, { assigneeId: w.trainer.user.id }).expect(404);
    await getPage(t.http, w.browser, '/console/visits/not-a-uuid').expect(404);

    const english = await getPage(t.http, w.browser, '/console/visits').set('Accept-Language', 'en').expect(200);
    expect(pageText(english)).toContain('Follow-up visits');
    expect(pageText(english)).toContain('3 days overdue');
  });

  it('shows a done visit’s report, read-only', async () => {
    const w = await world();
    const page = await getPage(t.http, w.browser, `/console/visits/${w.done}`).expect(200);
    const text = pageText(page);
    expect(text).toContain('回访报告');
    expect(text).toContain('服务点电脑已能正常使用');
    expect(text).toContain('网络不稳定');
    expect(text).toContain('赵小红');
    expect(text).toMatch(/需要再跟进 是/);
    expect(page.text).not.toContain('name="assigneeId"');
    // Posted anyway: the service's refusal, in words.
    const refused = await submitForm(t.http, w.browser, `/console/visits/${w.done}`, {
      assigneeId: w.trainer.user.id,
      dueOn: localDateIn(5),
    }).expect(409);
    expect(pageText(refused)).toContain('该回访已完成并提交报告，不能再修改或取消');
  });

  it('reassigns a visit: the new assignee sees it and is told; mistakes come back beside their field', async () => {
    const w = await world();
    const page = await getPage(t.http, w.browser, `/console/visits/${w.later}`).expect(200);
    expect(page.text).toContain(`<option value="${w.otherTrainer.user.id}">李老师（老师）</option>`);
    expect(page.text).toContain(`<option value="${w.trainer.user.id}" selected>王老师（老师）</option>`);
    expect(page.text).toContain(`min="${localDateIn(0)}"`);
    const path = `/console/visits/${w.later}`;

    // Without the form token: refused, nothing changed.
    await postForm(t.http, w.browser, path, { assigneeId: w.otherTrainer.user.id, dueOn: localDateIn(20) }).expect(403);
    // Empty date: the field's error in Chinese, the chosen assignee still chosen.
    const empty = await submitForm(t.http, w.browser, path, { assigneeId: w.otherTrainer.user.id, dueOn: '' }).expect(
      400,
    );
    expect(pageText(empty)).toContain('请填写截止日期，例如 2026-03-12。');
    expect(empty.text).toContain(`<option value="${w.otherTrainer.user.id}" selected>`);
    expect(empty.text).toMatch(/id="ops-dueOn"[^>]*aria-invalid="true"/);
    // A date in the past: the service's rule, beside the date.
    const past = await submitForm(t.http, w.browser, path, {
      assigneeId: w.trainer.user.id,
      dueOn: localDateIn(-1),
    }).expect(400);
    expect(pageText(past)).toContain('截止日期不能早于今天。');
    expect(past.text).toContain(`value="${localDateIn(-1)}"`);
    // A trainee cannot take a visit.
    const trainee = await submitForm(t.http, w.browser, path, {
      assigneeId: w.trainees[0].user.id,
      dueOn: localDateIn(20),
    }).expect(400);
    expect(pageText(trainee)).toContain('只能交给本班所属县在职的老师或管理员');
    const [before] = await t.ds.query(
      `SELECT assignee_id, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM visits WHERE id = $1`,
      [w.later],
    );
    expect(before).toEqual({ assignee_id: w.trainer.user.id, due_on: localDateIn(20) });

    const saved = await submitForm(t.http, w.browser, path, {
      assigneeId: w.otherTrainer.user.id,
      dueOn: localDateIn(25),
    }).expect(303);
    expect(saved.headers.location).toBe(`/console/visits/${w.later}?done=saved`);
    const after = await getPage(t.http, w.browser, saved.headers.location).expect(200);
    expect(pageText(after)).toContain('已保存。如果换了回访人，新的回访人已收到通知。');
    const [row] = await t.ds.query(
      `SELECT assignee_id, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM visits WHERE id = $1`,
      [w.later],
    );
    expect(row).toEqual({ assignee_id: w.otherTrainer.user.id, due_on: localDateIn(25) });
    // The new assignee sees it through the API, and was told.
    const theirs = await t.http.get('/api/visits').set('Authorization', w.otherTrainer.auth).expect(200);
    expect((theirs.body.items as { id: string }[]).map((v) => v.id)).toContain(w.later);
    const told = await t.ds.query(`SELECT 1 FROM notifications WHERE user_id = $1 AND template = 'visit-assigned'`, [
      w.otherTrainer.user.id,
    ]);
    expect(told.length).toBeGreaterThan(0);

    // An overdue visit moved to a later date is no longer overdue.
    await submitForm(t.http, w.browser, `/console/visits/${w.late}`, {
      assigneeId: w.trainer.user.id,
      dueOn: localDateIn(7),
    }).expect(303);
    const overdue = await getPage(t.http, w.browser, '/console/visits?status=overdue').expect(200);
    expect(visitIds(overdue.text)).toEqual([]);
  });

  it('refuses trainees and trainers', async () => {
    const w = await world();
    const trainee = await signInPage(t.http, w.trainees[0].user.username);
    const trainer = await signInPage(t.http, w.trainer.user.username);
    for (const who of [trainee, trainer]) {
      for (const path of ['/console/visits', `/console/visits/${w.late}`, '/console/reports', '/console/operations']) {
        const res = await getPage(t.http, who, path).expect(403);
        expect(pageText(res)).toContain('这是图书馆管理员用的后台');
      }
      await getPage(t.http, who, '/console/reports/townships/xlsx').expect(403);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // 统计与导出

  /** Events of the world's year: two in townships, one held by the county itself. */
  async function withEvents(w: Awaited<ReturnType<typeof world>>) {
    const year = currentYear('Asia/Shanghai');
    const add = (orgUnitId: string, headCount: number, title: string) =>
      t.http
        .post('/api/events')
        .set('Authorization', w.admin.auth)
        .send({ kind: 'lecture', title, date: `${year}-03-15`, orgUnitId, headCount })
        .expect(201);
    await add(w.tree.townshipA1.id, 40, '防诈骗讲座');
    await add(w.tree.villageA2.id, 25, '数字阅读推广');
    await add(w.tree.countyA.id, 100, '县馆公开课');
    return year;
  }

  it('shows the township table with the API’s numbers, and the year’s events', async () => {
    const w = await world();
    const year = await withEvents(w);
    const page = await getPage(t.http, w.browser, `/console/reports?year=${year}`).expect(200);
    expect(page.text).toContain('href="/console/reports" aria-current="page"');
    const api = await t.http.get(`/api/reports/townships?year=${year}`).set('Authorization', w.admin.auth).expect(200);
    const rows = tableRows(page.text, 'ops-township-table');
    type Row = Record<string, number | null | string | boolean>;
    const figures = (r: Row) =>
      [
        r.classesHeld,
        r.sessionsHeld,
        r.personTimesFromAttendance,
        r.personTimesFromEvents,
        r.personTimes,
        r.uniqueTrainees,
        r.rotationCoverage === null ? '—' : `${Math.round((r.rotationCoverage as number) * 1000) / 10}%`,
        r.certificatesIssued,
        r.visitsDone,
        r.visitsOverdue,
      ].map(String);
    expect(rows.map((r) => r.slice(0, 11))).toEqual((api.body.items as Row[]).map((r) => [r.name, ...figures(r)]));
    expect(rows.find((r) => r[0] === '甲一镇')?.[4]).toBe('40');
    expect(rows.find((r) => r[0] === '甲二镇')?.[4]).toBe('25');
    const [totals] = tableRows(page.text, 'ops-township-table', 'tfoot');
    expect(totals.slice(0, 11)).toEqual(['合计', ...figures(api.body.totals as Row)]);
    expect(totals[4]).toBe('165');
    expect(pageText(page)).toContain('另有县本级活动 100 人次');
    // The events of the year, with links to edit and delete each.
    const events = tableRows(page.text, 'ops-event-list');
    expect(events.map((r) => r[2]).sort()).toEqual(['县馆公开课', '数字阅读推广', '防诈骗讲座'].sort());
    expect(pageText(page)).toContain('共 3 场，165 人次');
    // Another year: no events, and a year that is no year is this year.
    const before = await getPage(t.http, w.browser, `/console/reports?year=${year - 3}`).expect(200);
    expect(pageText(before)).toContain('这一年还没有记录活动。');
    const odd = await getPage(t.http, w.browser, '/console/reports?year=abc').expect(200);
    expect(odd.text).toContain(`<option value="${currentYear('Asia/Shanghai')}" selected>`);
    const english = await getPage(t.http, w.browser, `/console/reports?year=${year}`)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(pageText(english)).toContain(`Download the ${year} spreadsheets`);
  });

  it('serves each download with its Chinese file name (RFC 5987) and the right content', async () => {
    const w = await world();
    const year = await withEvents(w);
    const page = await getPage(t.http, w.browser, `/console/reports?year=${year}`).expect(200);
    const files: [string, string, string][] = [
      [
        `/console/reports/townships/xlsx?year=${year}`,
        `甲县${year}年乡镇培训统计.xlsx`,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ],
      [`/console/reports/townships/csv?year=${year}`, `甲县${year}年乡镇培训统计.csv`, 'text/csv; charset=utf-8'],
      [
        `/console/reports/rotation/xlsx?year=${year}`,
        `${year}年年度轮训情况.xlsx`,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ],
      [`/console/reports/rotation/csv?year=${year}`, `${year}年年度轮训未参训人员.csv`, 'text/csv; charset=utf-8'],
      [
        `/console/reports/annual/xlsx?year=${year}`,
        `甲县${year}年度培训工作统计.xlsx`,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ],
    ];
    const bodies = new Map<string, Buffer>();
    for (const [href, name, type] of files) {
      // Each is linked from the page: the menu, then the link.
      expect(page.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toContain(`href="${href}" download`);
      const res = await getPage(t.http, w.browser, href).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-disposition']).toBe(filenameStar(name));
      expect(Buffer.isBuffer(res.body)).toBe(true);
      bodies.set(href.split('?')[0], res.body as Buffer);
    }
    // The township workbook: a row per township with its numbers. (exceljs loaded here, after
    // startTestApp reset the module registry, as the other specs do.)
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bodies.get('/console/reports/townships/xlsx')! as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    const values: unknown[][] = [];
    sheet.eachRow((row) => values.push((row.values as unknown[]).slice(1)));
    const a1 = values.find((r) => r.includes('甲一镇'));
    expect(a1).toBeDefined();
    expect(a1).toContain(40);
    expect(values.some((r) => r.includes('甲二镇') && r.includes(25))).toBe(true);
    const csv = bodies.get('/console/reports/townships/csv')!.toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toMatch(/甲一镇/);
    const annual = new ExcelJS.Workbook();
    await annual.xlsx.load(bodies.get('/console/reports/annual/xlsx')! as unknown as ArrayBuffer);
    expect(annual.worksheets.map((s) => s.name)).toEqual(expect.arrayContaining(['汇总', '乡镇统计', '活动']));
    // No such report or format, or a year that is no year: no such page.
    await getPage(t.http, w.browser, '/console/reports/annual/csv').expect(404);
    await getPage(t.http, w.browser, '/console/reports/secrets/xlsx').expect(404);
    await getPage(t.http, w.browser, '/console/reports/townships/xlsx?year=1').expect(404);
  });

  it('adds, corrects and deletes an event, with mistakes shown beside their fields', async () => {
    const w = await world();
    const year = currentYear('Asia/Shanghai');
    const form = await getPage(t.http, w.browser, `/console/reports/events/new?year=${year}`).expect(200);
    expect(form.text).toContain('<option value="lecture" selected>讲座</option>');
    expect(form.text).toContain(`<option value="${w.tree.villageA1.id}">甲一镇 · 甲一村</option>`);
    expect(form.text).toContain(`<option value="${w.tree.countyA.id}" selected>甲县</option>`);

    const fields = {
      kind: 'screening',
      title: '',
      date: `${year}-02-30`,
      orgUnitId: w.tree.townshipA2.id,
      headCount: 'abc',
      books: '',
      discs: '-1',
      leaflets: '200',
      notes: '村委会会议室\n第二行',
    };
    await postForm(t.http, w.browser, '/console/reports/events', fields).expect(403);
    const wrong = await submitForm(t.http, w.browser, '/console/reports/events', fields).expect(400);
    const text = pageText(wrong);
    expect(text).toContain('有 4 处需要改正');
    expect(text).toContain('请填写活动名称。');
    expect(text).toContain('请填写活动日期，例如 2026-03-15。');
    expect(text).toContain('请填写参加人数：1 到 100000 之间的整数。');
    expect(text).toContain('请填写 0 到 1000000 之间的整数');
    // Nothing lost.
    expect(wrong.text).toContain('<option value="screening" selected>放映</option>');
    expect(wrong.text).toContain(`<option value="${w.tree.townshipA2.id}" selected>甲二镇</option>`);
    expect(wrong.text).toContain('value="abc"');
    expect(wrong.text).toContain('value="200"');
    expect(wrong.text).toContain('>村委会会议室\n第二行</textarea>');
    // A unit outside the admin's part of the tree: the service's refusal, beside the unit.
    const outside = await submitForm(t.http, w.browser, '/console/reports/events', {
      ...fields,
      title: '电影放映',
      date: `${year}-02-20`,
      headCount: '60',
      discs: '0',
      orgUnitId: w.tree.townshipB1.id,
    }).expect(400);
    expect(pageText(outside)).toContain('请选择举办单位（你管理范围内的单位）。');
    expect((await t.ds.query(`SELECT 1 FROM outreach_events WHERE created_by = $1`, [w.admin.user.id])).length).toBe(0);

    const added = await submitForm(t.http, w.browser, '/console/reports/events', {
      ...fields,
      title: '电影放映',
      date: `${year}-02-20`,
      headCount: '60',
      discs: '3',
    }).expect(303);
    expect(added.headers.location).toBe(`/console/reports?year=${year}&done=eventAdded#events`);
    const list = await t.http.get(`/api/events?year=${year}`).set('Authorization', w.admin.auth).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        kind: 'screening',
        title: '电影放映',
        date: `${year}-02-20`,
        orgUnitId: w.tree.townshipA2.id,
        headCount: 60,
        materials: { books: 0, discs: 3, leaflets: 200 },
        notes: '村委会会议室\n第二行',
      }),
    ]);
    const id = list.body.items[0].id as string;
    const shown = await getPage(t.http, w.browser, added.headers.location.replace('#events', '')).expect(200);
    expect(pageText(shown)).toContain('活动已添加，人次已计入统计。');
    expect(tableRows(shown.text, 'ops-event-list')[0]).toEqual([
      `${year}年2月20日`,
      '放映',
      '电影放映',
      '甲二镇',
      '60',
      '修改 删除',
    ]);

    // Corrected: the form shows it as saved; the notes emptied are cleared.
    const edit = await getPage(t.http, w.browser, `/console/reports/events/${id}`).expect(200);
    expect(edit.text).toContain('value="电影放映"');
    const saved = await submitForm(t.http, w.browser, `/console/reports/events/${id}`, {
      ...fields,
      title: '电影放映（补记）',
      date: `${year}-02-21`,
      headCount: '75',
      discs: '3',
      notes: '',
    }).expect(303);
    expect(saved.headers.location).toBe(`/console/reports?year=${year}&done=eventSaved#events`);
    const [row] = await t.ds.query(`SELECT title, head_count, notes FROM outreach_events WHERE id = $1`, [id]);
    expect(row).toEqual({ title: '电影放映（补记）', head_count: 75, notes: null });
    const tooLong = await submitForm(t.http, w.browser, `/console/reports/events/${id}`, {
      ...fields,
      title: '长'.repeat(201),
      date: `${year}-02-21`,
      headCount: '75',
      discs: '3',
    }).expect(400);
    expect(pageText(tooLong)).toContain('名称最多 200 个字，请缩短。');

    // Another county's admin: no such event.
    await getPage(t.http, w.outsider, `/console/reports/events/${id}`).expect(404);
    await getPage(t.http, w.outsider, `/console/reports/events/${id}/delete`).expect(404);
    await submitForm(t.http, w.outsider, `/console/reports/events/${id}/delete`).expect(404);
    await submitForm(t.http, w.outsider, `/console/reports/events/${id}`, { ...fields, title: '改' }).expect(404);

    // Deleted after a confirmation that says what it means.
    const confirm = await getPage(t.http, w.browser, `/console/reports/events/${id}/delete`).expect(200);
    expect(pageText(confirm)).toContain('确定删除“电影放映（补记）”吗？删除后它的 75 人次不再计入统计，不能恢复。');
    // The date in words, like the rest of the console; 确认 + the action, and the console's way back.
    expect(confirm.text).toContain(`<dd>${year}年2月21日</dd>`);
    expect(confirm.text).not.toContain(`${year}-02-21<`);
    expect(confirm.text).toContain('>确认删除</button>');
    expect(confirm.text).toContain('>返回，不做改动</a>');
    await postForm(t.http, w.browser, `/console/reports/events/${id}/delete`).expect(403);
    const deleted = await submitForm(t.http, w.browser, `/console/reports/events/${id}/delete`).expect(303);
    expect(deleted.headers.location).toBe(`/console/reports?year=${year}&done=eventDeleted#events`);
    expect((await t.ds.query(`SELECT 1 FROM outreach_events WHERE id = $1`, [id])).length).toBe(0);
    await getPage(t.http, w.browser, `/console/reports/events/${id}`).expect(404);
  });

  // ---------------------------------------------------------------------------------------------
  // 运行

  it('shows health, the queues’ counts from Redis and a failed job, which it runs again', async () => {
    const w = await world();
    const env = validateEnv(t.rawEnv);
    const visits = t.app.get<Queue>(getQueueToken('visits'));
    const imports = t.app.get<Queue>(getQueueToken('imports'));
    const waiting = await visits.add('probe', {}, { jobId: 'console-ops-probe' });
    // A job that fails for good, on a worker of this test's own.
    const events = new QueueEvents('imports', { connection: bullConnection(env, 'worker'), prefix: bullPrefix(env) });
    const worker = new Worker('imports', () => Promise.reject(new Error('导入文件读不出来')), {
      connection: bullConnection(env, 'worker'),
      prefix: bullPrefix(env),
    });
    let failedJob: Job;
    try {
      await events.waitUntilReady();
      failedJob = await imports.add('run', { importId: 'x' }, { jobId: 'console-ops-failing', attempts: 1 });
      await failedJob.waitUntilFinished(events).catch(() => undefined);
    } finally {
      await worker.close();
      await events.close();
    }
    try {
      const page = await getPage(t.http, w.browser, '/console/operations').expect(200);
      expect(page.text).toContain('href="/console/operations" aria-current="page"');
      const text = pageText(page);
      expect(text).toContain('数据库（PostgreSQL） 正常');
      expect(text).toContain('任务队列（Redis） 正常');
      expect(text).toContain('数据库和任务队列都正常。');
      const queueRow = (name: string) => {
        const row = new RegExp(`<tr data-queue="${name}"[^>]*>([\\s\\S]*?)</tr>`).exec(page.text)?.[1] ?? '';
        return [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => pageText(c[1]).trim());
      };
      // The page's numbers are Redis's (other tests of this file leave notices planned in the queues).
      for (const queue of [visits, imports]) {
        const c = await queue.getJobCounts(
          'waiting',
          'prioritized',
          'waiting-children',
          'active',
          'delayed',
          'failed',
          'completed',
        );
        const expected = [
          c.waiting + c.prioritized + c['waiting-children'],
          c.active,
          c.delayed,
          c.failed,
          c.completed,
        ];
        expect(queueRow(queue.name).slice(1, 6)).toEqual(expected.map(String));
      }
      expect(queueRow('visits')[1]).toBe('1');
      expect(queueRow('imports')[4]).toBe('1');
      expect(queueRow('visits')[0]).toMatch(/^回访/);
      expect(text).toContain('导入文件读不出来');
      expect(page.text).toContain('name="jobId" value="console-ops-failing"');

      await postForm(t.http, w.browser, '/console/operations/jobs/retry', {
        queue: 'imports',
        jobId: 'console-ops-failing',
      }).expect(403);
      const retried = await submitForm(t.http, w.browser, '/console/operations/jobs/retry', {
        queue: 'imports',
        jobId: 'console-ops-failing',
      }).expect(303);
      expect(retried.headers.location).toBe('/console/operations?done=jobRetried#jobs');
      expect(await (await imports.getJob('console-ops-failing'))!.getState()).toBe('waiting');
      const after = await getPage(t.http, w.browser, '/console/operations?done=jobRetried').expect(200);
      expect(pageText(after)).toContain('任务已重新排队。');
      expect(after.text).not.toContain('name="jobId" value="console-ops-failing"');
      // Again, or a job that is not there: nothing to retry, said so.
      const again = await submitForm(t.http, w.browser, '/console/operations/jobs/retry', {
        queue: 'imports',
        jobId: 'console-ops-failing',
      }).expect(303);
      expect(again.headers.location).toBe('/console/operations?done=jobGone#jobs');
      const gone = await getPage(t.http, w.browser, '/console/operations?done=jobGone').expect(200);
      expect(pageText(gone)).toContain('这个任务已经不是失败状态');
      const english = await getPage(t.http, w.browser, '/console/operations').set('Accept-Language', 'en').expect(200);
      expect(pageText(english)).toContain('Database (PostgreSQL) Up');
    } finally {
      await waiting.remove();
      await (await imports.getJob('console-ops-failing'))?.remove();
    }
  });

  it('lists the failed messages of the admin’s part of the tree and sends one again', async () => {
    const w = await world();
    const outsiderTrainee = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: w.tree.townshipB1.id,
      displayName: '乙县学员',
    });
    const insert = async (userId: string) => {
      const [row] = await t.ds.query(
        `INSERT INTO notifications (user_id, channel, template, payload, dedup_key, status, attempts, last_error, failed_at)
         VALUES ($1, 'sms', 'visit-due', '{}', $2, 'failed', 3, 'gateway answered 503', now()) RETURNING id`,
        [userId, `console-ops:${userId}`],
      );
      return row.id as string;
    };
    const mine = await insert(w.trainees[0].user.id);
    const theirs = await insert(outsiderTrainee.id);

    const page = await getPage(t.http, w.browser, '/console/operations').expect(200);
    const rows = tableRows(page.text, 'ops-message-table');
    expect(rows).toHaveLength(1);
    expect(rows[0].slice(0, 3)).toEqual(['赵小红', '回访到期提醒', '短信']);
    expect(rows[0]).toContain('gateway answered 503');
    expect(page.text).toContain(`action="/console/operations/messages/${mine}/retry"`);
    expect(page.text).not.toContain(theirs);

    await postForm(t.http, w.browser, `/console/operations/messages/${mine}/retry`).expect(403);
    // Another county's message: not there for this admin.
    await submitForm(t.http, w.browser, `/console/operations/messages/${theirs}/retry`).expect(404);
    await submitForm(t.http, w.browser, '/console/operations/messages/nope/retry').expect(404);

    const retried = await submitForm(t.http, w.browser, `/console/operations/messages/${mine}/retry`).expect(303);
    expect(retried.headers.location).toBe('/console/operations?done=messageRetried#messages');
    const [row] = await t.ds.query(`SELECT status::text, attempts, generation FROM notifications WHERE id = $1`, [
      mine,
    ]);
    expect(row).toEqual({ status: 'pending', attempts: 0, generation: 1 });
    const queue = t.app.get<Queue>(getQueueToken('notifications'));
    const job = await queue.getJob(`deliver.${mine}.1`);
    expect(job?.data).toEqual({ notificationId: mine, generation: 1 });
    const after = await getPage(t.http, w.browser, '/console/operations?done=messageRetried').expect(200);
    expect(pageText(after)).toContain('消息已重新排队发送。');
    expect(pageText(after)).toContain('没有发送失败的消息。');

    // Retried twice (another tab): the service's refusal, in words, on the page.
    const twice = await submitForm(t.http, w.browser, `/console/operations/messages/${mine}/retry`).expect(409);
    expect(pageText(twice)).toContain('这条消息不是发送失败的状态');
    expect(pageText(twice)).toContain('系统状态');
    await job?.remove();
  });
});
