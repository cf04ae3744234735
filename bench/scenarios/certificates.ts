import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Piscina } from 'piscina';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { CertificateImage, CertificatePdfData } from '../../src/certificates/certificate-fields';
import { certificatePage } from '../../src/certificates/certificate-page';
import { defaultTemplateSource } from '../../src/certificates/certificate-templates.service';
import { Certificate } from '../../src/certificates/certificate.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { pdfFont, preparedFontPath } from '../../src/common/pdf/pdf-font';
import { bullConnection, bullPrefix } from '../../src/common/queue/queue-connection';
import { QUEUES } from '../../src/common/queue/queues';
import { PDF_WORKER } from '../../src/common/pdf/pdf.service';
import type { PdfJob, PdfResult } from '../../src/common/pdf/pdf.types';
import { type Env, validateEnv } from '../../src/config/env';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { User } from '../../src/users/user.entity';
import { createWorker, type WorkerApp } from '../../src/worker';
import { percentile, round } from '../burst';
import {
  bearer,
  freshTables,
  log,
  logLevel,
  type Measurement,
  RESULTS_DIR,
  type ServerProcess,
  startApi,
} from '../harness';
import type { Invariant, Scenario, ScenarioContext, Side } from '../scenario';

const CERTIFICATES = 1000;
/** Downloads in flight at once: enough to keep every PDF thread busy while the next request's reads run. */
const IN_FLIGHT = 4;
const WARMUP = 10;
const TARGET_SINGLE_SECONDS = 15;
const TARGET_BATCH_SECONDS = 10;
const LAYOUT = path.resolve(__dirname, '..', '..', 'src', 'certificates', 'certificate.layout.js');
const TZ = 'Asia/Shanghai';
/** Held sessions of the class. */
const SESSIONS = 12;
/** How often the issuing run's progress is read. */
const POLL_MS = 25;
const ISSUE_TIMEOUT_MS = 300_000;

interface World {
  classId: string;
  adminId: string;
  ids: string[];
  seal: CertificateImage;
}

/** A 240×240 RGBA PNG with soft edges: a scanned red seal, the size centres upload. */
function sealPng(): Buffer {
  const w = 240;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(data.length + 12);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), data.length + 8);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 4 + 1) * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(x - w / 2, y - w / 2);
      const ring = (r > 100 && r < 112) || (r < 60 && (x + y) % 7 < 3);
      rows.set([190, 20, 25, ring ? 230 : 0], y * (w * 4 + 1) + 1 + x * 4);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A county with its seal, an admin, a trainer and a completed class of 1,000 trainees (Chinese
 * names, one long in a hundred), every enrolment `completed`, 12 held sessions and attendance
 * that meets the class's threshold (0.8) for all: 10, 11 or 12 of 12 present, the rest absent.
 * No certificates: the issuing phase makes them through the app.
 */
