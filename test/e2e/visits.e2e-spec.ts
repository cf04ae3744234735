import type { Queue } from 'bullmq';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { localDateIn } from '../factories/dates';
import { createOrgTree, createUnit, createUser, signedIn } from '../factories';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { VisitSchedulingService as VisitSchedulingServiceType } from '../../src/visits/visit-scheduling.service';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';

const DUE_DAYS = 30;

function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it answers something truthy, or fails after `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface VisitRow {
  id: string;
  township_id: string;
  assignee_id: string;
  due_on: string;
  status: string;
}

function visitsOf(ds: DataSource, classId: string): Promise<VisitRow[]> {
  return ds.query<VisitRow[]>(
    `SELECT id, township_id, assignee_id, to_char(due_on, 'YYYY-MM-DD') AS due_on, status::text AS status
       FROM visits WHERE class_id = $1 ORDER BY township_id`,
    [classId],
  );
}

function notices(ds: DataSource, template: string, aboutId: string): Promise<{ user_id: string }[]> {
  return ds.query(
    `SELECT user_id FROM notifications WHERE template = $1 AND about_id = $2 AND channel = 'inbox' ORDER BY user_id`,
    [template, aboutId],
  );
}

describe('follow-up visits (e2e)', () => {
  let t: TestApp;
  let w: TestWorker;
  let http: TestAgent;
  let workerVisits: VisitSchedulingServiceType;
  let queue: Queue;

  beforeAll(async () => {
    t = await startTestApp();
    http = t.http;
    w = await startTestWorker(t);
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { VisitSchedulingService } =
      require('../../src/visits/visit-scheduling.service') as typeof import('../../src/visits/visit-scheduling.service');
    const { getQueueToken } = require('@nestjs/bullmq') as typeof import('@nestjs/bullmq');
    /* eslint-enable @typescript-eslint/no-require-imports */
    workerVisits = w.context.get(VisitSchedulingService);
    queue = t.app.get<Queue>(getQueueToken('visits'));
  });
  afterAll(async () => {
    await w?.close();
    await t?.close();
  });

  /**
   * County A with a third township; an admin, two class trainers and another trainer of
   * the county; a running class with trainees in townships A1 (two) and A2 (one), and a
   * withdrawn one in A3 (no visit there).
   */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const townshipA3 = await createUnit(t.ds, tree.countyA, 'township', '甲三镇');
    const admin = await signedIn(http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const trainer1 = await signedIn(http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '甲老师' });
    const trainer2 = await signedIn(http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '乙老师' });
    const other = await signedIn(http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '丙老师' });
    const year = new Date().getUTCFullYear();
    const plan = await createPlan(t.ds, tree.countyA, year);
    const course = await createCourse(t.ds, tree.countyA);
    const cls = await createClass(t.ds, plan, course, [trainer1.user.id, trainer2.user.id], {
      status: 'running',
      startDate: `${year}-01-01`,
      endDate: `${year}-12-31`,
    });
    const trainee = (township: OrgUnit) => createUser(t.ds, { role: 'trainee', orgUnitId: township.id });
    const a1 = [await trainee(tree.townshipA1), await trainee(tree.townshipA1)];
    const a2 = [await trainee(tree.townshipA2)];
    for (const u of a1) await seat(t.ds, cls, u, tree.townshipA1);
    for (const u of a2) await seat(t.ds, cls, u, tree.townshipA2);
    await seat(t.ds, cls, await trainee(townshipA3), townshipA3, 'withdrawn');
    return { tree, townshipA3, admin, trainer1, trainer2, other, plan, course, cls, a1, a2 };
  }

  async function complete(cls: TrainingClass, auth: string): Promise<void> {
    await http.post(`/api/classes/${cls.id}/complete`).set('Authorization', auth).expect(200);
  }

  /** A world whose class has completed and whose visits the worker has made. */
  async function completedWorld() {
    const w0 = await world();
    await complete(w0.cls, w0.admin.auth);
    const visits = await waitFor(
      async () => {
        const rows = await visitsOf(t.ds, w0.cls.id);
        return rows.length === 2 && rows;
      },
      10_000,
      'the visits',
    );
    const visitOf = (township: OrgUnit) => visits.find((v) => v.township_id === township.id)!;
    return { ...w0, visits, visitOf };
  }

  describe('assignment when a class completes', () => {
    it('creates one visit per township with completed trainees, spread over the class trainers, due later', async () => {
      const { tree, trainer1, trainer2, cls, visits } = await completedWorld();
      expect(visits.map((v) => v.township_id).sort()).toEqual([tree.townshipA1.id, tree.townshipA2.id].sort());
      // Both class trainers held nothing: one visit each, none for the admin or the other trainer.
      expect(visits.map((v) => v.assignee_id).sort()).toEqual([trainer1.user.id, trainer2.user.id].sort());
      expect(visits.every((v) => v.due_on === localDateIn(DUE_DAYS))).toBe(true);
      expect(visits.every((v) => v.status === 'assigned')).toBe(true);
      for (const v of visits) {
        const told = await waitFor(async () => (await notices(t.ds, 'visit-assigned', v.id)).length > 0 || null);
        expect(told).toBe(true);
        expect(await notices(t.ds, 'visit-assigned', v.id)).toEqual([{ user_id: v.assignee_id }]);
      }
      const [payload] = await t.ds.query<{ payload: Record<string, unknown> }[]>(
        `SELECT payload FROM notifications WHERE about_id = $1 AND template = 'visit-assigned' LIMIT 1`,
        [visits[0].id],
      );
      expect(payload.payload).toMatchObject({ centre: '甲县', classTitle: cls.title, dueOn: localDateIn(DUE_DAYS) });
    });

    it('makes each visit once however often the assignment runs (job again, two at once)', async () => {
      const { cls, visits } = await completedWorld();
      const again = await Promise.all([workerVisits.assignForClass(cls.id), workerVisits.assignForClass(cls.id)]);
      expect(again).toEqual([0, 0]);
      await queue.add('assign', { classId: cls.id }, { jobId: `visits.assign.again.${cls.id}` });
      const job = await waitFor(async () => {
        const j = await queue.getJob(`visits.assign.again.${cls.id}`);
        return j && (await j.isCompleted()) && j;
      });
      expect(job.returnvalue).toBe(0);
      expect(await visitsOf(t.ds, cls.id)).toEqual(visits);
    });

    it('creates each visit once when two assignments of a class race from scratch', async () => {
      const { cls } = await world();
      // Completed without the event: nothing has queued its job yet.
      await t.ds.query(`UPDATE classes SET status = 'completed' WHERE id = $1`, [cls.id]);
      await t.ds.query(`UPDATE enrolments SET status = 'completed' WHERE class_id = $1 AND status = 'confirmed'`, [
        cls.id,
      ]);
      const made = await Promise.all([workerVisits.assignForClass(cls.id), workerVisits.assignForClass(cls.id)]);
      expect(made.sort()).toEqual([0, 2]);
      expect(await visitsOf(t.ds, cls.id)).toHaveLength(2);
    });

    it('keeps loads within one when two classes of a county complete at once', async () => {
      const tree = await createOrgTree(t.ds);
      const more = [await createUnit(t.ds, tree.countyA, 'township'), await createUnit(t.ds, tree.countyA, 'township')];
      const townships = [tree.townshipA1, tree.townshipA2, ...more];
      const admin = await signedIn(http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
      const staff = [
        await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id }),
        await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id }),
        await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id }),
      ];
      const year = new Date().getUTCFullYear();
      const plan = await createPlan(t.ds, tree.countyA, year);
      const course = await createCourse(t.ds, tree.countyA);
      const classes = [
        await createClass(t.ds, plan, course, [staff[0].id], { status: 'running' }),
        await createClass(t.ds, plan, course, [staff[1].id], { status: 'running' }),
      ];
      for (const cls of classes) {
        for (const township of townships) {
          await seat(t.ds, cls, await createUser(t.ds, { role: 'trainee', orgUnitId: township.id }), township);
        }
      }
      await Promise.all(classes.map((cls) => complete(cls, admin.auth)));
      const all = await waitFor(async () => {
        const rows = [...(await visitsOf(t.ds, classes[0].id)), ...(await visitsOf(t.ds, classes[1].id))];
        return rows.length === 8 && rows;
      });
      // Eight visits over four people (three trainers and the admin): two each.
      const loads = new Map([...staff.map((s) => s.id), admin.user.id].map((id) => [id, 0]));
      for (const v of all) loads.set(v.assignee_id, loads.get(v.assignee_id)! + 1);
      expect([...loads.values()]).toEqual([2, 2, 2, 2]);
    });

    it('makes no visits for a cancelled class', async () => {
      const { admin, cls } = await world();
      await http.post(`/api/classes/${cls.id}/cancel`).set('Authorization', admin.auth).expect(200);
      expect(await workerVisits.assignForClass(cls.id)).toBe(0);
      expect(await visitsOf(t.ds, cls.id)).toEqual([]);
    });
  });

  describe('reading', () => {
    it('lists with names, filters, and shows trainers only their own', async () => {
      const { tree, admin, trainer1, cls, visitOf } = await completedWorld();
      const list = await http
        .get('/api/visits')
        .query({ classId: cls.id })
        .set('Authorization', admin.auth)
        .expect(200);
      expect(list.body).toMatchObject({ total: 2, page: 1, pageSize: 20 });
      const a1 = visitOf(tree.townshipA1);
      expect(list.body.items).toContainEqual(
        expect.objectContaining({
          id: a1.id,
          status: 'assigned',
          dueOn: localDateIn(DUE_DAYS),
          class: { id: cls.id, title: cls.title },
          township: { id: tree.townshipA1.id, name: '甲一镇' },
          assignee: { id: a1.assignee_id, displayName: expect.any(String) },
          report: null,
        }),
      );
      const q = (query: Record<string, string>) =>
        http
          .get('/api/visits')
          .query({ classId: cls.id, ...query })
          .set('Authorization', admin.auth)
          .expect(200)
          .then((r) => (r.body.items as { id: string }[]).map((i) => i.id));
      expect(await q({ townshipId: tree.townshipA1.id })).toEqual([a1.id]);
      expect(await q({ assigneeId: a1.assignee_id })).toEqual([a1.id]);
      expect(await q({ status: 'done' })).toEqual([]);
      expect(await q({ status: 'assigned' })).toHaveLength(2);
      expect(await q({ dueBefore: localDateIn(DUE_DAYS) })).toEqual([]);
      expect(await q({ dueBefore: localDateIn(DUE_DAYS + 1) })).toHaveLength(2);

      const mine = await http.get('/api/visits').set('Authorization', trainer1.auth).expect(200);
      expect(mine.body.items.map((i: { assignee: { id: string } }) => i.assignee.id)).toEqual([trainer1.user.id]);
      const notMine = (await visitsOf(t.ds, cls.id)).find((v) => v.assignee_id !== trainer1.user.id)!;
      await http.get(`/api/visits/${notMine.id}`).set('Authorization', trainer1.auth).expect(404);
      const own = (await visitsOf(t.ds, cls.id)).find((v) => v.assignee_id === trainer1.user.id)!;
      await http.get(`/api/visits/${own.id}`).set('Authorization', trainer1.auth).expect(200);
    });

    it('hides visits outside an admin scope (404) and refuses trainees (403)', async () => {
      const { tree, visits } = await completedWorld();
      const outsider = await signedIn(http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      await http.get(`/api/visits/${visits[0].id}`).set('Authorization', outsider.auth).expect(404);
      const listed = await http.get('/api/visits').set('Authorization', outsider.auth).expect(200);
      expect(listed.body.total).toBe(0);
      const trainee = await signedIn(http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await http.get('/api/visits').set('Authorization', trainee.auth).expect(403);
      await http.get(`/api/visits/${visits[0].id}`).set('Authorization', trainee.auth).expect(403);
    });

    it('validates the query (400 with a code)', async () => {
      const { admin } = await world();
      for (const query of [
        { status: 'late' },
        { dueBefore: '2027-1-1' },
        { assigneeId: 'x' },
        { format: 'pdf' },
        { x: 1 },
      ]) {
        const res = await http.get('/api/visits').query(query).set('Authorization', admin.auth).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('exports xlsx with Chinese headers and a Chinese file name', async () => {
      const { admin, cls } = await completedWorld();
      const res = await http
        .get('/api/visits')
        .query({ classId: cls.id, format: 'xlsx' })
        .set('Authorization', admin.auth)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent('回访任务.xlsx')}`,
      );
      // Loaded here, not at the top: startTestApp resets the module registry, and exceljs's
      // reader then mixes stream classes from two registries.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const sheet = workbook.getWorksheet('回访任务')!;
      const header = (sheet.getRow(1).values as unknown[]).slice(1);
      expect(header).toEqual(
        expect.arrayContaining(['班级', '乡镇', '回访人', '截止日期', '状态', '回访日期', '问题', '需跟进']),
      );
      expect(sheet.rowCount).toBe(3);
      expect(sheet.getRow(2).getCell(1).value).toBe(cls.title);
      expect(sheet.getRow(2).getCell(5).value).toBe('待回访');
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    });
  });

  describe('changing', () => {
    it('reassigns to county staff and tells them; refuses others and bad dates', async () => {
      const { tree, admin, trainer1, other, visitOf } = await completedWorld();
      const v = visitOf(tree.townshipA1);
      const patch = (body: object, auth = admin.auth) =>
        http.patch(`/api/visits/${v.id}`).set('Authorization', auth).send(body);

      const res = await patch({ assigneeId: other.user.id, dueOn: localDateIn(40) }).expect(200);
      expect(res.body).toMatchObject({
        assignee: { id: other.user.id, displayName: '丙老师' },
        dueOn: localDateIn(40),
      });
      expect(await notices(t.ds, 'visit-assigned', v.id)).toContainEqual({ user_id: other.user.id });

      const outside = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyB.id });
      const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      const inactive = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, active: false });
      for (const assigneeId of [outside.id, trainee.id, inactive.id, '00000000-0000-4000-8000-000000000000']) {
        expect((await patch({ assigneeId }).expect(400)).body.code).toBe('VISIT_ASSIGNEE_INVALID');
      }
      for (const dueOn of [localDateIn(-1), '2027-02-30']) {
        expect((await patch({ dueOn }).expect(400)).body.code).toBe('VISIT_DUE_ON_INVALID');
      }
      for (const body of [{ dueOn: '1.2.2027' }, { assigneeId: null }, { dueOn: null }, { status: 'done' }]) {
        expect((await patch(body).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      await patch({ dueOn: localDateIn(50) }, trainer1.auth).expect(403);
    });

    it('takes a report from the assignee: validated, then done, once', async () => {
      const { tree, trainer1, admin, a1, a2, cls } = await completedWorld();
      const own = (await visitsOf(t.ds, cls.id)).find((v) => v.assignee_id === trainer1.user.id)!;
      const township = own.township_id === tree.townshipA1.id ? a1 : a2;
      const elsewhere = own.township_id === tree.townshipA1.id ? a2 : a1;
      const report = (body: object, auth = trainer1.auth) =>
        http.post(`/api/visits/${own.id}/report`).set('Authorization', auth).send(body);
      const valid = { visitedOn: localDateIn(0), notes: '  学员已能独立使用平台  ' };

      expect((await report({ ...valid, visitedOn: localDateIn(1) }).expect(400)).body.code).toBe(
        'VISIT_VISITED_ON_INVALID',
      );
      expect((await report({ ...valid, visitedOn: '2027-02-30' }).expect(400)).body.code).toBe(
        'VISIT_VISITED_ON_INVALID',
      );
      const wrong = await report({ ...valid, traineeIds: [elsewhere[0].id] }).expect(400);
      expect(wrong.body).toMatchObject({ code: 'VISIT_TRAINEES_INVALID', traineeIds: [elsewhere[0].id] });
      for (const body of [
        { visitedOn: localDateIn(0) },
        { ...valid, notes: '   ' },
        { ...valid, traineeIds: ['x'] },
        { ...valid, followUpNeeded: 'yes' },
        { ...valid, extra: 1 },
      ]) {
        expect((await report(body).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      // Someone else's visit is not the trainer's to report.
      const others = (await visitsOf(t.ds, cls.id)).find((v) => v.id !== own.id)!;
      await http.post(`/api/visits/${others.id}/report`).set('Authorization', trainer1.auth).send(valid).expect(404);

      const done = await report({
        ...valid,
        traineeIds: township.map((u) => u.id),
        problems: '网络不稳定',
        followUpNeeded: true,
      }).expect(200);
      expect(done.body).toMatchObject({
        status: 'done',
        report: {
          visitedOn: localDateIn(0),
          notes: '学员已能独立使用平台',
          problems: '网络不稳定',
          followUpNeeded: true,
          reportedBy: trainer1.user.id,
        },
      });
      expect(done.body.report.traineeIds.sort()).toEqual(township.map((u) => u.id).sort());
      expect((await report(valid).expect(409)).body.code).toBe('VISIT_ALREADY_REPORTED');
      const cancelDone = await http.post(`/api/visits/${own.id}/cancel`).set('Authorization', admin.auth).send({});
      expect(cancelDone.status).toBe(409);
      expect(cancelDone.body.code).toBe('VISIT_CLOSED');
    });

    it('cancels (admins only); a cancelled visit takes no report or change', async () => {
      const { admin, trainer1, cls } = await completedWorld();
      const own = (await visitsOf(t.ds, cls.id)).find((v) => v.assignee_id === trainer1.user.id)!;
      await http.post(`/api/visits/${own.id}/cancel`).set('Authorization', trainer1.auth).send({}).expect(403);
      await http
        .post(`/api/visits/${own.id}/cancel`)
        .set('Authorization', admin.auth)
        .send({ reason: 123 })
        .expect(400);
      const res = await http
        .post(`/api/visits/${own.id}/cancel`)
        .set('Authorization', admin.auth)
        .send({ reason: '学员已调离' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'cancelled',
        cancelReason: '学员已调离',
        cancelledAt: expect.any(String),
      });
      const report = await http
        .post(`/api/visits/${own.id}/report`)
        .set('Authorization', trainer1.auth)
        .send({ visitedOn: localDateIn(0), notes: '已走访' })
        .expect(409);
      expect(report.body.code).toBe('VISIT_CLOSED');
      const again = await http.post(`/api/visits/${own.id}/cancel`).set('Authorization', admin.auth).send({});
      expect(again.status).toBe(409);
      await http
        .patch(`/api/visits/${own.id}`)
        .set('Authorization', admin.auth)
        .send({ dueOn: localDateIn(60) })
        .expect(409);
    });
  });

  describe('due and overdue', () => {
    it('reads a visit past due as overdue; the overdue job flips it and tells the assignee and admins', async () => {
      const { tree, admin, visitOf } = await completedWorld();
      const v = visitOf(tree.townshipA1);
      const dueOn = localDateIn(-1);
      await t.ds.query(`UPDATE visits SET due_on = $2 WHERE id = $1`, [v.id, dueOn]);

      const read = await http.get(`/api/visits/${v.id}`).set('Authorization', admin.auth).expect(200);
      expect(read.body.status).toBe('overdue');
      const listed = await http.get('/api/visits').query({ status: 'overdue' }).set('Authorization', admin.auth);
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([v.id]);
      const [before] = await t.ds.query<{ status: string }[]>(`SELECT status::text FROM visits WHERE id = $1`, [v.id]);
      expect(before.status).toBe('assigned'); // as stored: reads are exact before the job runs

      // A job for another (stale) due date does nothing.
      expect(await workerVisits.markOverdue({ visitId: v.id, dueOn: localDateIn(DUE_DAYS) })).toBe(false);

      await queue.add('overdue', { visitId: v.id, dueOn }, { jobId: `visits.overdue.${v.id}.${dueOn}.test` });
      const told = await waitFor(async () => {
        const rows = await notices(t.ds, 'visit-overdue', v.id);
        return rows.length === 2 && rows;
      });
      expect(told.map((r) => r.user_id).sort()).toEqual([v.assignee_id, admin.user.id].sort());
      const [stored] = await t.ds.query<{ status: string }[]>(`SELECT status::text FROM visits WHERE id = $1`, [v.id]);
      expect(stored.status).toBe('overdue');
      // Running it again tells nobody twice.
      expect(await workerVisits.markOverdue({ visitId: v.id, dueOn })).toBe(false);
      expect(await notices(t.ds, 'visit-overdue', v.id)).toHaveLength(2);

      // Moving the due date ahead makes it open again.
      const moved = await http
        .patch(`/api/visits/${v.id}`)
        .set('Authorization', admin.auth)
        .send({ dueOn: localDateIn(5) })
        .expect(200);
      expect(moved.body.status).toBe('assigned');
    });

    it('sends the due notice to the assignee only, once, and skips a stale one', async () => {
      const { tree, visitOf } = await completedWorld();
      const v = visitOf(tree.townshipA2);
      const dueOn = localDateIn(2);
      await t.ds.query(`UPDATE visits SET due_on = $2 WHERE id = $1`, [v.id, dueOn]);
      expect(await workerVisits.sendDueNotice({ visitId: v.id, dueOn: localDateIn(DUE_DAYS) })).toBe(false);

      await queue.add('due', { visitId: v.id, dueOn }, { jobId: `visits.due.${v.id}.${dueOn}.test` });
      const told = await waitFor(async () => {
        const rows = await notices(t.ds, 'visit-due', v.id);
        return rows.length > 0 && rows;
      });
      expect(told).toEqual([{ user_id: v.assignee_id }]);
      expect(await workerVisits.sendDueNotice({ visitId: v.id, dueOn })).toBe(true);
      expect(await notices(t.ds, 'visit-due', v.id)).toHaveLength(1);
    });

    it('schedules due and overdue jobs at 09:00 local, and the reconciler re-adds what Redis lost', async () => {
      const { tree, visitOf } = await completedWorld();
      const v = visitOf(tree.townshipA1);
      const due = await waitFor(() => queue.getJob(`visits.due.${v.id}.${v.due_on}`));
      const overdue = await waitFor(() => queue.getJob(`visits.overdue.${v.id}.${v.due_on}`));
      const at = (job: { timestamp: number; delay: number }) => new Date(job.timestamp + job.delay);
      expect(at(due).getTime()).toBeCloseTo(new Date(`${localDateIn(DUE_DAYS - 3)}T09:00:00+08:00`).getTime(), -4);
      expect(at(overdue).getTime()).toBeCloseTo(new Date(`${localDateIn(DUE_DAYS + 1)}T09:00:00+08:00`).getTime(), -4);

      await due.remove();
      await overdue.remove();
      expect(await workerVisits.reconcile()).toBeGreaterThanOrEqual(2);
      expect(await queue.getJob(`visits.due.${v.id}.${v.due_on}`)).toBeDefined();
      expect(await queue.getJob(`visits.overdue.${v.id}.${v.due_on}`)).toBeDefined();
    });
  });
});
