import { parse as parseCsv } from 'csv-parse/sync';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { Enrolment } from '../../src/enrolments/enrolment.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUnit, createUser, login, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What the enrolment rules produce, seen from outside: the quota view, the roster and its
 * exports, the annual rotation report, a trainee's own enrolments and its calendar feed.
 * (Enrolling, the limits under concurrency, waitlists and promotion: enrolments.e2e-spec.ts.)
 */

const ZONE = 'Asia/Shanghai';
// Classes sit in the current quarter, with the enrolment window around now, so the file
// runs on any date.
const TODAY = DateTime.now().setZone(ZONE);
const YEAR = TODAY.year;
const QUARTER = TODAY.quarter;
const QUARTER_START = TODAY.startOf('quarter');
const START_DATE = QUARTER_START.toISODate()!;
const END_DATE = TODAY.endOf('quarter').toISODate()!;
const OPENS_AT = new Date(Date.now() - 86_400_000);
const CLOSES_AT = new Date(Math.min(Date.now() + 86_400_000, TODAY.endOf('quarter').toMillis()));

type Tree = Awaited<ReturnType<typeof createOrgTree>>;

interface World {
  tree: Tree;
  admin: { user: User; auth: string };
  trainer: User;
  plan: Awaited<ReturnType<typeof createPlan>>;
  course: Awaited<ReturnType<typeof createCourse>>;
}

interface RosterEntry {
  enrolmentId: string;
  traineeId: string;
  username: string;
  phone: string | null;
  education: string | null;
  proficiency: string | null;
  status: string;
  position?: number;
  trainedThisYear: boolean;
}

interface RosterGroup {
  townshipId: string;
  name: string;
  enrolments: RosterEntry[];
}

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

const byUsername = <T extends { username: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.username.localeCompare(b.username));

const byTrainee = <T extends { traineeId: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.traineeId.localeCompare(b.traineeId));

const byId = <T extends { id: string }>(list: T[]): T[] => [...list].sort((a, b) => a.id.localeCompare(b.id));