async function seed(ds: DataSource): Promise<World> {
  const seal = sealPng();
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: '示例县图书馆', code: null });
    const township = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(county), kind: 'township' as const, name: '城关镇', code: null });
    const admin = await m.getRepository(User).save({
      username: 'bench.admin',
      passwordHash: 'x',
      displayName: 'Admin',
      role: 'admin' as const,
      orgUnitId: county.id,
    });
    const trainer = await m.getRepository(User).save({
      username: 'bench.trainer',
      passwordHash: 'x',
      displayName: '李老师',
      role: 'trainer' as const,
      orgUnitId: county.id,
    });
    const course = await m.getRepository(Course).save({
      orgUnitId: county.id,
      title: '计算机基础与智能手机应用',
      level: 'beginner' as const,
      hours: 27,
      topics: [],
    });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year: 2026, title: 'Plan' });
    const c = await m.getRepository(TrainingClass).save({
      planId: plan.id,
      courseId: course.id,
      title: '2026年第二季度计算机基础培训班',
      quarter: 2,
      startDate: '2026-04-06',
      endDate: '2026-06-28',
      capacity: CERTIFICATES,
      maxPerTownship: CERTIFICATES,
      minPerTownship: 1,
      enrolmentOpensAt: new Date('2026-03-01T00:00:00Z'),
      enrolmentClosesAt: new Date('2026-04-01T00:00:00Z'),
      status: 'completed' as const,
    });
    await m.query(
      `INSERT INTO certificate_templates (org_unit_id, seal, seal_media_type, updated_by) VALUES ($1, $2, 'image/png', $3)`,
      [county.id, seal, admin.id],
    );
    const surnames = ['欧阳', '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周'];
    const given = ['明', '芳', '晓红', '建国', '丽娟', '志强', '海燕', '伟', '秀英', '国庆'];
    const trainees = await m.getRepository(User).save(
      Array.from({ length: CERTIFICATES }, (_, i) => ({
        username: `bench.trainee.${i}`,
        passwordHash: 'x',
        displayName:
          i % 100 === 7 ? '阿卜杜热合曼·买买提依明·艾合买提江' : `${surnames[i % 10]}${given[((i / 10) % 10) | 0]}${i}`,
        role: 'trainee' as const,
        orgUnitId: township.id,
      })),
      { chunk: 200 },
    );
    await m.query(
      `INSERT INTO enrolments (class_id, trainee_id, township_id, status, enrolled_by, confirmed_at)
       SELECT $1, unnest($2::uuid[]), $3, 'completed', $4, '2026-03-20T02:00:00Z'`,
      [c.id, trainees.map((t) => t.id), township.id, admin.id],
    );
    // Weekly sessions from the start date, 09:00–11:00 in Shanghai, all held (the class is over).
    await m.query(
      `INSERT INTO sessions (class_id, starts_at, ends_at, trainer_id, topic)
       SELECT $1, $2::timestamptz + k * interval '7 days', $2::timestamptz + k * interval '7 days' + interval '2 hours',
              $3, '第' || (k + 1) || '课'
         FROM generate_series(0, $4 - 1) AS k`,
      [c.id, '2026-04-06T01:00:00Z', trainer.id, SESSIONS],
    );
    // As src/demo/seed-planning.ts seedAttendance marks it, with its audit step: the n-th seat is
    // present at the first 10 + n % 3 sessions and absent at the rest (rate 0.833, 0.917 or 1).
    await m.query(
      `WITH held AS (
         SELECT id, starts_at, row_number() OVER (ORDER BY starts_at) AS k FROM sessions WHERE class_id = $1),
       seats AS (
         SELECT id, row_number() OVER (ORDER BY id) AS n FROM enrolments WHERE class_id = $1),
       recorded AS (
         INSERT INTO attendance_records (session_id, enrolment_id, status, source, recorded_by, recorded_at)
         SELECT h.id, s.id, (CASE WHEN h.k <= $3 - 2 + s.n % 3 THEN 'present' ELSE 'absent' END)::attendance_status,
                'trainer', $2, h.starts_at + interval '10 minutes'
           FROM held h CROSS JOIN seats s
         RETURNING id, session_id, enrolment_id, status, recorded_at)
       INSERT INTO attendance_changes (record_id, session_id, enrolment_id, new_status, source, changed_by, changed_at)
       SELECT id, session_id, enrolment_id, status, 'trainer', $2, recorded_at FROM recorded`,
      [c.id, trainer.id, SESSIONS],
    );
    const [{ md5 }] = await m.query<{ md5: string }[]>(`SELECT md5($1::bytea) AS md5`, [seal]);
    return {
      classId: c.id,
      adminId: admin.id,
      ids: [],
      seal: { key: md5, mediaType: 'image/png', bytes: seal },
    };
  });
}

interface Downloaded {
  status: number;
  body: Buffer;
  ms: number;
}

function download(url: string, auth: string): Promise<Downloaded> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { authorization: auth }, timeout: 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `work(item)` for every item with at most `limit` in flight; answers each one's result in order. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

