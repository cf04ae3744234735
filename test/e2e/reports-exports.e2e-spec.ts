import { parse as parseCsv } from 'csv-parse/sync';
import type ExcelJSType from 'exceljs';
import { AttendanceRecord } from '../../src/attendance/attendance-record.entity';
import type { AttendanceStatus } from '../../src/attendance/attendance.types';
import { ClassSession } from '../../src/classes/class-session.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { Clock as ClockType } from '../../src/common/time/clock';
import type { Enrolment } from '../../src/enrolments/enrolment.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { Visit } from '../../src/visits/visit.entity';
import { seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { createOrgTree, createUnit, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The report files: the township table as CSV and XLSX (GET /api/reports/townships?format=)
 * and the annual workbook (GET /api/reports/annual), checked cell by cell against the JSON
 * answers of the same query and against the records built. (The figures themselves are
 * defined in docs/reports.md.)
 */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const YEAR = 2025;
/** The reading time of every report here: mid-November of YEAR, so a December session is still to come. */
const NOW = localInstant(`${YEAR}-11-15`, '12:00');

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

const HEADER = [
  '所属县',
  '乡镇',
  '培训班期数',
  '培训场次',
  '培训人次（出勤）',
  '活动人次',
  '合计人次',
  '参训人数',
  '是否覆盖',
  '在册学员',
  '已轮训',
  '轮训覆盖率',
  '测验人次',
  '测验通过人次',
  '测验通过率',
  '发证数',
  '回访完成',
  '回访逾期',
];
/** The JSON figure of each column after 所属县 and 乡镇. */
const FIGURES = [
  'classesHeld',
  'sessionsHeld',
  'personTimesFromAttendance',
  'personTimesFromEvents',
  'personTimes',
  'uniqueTrainees',
  'covered',
  'rotationStaff',
  'rotationTrained',
  'rotationCoverage',
  'quizGraded',
  'quizPassed',
  'quizPassRate',
  'certificatesIssued',
  'visitsDone',
  'visitsOverdue',
] as const;
const RATIOS = new Set<string>(['rotationCoverage', 'quizPassRate']);

/** The 汇总 lines: label, and the summary figure beside it. */
const SUMMARY_LINES: [string, string][] = [
  ['培训班期数', 'classesHeld'],
  ['培训场次', 'sessionsHeld'],
  ['培训人次（出勤）', 'personTimesFromAttendance'],
  ['活动人次', 'personTimesFromEvents'],
  ['合计人次', 'personTimes'],
  ['参训人数', 'uniqueTrainees'],
  ['覆盖乡镇数', 'townshipsCovered'],
  ['乡镇总数', 'townshipsTotal'],
  ['乡镇覆盖率', 'townshipCoverage'],
  ['在册学员', 'rotationStaff'],
  ['已轮训', 'rotationTrained'],
  ['轮训覆盖率', 'rotationCoverage'],
  ['测验人次', 'quizGraded'],
  ['测验通过人次', 'quizPassed'],
  ['测验通过率', 'quizPassRate'],
  ['发证数', 'certificatesIssued'],
  ['回访完成', 'visitsDone'],
  ['回访逾期', 'visitsOverdue'],
];

type Row = Record<string, unknown>;

/** A township row of the JSON answer as the files write it: ratios as numbers, covered as 是/否. */
function expectedLine(r: Row): unknown[] {
  return [r.parentName, r.name, ...FIGURES.map((k) => (k === 'covered' ? (r.covered ? '是' : '否') : r[k]))];
}
function expectedTotals(s: Row, outside: number): { outside: unknown[] | null; totals: unknown[] } {
  const covered =
    s.townshipsCovered === null ? null : `${s.townshipsCovered as number}个（共${s.townshipsTotal as number}个）`;
  const blank = HEADER.map(() => null);
  const outsideLine = outside
    ? blank.map((_, i) => (i === 0 ? '县本级活动（不分乡镇）' : i === 5 || i === 6 ? outside : null))
    : null;
  return { outside: outsideLine, totals: ['合计', null, ...FIGURES.map((k) => (k === 'covered' ? covered : s[k]))] };
}

describe('report files (e2e)', () => {
  let t: TestApp;
  let ExcelJS: typeof ExcelJSType;

  beforeAll(async () => {
    t = await startTestApp({ TZ_DEFAULT: 'Asia/Shanghai' });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Clock } = require('../../src/common/time/clock') as typeof import('../../src/common/time/clock');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const clock: ClockType = t.app.get(Clock);
    jest.spyOn(clock, 'now').mockReturnValue(NOW);
    // Loaded here, not at the top: startTestApp resets the module registry, and exceljs's
    // reader then mixes stream classes from two registries.
    ExcelJS = (await import('exceljs')).default;
  });
  afterAll(() => t.close());

  /**
   * 甲县 in YEAR, read on NOW (2025-11-15), with the townships 甲一镇, 甲二镇 and a third whose
   * name a spreadsheet would run as a formula:
   * - 跨年班 began in December of the year before (not listed; its January session counts in Q1);
   * - 春季班 (min. 2 per township): 2025-03-10 and 2025-04-15 held, 04-20 cancelled; 甲一镇's
   *   a1 and a2 (of its village) came to the first, a1 and 甲二镇's b1 to the second;
   * - 秋季班 (min. 1): 2025-10-10 held (b2 of 甲二村 came), 2025-12-01 still to come;
   * - county B's class, events and visits, outside the admin's part of the tree.
   * Events: 甲二村 02-02 (titled as a formula), 甲一镇 05-01, the county's own 08-08, one of
   * the year before. Visits: 甲一镇 after 春季班 done 04-28, 甲二镇 after 春季班 due 05-10 (overdue),
   * 甲二镇 after 秋季班 due 12-20, and one of the year before.
   */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const townshipA3 = await createUnit(t.ds, tree.countyA, 'township', '=HYPERLINK("x")');
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王讲师' });
    const trainee = (unit: OrgUnit, displayName: string) =>
      createUser(t.ds, { role: 'trainee', orgUnitId: unit.id, displayName });
    const a1 = await trainee(tree.townshipA1, '甲学员一');
    const a2 = await trainee(tree.villageA1, '甲学员二');
    const b1 = await trainee(tree.townshipA2, '乙学员一');
    const b2 = await trainee(tree.villageA2, '乙学员二');
    const outsider = await trainee(tree.townshipB1, '乙县学员');

    const course = await createCourse(t.ds, tree.countyA, { title: '数字阅读推广' });
    const plan = await createPlan(t.ds, tree.countyA, YEAR, { targetClasses: 4, targetPersonTimes: 200 });
    const lastYearsPlan = await createPlan(t.ds, tree.countyA, YEAR - 1);
    const classOf = (p: typeof plan, title: string, fields: Partial<TrainingClass>) =>
      createClass(t.ds, p, course, [trainer.id], { title, ...fields });
    const acrossYears = await classOf(lastYearsPlan, '跨年班', {
      quarter: 4,
      startDate: `${YEAR - 1}-12-01`,
      endDate: `${YEAR}-01-31`,
      status: 'completed',
    });
    const spring = await classOf(plan, '春季班', {
      quarter: 1,
      startDate: `${YEAR}-03-01`,
      endDate: `${YEAR}-04-30`,
      minPerTownship: 2,
      status: 'completed',
    });
    const autumn = await classOf(plan, '秋季班', {
      quarter: 4,
      startDate: `${YEAR}-10-01`,
      endDate: `${YEAR}-12-31`,
      minPerTownship: 1,
      status: 'running',
    });
    const session = (cls: TrainingClass, date: string, status: 'scheduled' | 'cancelled' = 'scheduled') => {
      const startsAt = localInstant(date, '09:00');
      const repo = t.ds.getRepository(ClassSession);
      return repo.save(
        repo.create({
          classId: cls.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 3_600_000),
          trainerId: trainer.id,
          venueId: null,
          topic: null,
          status,
        }),
      );
    };
    const attend = (s: ClassSession, marks: [Enrolment, AttendanceStatus][]) =>
      t.ds.getRepository(AttendanceRecord).insert(
        marks.map(([enrolment, status]) => ({
          sessionId: s.id,
          enrolmentId: enrolment.id,
          status,
          source: 'trainer' as const,
          recordedBy: trainer.id,
        })),
      );

    const x1 = await session(acrossYears, `${YEAR - 1}-12-20`);
    const x2 = await session(acrossYears, `${YEAR}-01-05`);
    const xa1 = await seat(t.ds, acrossYears, a1, tree.townshipA1, 'completed');
    await attend(x1, [[xa1, 'present']]);
    await attend(x2, [[xa1, 'present']]);

    const s1 = await session(spring, `${YEAR}-03-10`);
    const s2 = await session(spring, `${YEAR}-04-15`);
    const s3 = await session(spring, `${YEAR}-04-20`, 'cancelled');
    const ea1 = await seat(t.ds, spring, a1, tree.townshipA1, 'completed');
    const ea2 = await seat(t.ds, spring, a2, tree.townshipA1);
    const eb1 = await seat(t.ds, spring, b1, tree.townshipA2);
    await attend(s1, [
      [ea1, 'present'],
      [ea2, 'late'],
      [eb1, 'absent'],
    ]);
    await attend(s2, [
      [ea1, 'present'],
      [eb1, 'present'],
    ]);
    await attend(s3, [[ea2, 'present']]);

    const s4 = await session(autumn, `${YEAR}-10-10`);
    const s5 = await session(autumn, `${YEAR}-12-01`);
    const eb2 = await seat(t.ds, autumn, b2, tree.townshipA2);
    await attend(s4, [[eb2, 'present']]);
    await attend(s5, [[eb2, 'present']]);

    const countyB = await createClass(t.ds, await createPlan(t.ds, tree.countyB, YEAR), course, [], {
      title: '乙县班',
    });
    const sb = await session(countyB, `${YEAR}-06-01`);
    await attend(sb, [[await seat(t.ds, countyB, outsider, tree.townshipB1), 'present']]);

    const event = async (orgUnit: OrgUnit, fields: Record<string, unknown>) => {
      const res = await t.http
        .post('/api/events')
        .set('Authorization', admin.auth)
        .send({ orgUnitId: orgUnit.id, kind: 'lecture', title: '讲座', headCount: 1, ...fields });
      if (res.status !== 201) throw new Error(`event: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await event(tree.villageA2, { kind: 'outreach', title: '=HYPERLINK("x")', date: `${YEAR}-02-02`, headCount: 20 });
    await event(tree.townshipA1, {
      title: '防诈骗讲座',
      date: `${YEAR}-05-01`,
      headCount: 30,
      materials: { books: 10, discs: 2, leaflets: 100 },
      notes: '村委会',
    });
    await event(tree.countyA, { kind: 'screening', title: '电影放映', date: `${YEAR}-08-08`, headCount: 50 });
    await event(tree.townshipA1, { title: '去年的讲座', date: `${YEAR - 1}-12-30`, headCount: 7 });
    const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
    await t.http
      .post('/api/events')
      .set('Authorization', adminB.auth)
      .send({ orgUnitId: tree.townshipB1.id, kind: 'lecture', title: '乙县讲座', date: `${YEAR}-05-01`, headCount: 9 })
      .expect(201);

    const visit = (cls: TrainingClass, township: OrgUnit, dueOn: string, fields: Partial<Visit> = {}) =>
      t.ds.getRepository(Visit).save(
        t.ds.getRepository(Visit).create({
          classId: cls.id,
          townshipId: township.id,
          assigneeId: trainer.id,
          dueOn,
          status: 'assigned',
          ...fields,
        }),
      );
    await visit(spring, tree.townshipA1, `${YEAR}-05-01`, {
      status: 'done',
      visitedOn: `${YEAR}-04-28`,
      reportedAt: new Date(`${YEAR}-04-28T10:00:00Z`),
      reportedBy: trainer.id,
      notes: '回访顺利',
      problems: '设备不足',
    });
    await visit(spring, tree.townshipA2, `${YEAR}-05-10`);
    await visit(autumn, tree.townshipA2, `${YEAR}-12-20`);
    await visit(acrossYears, tree.townshipA1, `${YEAR - 1}-12-28`, {
      status: 'done',
      visitedOn: `${YEAR - 1}-12-29`,
      reportedAt: new Date(`${YEAR - 1}-12-29T10:00:00Z`),
      reportedBy: trainer.id,
      notes: '去年',
    });
    await visit(countyB, tree.townshipB1, `${YEAR}-05-10`);

    return { tree, townshipA3, admin, course, spring, autumn };
  }

  const get = (auth: string, path: string, query: object) =>
    t.http.get(`/api/reports/${path}`).query(query).set('Authorization', auth);
  const download = (auth: string, path: string, query: object) =>
    get(auth, path, query).buffer(true).parse(binary).expect(200);
  const json = async (auth: string, path: string, query: object): Promise<Row> =>
    (await get(auth, path, query).expect(200)).body as Row;
  const fileName = (res: { headers: Record<string, string> }, name: string) =>
    expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);

  async function workbookOf(body: Buffer): Promise<ExcelJSType.Workbook> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    return workbook;
  }
  /** The first `n` cells of a row, empty ones as null. */
  const cells = (sheet: ExcelJSType.Worksheet, row: number, n: number): unknown[] =>
    Array.from({ length: n }, (_, i) => sheet.getRow(row).getCell(i + 1).value ?? null);

  /** The township table on `sheet` (title, period line, frozen header, lines, totals) against the JSON answer. */
  function expectTownshipSheet(sheet: ExcelJSType.Worksheet, report: Row, period: string): void {
    const items = report.items as Row[];
    const unit = (report.orgUnit as Row).name as string;
    expect(sheet.getCell('A1').value).toBe(`${unit} ${period} 乡镇培训统计`);
    expect(sheet.getCell('A1').font.bold).toBe(true);
    expect(sheet.getCell('A2').value).toBe(
      `统计期间：${report.from as string} 至 ${report.to as string}\u3000统计时间：${YEAR}-11-15 12:00`,
    );
    expect(cells(sheet, 3, HEADER.length)).toEqual(HEADER);
    expect(sheet.views).toEqual([expect.objectContaining({ state: 'frozen', ySplit: 3 })]);
    expect(sheet.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', printTitlesRow: '1:3' });
    items.forEach((r, i) => expect(cells(sheet, 4 + i, HEADER.length)).toEqual(expectedLine(r)));
    const { outside, totals } = expectedTotals(
      report.totals as Row,
      report.personTimesFromEventsOutsideTownships as number,
    );
    let next = 4 + items.length;
    if (outside) expect(cells(sheet, next++, HEADER.length)).toEqual(outside);
    expect(cells(sheet, next, HEADER.length)).toEqual(totals);
    expect(sheet.getCell(next, 1).font.bold).toBe(true);
    expect(sheet.getCell(next + 2, 1).text).toMatch(/^说明：/);
    // Number and percent formats: ratio columns as 0.0%, counts with thousands separators.
    HEADER.forEach((h, i) => {
      const format = sheet.getCell(4, i + 1).numFmt;
      if (h.endsWith('率')) expect({ h, format }).toEqual({ h, format: '0.0%' });
      else if (i >= 2 && h !== '是否覆盖') expect({ h, format }).toEqual({ h, format: '#,##0' });
    });
  }

  describe('township table', () => {
    it('CSV: UTF-8 with BOM, Chinese header, one line per township, the county’s own events and the totals, as in JSON', async () => {
      const { tree, townshipA3, admin } = await world();
      const query = { year: YEAR, orgUnitId: tree.countyA.id };
      const report = await json(admin.auth, 'townships', query);
      const res = await download(admin.auth, 'townships', { ...query, format: 'csv' });
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      fileName(res, `甲县${YEAR}年乡镇培训统计.csv`);
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString('utf8');
      expect(text.split('\r\n')[0]).toBe(HEADER.join(','));
      const [header, ...lines]: string[][] = parseCsv(text);
      expect(header).toEqual(HEADER);

      // The figures, worked out by hand (docs/reports.md), so the comparison below is not of zeros.
      expect(report.totals).toMatchObject({
        classesHeld: 2,
        sessionsHeld: 4,
        personTimesFromAttendance: 6,
        personTimesFromEvents: 100,
        personTimes: 106,
        uniqueTrainees: 4,
        townshipsCovered: 2,
        townshipsTotal: 3,
        rotationStaff: 4,
        rotationTrained: 1,
        rotationCoverage: 0.25,
        visitsDone: 1,
        visitsOverdue: 1,
      });
      expect(report.personTimesFromEventsOutsideTownships).toBe(50);
      const items = report.items as Row[];
      expect(items).toHaveLength(3);

      // As text: numbers as written, ratios as Excel reads a typed percentage, the formula-like name quoted off.
      const asCsv = (v: unknown, k?: string): string =>
        v === null || v === undefined
          ? ''
          : k && RATIOS.has(k)
            ? `${((v as number) * 100).toFixed(1)}%`
            : `${v as string | number}`;
      const csvLine = (line: unknown[]) => line.map((v, i) => asCsv(v, FIGURES[i - 2]));
      const { outside, totals } = expectedTotals(report.totals as Row, 50);
      expect(lines).toEqual([
        ...items.map((r) =>
          csvLine(expectedLine(r)).map((v, i) => (i === 1 && r.townshipId === townshipA3.id ? `'${v}` : v)),
        ),
        csvLine(outside!),
        csvLine(totals),
      ]);
      const a1 = lines.find((l) => l[1] === '甲一镇')!;
      expect(a1).toEqual([
        '甲县',
        '甲一镇',
        '1',
        '3',
        '4',
        '30',
        '34',
        '2',
        '是',
        '2',
        '1',
        '50.0%',
        '0',
        '0',
        '',
        '0',
        '1',
        '0',
      ]);
      expect(lines.find((l) => l[1] === `'=HYPERLINK("x")`)).toBeDefined();

      // A quarter without events above the townships has no line for them.
      const q2 = await download(admin.auth, 'townships', { ...query, quarter: 2, format: 'csv' });
      fileName(q2, `甲县${YEAR}年第2季度乡镇培训统计.csv`);
      const q2Lines: string[][] = parseCsv((q2.body as Buffer).subarray(3).toString('utf8'));
      expect(q2Lines.map((l) => l[0])).toEqual(['所属县', '甲县', '甲县', '甲县', '合计']);
    });

    it('XLSX: title with county and period, frozen header, number and percent formats, bold totals, as in JSON', async () => {
      const { tree, admin } = await world();
      for (const quarter of [2, undefined]) {
        const query = { year: YEAR, quarter, orgUnitId: tree.countyA.id };
        const report = await json(admin.auth, 'townships', query);
        const res = await download(admin.auth, 'townships', { ...query, format: 'xlsx' });
        expect(res.headers['content-type']).toBe(XLSX_TYPE);
        const period = quarter ? `${YEAR}年第${quarter}季度` : `${YEAR}年`;
        fileName(res, `甲县${period}乡镇培训统计.xlsx`);
        const workbook = await workbookOf(res.body as Buffer);
        expect(workbook.worksheets.map((s) => s.name)).toEqual(['乡镇统计']);
        expectTownshipSheet(workbook.getWorksheet('乡镇统计')!, report, period);
      }
    });

    it('writes a name that looks like a formula as text', async () => {
      const { tree, townshipA3, admin } = await world();
      const res = await download(admin.auth, 'townships', { year: YEAR, orgUnitId: tree.countyA.id, format: 'xlsx' });
      const sheet = (await workbookOf(res.body as Buffer)).getWorksheet('乡镇统计')!;
      const cell = [4, 5, 6].map((r) => sheet.getCell(r, 2)).find((c) => c.value === townshipA3.name)!;
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    });
  });

  describe('annual workbook', () => {
    async function annual(auth: string, query: object) {
      const res = await download(auth, 'annual', query);
      expect(res.headers['content-type']).toBe(XLSX_TYPE);
      return { res, workbook: await workbookOf(res.body as Buffer) };
    }
    /** The rows of a list sheet below its header, down to the first empty row. */
    function listRows(sheet: ExcelJSType.Worksheet, n: number): unknown[][] {
      const rows: unknown[][] = [];
      for (let r = 4; sheet.getRow(r).cellCount > 0 && sheet.getCell(r, 1).value !== null; r++) {
        rows.push(cells(sheet, r, n));
      }
      return rows;
    }

    it('holds 汇总, 乡镇统计, 培训班, 活动 and 回访, each as the JSON answers and the records say', async () => {
      const { tree, admin, course, spring, autumn } = await world();
      const query = { year: YEAR, orgUnitId: tree.countyA.id };
      const { res, workbook } = await annual(admin.auth, query);
      fileName(res, `甲县${YEAR}年度培训工作统计.xlsx`);
      expect(workbook.worksheets.map((s) => s.name)).toEqual(['汇总', '乡镇统计', '培训班', '活动', '回访']);

      // 汇总: the year beside its targets and progress, then each quarter, as GET /api/reports/summary.
      const summary = workbook.getWorksheet('汇总')!;
      expect(summary.getCell('A1').value).toBe(`甲县${YEAR}年度培训工作统计`);
      expect(cells(summary, 3, 8)).toEqual([
        '指标',
        '全年',
        '年度目标',
        '完成进度',
        '第1季度',
        '第2季度',
        '第3季度',
        '第4季度',
      ]);
      expect(summary.views).toEqual([expect.objectContaining({ state: 'frozen', ySplit: 3 })]);
      const year = await json(admin.auth, 'summary', query);
      const quarters = await Promise.all(
        [1, 2, 3, 4].map((quarter) => json(admin.auth, 'summary', { ...query, quarter })),
      );
      const targets = year.targets as Row;
      const progress = year.progress as Row;
      expect(targets).toEqual({ classes: 4, personTimes: 200 });
      SUMMARY_LINES.forEach(([label, key], i) => {
        const target = key === 'classesHeld' ? targets.classes : key === 'personTimes' ? targets.personTimes : null;
        const reached = key === 'classesHeld' ? progress.classes : key === 'personTimes' ? progress.personTimes : null;
        expect(cells(summary, 4 + i, 8)).toEqual([label, year[key], target, reached, ...quarters.map((q) => q[key])]);
      });
      expect(summary.getCell('D4').numFmt).toBe('0.0%');
      expect(summary.getCell('B12').numFmt).toBe('0.0%'); // 乡镇覆盖率
      expect(summary.getCell('B5').numFmt).toBe('#,##0');
      // The quarters' classes add up to the year's (a class counts in the quarter it began).
      expect(quarters.map((q) => q.classesHeld)).toEqual([1, 0, 0, 1]);

      // 乡镇统计: the year's township table.
      expectTownshipSheet(workbook.getWorksheet('乡镇统计')!, await json(admin.auth, 'townships', query), `${YEAR}年`);

      // 培训班: the classes that began in the year (not the one of the year before, not county B's).
      const classes = workbook.getWorksheet('培训班')!;
      expect(classes.getCell('A1').value).toBe(`甲县${YEAR}年度培训班`);
      expect(cells(classes, 3, 10)).toEqual([
        '培训班',
        '课程',
        '计入季度',
        '首次上课',
        '最后上课',
        '上课次数',
        '到课学员',
        '培训人次',
        '到课乡镇数',
        '状态',
      ]);
      expect(listRows(classes, 10)).toEqual([
        [spring.title, course.title, '第1季度', `${YEAR}-03-10`, `${YEAR}-04-15`, 2, 3, 4, 2, '已完成'],
        [autumn.title, course.title, '第4季度', `${YEAR}-10-10`, `${YEAR}-10-10`, 1, 1, 1, 1, '进行中'],
        ['合计（2 期）', null, null, null, null, 3, null, 5, null, null],
      ]);

      // 活动: the events dated in the year held in the county, with their totals.
      const events = workbook.getWorksheet('活动')!;
      expect(cells(events, 3, 9)).toEqual([
        '日期',
        '类型',
        '活动名称',
        '举办单位',
        '参加人数',
        '图书（册）',
        '光盘（张）',
        '宣传资料（份）',
        '备注',
      ]);
      expect(listRows(events, 9)).toEqual([
        [`${YEAR}-02-02`, '文化下乡', '=HYPERLINK("x")', '甲二村', 20, 0, 0, 0, null],
        [`${YEAR}-05-01`, '讲座', '防诈骗讲座', '甲一镇', 30, 10, 2, 100, '村委会'],
        [`${YEAR}-08-08`, '放映', '电影放映', '甲县', 50, 0, 0, 0, null],
        ['合计（3 场）', null, null, null, 100, 10, 2, 100, null],
      ]);
      expect(year.personTimesFromEvents).toBe(100);
      // A title that looks like a formula stays text.
      expect(events.getCell('C4').type).toBe(ExcelJS.ValueType.String);
      expect(events.getCell('C4').formula).toBeUndefined();

      // 回访: the visits to the county's townships due or made in the year, status as it reads today.
      const visits = workbook.getWorksheet('回访')!;
      expect(cells(visits, 3, 8)).toEqual([
        '乡镇',
        '班级',
        '回访人',
        '截止日期',
        '状态',
        '回访日期',
        '问题',
        '回访情况',
      ]);
      const byDue = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[3]).localeCompare(String(b[3])));
      expect(byDue(listRows(visits, 8))).toEqual([
        ['甲一镇', spring.title, '王讲师', `${YEAR}-05-01`, '已完成', `${YEAR}-04-28`, '设备不足', '回访顺利'],
        ['甲二镇', spring.title, '王讲师', `${YEAR}-05-10`, '已逾期', null, null, null],
        ['甲二镇', autumn.title, '王讲师', `${YEAR}-12-20`, '待回访', null, null, null],
      ]);
    });

    it('for a township: the classes its trainees came to with their counts, its events and visits', async () => {
      const { tree, admin, course, spring, autumn } = await world();
      const query = { year: YEAR, orgUnitId: tree.townshipA2.id };
      const { res, workbook } = await annual(admin.auth, query);
      fileName(res, `甲二镇${YEAR}年度培训工作统计.xlsx`);
      const summary = workbook.getWorksheet('汇总')!;
      const year = await json(admin.auth, 'summary', query);
      // No targets for a township (the plans are the county's).
      expect(cells(summary, 4, 4)).toEqual(['培训班期数', year.classesHeld, null, null]);
      expect(year.classesHeld).toBe(2);
      expect(listRows(workbook.getWorksheet('培训班')!, 10)).toEqual([
        [spring.title, course.title, '第1季度', `${YEAR}-03-10`, `${YEAR}-04-15`, 1, 1, 1, 1, '已完成'],
        [autumn.title, course.title, '第4季度', `${YEAR}-10-10`, `${YEAR}-10-10`, 1, 1, 1, 1, '进行中'],
        ['合计（2 期）', null, null, null, null, 2, null, 2, null, null],
      ]);
      expect(listRows(workbook.getWorksheet('活动')!, 9)).toEqual([
        [`${YEAR}-02-02`, '文化下乡', '=HYPERLINK("x")', '甲二村', 20, 0, 0, 0, null],
        ['合计（1 场）', null, null, null, 20, 0, 0, 0, null],
      ]);
      expect(listRows(workbook.getWorksheet('回访')!, 5).map((r) => [r[0], r[4]])).toEqual([
        ['甲二镇', '已逾期'],
        ['甲二镇', '待回访'],
      ]);

      // A village: its own trainees only, and no visits (they belong to the township).
      const village = await annual(admin.auth, { year: YEAR, orgUnitId: tree.villageA1.id });
      expect(listRows(village.workbook.getWorksheet('培训班')!, 10)).toEqual([
        [spring.title, course.title, '第1季度', `${YEAR}-03-10`, `${YEAR}-04-15`, 1, 1, 1, 1, '已完成'],
        ['合计（1 期）', null, null, null, null, 1, null, 1, null, null],
      ]);
      expect(listRows(village.workbook.getWorksheet('活动')!, 9)).toEqual([
        ['合计（0 场）', null, null, null, 0, 0, 0, 0, null],
      ]);
      expect(listRows(village.workbook.getWorksheet('回访')!, 8)).toEqual([]);
    });
  });

  it('cuts a list longer than 10,000 rows with a line saying so, the totals still of the whole list', async () => {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    await t.ds.query(
      `INSERT INTO outreach_events (kind, title, date, org_unit_id, head_count, created_by)
       SELECT 'lecture', '讲座' || i, $1::date + (i % 100), $2, 2, $3 FROM generate_series(1, 10001) i`,
      [`${YEAR}-06-01`, tree.townshipA1.id, admin.user.id],
    );
    const res = await download(admin.auth, 'annual', { year: YEAR });
    const events = (await workbookOf(res.body as Buffer)).getWorksheet('活动')!;
    expect(cells(events, 4, 2)).toEqual([`${YEAR}-06-01`, '讲座']);
    expect(cells(events, 10_003, 5)[0]).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
    expect(cells(events, 10_004, 5)).toEqual(['合计（10001 场）', null, null, null, 20_002]);
    expect(events.getCell(10_005, 1).value).toBe(
      '（列表过长，仅列出前 10,000 条，共 10,001 条；合计行为全部 10,001 条之和）',
    );
    // Writing and reading back 10,000 rows takes seconds.
  }, 90_000);

  describe('access and validation', () => {
    it('is for admins, in their own part of the tree', async () => {
      const { tree } = await world();
      const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
      for (const [path, query] of [
        ['townships', { year: YEAR, format: 'csv' }],
        ['townships', { year: YEAR, format: 'xlsx' }],
        ['annual', { year: YEAR }],
      ] as const) {
        const res = await get(trainer.auth, path, query).expect(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      const adminA2 = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.townshipA2.id });
      for (const [auth, orgUnitId] of [
        [adminA2.auth, tree.countyA.id],
        [adminA2.auth, tree.townshipA1.id],
        [adminA2.auth, tree.countyB.id],
      ]) {
        for (const [path, query] of [
          ['townships', { year: YEAR, format: 'csv', orgUnitId }],
          ['townships', { year: YEAR, format: 'xlsx', orgUnitId }],
          ['annual', { year: YEAR, orgUnitId }],
        ] as const) {
          const res = await get(auth, path, query).expect(404);
          expect(res.body.code).toBe('ORG_UNIT_NOT_FOUND');
        }
      }
      // Its own unit by default.
      const own = await download(adminA2.auth, 'annual', { year: YEAR });
      fileName(own, `甲二镇${YEAR}年度培训工作统计.xlsx`);
    });

    it('refuses an unknown format, a quarter outside 1–4 and a year outside 2000–2100', async () => {
      const { admin } = await world();
      for (const [path, query] of [
        ['townships', { format: 'pdf' }],
        ['townships', { format: 'csv', quarter: 5 }],
        ['townships', { format: 'xlsx', quarter: 0 }],
        ['townships', { format: 'csv', year: 1999 }],
        ['annual', { year: 1999 }],
        ['annual', { year: 2101 }],
        ['annual', { format: 'pdf' }],
        ['annual', { format: 'csv' }],
      ] as const) {
        const res = await get(admin.auth, path, query).expect(400);
        expect({ path, query, code: res.body.code }).toEqual({ path, query, code: 'VALIDATION_FAILED' });
      }
    });
  });
});
