import type { Quiz } from '../../src/quizzes/quiz.entity';
import { createOrgTree, signedIn } from '../factories';
import { certificateWorld } from '../factories/certificates';
import { seat } from '../factories/attendance';
import { createAttempt, createQuiz } from '../factories/quizzes';
import { startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

/** Collects a download as raw bytes (supertest would otherwise try to decode it). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

interface Eligibility {
  traineeId: string;
  eligible: boolean;
  reasons: string[];
  attendanceRate: number | null;
  quizPercent: number | null;
  certificateId: string | null;
}

/**
 * Certificates through HTTP and the worker: eligibility edges, issuing as a background run
 * (twice, and by two admins at once, still one live certificate per trainee), revocation and
 * re-issue, who may read what, the class's XLSX and a trainee's own list.
 */
describe('certificates (e2e)', () => {
  let t: TestApp;
  let worker: TestWorker;

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
  });

  const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);
  const post = (path: string, auth: string, body: object = {}) =>
    t.http.post(path).set('Authorization', auth).send(body);

  /** A finished attempt of `percent` (out of 10 points). */
  const took = (quiz: Quiz, p: { user: { id: string }; enrolment: { townshipId: string } }, score: number) =>
    createAttempt(t.ds, quiz, {
      traineeId: p.user.id,
      townshipId: p.enrolment.townshipId,
      startedAt: new Date(Date.now() - 3_600_000),
      finishedAt: new Date(Date.now() - 3_000_000),
      score,
    });

  /** Issues and waits for the run to finish; answers the run. */
  async function issue(classId: string, auth: string) {
    const res = await post(`/api/classes/${classId}/certificates/issue`, auth);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/api/certificates/runs/${res.body.jobId}`);
    return waitFor('the run to finish', async () => {
      const run = await get(`/api/certificates/runs/${res.body.jobId}`, auth);
      return run.body.status === 'done' ? run.body : undefined;
    });
  }

  /** Five trainees: a (8/10 points, quiz 60 %: exactly at both marks), b (7/10), c (quiz failed), d (no quiz), e (withdrawn). */
  async function edgeWorld() {
    const w = await certificateWorld(t.http, t.ds, 4);
    const [a, b, c, d] = w.people;
    await w.attend(a.enrolment, ['present', 'present', 'present', 'present', 'absent']);
    await w.attend(b.enrolment, ['present', 'present', 'present', 'late', 'absent']);
    await w.attend(c.enrolment, ['present', 'present', 'present', 'present', 'present']);
    await w.attend(d.enrolment, ['present', 'present', 'present', 'present', 'present']);
    await took(w.quiz, a, 6);
    await took(w.quiz, b, 10);
    await took(w.quiz, c, 5);
    const e = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: w.tree.townshipA1.id });
    const eSeat = await seat(t.ds, w.cls, e.user, w.tree.townshipA1, 'confirmed');
    await w.attend(eSeat, ['present', 'present', 'present', 'present', 'present']);
    await took(w.quiz, { user: e.user, enrolment: eSeat }, 10);
    const withdrawn = await post(`/api/enrolments/${eSeat.id}/withdraw`, w.admin.auth);
    expect(withdrawn.status).toBeLessThan(300);
    return { ...w, a, b, c, d, e };
  }

  it('lists every seated trainee with the reasons they are or are not eligible, at the edges', async () => {
    const w = await edgeWorld();
    const before = await get(`/api/classes/${w.cls.id}/certificates/eligibility`, w.trainer.auth);
    expect(before.status).toBe(200);
    const reasonsBefore = new Map((before.body.items as Eligibility[]).map((i) => [i.traineeId, i.reasons]));
    expect(reasonsBefore.get(w.a.user.id)).toEqual(['CLASS_NOT_COMPLETED']);
    // Not completed: refused before anything is queued.
    expect((await post(`/api/classes/${w.cls.id}/certificates/issue`, w.admin.auth)).body.code).toBe(
      'CERTIFICATES_CLASS_NOT_COMPLETED',
    );

    await w.complete();
    const res = await get(`/api/classes/${w.cls.id}/certificates/eligibility`, w.admin.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ threshold: 0.8, requiredQuizId: w.quiz.id, sessionsHeld: 5, eligible: 1 });
    const by = new Map((res.body.items as Eligibility[]).map((i) => [i.traineeId, i]));
    expect(by.size).toBe(5);
    expect(by.get(w.a.user.id)).toMatchObject({ eligible: true, reasons: [], attendanceRate: 0.8, quizPercent: 60 });
    expect(by.get(w.b.user.id)).toMatchObject({ eligible: false, reasons: ['ATTENDANCE_BELOW_THRESHOLD'] });
    expect(by.get(w.c.user.id)).toMatchObject({ eligible: false, reasons: ['QUIZ_NOT_PASSED'], quizPercent: 50 });
    expect(by.get(w.d.user.id)).toMatchObject({ eligible: false, reasons: ['QUIZ_NOT_TAKEN'], quizPercent: null });
    expect(by.get(w.e.user.id)).toMatchObject({ eligible: false, reasons: ['WITHDRAWN'] });

    const run = await issue(w.cls.id, w.admin.auth);
    expect(run).toMatchObject({ total: 1, done: 1, issued: 1, skipped: 0 });
    const after = await get(`/api/classes/${w.cls.id}/certificates/eligibility`, w.admin.auth);
    const a = (after.body.items as Eligibility[]).find((i) => i.traineeId === w.a.user.id)!;
    expect(a).toMatchObject({ eligible: false, reasons: ['ALREADY_CERTIFIED'] });
    expect(a.certificateId).toEqual(expect.any(String));
  });

  it('issues in the background: snapshot, serial, code, event and a notice; twice and at once still one each', async () => {
    const w = await certificateWorld(t.http, t.ds, 3);
    for (const p of w.people) {
      await w.attend(p.enrolment, ['present', 'present', 'present', 'present', 'present']);
      await took(w.quiz, p, 9);
    }
    await w.complete();
    const other = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: w.tree.countyA.id });
    // Two admins at once, then once more: three runs, three certificates.
    const [r1, r2] = await Promise.all([
      post(`/api/classes/${w.cls.id}/certificates/issue`, w.admin.auth),
      post(`/api/classes/${w.cls.id}/certificates/issue`, other.auth),
    ]);
    expect([r1.status, r2.status]).toEqual([202, 202]);
    for (const r of [r1, r2]) {
      await waitFor('both runs', async () => {
        const run = await get(`/api/certificates/runs/${r.body.jobId}`, w.admin.auth);
        return run.body.status === 'done' ? run.body : undefined;
      });
    }
    const again = await issue(w.cls.id, other.auth);
    expect(again).toMatchObject({ total: 0, issued: 0 });

    const list = await get(`/api/classes/${w.cls.id}/certificates?pageSize=100`, w.trainer.auth);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    const year = w.cls.startDate.slice(0, 4);
    const serials = (list.body.items as { serial: string }[]).map((c) => c.serial);
    expect(new Set(serials).size).toBe(3);
    for (const s of serials) expect(s).toMatch(new RegExp(`^${year}-Q${w.cls.quarter}-\\d{4}$`));
    const first = list.body.items[0];
    expect(first).toMatchObject({
      status: 'valid',
      revokedAt: null,
      pdfUrl: `/api/certificates/${first.id}/pdf`,
      snapshot: {
        classTitle: w.cls.title,
        course: w.course.title,
        sessionsAttended: 5,
        sessionsHeld: 5,
        attendanceRate: 1,
        score: 90,
        township: w.tree.townshipA1.name,
      },
    });
    expect(first.code).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
    expect(first.verifyUrl).toMatch(new RegExp(`/api/certificates/verify/${first.code}$`));
    const events = await t.ds.query(
      `SELECT count(*)::int AS n FROM certificate_events e JOIN certificates c ON c.id = e.certificate_id
        WHERE c.class_id = $1 AND e.kind = 'issued'`,
      [w.cls.id],
    );
    expect(events[0].n).toBe(3);
    const notices = await t.ds.query(
      `SELECT user_id FROM notifications WHERE template = 'certificate-issued' AND channel = 'inbox' AND user_id = ANY($1)`,
      [w.people.map((p) => p.user.id)],
    );
    expect(notices).toHaveLength(3);
    const runs = await t.ds.query(
      `SELECT sum(issued)::int AS issued, sum(skipped)::int AS skipped
      FROM certificate_runs WHERE class_id = $1`,
      [w.cls.id],
    );
    expect(runs[0]).toEqual({ issued: 3, skipped: 3 });
  });

  it('revokes with a reason (409 twice); issuing again makes a new serial and code', async () => {
    const w = await certificateWorld(t.http, t.ds, 1);
    const [p] = w.people;
    await w.attend(p.enrolment, ['present', 'present', 'present', 'present', 'present']);
    await took(w.quiz, p, 10);
    await w.complete();
    await issue(w.cls.id, w.admin.auth);
    const [cert] = (await get('/api/me/certificates', p.auth)).body.items;
    expect((await post(`/api/certificates/${cert.id}/revoke`, w.admin.auth, { reason: '' })).status).toBe(400);
    expect((await post(`/api/certificates/${cert.id}/revoke`, w.trainer.auth, { reason: 'x' })).status).toBe(403);
    const revoked = await post(`/api/certificates/${cert.id}/revoke`, w.admin.auth, { reason: '成绩录入有误' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: '成绩录入有误' });
    const twice = await post(`/api/certificates/${cert.id}/revoke`, w.admin.auth, { reason: '再次' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('CERTIFICATE_ALREADY_REVOKED');

    const run = await issue(w.cls.id, w.admin.auth);
    expect(run).toMatchObject({ total: 1, issued: 1 });
    const mine = await get('/api/me/certificates', p.auth);
    expect(mine.body.items).toHaveLength(2);
    const [fresh, old] = mine.body.items;
    expect(old).toMatchObject({ id: cert.id, status: 'revoked' });
    expect(fresh.status).toBe('valid');
    expect(fresh.serial).not.toBe(cert.serial);
    expect(fresh.code).not.toBe(cert.code);
    const trail = await t.ds.query(
      `SELECT kind, reason FROM certificate_events WHERE certificate_id = $1 ORDER BY at`,
      [cert.id],
    );
    expect(trail).toEqual([
      { kind: 'issued', reason: null },
      { kind: 'revoked', reason: '成绩录入有误' },
    ]);
  });

  it('keeps certificates to the holder, the class’s staff and admins in scope; exports XLSX', async () => {
    const w = await certificateWorld(t.http, t.ds, 2);
    const [p, q] = w.people;
    for (const x of [p, q]) {
      await w.attend(x.enrolment, ['present', 'present', 'present', 'present', 'present']);
      await took(w.quiz, x, 10);
    }
    await w.complete();
    await issue(w.cls.id, w.admin.auth);
    const [cert] = (await get('/api/me/certificates', p.auth)).body.items;
    const tree = await createOrgTree(t.ds);
    const outsideAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });

    expect((await get(`/api/certificates/${cert.id}`, p.auth)).status).toBe(200);
    expect((await get(`/api/certificates/${cert.id}`, w.trainer.auth)).status).toBe(200);
    expect((await get(`/api/certificates/${cert.id}`, w.admin.auth)).status).toBe(200);
    expect((await get(`/api/certificates/${cert.id}`, q.auth)).status).toBe(404);
    expect((await get(`/api/certificates/${cert.id}`, outsideAdmin.auth)).status).toBe(404);
    expect((await get(`/api/classes/${w.cls.id}/certificates`, p.auth)).status).toBe(403);
    expect((await get(`/api/classes/${w.cls.id}/certificates/eligibility`, p.auth)).status).toBe(403);
    expect((await post(`/api/classes/${w.cls.id}/certificates/issue`, w.trainer.auth)).status).toBe(403);
    expect((await get(`/api/classes/${w.cls.id}/certificates`, outsideAdmin.auth)).status).toBe(404);
    expect((await post(`/api/classes/${w.cls.id}/certificates/issue`, outsideAdmin.auth)).status).toBe(404);
    expect((await post(`/api/certificates/${cert.id}/revoke`, outsideAdmin.auth, { reason: '越权' })).status).toBe(404);

    const res = await get(`/api/classes/${w.cls.id}/certificates?format=xlsx`, w.admin.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    const rows = workbook.worksheets[0].getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0].slice(1)).toEqual(['证书编号', '姓名', '乡镇', '课程', '发证日期', '状态', '验证码']);
    expect(rows).toHaveLength(3);
    expect(
      rows
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(
      (await get(`/api/classes/${w.cls.id}/certificates`, w.admin.auth)).body.items
        .map((c: { serial: string }) => c.serial)
        .sort(),
    );
    expect(rows[1][6]).toBe('有效');
  });

  it('requiredQuizId must be a quiz of the class: PATCH sets and clears it, POST refuses one', async () => {
    const w = await certificateWorld(t.http, t.ds, 0);
    // The world's class spans the year; a PATCH checks dates against the quarter, so make it one quarter long.
    const q = Math.floor(new Date().getUTCMonth() / 3) + 1;
    const month = (m: number) => String(m).padStart(2, '0');
    await t.ds.query(
      `UPDATE classes SET quarter = $2, start_date = $3, end_date = $4,
              enrolment_opens_at = $3::date - 30, enrolment_closes_at = $3::date - 1 WHERE id = $1`,
      [w.cls.id, q, `${w.plan.year}-${month(3 * q - 2)}-01`, `${w.plan.year}-${month(3 * q)}-28`],
    );
    const otherQuiz = await createQuiz(t.ds, (await certificateWorld(t.http, t.ds, 0)).cls);
    const patch = (body: object) =>
      t.http.patch(`/api/classes/${w.cls.id}`).set('Authorization', w.admin.auth).send(body);
    const bad = await patch({ requiredQuizId: otherQuiz.id });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('CLASS_REQUIRED_QUIZ_INVALID');
    expect((await patch({ requiredQuizId: null })).body.requiredQuizId).toBeNull();
    expect((await patch({ requiredQuizId: w.quiz.id })).body.requiredQuizId).toBe(w.quiz.id);
    const created = await post('/api/classes', w.admin.auth, {
      planId: w.plan.id,
      courseId: w.course.id,
      title: '新班',
      quarter: 4,
      startDate: `${w.plan.year}-10-01`,
      endDate: `${w.plan.year}-12-20`,
      trainerIds: [w.trainer.user.id],
      capacity: 30,
      enrolmentOpensAt: `${w.plan.year}-09-01T00:00:00+08:00`,
      enrolmentClosesAt: `${w.plan.year}-09-30T00:00:00+08:00`,
      requiredQuizId: w.quiz.id,
    });
    expect(created.status).toBe(422);
    expect(created.body.code).toBe('CLASS_REQUIRED_QUIZ_INVALID');
  });
});