const isPdf = (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-' && b.subarray(-6).includes('%%EOF');

/** Pages of a PDF (pdfinfo when poppler is installed, else its page objects counted). */
function pageCount(pdf: Buffer): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cert-'));
  try {
    const file = path.join(dir, 'batch.pdf');
    writeFileSync(file, pdf);
    return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? NaN);
  } catch {
    return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface IssueRun {
  /** From POST …/certificates/issue to the run read back `done` (GET /api/certificates/runs/:id). */
  seconds: number;
  /** The run as its last poll read it. */
  run: { status: string; total: number; done: number; issued: number; skipped: number };
  /** createdAt → finishedAt of the run, as PostgreSQL stamped them (no polling granularity). */
  runSeconds: number;
  /** CPU of this process (the worker) and of the API while issuing. */
  workerCpuMs: number;
  apiCpuMs: number;
  failedJobs: number;
  redisKeysDropped: number;
}

const two = (x: number): number => Number(x.toFixed(2));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes every Redis key under the prefix. */
async function dropRedisKeys(env: Env): Promise<number> {
  const redis = new Redis({ ...bullConnection(env, 'worker'), lazyConnect: true });
  redis.on('error', () => undefined);
  let n = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

async function call(
  method: 'GET' | 'POST',
  url: string,
  auth: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers: { authorization: auth }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: { text } };
  }
}

/**
 * Issuing: the compiled API (on a Redis prefix of this run's own) takes
 * `POST /api/classes/:id/certificates/issue` and queues the run; a real worker (`createWorker`,
 * in this process, same prefix) runs it; the run is polled every POLL_MS until `done`. The
 * worker and API are stopped and the prefix's keys deleted afterwards.
 */
async function runIssue(ctx: ScenarioContext, world: World): Promise<IssueRun> {
  const redisPrefix = `lms-bench-${randomBytes(4).toString('hex')}:`;
  const api = await startApi(ctx.databaseUrl, 'certificates-issue', { redisPrefix });
  let worker: WorkerApp | undefined;
  let env: Env | undefined;
  const queues: Queue[] = [];
  try {
    env = validateEnv({
      NODE_ENV: 'production',
      DATABASE_URL: ctx.databaseUrl,
      // The API's Redis: it inherits this process's REDIS_URL (or the default).
      REDIS_URL: process.env.REDIS_URL?.trim() || undefined,
      REDIS_PREFIX: redisPrefix,
      PUBLIC_BASE_URL: api.url,
      // The worker signs nothing, but AttendanceService (imported with certificates) derives its check-in key at start-up.
      JWT_SECRET: randomBytes(32).toString('hex'),
      QUIET_HOURS: '',
      LOG_LEVEL: logLevel(),
      // No reconciler run during the measurement (it runs once at start-up).
      RECONCILE_INTERVAL_SECONDS: '86400',
    });
    mkdirSync(path.join(RESULTS_DIR, 'logs'), { recursive: true });
    worker = await createWorker(env, {
      logDestination: pino.destination({
        dest: path.join(RESULTS_DIR, 'logs', 'certificates-worker.log'),
        sync: false,
        append: false,
      }),
    });
    const connection = bullConnection(env, 'worker');
    const prefix = bullPrefix(env);
    const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
    const certificatesQueue = new Queue(QUEUES.certificates, { connection, prefix });
    queues.push(maintenance, certificatesQueue);
    // The reconciler's first scheduled run comes at once: let it finish before measuring.
    for (let i = 0; i < 200; i++) {
      const c = await maintenance.getJobCounts('waiting', 'active', 'completed');
      if (c.waiting + c.active === 0 && c.completed > 0) break;
      await sleep(50);
    }
    const auth = bearer(world.adminId);
    const cpu0 = cpuNow();
    const { result, cpuMs: apiCpuMs } = await api.cpuDuring(async () => {
      const started = performance.now();
      const post = await call('POST', `${api.url}/api/classes/${world.classId}/certificates/issue`, auth);
      if (post.status !== 202) throw new Error(`issue answered ${post.status}: ${JSON.stringify(post.body)}`);
      const jobId = String(post.body.jobId);
      for (;;) {
        const got = await call('GET', `${api.url}/api/certificates/runs/${jobId}`, auth);
        if (got.status !== 200) throw new Error(`run ${jobId} answered ${got.status}: ${JSON.stringify(got.body)}`);
        const status = String(got.body.status);
        if (status === 'done' || status === 'failed') {
          return { seconds: (performance.now() - started) / 1000, run: got.body, jobId };
        }
        if (performance.now() - started > ISSUE_TIMEOUT_MS) {
          throw new Error(
            `run ${jobId} still ${status} after ${ISSUE_TIMEOUT_MS / 1000} s: ${JSON.stringify(got.body)}`,
          );
        }
        await sleep(POLL_MS);
      }
    });
    const workerCpuMs = cpuNow() - cpu0;
    const [{ run_seconds }] = await ctx.dataSource.query<{ run_seconds: number }[]>(
      `SELECT extract(epoch FROM finished_at - created_at)::float8 AS run_seconds FROM certificate_runs WHERE id = $1`,
      [result.jobId],
    );
    const { failed } = await certificatesQueue.getJobCounts('failed');
    const r = result.run;
    return {
      seconds: result.seconds,
      run: {
        status: String(r.status),
        total: Number(r.total),
        done: Number(r.done),
        issued: Number(r.issued),
        skipped: Number(r.skipped),
      },
      runSeconds: run_seconds,
      workerCpuMs,
      apiCpuMs,
      failedJobs: failed,
      redisKeysDropped: 0,
    };
  } catch (e) {
    log(`certificates: issuing failed; the API's output:\n${api.output()}`);
    throw e;
  } finally {
    for (const q of queues) await q.close();
    if (worker) await worker.close();
    await api.stop();
    if (env) {
      const dropped = await dropRedisKeys(env);
      log(`certificates: deleted ${dropped} Redis keys under ${env.REDIS_PREFIX}`);
    }
  }
}

