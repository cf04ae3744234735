import { parse as parseCsv } from 'csv-parse/sync';
import type { EntityManager } from 'typeorm';
import { inSubtree, subtreePattern } from '../../src/common/database/subtree';
import { currentYear } from '../../src/common/time/zoned-time';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { ROTATION_SQL } from '../../src/reports/reports.service';
import type { User } from '../../src/users/user.entity';
import { seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUnit, createUser, signedIn } from '../factories';
import { createSurvey } from '../factories/planning';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The annual rotation report (GET /api/reports/rotation): who is still to train, with unit and
 * phone, the accounts beside the surveyed staff count, its CSV and XLSX exports, the year
 * defaulting to this year in the centre's time zone (here and on the survey summary), and the
 * query plan of its SQL. (Person-times in it: attendance-reports.e2e-spec.ts.)
 */

const ZONE = 'Asia/Shanghai';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

interface Person {
  id: string;
  displayName: string;
  unitId: string;
  unitName: string;
  phone?: string | null;
}
interface TownshipRow {
  townshipId: string;
  name: string;
  accounts: number;
  staffCount: number;
  surveyStaffCount: number | null;
  trained: number;
  notTrained: Person[];
  coverage: number | null;
  personTimes: number;
  contacts?: unknown[];
}

const byTownshipId = (rows: TownshipRow[]) => [...rows].sort((a, b) => a.townshipId.localeCompare(b.townshipId));

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** How a plan reads org_units: one scan node. */
interface OrgUnitRead {
  alias?: string;
  type: string;
  index?: string;
  cond?: string;
}

