import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassSession } from '../../src/classes/class-session.entity';
import { attendanceWorld, createSession, seat, seatedTrainees } from '../factories/attendance';
import { createClass } from '../factories/classes';
import { createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What attendance adds up to: the per-class summary (rates against the threshold, per
 * township), its XLSX export, person-times in plans and reports, the class's points, and
 * the printable PDF sign-in sheet. (Taking attendance: attendance.e2e-spec.ts.)
 */

const DAY_MINUTES = 24 * 60;

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Runs a poppler tool on the PDF and answers what it printed. */
function poppler(tool: 'pdftotext' | 'pdffonts' | 'pdfinfo', pdf: Buffer, ...args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lms-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return execFileSync(tool, tool === 'pdftotext' ? [...args, file, '-'] : [...args, file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('attendance summaries, person-times and the sign-in sheet (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const mark = (s: ClassSession, auth: string, records: { enrolmentId: string; status: string }[]) =>
    t.http.put(`/api/sessions/${s.id}/attendance`).set('Authorization', auth).send({ records }).expect(200);

  /**
   * Three held sessions, one to come, one cancelled. Trainees a and b of township A1 and
   * c of A2 hold seats; d is waitlisted.
   *   a: present, present, late      -> 5/6  meets 0.8
   *   b: present, absent, (unmarked) -> 2/6
   *   c: excused x3                  -> 3/6
   */
  async function summaryWorld() {
    const w = await attendanceWorld(t.http, t.ds);
    const [a, b] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 2, '甲');
    const [c] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA2, 1, '丙');
    const dUser = await createUser(t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA2.id, displayName: '候补丁' });
    await seat(t.ds, w.cls, dUser, w.tree.townshipA2, 'waitlisted', 1);
    const s1 = await createSession(t.ds, w.cls, w.trainer.user.id, -3 * DAY_MINUTES);
    const s2 = await createSession(t.ds, w.cls, w.trainer.user.id, -2 * DAY_MINUTES);
    const s3 = await createSession(t.ds, w.cls, w.trainer.user.id, -1 * DAY_MINUTES);
    await createSession(t.ds, w.cls, w.trainer.user.id, 5 * DAY_MINUTES);
    const cancelled = await createSession(t.ds, w.cls, w.trainer.user.id, -4 * DAY_MINUTES);
    const r = (x: { enrolment: { id: string } }, status: string) => ({ enrolmentId: x.enrolment.id, status });
    await mark(s1, w.trainer.auth, [r(a, 'present'), r(b, 'present'), r(c, 'excused')]);
    await mark(s2, w.trainer.auth, [r(a, 'present'), r(b, 'absent'), r(c, 'excused')]);
    await mark(s3, w.trainer.auth, [r(a, 'late'), r(c, 'excused')]);
    // Marked, then the session was cancelled: it no longer counts anywhere.
    await mark(cancelled, w.trainer.auth, [r(a, 'present'), r(b, 'present')]);
    await t.ds.query(`UPDATE sessions SET status = 'cancelled' WHERE id = $1`, [cancelled.id]);
    return { ...w, a, b, c, dUser };
  }

  const summary = (classId: string, auth: string) =>
    t.http.get(`/api/classes/${classId}/attendance-summary`).set('Authorization', auth);

  describe('summary', () => {
    it('gives per trainee the held sessions, each status, the rate and the threshold; per township totals', async () => {
      const w = await summaryWorld();
      const res = await summary(w.cls.id, w.admin.auth).expect(200);
      const body = res.body;
      expect(body).toMatchObject({
        classId: w.cls.id,
        sessionsHeld: 3,
        threshold: 0.8,
        points: { present: 2, late: 1, excused: 1, absent: 0, possible: 2 },
        trainees: 3,
        meetingThreshold: 1,
        present: 3,
        late: 1,
        excused: 3,
        absent: 1,
        unmarked: 1,
        personTimes: 4,
        pointsEarned: 10,
        pointsPossible: 18,
        rate: 0.5556,
      });
      const [a1, a2] = body.townships;
      expect(a1).toMatchObject({ townshipId: w.tree.townshipA1.id, trainees: 2, personTimes: 4, meetingThreshold: 1 });
      expect(a1).toMatchObject({ pointsEarned: 7, pointsPossible: 12, rate: 0.5833, unmarked: 1 });
      expect(a2).toMatchObject({
        townshipId: w.tree.townshipA2.id,
        trainees: 1,
        excused: 3,
        personTimes: 0,
        rate: 0.5,
      });
      const line = (id: string) =>
        [...a1.enrolments, ...a2.enrolments].find((e: { traineeId: string }) => e.traineeId === id);
      expect(line(w.a.user.id)).toMatchObject({
        sessionsHeld: 3,
        present: 2,
        late: 1,
        excused: 0,
        absent: 0,
        unmarked: 0,
        rate: 0.8333,
        meetsThreshold: true,
      });
      expect(line(w.b.user.id)).toMatchObject({
        present: 1,
        absent: 1,
        unmarked: 1,
        rate: 0.3333,
        meetsThreshold: false,
      });
      expect(line(w.c.user.id)).toMatchObject({ excused: 3, rate: 0.5, meetsThreshold: false });
      expect(line(w.dUser.id)).toBeUndefined();
    });

    it("uses the class's own points and threshold", async () => {
      const w = await summaryWorld();
      await t.ds.query(
        `UPDATE classes SET points_present = 3, points_late = 3, points_excused = 2, points_absent = 0,
                attendance_threshold = 0.5 WHERE id = $1`,
        [w.cls.id],
      );
      const res = await summary(w.cls.id, w.trainer.auth).expect(200);
      expect(res.body.points).toEqual({ present: 3, late: 3, excused: 2, absent: 0, possible: 3 });
      const lines = res.body.townships.flatMap((g: { enrolments: unknown[] }) => g.enrolments);
      const c = lines.find((e: { traineeId: string }) => e.traineeId === w.c.user.id);
      // 3 x excused(2) of 3 x 3 possible
      expect(c).toMatchObject({ pointsEarned: 6, pointsPossible: 9, rate: 0.6667, meetsThreshold: true });
      expect(res.body.meetingThreshold).toBe(2);
    });

    it('shows a trainee its own line only; others outside the class get 403 or 404', async () => {
      const w = await summaryWorld();
      const mine = await summary(w.cls.id, w.b.auth).expect(200);
      expect(mine.body.trainees).toBe(1);
      expect(mine.body.townships).toHaveLength(1);
      expect(mine.body.townships[0].enrolments.map((e: { traineeId: string }) => e.traineeId)).toEqual([w.b.user.id]);
      const waiting = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
      expect((await summary(w.cls.id, waiting.auth).expect(403)).body.code).toBe('NOT_ENROLLED');
      await summary(w.cls.id, w.coTrainer.auth).expect(200);
      const stranger = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      await summary(w.cls.id, stranger.auth).expect(404);
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      await summary(w.cls.id, adminB.auth).expect(404);
      await summary(w.cls.id, w.admin.auth).query({ format: 'pdf' }).expect(400);
    });

    it('has no rate before any session is held', async () => {
      const w = await attendanceWorld(t.http, t.ds);
      await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 2);
      await createSession(t.ds, w.cls, w.trainer.user.id, DAY_MINUTES);
      const res = await summary(w.cls.id, w.admin.auth).expect(200);
      expect(res.body).toMatchObject({ sessionsHeld: 0, trainees: 2, rate: null, meetingThreshold: 0, unmarked: 0 });
    });

    it('exports XLSX: a line per trainee and the township totals', async () => {
      const w = await summaryWorld();
      const res = await summary(w.cls.id, w.admin.auth)
        .query({ format: 'xlsx' })
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${w.cls.title}-出勤汇总.xlsx`));
      // Loaded here: startTestApp resets the module registry (see enrolment-views.e2e-spec.ts).
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const trainees = workbook.getWorksheet('学员出勤')!;
      const values = (row: number) => (trainees.getRow(row).values as unknown[]).slice(1);
      expect(values(3)).toEqual(expect.arrayContaining(['乡镇', '姓名', '出勤率', '达到结业要求']));
      const byName = new Map(
        [4, 5, 6].map((r) => {
          const v = values(r);
          return [v[1] as string, v];
        }),
      );
      expect(byName.get(w.a.user.displayName)).toEqual([
        w.tree.townshipA1.name,
        w.a.user.displayName,
        3,
        2,
        1,
        0,
        0,
        0,
        3,
        5,
        6,
        0.8333,
        '是',
      ]);
      expect(byName.get(w.c.user.displayName)?.slice(-1)).toEqual(['否']);
      const townships = workbook.getWorksheet('乡镇汇总')!;
      expect((townships.getRow(4).values as unknown[]).slice(1)).toEqual(['合计', 3, 3, 1, 3, 1, 1, 4, 0.5556, 1]);
    });
  });

  describe('person-times', () => {
    it('counts present and late records live in plan progress and the rotation report', async () => {
      const w = await summaryWorld();
      await t.ds.query(`UPDATE plans SET target_person_times = 8 WHERE id = $1`, [w.plan.id]);
      const plan = await t.http.get(`/api/plans/${w.plan.id}`).set('Authorization', w.admin.auth).expect(200);
      expect(plan.body.progress).toMatchObject({ personTimes: 4, personTimesRate: 0.5 });
      expect(plan.body.progress.byQuarter.map((q: { personTimes: number }) => q.personTimes)).toEqual([0, 0, 0, 4]);
      const rotation = await t.http
        .get('/api/reports/rotation')
        .query({ year: w.plan.year })
        .set('Authorization', w.admin.auth)
        .expect(200);
      expect(rotation.body.personTimes).toBe(4);
      const of = (id: string) => rotation.body.townships.find((x: { townshipId: string }) => x.townshipId === id);
      expect(of(w.tree.townshipA1.id).personTimes).toBe(4);
      expect(of(w.tree.townshipA2.id).personTimes).toBe(0);

      // Live: an edit shows at once.
      const [s1] = await t.ds.query<ClassSession[]>(
        `SELECT id FROM sessions WHERE class_id = $1 AND status = 'scheduled' ORDER BY starts_at LIMIT 1`,
        [w.cls.id],
      );
      await mark(s1, w.admin.auth, [{ enrolmentId: w.c.enrolment.id, status: 'present' }]);
      const after = await t.http.get(`/api/plans/${w.plan.id}`).set('Authorization', w.admin.auth).expect(200);
      expect(after.body.progress.personTimes).toBe(5);

      // Marked ahead (up to 30 minutes before the start) counts once the session has started.
      const soon = await createSession(t.ds, w.cls, w.trainer.user.id, 20);
      await mark(soon, w.trainer.auth, [{ enrolmentId: w.a.enrolment.id, status: 'present' }]);
      const ahead = await t.http.get(`/api/plans/${w.plan.id}`).set('Authorization', w.admin.auth).expect(200);
      expect(ahead.body.progress.personTimes).toBe(5);
      await t.ds.query(`UPDATE sessions SET starts_at = now() - interval '1 minute' WHERE id = $1`, [soon.id]);
      const started = await t.http.get(`/api/plans/${w.plan.id}`).set('Authorization', w.admin.auth).expect(200);
      expect(started.body.progress.personTimes).toBe(6);
    });
  });

  describe('attendance points of a class', () => {
    it('are set with the class and validated', async () => {
      const w = await attendanceWorld(t.http, t.ds);
      const draft = await createClass(t.ds, w.plan, w.course, [w.trainer.user.id], {
        status: 'draft',
        quarter: 4,
        startDate: `${w.plan.year}-10-01`,
        endDate: `${w.plan.year}-12-31`,
      });
      const patch = (body: object) =>
        t.http.patch(`/api/classes/${draft.id}`).set('Authorization', w.admin.auth).send(body);
      const before = await t.http.get(`/api/classes/${draft.id}`).set('Authorization', w.admin.auth).expect(200);
      expect(before.body.attendancePoints).toEqual({ present: 2, late: 1, excused: 1, absent: 0 });
      const res = await patch({ attendancePoints: { present: 4, late: 2, excused: 3, absent: 0 } }).expect(200);
      expect(res.body.attendancePoints).toEqual({ present: 4, late: 2, excused: 3, absent: 0 });
      const zero = await patch({ attendancePoints: { present: 0, late: 0, excused: 0, absent: 0 } }).expect(400);
      expect(zero.body.code).toBe('ATTENDANCE_POINTS_INVALID');
      for (const bad of [
        { present: -1, late: 1, excused: 1, absent: 0 },
        { present: 2, late: 1, excused: 1 },
        { present: 2, late: 1, excused: 1, absent: 0, bonus: 1 },
        { present: 101, late: 1, excused: 1, absent: 0 },
        { present: 1.5, late: 1, excused: 1, absent: 0 },
        null,
      ]) {
        await patch({ attendancePoints: bad }).expect(400);
      }
    });
  });

  describe('sign-in sheet', () => {
    const sheet = (s: ClassSession, auth: string) =>
      t.http.get(`/api/sessions/${s.id}/sign-in-sheet`).set('Authorization', auth).buffer(true).parse(binary);

    it('prints the trainees grouped by township, in Chinese, with the font embedded', async () => {
      const w = await summaryWorld();
      const s = await createSession(t.ds, w.cls, w.trainer.user.id, 30, { topic: '电子阅览室管理' });
      const res = await sheet(s, w.trainer.auth).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${w.cls.title}-签到表-`));
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = poppler('pdftotext', pdf, '-layout');
      expect(text).toContain(`${w.cls.title} 签到表`);
      expect(text).toContain('电子阅览室管理');
      expect(text).toContain('签名');
      const at = (s: string) => {
        const i = text.indexOf(s);
        expect(i).toBeGreaterThanOrEqual(0);
        return i;
      };
      // Township heading, then its trainees; the waitlisted trainee is not on the sheet.
      expect(at(`${w.tree.townshipA1.name}（2 人）`)).toBeLessThan(at(w.a.user.displayName));
      expect(at(w.b.user.displayName)).toBeLessThan(at(`${w.tree.townshipA2.name}（1 人）`));
      expect(at(`${w.tree.townshipA2.name}（1 人）`)).toBeLessThan(at(w.c.user.displayName));
      expect(text).not.toContain('候补丁');
      expect(text).not.toMatch(/[□�]/);
      const fonts = poppler('pdffonts', pdf);
      expect(fonts).toMatch(/NotoSansCJK\S*\s+CID Type 0C?\s+Identity-H\s+yes/);
    });

    it('continues over pages with the header repeated', async () => {
      const w = await attendanceWorld(t.http, t.ds);
      await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 40, '学员');
      const s = await createSession(t.ds, w.cls, w.trainer.user.id, -5);
      const pdf = (await sheet(s, w.admin.auth).expect(200)).body as Buffer;
      expect(Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', pdf))![1])).toBe(2);
      const second = poppler('pdftotext', pdf, '-f', '2', '-l', '2');
      expect(second).toContain(`${w.tree.townshipA1.name}（续）`);
      expect(second).toContain('签名');
      expect(second).toContain('第 2 / 2 页');
    });

    it('is for admins in scope and the class trainers only', async () => {
      const w = await attendanceWorld(t.http, t.ds);
      const [x] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1);
      const s = await createSession(t.ds, w.cls, w.trainer.user.id, 60);
      await sheet(s, w.coTrainer.auth).expect(200);
      await sheet(s, x.auth).expect(403);
      const stranger = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: w.tree.countyA.id });
      await sheet(s, stranger.auth).expect(404);
      const adminB = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
      await sheet(s, adminB.auth).expect(404);
    });
  });

  describe.each([
    ['missing', '/nonexistent/font.ttc'],
    ['not a font', join(__dirname, '..', '..', 'package.json')],
  ])('with the Chinese font %s', (_what, fontPath) => {
    let bare: TestApp;
    beforeAll(async () => {
      bare = await startTestApp({ PDF_FONT_PATH: fontPath });
    });
    afterAll(() => bare.close());

    it('answers 503 PDF_FONT_UNAVAILABLE, not a PDF of boxes', async () => {
      const w = await attendanceWorld(bare.http, bare.ds);
      const s = await createSession(bare.ds, w.cls, w.trainer.user.id, 60);
      const res = await bare.http
        .get(`/api/sessions/${s.id}/sign-in-sheet`)
        .set('Authorization', w.admin.auth)
        .expect(503);
      expect(res.body.code).toBe('PDF_FONT_UNAVAILABLE');
    });
  });
});