/** What the issuing run left in the database: one live certificate per trainee, each with its event and notice. */
async function issuedInvariants(ds: DataSource, world: World, issue: IssueRun): Promise<Invariant[]> {
  const [c] = await ds.query<
    { live: number; serials: number; codes: number; trainees: number; all: number; attended: number }[]
  >(
    `SELECT count(*) FILTER (WHERE revoked_at IS NULL)::int AS live, count(DISTINCT serial)::int AS serials,
            count(DISTINCT code)::int AS codes, count(DISTINCT trainee_id)::int AS trainees, count(*)::int AS all,
            count(*) FILTER (WHERE (snapshot->>'sessionsHeld')::int = $2
                               AND (snapshot->>'sessionsAttended')::int BETWEEN $2 - 2 AND $2)::int AS attended
       FROM certificates WHERE class_id = $1`,
    [world.classId, SESSIONS],
  );
  const [{ events }] = await ds.query<{ events: number }[]>(
    `SELECT count(*)::int AS events FROM certificate_events e JOIN certificates c ON c.id = e.certificate_id
      WHERE c.class_id = $1 AND e.kind = 'issued'`,
    [world.classId],
  );
  const [n] = await ds.query<{ inbox: number; other: number; distinct_about: number }[]>(
    `SELECT count(*) FILTER (WHERE channel = 'inbox' AND status = 'sent')::int AS inbox,
            count(*) FILTER (WHERE channel <> 'inbox' OR status <> 'sent')::int AS other,
            count(DISTINCT about_id)::int AS distinct_about
       FROM notifications WHERE template = 'certificate-issued'`,
  );
  const r = issue.run;
  return [
    {
      name: 'issue: the run is done, every trainee issued, none skipped, no job failed',
      ok:
        r.status === 'done' &&
        r.total === CERTIFICATES &&
        r.done === CERTIFICATES &&
        r.issued === CERTIFICATES &&
        r.skipped === 0 &&
        issue.failedJobs === 0,
      detail: `${r.status}: total ${r.total}, done ${r.done}, issued ${r.issued}, skipped ${r.skipped}; ${issue.failedJobs} failed jobs`,
    },
    {
      name: `issue: exactly ${CERTIFICATES} live certificates, one per trainee, distinct serials and codes, snapshots as attended`,
      ok:
        c.all === CERTIFICATES &&
        c.live === CERTIFICATES &&
        c.trainees === CERTIFICATES &&
        c.serials === CERTIFICATES &&
        c.codes === CERTIFICATES &&
        c.attended === CERTIFICATES,
      detail:
        `${c.all} rows, ${c.live} live, ${c.trainees} trainees, ${c.serials} serials, ${c.codes} codes; ` +
        `${c.attended} snapshots with the seeded attendance (${SESSIONS} held, ${SESSIONS - 2}–${SESSIONS} attended)`,
    },
    {
      name: `issue: ${CERTIFICATES} 'issued' events`,
      ok: events === CERTIFICATES,
      detail: `${events} events`,
    },
    {
      name: `issue: ${CERTIFICATES} inbox notices, one per certificate (no e-mail or SMS rows)`,
      ok: n.inbox === CERTIFICATES && n.distinct_about === CERTIFICATES && n.other === 0,
      detail: `${n.inbox} inbox rows sent about ${n.distinct_about} certificates, ${n.other} other rows`,
    },
  ];
}