/** Every node of an EXPLAIN (FORMAT JSON) plan, depth first. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe('annual rotation report (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TZ_DEFAULT: ZONE });
  });
  afterAll(() => t.close());

  /**
   * County A: 甲一镇 (surveyed this year: 12 staff) with 陈一 and 陈二 (village) trained this
   * year, 陈三 only waitlisted, 陈五 (village) never enrolled, 陈四 inactive; 甲二镇 (surveyed last
   * year only: 7 staff) with 林一 trained last year and 林二 (village) withdrawn this year;
   * 甲三镇 with nobody. County B's 乙一镇 is outside the admin's scope.
   */
  async function world() {
    const year = currentYear(ZONE);
    const tree = await createOrgTree(t.ds);
    const townshipA3 = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.villageA1.id, displayName: '村讲师' });
    const trainee = (unit: OrgUnit, displayName: string, phone: string | null, active = true) =>
      createUser(t.ds, { role: 'trainee', orgUnitId: unit.id, displayName, phone, active });
    const people = {
      chen1: await trainee(tree.townshipA1, '陈一', '13900000001'),
      chen2: await trainee(tree.villageA1, '陈二', '13900000002'),
      chen3: await trainee(tree.townshipA1, '陈三', null),
      chen5: await trainee(tree.villageA1, '陈五', '13900000005'),
      lin1: await trainee(tree.townshipA2, '林一', '13900000011'),
      lin2: await trainee(tree.villageA2, '林二', '13900000012'),
    };
    await trainee(tree.villageA1, '陈四', '13900000004', false);
    const outsider = await trainee(tree.townshipB1, '乙县学员', '13900000099');

    const course = await createCourse(t.ds, tree.countyA);
    const thisYears = await createClass(t.ds, await createPlan(t.ds, tree.countyA, year), course, [trainer.id], {
      status: 'completed',
    });
    const lastYears = await createClass(t.ds, await createPlan(t.ds, tree.countyA, year - 1), course, [trainer.id], {
      status: 'completed',
    });
    await seat(t.ds, thisYears, people.chen1, tree.townshipA1, 'completed');
    await seat(t.ds, thisYears, people.chen2, tree.townshipA1, 'completed');
    await seat(t.ds, thisYears, people.chen3, tree.townshipA1, 'waitlisted', 1);
    await seat(t.ds, thisYears, people.lin2, tree.townshipA2, 'withdrawn');
    await seat(t.ds, lastYears, people.lin1, tree.townshipA2, 'completed');
    const countyB = await createPlan(t.ds, tree.countyB, year);
    await seat(t.ds, await createClass(t.ds, countyB, course, [trainer.id]), outsider, tree.townshipB1, 'completed');

    await createSurvey(t.ds, { orgUnitId: tree.townshipA1.id, year, staffCount: 12 });
    await createSurvey(t.ds, { orgUnitId: tree.townshipA2.id, year: year - 1, staffCount: 7 });
    await createSurvey(t.ds, { orgUnitId: tree.townshipB1.id, year, staffCount: 99 });
    return { year, tree, townshipA3, admin, people };
  }

  const rotation = (auth: string, query: object = {}) =>
    t.http.get('/api/reports/rotation').query(query).set('Authorization', auth);

  const person = (u: User, unit: OrgUnit): Person => ({
    id: u.id,
    displayName: u.displayName,
    unitId: unit.id,
    unitName: unit.name,
    phone: u.phone,
  });

  describe('JSON', () => {
    it('lists per township the accounts beside the surveyed staff, and each untrained person with unit and phone', async () => {
      const { year, tree, townshipA3, admin, people } = await world();
      const body = (await rotation(admin.auth, { year }).expect(200)).body;
      expect(body).toMatchObject({
        year,
        accounts: 6,
        staffCount: 6,
        surveyStaffCount: 12,
        surveyedTownships: 1,
        trained: 2,
        coverage: 0.333,
        personTimes: 0,
      });
      expect(byTownshipId(body.townships)).toEqual(
        byTownshipId([
          {
            townshipId: tree.townshipA1.id,
            name: '甲一镇',
            accounts: 4,
            staffCount: 4,
            surveyStaffCount: 12,
            trained: 2,
            // The township office first, then its villages.
            notTrained: [person(people.chen3, tree.townshipA1), person(people.chen5, tree.villageA1)],
            coverage: 0.5,
            personTimes: 0,
            contacts: [],
          },
          {
            townshipId: tree.townshipA2.id,
            name: '甲二镇',
            accounts: 2,
            staffCount: 2,
            surveyStaffCount: null,
            trained: 0,
            notTrained: [person(people.lin1, tree.townshipA2), person(people.lin2, tree.villageA2)],
            coverage: 0,
            personTimes: 0,
            contacts: [],
          },
          {
            townshipId: townshipA3.id,
            name: '甲三镇',
            accounts: 0,
            staffCount: 0,
            surveyStaffCount: null,
            trained: 0,
            notTrained: [],
            coverage: null,
            personTimes: 0,
            contacts: [],
          },
        ]),
      );
      // Phones are there for the admin to call, null when unknown.
      const a1 = (body.townships as TownshipRow[]).find((r) => r.townshipId === tree.townshipA1.id)!;
      expect(a1.notTrained.map((p) => p.phone)).toEqual([null, '13900000005']);
    });

    it("counts another year with that year's survey and classes", async () => {
      const { year, tree, admin, people } = await world();
      const body = (await rotation(admin.auth, { year: year - 1 }).expect(200)).body;
      expect(body).toMatchObject({
        year: year - 1,
        accounts: 6,
        surveyStaffCount: 7,
        surveyedTownships: 1,
        trained: 1,
      });
      const of = (unit: OrgUnit) => (body.townships as TownshipRow[]).find((r) => r.townshipId === unit.id)!;
      expect(of(tree.townshipA1)).toMatchObject({ surveyStaffCount: null, trained: 0, accounts: 4 });
      expect(of(tree.townshipA2)).toMatchObject({
        surveyStaffCount: 7,
        trained: 1,
        notTrained: [person(people.lin2, tree.villageA2)],
        coverage: 0.5,
      });
    });

    it('answers surveyStaffCount null and no coverage when nothing is surveyed or staffed', async () => {
      const tree = await createOrgTree(t.ds);
      const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const body = (await rotation(admin.auth, { year: 2031 }).expect(200)).body;
      expect(body).toEqual({
        year: 2031,
        accounts: 0,
        staffCount: 0,
        surveyStaffCount: null,
        surveyedTownships: 0,
        trained: 0,
        coverage: null,
        personTimes: 0,
        townships: [
          {
            townshipId: tree.townshipB1.id,
            name: tree.townshipB1.name,
            accounts: 0,
            staffCount: 0,
            surveyStaffCount: null,
            trained: 0,
            notTrained: [],
            coverage: null,
            personTimes: 0,
            contacts: [],
          },
        ],
      });
    });

    it('is for admins, and each admin sees its own part of the tree', async () => {
      const { year, tree } = await world();
      for (const fields of [
        { role: 'trainee' as const, orgUnitId: tree.townshipA1.id },
        { role: 'trainer' as const, orgUnitId: tree.countyA.id },
      ]) {
        const { auth } = await signedIn(t.http, t.ds, fields);
        for (const format of ['json', 'csv', 'xlsx']) {
          const res = await rotation(auth, { year, format }).expect(403);
          expect(res.body.code).toBe('FORBIDDEN');
        }
      }
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const b = (await rotation(adminB.auth, { year }).expect(200)).body;
      expect(b).toMatchObject({ accounts: 1, trained: 1, surveyStaffCount: 99, coverage: 1 });
      expect(b.townships.map((r: TownshipRow) => r.townshipId)).toEqual([tree.townshipB1.id]);
      // A township's own admin sees that township only.
      const adminA2 = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.townshipA2.id });
      const a2 = (await rotation(adminA2.auth, { year }).expect(200)).body;
      expect(a2.townships.map((r: TownshipRow) => r.townshipId)).toEqual([tree.townshipA2.id]);
    });

    it('refuses a malformed year or an unknown format', async () => {
      const { admin } = await world();
      for (const query of [{ year: 'last' }, { year: '' }, { year: 1999 }, { year: 2026.5 }, { format: 'pdf' }]) {
        const res = await rotation(admin.auth, query).expect(400);
        expect({ query, code: res.body.code }).toEqual({ query, code: 'VALIDATION_FAILED' });
      }
    });
  });

  describe('year left out', () => {
    it("is this year in the centre's time zone", () => {
      // 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Shanghai.
      const newYearsEve = new Date('2026-12-31T16:30:00Z');
      expect(currentYear('Asia/Shanghai', newYearsEve)).toBe(2027);
      expect(currentYear('UTC', newYearsEve)).toBe(2026);
      expect(currentYear('America/Los_Angeles', new Date('2027-01-01T07:59:00Z'))).toBe(2026);
    });

    it("gives the rotation report of this year's numbers", async () => {
      const { admin } = await world();
      const thisYear = currentYear(ZONE);
      const implicit = (await rotation(admin.auth).expect(200)).body;
      const explicit = (await rotation(admin.auth, { year: thisYear }).expect(200)).body;
      expect(implicit.year).toBe(thisYear);
      expect(implicit).toEqual(explicit);
      expect(implicit).toMatchObject({ trained: 2, surveyStaffCount: 12 });
      const previous = (await rotation(admin.auth, { year: thisYear - 1 }).expect(200)).body;
      expect(previous).not.toEqual(implicit);
    });

    it("gives the survey summary of this year's surveys", async () => {
      const { admin, tree } = await world();
      const thisYear = currentYear(ZONE);
      const implicit = (await t.http.get('/api/surveys/summary').set('Authorization', admin.auth).expect(200)).body;
      const explicit = (
        await t.http.get('/api/surveys/summary').query({ year: thisYear }).set('Authorization', admin.auth).expect(200)
      ).body;
      expect(implicit.year).toBe(thisYear);
      expect(implicit).toEqual(explicit);
      expect(implicit.townships).toMatchObject({ total: 3, surveyed: 1 });
      expect(implicit.totals.staffCount).toBe(12);
      expect(implicit.perTownship.find((r: { orgUnitId: string }) => r.orgUnitId === tree.townshipA1.id)).toMatchObject(
        { surveyed: true, staffCount: 12 },
      );
      // An empty or malformed year is still refused, not read as "this year".
      for (const year of ['', 'abc', '1999']) {
        const res = await t.http.get('/api/surveys/summary').query({ year }).set('Authorization', admin.auth);
        expect({ year, status: res.status, code: res.body.code }).toEqual({
          year,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });

  describe('exports', () => {
    it('CSV: UTF-8 with BOM, Chinese headers, one line per untrained person', async () => {
      const { year, tree, admin } = await world();
      // A name a spreadsheet would run as a formula, with a comma and quotes in it.
      await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA2.id, displayName: '=SUM(A1),"王"' });
      const res = await rotation(admin.auth, { year, format: 'csv' }).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`${year}年年度轮训未参训人员.csv`)}`,
      );
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString('utf8');
      expect(text.split('\r\n')[0]).toBe('乡镇,单位,姓名,手机号,联系人');
      const [header, ...lines] = parseCsv(text);
      expect(header).toEqual(['乡镇', '单位', '姓名', '手机号', '联系人']);
      const sorted = (rows: string[][]) => [...rows].sort((a, b) => a.join('|').localeCompare(b.join('|')));
      expect(sorted(lines)).toEqual(
        sorted([
          ['甲一镇', '甲一镇', '陈三', '', ''],
          ['甲一镇', '甲一村', '陈五', '13900000005', ''],
          ['甲二镇', '甲二镇', '林一', '13900000011', ''],
          ['甲二镇', '甲二村', '林二', '13900000012', ''],
          ['甲二镇', '甲二村', `'=SUM(A1),"王"`, '', ''],
        ]),
      );
    });

    it('XLSX: a township sheet with totals and a people sheet, Chinese headers', async () => {
      const { year, tree, admin } = await world();
      const res = await rotation(admin.auth, { year, format: 'xlsx' }).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe(XLSX_TYPE);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`${year}年年度轮训情况.xlsx`)}`,
      );
      // Loaded here, not at the top: startTestApp resets the module registry, and exceljs's
      // reader then mixes stream classes from two registries.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      expect(workbook.worksheets.map((s) => s.name)).toEqual(['乡镇汇总', '未参训人员']);
      const values = (sheet: string, row: number) =>
        (workbook.getWorksheet(sheet)!.getRow(row).values as unknown[]).slice(1);

      const summary = workbook.getWorksheet('乡镇汇总')!;
      expect(values('乡镇汇总', 1)).toEqual([`${tree.countyA.name}${year}年年度轮训情况`]);
      expect(values('乡镇汇总', 2)).toEqual([
        '乡镇',
        '学员账号数',
        '调查在岗人数',
        '已参训',
        '未参训',
        '覆盖率',
        '培训人次',
        '联系人',
      ]);
      const townships = new Map([3, 4, 5].map((r) => [values('乡镇汇总', r)[0], values('乡镇汇总', r)]));
      // exceljs leaves empty cells out of the row's values.
      expect(townships.get('甲一镇')).toEqual(['甲一镇', 4, 12, 2, 2, 0.5, 0]);
      expect(townships.get('甲二镇')).toEqual(['甲二镇', 2, undefined, 0, 2, 0, 0]);
      expect(townships.get('甲三镇')).toEqual(['甲三镇', 0, undefined, 0, 0, undefined, 0]);
      expect(values('乡镇汇总', 6)).toEqual(['合计', 6, 12, 2, 4, 0.333, 0]);
      expect(summary.getCell('F3').numFmt).toBe('0.0%');
      expect(String(values('乡镇汇总', 8)[0])).toMatch(/^说明：/);

      expect(values('未参训人员', 1)).toEqual([`${tree.countyA.name}${year}年年度未参训人员（共 4 人）`]);
      expect(values('未参训人员', 2)).toEqual(['乡镇', '单位', '姓名', '手机号', '联系人']);
      const people = [3, 4, 5, 6].map((r) => values('未参训人员', r));
      expect([...people].sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual(
        [
          ['甲一镇', '甲一镇', '陈三'], // no phone: the cell is empty
          ['甲一镇', '甲一村', '陈五', '13900000005'],
          ['甲二镇', '甲二镇', '林一', '13900000011'],
          ['甲二镇', '甲二村', '林二', '13900000012'],
        ].sort((a, b) => a[2].localeCompare(b[2])),
      );
      expect(workbook.getWorksheet('未参训人员')!.getRow(7).values).toEqual([]);
    });
  });

  /**
   * A county of realistic size under `parent`, written in bulk: `townships` townships of
   * `villages` villages each, with `trainees` active trainees in every village.
   */
  async function bulkCounty(parent: OrgUnit, townships: number, villages: number, trainees: number) {
    const county = await createUnit(t.ds, parent, 'county', '批量县');
    await t.ds.query(
      `WITH ts AS (
         INSERT INTO org_units (id, kind, name, parent_id, path, depth)
         SELECT x.id, 'township', '镇' || x.i, $1, $2 || x.id || '/', $3 + 1
           FROM (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $4) i) x
         RETURNING id, path, depth),
       vs AS (
         INSERT INTO org_units (id, kind, name, parent_id, path, depth)
         SELECT x.id, 'village', '村' || x.i, x.parent_id, x.parent_path || x.id || '/', x.parent_depth + 1
           FROM (SELECT gen_random_uuid() AS id, i, ts.id AS parent_id, ts.path AS parent_path, ts.depth AS parent_depth
                   FROM ts, generate_series(1, $5) i) x
         RETURNING id)
       INSERT INTO users (username, password_hash, display_name, role, org_unit_id, phone)
       SELECT 'bulk-' || gen_random_uuid(), 'not-a-hash', '学员' || i, 'trainee', vs.id, '139' || lpad(i::text, 8, '0')
         FROM vs, generate_series(1, $6) i`,
      [county.id, county.path, county.depth, townships, villages, trainees],
    );
    return county;
  }

  it('is documented: optional year, the formats and the file types it answers', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const op = doc.paths['/api/reports/rotation'].get;
    expect(op.summary).toEqual(expect.any(String));
    expect(op.description).toContain('format=xlsx');
    const param = (name: string) => op.parameters.find((p: { name: string }) => p.name === name);
    expect(param('year')).toMatchObject({ in: 'query', required: false });
    expect(param('format')).toMatchObject({ in: 'query', required: false, schema: { enum: ['json', 'csv', 'xlsx'] } });
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/csv', XLSX_TYPE]);
    const township = doc.components.schemas.TownshipRotationDto;
    expect(township.properties.surveyStaffCount).toMatchObject({ nullable: true });
    expect(doc.components.schemas.UntrainedTraineeDto.properties).toHaveProperty('unitName');
  });

  describe('query plan', () => {
    /**
     * How `sql` (run for the admin of the unit at `scopePath`) reads org_units, planned with
     * sequential scans priced out (SET LOCAL, inside a transaction): per scan, the alias, the
     * node type, the index and its condition (a bitmap scan's from its index scan).
     */
    async function orgUnitReads(sql: string, scopePath: string, year: number): Promise<OrgUnitRead[]> {
      const plan = await t.ds.transaction(async (m: EntityManager) => {
        await m.query('SET LOCAL enable_seqscan = off');
        const [row] = await m.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`, [
          subtreePattern(scopePath),
          year,
        ]);
        return row['QUERY PLAN'][0].Plan;
      });
      return planNodes(plan)
        .filter((n) => n['Relation Name'] === 'org_units')
        .map((n) => {
          const index = n['Node Type'] === 'Bitmap Heap Scan' ? planNodes(n).find((c) => c['Index Name']) : n;
          return { alias: n.Alias, type: n['Node Type'], index: index?.['Index Name'], cond: index?.['Index Cond'] };
        });
    }

    it('finds the townships and the units under each through the path index, never scanning org_units', async () => {
      const { year, tree } = await world();
      // Statistics of a realistic size: four counties of 20 townships of 15 villages with 3
      // trainees each (1,300 units, 3,600 trainees) beside the small worlds of the other tests.
      const counties: OrgUnit[] = [];
      for (let i = 0; i < 4; i++) counties.push(await bulkCounty(tree.province, 20, 15, 3));
      await t.ds.query('ANALYZE org_units, users, surveys, enrolments, classes, plans');

      const reads = await orgUnitReads(ROTATION_SQL, counties[0].path, year);
      expect(reads.map((r) => r.type)).not.toContain('Seq Scan');
      // Both reads are ranges of uq_org_units_path: the townships bounded by the admin's path,
      // the units under each township bounded by that township's path (no full index scans either).
      expect(reads).toEqual([
        { alias: 't', type: expect.any(String), index: 'uq_org_units_path', cond: expect.any(String) },
        { alias: 'o', type: expect.any(String), index: 'uq_org_units_path', cond: expect.any(String) },
      ]);
      expect(reads[0].cond).toContain(`(path ~>=~ '${counties[0].path}'::text)`);
      expect(reads[1].cond).toMatch(/^\(\(path ~>=~ t\.path\) AND \(path ~<~ \("left"\(t\.path, '-1'::integer\)/);

      // The check has teeth: the same SQL joined with LIKE t.path || '%' (as before) cannot bound
      // the units by the township, so it reads every unit of the database.
      const likeJoin = ROTATION_SQL.replace(inSubtree('o.path', 't.path'), "o.path LIKE t.path || '%'");
      expect(likeJoin).not.toBe(ROTATION_SQL);
      const units = (await orgUnitReads(likeJoin, counties[0].path, year)).find((r) => r.alias === 'o')!;
      expect(units.cond ?? '').not.toContain('t.path');
    });
  });
});