describe('enrolment views (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TZ_DEFAULT: ZONE });
  });
  afterAll(() => t.close());

  /** A fresh org tree with an admin of county A, a trainer, a plan of this year and a course. */
  async function world(): Promise<World> {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const plan = await createPlan(t.ds, tree.countyA, YEAR);
    const course = await createCourse(t.ds, tree.countyA);
    return { tree, admin, trainer, plan, course };
  }

  /** An open class of this quarter whose enrolment window runs now. */
  function openClass(w: World, fields: Partial<TrainingClass> = {}, plan = w.plan): Promise<TrainingClass> {
    const inThisQuarter = plan.year === YEAR ? { quarter: QUARTER, startDate: START_DATE, endDate: END_DATE } : {};
    return createClass(t.ds, plan, w.course, [w.trainer.id], {
      status: 'open',
      ...inThisQuarter,
      capacity: 40,
      minPerTownship: 2,
      maxPerTownship: 3,
      enrolmentOpensAt: OPENS_AT,
      enrolmentClosesAt: CLOSES_AT,
      ...fields,
    });
  }

  const trainee = (unit: OrgUnit, fields: Partial<User> = {}) =>
    createUser(t.ds, { role: 'trainee', orgUnitId: unit.id, ...fields });

  /** Enrols through the API as an admin; answers the enrolment. */
  async function enrol(
    w: World,
    c: TrainingClass,
    who: User,
  ): Promise<{ id: string; status: string; position?: number }> {
    const res = await t.http
      .post(`/api/classes/${c.id}/enrolments`)
      .set('Authorization', w.admin.auth)
      .send({ traineeId: who.id })
      .expect(201);
    return res.body;
  }

  async function withdraw(auth: string, enrolmentId: string): Promise<void> {
    await t.http.post(`/api/enrolments/${enrolmentId}/withdraw`).set('Authorization', auth).expect(200);
  }

  /** A session `day` days into the quarter, 09:00-11:00 local time; answers its id and local times. */
  async function addSession(w: World, c: TrainingClass, day: number, topic?: string) {
    const start = QUARTER_START.plus({ days: day }).set({ hour: 9 });
    const body = {
      startsAt: start.toISO({ suppressMilliseconds: true }),
      endsAt: start.plus({ hours: 2 }).toISO({ suppressMilliseconds: true }),
      ...(topic && { topic }),
    };
    const res = await t.http
      .post(`/api/classes/${c.id}/sessions`)
      .set('Authorization', w.admin.auth)
      .send(body)
      .expect(201);
    // As answers write instants: in the centre's offset (+08:00).
    return { id: res.body.id as string, startsAt: body.startsAt!, endsAt: body.endsAt! };
  }

  async function complete(w: World, c: TrainingClass): Promise<void> {
    await t.http.post(`/api/classes/${c.id}/start`).set('Authorization', w.admin.auth).expect(200);
    const res = await t.http.post(`/api/classes/${c.id}/complete`).set('Authorization', w.admin.auth).expect(200);
    expect(res.body.status).toBe('completed');
  }

  const getRoster = (auth: string, classId: string) =>
    t.http.get(`/api/classes/${classId}/enrolments`).set('Authorization', auth);

  describe('GET /api/classes/:id/quota', () => {
    it('lists every township of the class county with its counts, limits and status', async () => {
      const w = await world();
      const { tree } = w;
      const townshipA3 = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
      const townshipA4 = await createUnit(t.ds, tree.countyA, 'township', '甲四镇');
      const c = await openClass(w); // min 2, max 3 per township
      // A1: three confirmed (one from its village) and one waitlisted: full.
      for (const unit of [tree.townshipA1, tree.townshipA1, tree.villageA1]) await enrol(w, c, await trainee(unit));
      expect((await enrol(w, c, await trainee(tree.townshipA1))).status).toBe('waitlisted');
      // A2: exactly the minimum: ok.
      for (const unit of [tree.townshipA2, tree.villageA2]) await enrol(w, c, await trainee(unit));
      // A3: one confirmed; a second withdrew and no longer counts: below the minimum.
      await enrol(w, c, await trainee(townshipA3));
      await withdraw(w.admin.auth, (await enrol(w, c, await trainee(townshipA3))).id);
      // A4: nobody. County B's township has someone, but is not in the class's county.
      await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id });

      const res = await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', w.admin.auth).expect(200);
      const row = (unit: OrgUnit, confirmed: number, waitlisted: number, status: string) => ({
        townshipId: unit.id,
        name: unit.name,
        confirmed,
        waitlisted,
        min: 2,
        max: 3,
        status,
        contacts: [],
      });
      expect(res.body).toMatchObject({ classId: c.id, capacity: 40, confirmed: 6, waitlisted: 1 });
      expect(byTownshipId(res.body.townships)).toEqual(
        byTownshipId([
          row(tree.townshipA1, 3, 1, 'full'),
          row(tree.townshipA2, 2, 0, 'ok'),
          row(townshipA3, 1, 0, 'below_minimum'),
          row(townshipA4, 0, 0, 'none'),
        ]),
      );

      // The class's trainer sees the same; a trainee may not; other counties and trainers get 404.
      const trainerAuth = `Bearer ${await login(t.http, w.trainer.username)}`;
      const asTrainer = await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', trainerAuth).expect(200);
      expect(asTrainer.body).toEqual(res.body);
      const someTrainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', someTrainee.auth).expect(403);
      const otherTrainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
      await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', otherTrainer.auth).expect(404);
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const hidden = await t.http.get(`/api/classes/${c.id}/quota`).set('Authorization', adminB.auth).expect(404);
      expect(hidden.body.code).toBe('CLASS_NOT_FOUND');
    });
  });

  describe('GET /api/classes/:id/enrolments (roster)', () => {
    /**
     * A1 (max 3): 王芳, 李强 (village, nothing recorded), =SUM(1,2) confirmed; 赵敏, 孙丽
     * waitlisted 1 and 2. A2: 周杰 confirmed; 吴刚 withdrew.
     */
    async function rosterWorld() {
      const w = await world();
      const { tree } = w;
      const c = await openClass(w, { title: '第五期数字阅读推广班' });
      const people = {
        wang: await trainee(tree.townshipA1, {
          displayName: '王芳',
          phone: '13800000001',
          education: 'tertiary',
          proficiency: 'advanced',
        }),
        li: await trainee(tree.villageA1, { displayName: '李强', education: null, proficiency: null }),
        formula: await trainee(tree.townshipA1, {
          displayName: '=SUM(1,2)',
          education: 'secondary',
          proficiency: 'basic',
        }),
        zhao: await trainee(tree.villageA1, {
          displayName: '赵敏',
          education: 'secondary',
          proficiency: 'intermediate',
        }),
        sun: await trainee(tree.townshipA1, { displayName: '孙丽', education: 'primary', proficiency: 'none' }),
        zhou: await trainee(tree.townshipA2, { displayName: '周杰', education: 'primary', proficiency: 'none' }),
        wu: await trainee(tree.villageA2, { displayName: '吴刚', proficiency: 'advanced' }),
      };
      const ids: Record<keyof typeof people, string> = {} as Record<keyof typeof people, string>;
      for (const key of Object.keys(people) as (keyof typeof people)[]) ids[key] = (await enrol(w, c, people[key])).id;
      await withdraw(w.admin.auth, ids.wu);
      const entry = (who: keyof typeof people, status: string, position?: number) => ({
        enrolmentId: ids[who],
        traineeId: people[who].id,
        displayName: people[who].displayName,
        username: people[who].username,
        phone: people[who].phone ?? null,
        education: people[who].education ?? null,
        proficiency: people[who].proficiency ?? null,
        status,
        ...(position !== undefined && { position }),
        trainedThisYear: false,
      });
      const a1 = [
        entry('wang', 'confirmed'),
        entry('li', 'confirmed'),
        entry('formula', 'confirmed'),
        entry('zhao', 'waitlisted', 1),
        entry('sun', 'waitlisted', 2),
      ];
      const a2 = [entry('zhou', 'confirmed')];
      return { ...w, c, people, ids, a1, a2 };
    }

    it('groups the class by township with each trainee, and summarises the proficiency mix', async () => {
      const { tree, admin, c, a1, a2 } = await rosterWorld();
      const res = await getRoster(admin.auth, c.id).expect(200);
      expect(res.body).toMatchObject({
        classId: c.id,
        confirmed: 4,
        waitlisted: 2,
        proficiency: { none: 1, basic: 1, intermediate: 0, advanced: 1, unknown: 1 },
      });
      const groups = res.body.townships as RosterGroup[];
      expect(byTownshipId(groups.map(({ townshipId, name }) => ({ townshipId, name })))).toEqual(
        byTownshipId([
          { townshipId: tree.townshipA1.id, name: tree.townshipA1.name },
          { townshipId: tree.townshipA2.id, name: tree.townshipA2.name },
        ]),
      );
      const groupA1 = groups.find((g) => g.townshipId === tree.townshipA1.id)!;
      const groupA2 = groups.find((g) => g.townshipId === tree.townshipA2.id)!;
      expect(byUsername(groupA1.enrolments)).toEqual(byUsername(a1));
      expect(groupA2.enrolments).toEqual(a2);
      // Seats first, then the waitlist in order.
      expect(groupA1.enrolments.map((e) => e.status)).toEqual([
        'confirmed',
        'confirmed',
        'confirmed',
        'waitlisted',
        'waitlisted',
      ]);
      expect(groupA1.enrolments.slice(3).map((e) => e.position)).toEqual([1, 2]);
    });

    it("shows a trainee only its own township's part, and nothing of another county's class", async () => {
      const w = await rosterWorld();
      const { tree, c, people, a1, a2 } = w;
      const zhou = `Bearer ${await login(t.http, people.zhou.username)}`;
      const own = await getRoster(zhou, c.id).expect(200);
      expect(own.body.townships).toEqual([
        {
          townshipId: tree.townshipA2.id,
          name: tree.townshipA2.name,
          // Colleagues: no phone, masked username, no education or proficiency.
          enrolments: a2.map((e) =>
            e.traineeId === people.zhou.id
              ? e
              : { ...e, phone: null, username: expect.any(String), education: null, proficiency: null },
          ),
        },
      ]);
      // A village trainee belongs to the township above its village.
      const li = `Bearer ${await login(t.http, people.li.username)}`;
      const village = await getRoster(li, c.id).expect(200);
      expect(village.body.townships).toHaveLength(1);
      expect(village.body.townships[0].townshipId).toBe(tree.townshipA1.id);
      // Colleagues' phone numbers are not shown to a trainee, and usernames (often phones) are masked.
      const seen = village.body.townships[0].enrolments as RosterEntry[];
      expect(seen.map((e) => e.traineeId).sort()).toEqual(a1.map((e) => e.traineeId).sort());
      expect(seen.filter((e) => e.traineeId !== people.li.id).every((e) => e.phone === null)).toBe(true);
      expect(seen.filter((e) => e.traineeId !== people.li.id).every((e) => !/\d{7,}/.test(e.username))).toBe(true);
      // What others know of their schooling and skills stays with the library; the mix counts them as unknown.
      const others = seen.filter((e) => e.traineeId !== people.li.id);
      expect(others.every((e) => e.education === null && e.proficiency === null)).toBe(true);
      const seated = others.filter((e) => e.status === 'confirmed' || e.status === 'completed');
      expect(seated.length).toBeGreaterThan(0);
      expect(village.body.proficiency.unknown).toBeGreaterThanOrEqual(seated.length);
      // County B's trainee cannot see county A's class at all.
      const outsider = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id });
      const hidden = await getRoster(outsider.auth, c.id).expect(404);
      expect(hidden.body.code).toBe('CLASS_NOT_FOUND');
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      await getRoster(adminB.auth, c.id).expect(404);
    });

    it('exports CSV: UTF-8 with a BOM, a Chinese header, one line per enrolment, formulas neutralised', async () => {
      const { admin, c, people, tree } = await rosterWorld();
      const res = await getRoster(admin.auth, c.id).query({ format: 'csv' }).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${c.title}-花名册.csv`));
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString('utf8');
      // The formula-looking name is written as text: prefixed with ' (and quoted for its comma).
      expect(text).toContain(`"'=SUM(1,2)"`);
      expect(text).not.toMatch(/(^|,)=SUM/m);
      const [header, ...lines] = parseCsv(text);
      expect(header).toEqual([
        '乡镇',
        '姓名',
        '用户名',
        '手机号',
        '学历',
        '计算机水平',
        '状态',
        '候补序号',
        '本年度已培训',
      ]);
      const a1 = tree.townshipA1.name;
      const expected = [
        [a1, '王芳', people.wang.username, '13800000001', '大专及以上', '高级', '已确认', '', '否'],
        [a1, '李强', people.li.username, '', '', '', '已确认', '', '否'],
        [a1, `'=SUM(1,2)`, people.formula.username, '', '中学', '基础', '已确认', '', '否'],
        [a1, '赵敏', people.zhao.username, '', '中学', '中级', '候补', '1', '否'],
        [a1, '孙丽', people.sun.username, '', '小学', '无', '候补', '2', '否'],
        [tree.townshipA2.name, '周杰', people.zhou.username, '', '小学', '无', '已确认', '', '否'],
      ];
      const byUser = (rows: string[][]) => [...rows].sort((x, y) => x[2].localeCompare(y[2]));
      expect(byUser(lines)).toEqual(byUser(expected));
    });

    it('exports XLSX: a real workbook with the title, the header and one row per enrolment', async () => {
      const { admin, c, people, tree } = await rosterWorld();
      const res = await getRoster(admin.auth, c.id).query({ format: 'xlsx' }).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${c.title}-花名册.xlsx`));
      // Loaded here, not at the top: startTestApp resets the module registry, and exceljs's
      // reader then mixes stream classes from two registries.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const sheet = workbook.getWorksheet('花名册')!;
      expect(sheet).toBeDefined();
      const values = (n: number) =>
        Array.from({ length: 9 }, (_, i) => {
          const v = sheet.getRow(n).getCell(i + 1).value;
          return v === null || v === undefined ? '' : (v as string | number);
        });
      expect(sheet.getRow(1).getCell(1).value).toBe(c.title);
      expect(values(2)).toEqual([
        '乡镇',
        '姓名',
        '用户名',
        '手机号',
        '学历',
        '计算机水平',
        '状态',
        '候补序号',
        '本年度已培训',
      ]);
      expect(sheet.rowCount).toBe(2 + 6);
      const rows = Array.from({ length: 6 }, (_, i) => values(3 + i));
      const a1 = tree.townshipA1.name;
      const expected = [
        [a1, '王芳', people.wang.username, '13800000001', '大专及以上', '高级', '已确认', '', '否'],
        [a1, '李强', people.li.username, '', '', '', '已确认', '', '否'],
        [a1, '=SUM(1,2)', people.formula.username, '', '中学', '基础', '已确认', '', '否'],
        [a1, '赵敏', people.zhao.username, '', '中学', '中级', '候补', 1, '否'],
        [a1, '孙丽', people.sun.username, '', '小学', '无', '候补', 2, '否'],
        [tree.townshipA2.name, '周杰', people.zhou.username, '', '小学', '无', '已确认', '', '否'],
      ];
      const byUser = (list: (string | number)[][]) =>
        [...list].sort((x, y) => String(x[2]).localeCompare(String(y[2])));
      expect(byUser(rows)).toEqual(byUser(expected));
      // In a workbook the name is a plain text cell, never a formula.
      const formulaRow = rows.findIndex((r) => r[2] === people.formula.username) + 3;
      expect(sheet.getRow(formulaRow).getCell(2).type).toBe(ExcelJS.ValueType.String);
    });

    it('refuses an unknown export format with 400', async () => {
      const w = await world();
      const c = await openClass(w);
      const res = await getRoster(w.admin.auth, c.id).query({ format: 'pdf' }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('annual rotation', () => {
    /**
     * This year's class (max 2 per township): 陈一 and 陈二 (village) complete it, 陈三 stays
     * waitlisted, 林二 withdrew. 林一 completed a class of last year. 陈四 is inactive.
     */
    async function rotationWorld() {
      const w = await world();
      const { tree } = w;
      const townshipA3 = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
      const people = {
        chen1: await trainee(tree.townshipA1, { displayName: '陈一', proficiency: 'basic' }),
        chen2: await trainee(tree.villageA1, { displayName: '陈二', proficiency: null }),
        chen3: await trainee(tree.townshipA1, { displayName: '陈三' }),
        lin1: await trainee(tree.townshipA2, { displayName: '林一' }),
        lin2: await trainee(tree.villageA2, { displayName: '林二' }),
      };
      await trainee(tree.villageA1, { displayName: '陈四', active: false });
      await createUser(t.ds, { role: 'trainer', orgUnitId: tree.villageA1.id, displayName: '镇讲师' });
      await trainee(tree.townshipB1, { displayName: '乙县学员' });

      const lastYear = await openClass(
        w,
        { maxPerTownship: 2, minPerTownship: 1 },
        await createPlan(t.ds, tree.countyA, YEAR - 1),
      );
      const lastYears = await enrol(w, lastYear, people.lin1);
      await complete(w, lastYear);

      const c = await openClass(w, { maxPerTownship: 2, minPerTownship: 1, capacity: 10 });
      const ids = {
        chen1: (await enrol(w, c, people.chen1)).id,
        chen2: (await enrol(w, c, people.chen2)).id,
        chen3: (await enrol(w, c, people.chen3)).id,
        lin2: (await enrol(w, c, people.lin2)).id,
      };
      await withdraw(w.admin.auth, ids.lin2);
      await complete(w, c);
      return { ...w, townshipA3, people, ids, c, lastYears };
    }

    it('completes the confirmed enrolments with the class, withdraws the waitlisted ones, leaves the withdrawn', async () => {
      const { ids, lastYears, admin, c, tree, people } = await rotationWorld();
      const stored = await t.ds.getRepository(Enrolment).findBy({ classId: c.id });
      const statusOf = (id: string) => stored.find((e) => e.id === id)?.status;
      expect(statusOf(ids.chen1)).toBe('completed');
      expect(statusOf(ids.chen2)).toBe('completed');
      expect(stored.find((e) => e.id === ids.chen3)).toMatchObject({
        status: 'withdrawn',
        withdrawalReason: 'class_completed',
        waitlistPosition: null,
        withdrawnAt: expect.any(Date),
      });
      expect(stored.find((e) => e.id === ids.lin2)).toMatchObject({ status: 'withdrawn', withdrawalReason: 'admin' });
      expect((await t.ds.getRepository(Enrolment).findOneByOrFail({ id: lastYears.id })).status).toBe('completed');

      // The completed class's roster counts its completed trainees, trained this year.
      const roster = await getRoster(admin.auth, c.id).expect(200);
      expect(roster.body).toMatchObject({
        confirmed: 2,
        waitlisted: 0,
        proficiency: { none: 0, basic: 1, intermediate: 0, advanced: 0, unknown: 1 },
      });
      expect(roster.body.townships).toHaveLength(1);
      const entries = roster.body.townships[0].enrolments as RosterEntry[];
      expect(roster.body.townships[0].townshipId).toBe(tree.townshipA1.id);
      const view = entries.map(({ traineeId, status, trainedThisYear }) => ({ traineeId, status, trainedThisYear }));
      expect(byTrainee(view)).toEqual(
        byTrainee([
          { traineeId: people.chen1.id, status: 'completed', trainedThisYear: true },
          { traineeId: people.chen2.id, status: 'completed', trainedThisYear: true },
        ]),
      );
    });

    it('reports staff, trained, not trained and coverage per township of the admin, for the year asked', async () => {
      const { admin, tree, townshipA3, people } = await rotationWorld();
      const report = async (year: number) =>
        (await t.http.get('/api/reports/rotation').query({ year }).set('Authorization', admin.auth).expect(200)).body;
      const named = (...who: User[]) =>
        byId(
          who.map((u) => ({
            id: u.id,
            displayName: u.displayName,
            unitId: expect.any(String),
            unitName: expect.any(String),
            phone: u.phone,
          })),
        );
      const shape = (body: { townships: { townshipId: string; notTrained: { id: string }[] }[] }) => ({
        ...body,
        townships: byTownshipId(body.townships.map((r) => ({ ...r, notTrained: byId(r.notTrained) }))),
      });

      const thisYear = await report(YEAR);
      expect(shape(thisYear)).toMatchObject({
        year: YEAR,
        staffCount: 5,
        trained: 2,
        coverage: 0.4,
        // Attendance adds person-times (see attendance-reports.e2e-spec.ts); none was taken here.
        personTimes: 0,
        townships: byTownshipId([
          {
            townshipId: tree.townshipA1.id,
            name: tree.townshipA1.name,
            staffCount: 3,
            trained: 2,
            notTrained: named(people.chen3),
            coverage: 0.667,
            personTimes: 0,
          },
          {
            townshipId: tree.townshipA2.id,
            name: tree.townshipA2.name,
            staffCount: 2,
            trained: 0,
            notTrained: named(people.lin1, people.lin2),
            coverage: 0,
            personTimes: 0,
          },
          {
            townshipId: townshipA3.id,
            name: townshipA3.name,
            staffCount: 0,
            trained: 0,
            notTrained: [],
            coverage: null,
            personTimes: 0,
          },
        ]),
      });

      const previous = await report(YEAR - 1);
      expect(previous).toMatchObject({ year: YEAR - 1, staffCount: 5, trained: 1, coverage: 0.2 });
      const a2 = (previous.townships as { townshipId: string }[]).find((r) => r.townshipId === tree.townshipA2.id);
      expect(a2).toMatchObject({ staffCount: 2, trained: 1, notTrained: named(people.lin2), coverage: 0.5 });
      const a1 = (previous.townships as { townshipId: string }[]).find((r) => r.townshipId === tree.townshipA1.id);
      expect(a1).toMatchObject({ staffCount: 3, trained: 0, coverage: 0 });
    });

    it('needs a valid year and an admin', async () => {
      const { admin, tree } = await rotationWorld();
      const empty = await t.http.get('/api/reports/rotation?year=').set('Authorization', admin.auth).expect(400);
      expect(empty.body.code).toBe('VALIDATION_FAILED');
      await t.http.get('/api/reports/rotation').query({ year: 'last' }).set('Authorization', admin.auth).expect(400);
      const someTrainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      const someTrainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
      for (const auth of [someTrainee.auth, someTrainer.auth]) {
        await t.http.get('/api/reports/rotation').query({ year: YEAR }).set('Authorization', auth).expect(403);
      }
      // County B's admin sees its own township only.
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const b = await t.http
        .get('/api/reports/rotation')
        .query({ year: YEAR })
        .set('Authorization', adminB.auth)
        .expect(200);
      expect(b.body.townships.map((r: { townshipId: string }) => r.townshipId)).toEqual([tree.townshipB1.id]);
      expect(b.body).toMatchObject({ staffCount: 1, trained: 0, coverage: 0 });
    });

    it('marks a trainee trainedThisYear in the roster of a second class of the same year only', async () => {
      const w = await rotationWorld();
      const second = await openClass(w);
      for (const who of [w.people.chen1, w.people.chen3, w.people.lin1]) await enrol(w, second, who);
      const roster = await getRoster(w.admin.auth, second.id).expect(200);
      const entries = (roster.body.townships as RosterGroup[]).flatMap((g) => g.enrolments);
      const trained = Object.fromEntries(entries.map((e) => [e.traineeId, e.trainedThisYear]));
      // 陈一 completed this year's class; 陈三 was only waitlisted; 林一 was trained last year.
      expect(trained).toEqual({ [w.people.chen1.id]: true, [w.people.chen3.id]: false, [w.people.lin1.id]: false });
    });
  });

  describe("a trainee's own enrolments and calendar", () => {
    /** 王明: confirmed in one class, waitlisted in a second, withdrawn from a third. */
    async function traineeWorld() {
      const w = await world();
      const { tree } = w;
      const me = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, displayName: '王明' });
      const colleague = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
      const confirmedIn = await openClass(w, { title: '甲班' });
      const waitlistedIn = await openClass(w, { title: '乙班', maxPerTownship: 1, minPerTownship: 1 });
      const withdrawnFrom = await openClass(w, { title: '丙班' });
      const sessions = {
        confirmed: [await addSession(w, confirmedIn, 1, '数字阅读'), await addSession(w, confirmedIn, 2)],
        waitlisted: [await addSession(w, waitlistedIn, 3)],
        withdrawn: [await addSession(w, withdrawnFrom, 4)],
      };
      const selfEnrol = async (c: TrainingClass, auth: string) =>
        (await t.http.post(`/api/classes/${c.id}/enrolments`).set('Authorization', auth).expect(201)).body;
      const confirmed = await selfEnrol(confirmedIn, me.auth);
      await selfEnrol(waitlistedIn, colleague.auth);
      const waitlisted = await selfEnrol(waitlistedIn, me.auth);
      expect(waitlisted).toMatchObject({ status: 'waitlisted', position: 1 });
      const withdrawn = await selfEnrol(withdrawnFrom, me.auth);
      // The class has begun (its quarter started), so the library withdraws it, not the trainee.
      await withdraw(w.admin.auth, withdrawn.id);
      return {
        ...w,
        me,
        colleague,
        classes: { confirmedIn, waitlistedIn, withdrawnFrom },
        sessions,
        enrolments: { confirmed, waitlisted, withdrawn },
      };
    }

    it('GET /api/me/enrolments lists the caller’s enrolments with class, sessions and status', async () => {
      const { me, colleague, classes, sessions, enrolments, tree, admin } = await traineeWorld();
      const res = await t.http.get('/api/me/enrolments').set('Authorization', me.auth).expect(200);
      const classOf = (c: TrainingClass) => ({
        id: c.id,
        title: c.title,
        status: 'open',
        startDate: START_DATE,
        endDate: END_DATE,
      });
      // Each session as every session answer shows it: its instants in the centre's offset, with class and trainer.
      const session = (s: { id: string; startsAt: string; endsAt: string }, topic: string | null = null) =>
        expect.objectContaining({
          id: s.id,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          topic,
          // Sessions near the start of the current quarter: held once ended.
          status: Date.parse(s.endsAt) <= Date.now() ? 'held' : 'scheduled',
          class: expect.objectContaining({ id: expect.any(String) }),
          trainer: expect.objectContaining({ displayName: expect.any(String) }),
        });
      const common = { townshipId: tree.townshipA1.id, traineeId: me.user.id, withdrawalReason: null };
      expect(byId(res.body)).toEqual(
        byId([
          {
            id: enrolments.confirmed.id,
            status: 'confirmed',
            ...common,
            classId: classes.confirmedIn.id,
            class: classOf(classes.confirmedIn),
            sessions: [session(sessions.confirmed[0], '数字阅读'), session(sessions.confirmed[1])],
          },
          {
            id: enrolments.waitlisted.id,
            status: 'waitlisted',
            position: 1,
            ...common,
            classId: classes.waitlistedIn.id,
            class: classOf(classes.waitlistedIn),
            sessions: [session(sessions.waitlisted[0])],
          },
          {
            id: enrolments.withdrawn.id,
            status: 'withdrawn',
            ...common,
            withdrawalReason: 'admin',
            classId: classes.withdrawnFrom.id,
            class: classOf(classes.withdrawnFrom),
            sessions: [session(sessions.withdrawn[0])],
          },
        ]),
      );

      // Only one's own: the colleague has just its seat in the second class.
      const theirs = await t.http.get('/api/me/enrolments').set('Authorization', colleague.auth).expect(200);
      expect(theirs.body.map((e: { classId: string; status: string }) => [e.classId, e.status])).toEqual([
        [classes.waitlistedIn.id, 'confirmed'],
      ]);
      const newcomer = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA2.id });
      expect((await t.http.get('/api/me/enrolments').set('Authorization', newcomer.auth).expect(200)).body).toEqual([]);
      await t.http.get('/api/me/enrolments').set('Authorization', admin.auth).expect(403);
    });

    it('GET /api/me/calendar.ics holds the sessions of classes the trainee has a seat in, not waitlisted or withdrawn', async () => {
      const w = await traineeWorld();
      // A seat in a class that has since completed still counts.
      const finished = await openClass(w, { title: '丁班' });
      const finishedSession = await addSession(w, finished, 5);
      await t.http.post(`/api/classes/${finished.id}/enrolments`).set('Authorization', w.me.auth).expect(201);
      await complete(w, finished);

      const feedUids = async (auth: string) => {
        const res = await t.http.get('/api/me/calendar.ics').set('Authorization', auth).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/calendar/);
        const calendar = new ICAL.Component(ICAL.parse(res.text));
        return calendar
          .getAllSubcomponents('vevent')
          .map((v) => new ICAL.Event(v).uid)
          .sort();
      };
      const uid = (s: { id: string }) => `session-${s.id}@training-lms`;
      expect(await feedUids(w.me.auth)).toEqual([...w.sessions.confirmed, finishedSession].map(uid).sort());
      // The colleague holds the seat the trainee is waiting for.
      expect(await feedUids(w.colleague.auth)).toEqual(w.sessions.waitlisted.map(uid));
    });
  });
});

function byTownshipId<T extends { townshipId: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.townshipId.localeCompare(b.townshipId));
}