interface SideRun {
  measurement: Measurement;
  singleSeconds: number;
  batchSeconds: number;
  batchPages: number;
  failures: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function measurementOf(latencies: number[], seconds: number, failures: number, cpuMs: number): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    requests: latencies.length,
    durationSeconds: seconds,
    non2xx: failures,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    cpuMsPerRequest: cpuMs / Math.max(1, latencies.length),
  };
}

/** The app: GET /api/certificates/:id/pdf for each certificate (its reads, scope, template, render), then the batch. */
async function runApi(api: ServerProcess, world: World): Promise<SideRun> {
  const auth = bearer(world.adminId);
  const one = (id: string) => download(`${api.url}/api/certificates/${id}/pdf`, auth);
  await pooled(world.ids.slice(0, WARMUP), IN_FLIGHT, one);
  const { result, cpuMs } = await api.cpuDuring(async () => {
    const started = performance.now();
    const got = await pooled(world.ids, IN_FLIGHT, one);
    return { got, seconds: (performance.now() - started) / 1000 };
  });
  const failures = result.got.filter((r) => r.status !== 200 || !isPdf(r.body)).length;
  const batch = await download(`${api.url}/api/classes/${world.classId}/certificates.pdf`, auth);
  return {
    measurement: measurementOf(
      result.got.map((r) => r.ms),
      result.seconds,
      failures,
      cpuMs,
    ),
    singleSeconds: result.seconds,
    batchSeconds: batch.ms / 1000,
    batchPages: batch.status === 200 ? pageCount(batch.body) : 0,
    failures: failures + (batch.status === 200 ? 0 : 1),
  };
}

/**
 * The baseline: the same template, seal and worker (PdfService's worker module and layout, the
 * same number of threads and the same font) in a pool of this process, with every page's data
 * made beforehand from the rows: no HTTP, no Nest, no database work per certificate.
 */
async function runBaseline(ds: DataSource, world: World): Promise<SideRun> {
  const env = validateEnv(process.env);
  const font = await pdfFont(env);
  if (!font) throw new Error(`no PDF font at ${env.PDF_FONT_PATH}`);
  const template = defaultTemplateSource();
  const rows = await ds
    .getRepository(Certificate)
    .find({ where: { classId: world.classId }, order: { serial: 'ASC' } });
  const pages = new Map(rows.map((c) => [c.id, certificatePage(c, 'http://127.0.0.1:40000', TZ)]));
  const pool = new Piscina({ filename: PDF_WORKER, minThreads: env.PDF_THREADS, maxThreads: env.PDF_THREADS });
  const job = (p: CertificatePdfData['pages']): PdfJob => ({
    layout: LAYOUT,
    data: { template, seal: world.seal, logo: null, pages: p } satisfies CertificatePdfData,
    options: { title: '结业证书', layout: 'landscape', margin: 0 },
    font,
  });
  const one = async (id: string) => {
    const started = performance.now();
    const r = (await pool.run(job([pages.get(id)!]))) as PdfResult;
    return { ok: 'pdf' in r && isPdf(Buffer.from(r.pdf)), ms: performance.now() - started };
  };
  try {
    await pooled(world.ids.slice(0, WARMUP), IN_FLIGHT, one);
    const cpuBefore = cpuNow();
    const started = performance.now();
    const got = await pooled(world.ids, IN_FLIGHT, one);
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpuNow() - cpuBefore;
    const failures = got.filter((r) => !r.ok).length;
    const batchStarted = performance.now();
    const batch = (await pool.run(job(rows.map((c) => pages.get(c.id)!)))) as PdfResult;
    const batchSeconds = (performance.now() - batchStarted) / 1000;
    return {
      measurement: measurementOf(
        got.map((r) => r.ms),
        seconds,
        failures,
        cpuMs,
      ),
      singleSeconds: seconds,
      batchSeconds,
      batchPages: 'pdf' in batch ? pageCount(Buffer.from(batch.pdf)) : 0,
      failures,
    };
  } finally {
    await pool.close();
  }
}

/**
 * Issuing, then downloads: a completed class of 1,000 eligible trainees gets its certificates
 * through the app (`POST /api/classes/:id/certificates/issue` on the API, the run done by a
 * real worker in this process, polled until `done`); then each of those 1,000 is downloaded as
 * its own PDF through the API (`GET /api/certificates/:id/pdf`, IN_FLIGHT at a time), then the
 * class's 1,000-page batch PDF (`GET /api/classes/:id/certificates.pdf`); the downloads against
 * rendering the same pages with the same worker, template, seal and font and no database or
 * HTTP work. Issuing has no baseline: its time and certificates/s are reported beside.
 */
export const certificates: Scenario = {
  name: 'certificates',
  description:
    'issue 1,000 certificates of one class (API + worker), then each one’s PDF one by one, then the 1,000-page batch PDF',
  baseline:
    'in this process, a piscina pool of the same worker module, layout, thread count and font, rendering the ' +
    'same default template and seal with every page’s data made beforehand from the rows (the app’s ' +
    'certificatePage): no HTTP, no Nest, no per-certificate reads (certificate, class, template with seal)',
  compare: 'throughput',
  target: { ratio: 0.7 },
  dropDatabaseAfter: true,
  async run(ctx) {
    log(`certificates: seeding a completed class of ${CERTIFICATES} trainees, ${SESSIONS} sessions attended`);
    const world = await seed(ctx.dataSource);
    log(`certificates: issuing ${CERTIFICATES} certificates (API + a worker in this process)`);
    const issue = await runIssue(ctx, world);
    const issuePerSecond = issue.run.issued / issue.seconds;
    log(
      `certificates: issued ${issue.run.issued} in ${two(issue.seconds)} s (${Math.round(issuePerSecond)}/s; ` +
        `run ${two(issue.runSeconds)} s created→finished); worker CPU ${round(issue.workerCpuMs)} ms, API ${round(issue.apiCpuMs)} ms`,
    );
    const issued = await issuedInvariants(ctx.dataSource, world, issue);
    // The downloads start on a settled database (vacuumed, analysed, checkpointed), as if seeded.
    await freshTables(ctx.dataSource, []);
    world.ids = (
      await ctx.dataSource.query<{ id: string }[]>(
        `SELECT id FROM certificates WHERE class_id = $1 AND revoked_at IS NULL ORDER BY serial`,
        [world.classId],
      )
    ).map((r) => r.id);
    if (world.ids.length === 0) throw new Error('the issuing run made no certificates to download');
    const env = validateEnv(process.env);
    const font = await pdfFont(env);
    const prepared = font?.path === preparedFontPath(env);
    log(
      `certificates: font ${font?.path ?? 'missing'}${prepared ? ' (prepared)' : ' (stock: run npm run fonts:prepare)'}`,
    );
    const out: Partial<Record<Side, SideRun>> = {};
    let sql: string[] = [];
    for (const side of ctx.order) {
      if (side === 'api') {
        const api = await startApi(ctx.databaseUrl, 'certificates');
        try {
          const traced = await api.traceSql(() =>
            download(`${api.url}/api/certificates/${world.ids[0]}/pdf`, bearer(world.adminId)),
          );
          sql = traced.statements;
          out.api = await runApi(api, world);
        } catch (e) {
          log(`certificates: the API failed; its output:\n${api.output()}`);
          throw e;
        } finally {
          await api.stop();
        }
      } else {
        out.baseline = await runBaseline(ctx.dataSource, world);
      }
    }
    const api = out.api!;
    const baseline = out.baseline!;
    const invariants: Invariant[] = issued.concat(
      (['api', 'baseline'] as Side[]).flatMap((side) => [
        {
          name: `${side}: every certificate a PDF`,
          ok: out[side]!.failures === 0,
          detail: `${out[side]!.failures} failed of ${CERTIFICATES} (+ batch)`,
        },
        {
          name: `${side}: the batch has a page per certificate`,
          ok: out[side]!.batchPages === CERTIFICATES,
          detail: `${out[side]!.batchPages} pages`,
        },
      ]),
    );
    return {
      metric: 'certificate PDFs/s (one per request)',
      connections: IN_FLIGHT,
      app: api.measurement,
      baseline: baseline.measurement,
      invariants,
      sql: { api: sql, baseline: [] },
      figures: {
        issueSeconds: two(issue.seconds),
        issueRunSeconds: two(issue.runSeconds),
        certificatesIssuedPerSecond: Math.round(issuePerSecond),
        issueWorkerCpuMsPerCertificate: round(issue.workerCpuMs / Math.max(1, issue.run.issued)),
        issueApiCpuMs: round(issue.apiCpuMs),
        font: prepared ? 'prepared OTF' : 'stock TTC',
        pdfThreads: env.PDF_THREADS,
        apiSingleSeconds: round(api.singleSeconds),
        baselineSingleSeconds: round(baseline.singleSeconds),
        apiBatchSeconds: round(api.batchSeconds),
        baselineBatchSeconds: round(baseline.batchSeconds),
        targetSingleSeconds: TARGET_SINGLE_SECONDS,
        targetBatchSeconds: TARGET_BATCH_SECONDS,
      },
      notes: [
        `issuing: POST /api/classes/:id/certificates/issue → run done in ${two(issue.seconds)} s = ` +
          `${Math.round(issuePerSecond)} certificates/s (${issue.run.issued} issued; the run ${two(issue.runSeconds)} s ` +
          `created→finished; worker in this process ${round(issue.workerCpuMs / Math.max(1, issue.run.issued))} ms CPU per ` +
          `certificate); no baseline`,
        `1,000 single PDFs: API ${round(api.singleSeconds)} s, baseline ${round(baseline.singleSeconds)} s ` +
          `(target < ${TARGET_SINGLE_SECONDS} s); 1,000-page batch: API ${round(api.batchSeconds)} s, baseline ` +
          `${round(baseline.batchSeconds)} s (target < ${TARGET_BATCH_SECONDS} s)`,
        `font: ${prepared ? 'prepared OTF (npm run fonts:prepare)' : 'stock TTC: run npm run fonts:prepare for the real figures'}; ` +
          `${env.PDF_THREADS} PDF thread(s) on each side (PDF_THREADS)`,
      ],
    };
  },
};
