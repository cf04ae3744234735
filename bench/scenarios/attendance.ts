import type { DataSource } from 'typeorm';
import { codeAt, stepOf } from '../../src/attendance/check-in-codes';
import { ClassSession } from '../../src/classes/class-session.entity';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { User } from '../../src/users/user.entity';
import { burst, type BurstRequest, percentile, round } from '../burst';
import {
  bearer,
  benchCheckInKey,
  bothSides,
  log,
  loggingInvariant,
  type Measurement,
  measured,
  sameAnswer,
  sameSql,
  type ServerProcess,
  startApi,
  startBaseline,
} from '../harness';
import type { Invariant, Scenario } from '../scenario';

const TOWNSHIPS = 100;

interface World {
  sessionId: string;
  trainerId: string;
  trainees: { id: string; enrolmentId: string }[];
}

/** A running class of `count` trainees (100 townships), and a session that started two minutes ago. */
async function seed(ds: DataSource, count: number): Promise<World> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
    const trainer = await m.getRepository(User).save({
      username: 'bench.trainer',
      passwordHash: 'x',
      displayName: 'Trainer',
      role: 'trainer' as const,
      orgUnitId: county.id,
    });
    const year = new Date().getUTCFullYear();
    const course = await m
      .getRepository(Course)
      .save({ orgUnitId: county.id, title: 'Course', level: 'beginner' as const, hours: 27, topics: [] });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year, title: 'Plan' });
    const c = await m.getRepository(TrainingClass).save({
      planId: plan.id,
      courseId: course.id,
      title: 'Bench class',
      quarter: 4,
      startDate: `${year}-01-01`,
      endDate: `${year}-12-31`,
      capacity: 1000,
      maxPerTownship: 10,
      minPerTownship: 3,
      enrolmentOpensAt: new Date(Date.now() - 2 * 86_400_000),
      enrolmentClosesAt: new Date(Date.now() - 86_400_000),
      status: 'running' as const,
    });
    await m.getRepository(ClassTrainer).insert({ classId: c.id, trainerId: trainer.id });
    const session = await m.getRepository(ClassSession).save({
      classId: c.id,
      startsAt: new Date(Date.now() - 2 * 60_000),
      endsAt: new Date(Date.now() + 120 * 60_000),
      trainerId: trainer.id,
      venueId: null,
      topic: null,
      status: 'scheduled' as const,
    });
    const trainees: World['trainees'] = [];
    const perTownship = Math.ceil(count / TOWNSHIPS);
    for (let k = 0; k < TOWNSHIPS && trainees.length < count; k++) {
      const township = await m
        .getRepository(OrgUnit)
        .save({ ...placeUnder(county), kind: 'township' as const, name: `Township ${k}`, code: null });
      const n = Math.min(perTownship, count - trainees.length);
      const users = await m.getRepository(User).save(
        Array.from({ length: n }, (_, j) => ({
          username: `bench.t${k}.${j}`,
          passwordHash: 'x',
          displayName: `学员${k}.${j}`,
          role: 'trainee' as const,
          orgUnitId: township.id,
        })),
      );
      const rows = await m.query<{ id: string; trainee_id: string }[]>(
        `INSERT INTO enrolments (class_id, trainee_id, township_id, status, enrolled_by, confirmed_at)
         SELECT $1, u, $2, 'confirmed', u, now() FROM unnest($3::uuid[]) AS u
         RETURNING id, trainee_id`,
        [c.id, township.id, users.map((u) => u.id)],
      );
      for (const r of rows) trainees.push({ id: r.trainee_id, enrolmentId: r.id });
    }
    return { sessionId: session.id, trainerId: trainer.id, trainees };
  });
}

/**
 * Sends one request after another (a trainer saving the roster), `warmup` unmeasured
 * first, then for about `seconds` (at least 5 requests): time per request.
 */
async function sequential(
  send: (i: number) => Promise<number>,
  seconds: number,
  warmup: number,
  first = 0,
): Promise<{ measurement: Measurement; statuses: number[] }> {
  for (let i = first; i < first + warmup; i++) await send(i);
  const latencies: number[] = [];
  const statuses: number[] = [];
  const started = performance.now();
  for (let i = first + warmup; latencies.length < 5 || performance.now() - started < seconds * 1000; i++) {
    const t0 = performance.now();
    statuses.push(await send(i));
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    statuses,
    measurement: {
      rps: latencies.length / elapsed,
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1]),
      requests: latencies.length,
      durationSeconds: elapsed,
      non2xx: statuses.filter((s) => s !== 200).length,
      errors: 0,
      timeouts: 0,
      mismatches: 0,
      // Filled in by `measured`, which knows the server.
      cpuMsPerRequest: 0,
    },
  };
}

async function counts(ds: DataSource): Promise<{ records: number; changes: number; attended: number }> {
  const [row] = await ds.query<{ records: number; changes: number; attended: number }[]>(
    `SELECT (SELECT count(*)::int FROM attendance_records) AS records,
            (SELECT count(*)::int FROM attendance_changes) AS changes,
            (SELECT count(*)::int FROM attendance_records WHERE status IN ('present', 'late')) AS attended`,
  );
  return row;
}

const BULK_SIZE = 1000;
/** Saves before the measured ones: the first is the traced probe. */
const BULK_WARMUP = 2;
const ATTENDANCE_TABLES = ['attendance_records', 'attendance_changes'];

async function send(url: string, init: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: await res.text() };
}

/**
 * A trainer saving a 1,000-trainee roster in one PUT, over and over, each time flipping
 * every record (present <-> late) so every save writes 1,000 records and 1,000 audit rows,
 * and answering the session's attendance as the API does.
 */
export const attendanceBulk: Scenario = {
  name: 'attendance-bulk',
  description: 'PUT /api/sessions/:id/attendance with 1,000 records, one save after another',
  baseline:
    'bare Fastify + pg (pool of 20), the same statements as the API: the caller’s AUTH_ROW_SQL; in one ' +
    'transaction the session locked FOR UPDATE, its class with scope and trainers, the seated enrolments ' +
    'locked FOR SHARE, WRITE_ATTENDANCE_SQL (imported from the app); then the answer’s reads (session, class, ' +
    'trainers, seated, records) and the same 1,000-entry JSON answer; the same access, window and enrolment ' +
    'checks; request logs as the API; no JWT verification, Nest or validation of the 1,000 records',
  compare: 'throughput',
  async run(ctx) {
    const world = await seed(ctx.dataSource, BULK_SIZE);
    const body = (i: number) =>
      JSON.stringify({
        records: world.trainees.map((t) => ({ enrolmentId: t.enrolmentId, status: i % 2 ? 'late' : 'present' })),
      });
    const saveAll = async (server: ServerProcess, url: string, headers: Record<string, string>) => {
      const save = (i: number) => send(url, { method: 'PUT', headers, body: body(i) });
      const probe = await server.traceSql(() => save(0));
      log(`${server.name}: saving ${BULK_SIZE} records per request for ${ctx.durationSeconds} s`);
      const run = await measured(server, `attendance-bulk-${server.name}`, () =>
        sequential(async (i) => (await save(i)).status, ctx.durationSeconds, BULK_WARMUP - 1, 1),
      );
      await server.stop();
      const c = await counts(ctx.dataSource);
      const saves = run.statuses.length + BULK_WARMUP;
      const label = server.name;
      const invariants: Invariant[] = [
        {
          name: `${label}: every save answered 200`,
          ok: probe.result.status === 200 && run.statuses.every((s) => s === 200),
          detail: `${saves} saves`,
        },
        { name: `${label}: one record per trainee`, ok: c.records === BULK_SIZE, detail: `${c.records} records` },
        {
          name: `${label}: every save audited every record`,
          ok: c.changes === saves * BULK_SIZE,
          detail: `${c.changes} audit rows for ${saves} saves`,
        },
        await loggingInvariant(server, saves),
      ];
      return { probe, run, invariants };
    };

    const { api, baseline } = await bothSides(ctx.dataSource, ctx.order, ATTENDANCE_TABLES, {
      api: async () => {
        const server = await startApi(ctx.databaseUrl, 'attendance-bulk');
        return saveAll(server, `${server.url}/api/sessions/${world.sessionId}/attendance`, {
          authorization: bearer(world.trainerId),
          'content-type': 'application/json',
        });
      },
      baseline: async () => {
        const server = await startBaseline(ctx.databaseUrl, 'attendance-bulk');
        return saveAll(server, `${server.url}/attendance/${world.sessionId}?as=${world.trainerId}`, {
          'content-type': 'application/json',
        });
      },
    });

    return {
      metric: 'saves of a 1,000-record roster per second (latency: ms per save)',
      connections: 1,
      app: api.run.measurement,
      baseline: baseline.run.measurement,
      sql: { api: api.probe.statements, baseline: baseline.probe.statements },
      invariants: [
        sameSql('probe (first save)', api.probe.statements, baseline.probe.statements),
        sameAnswer('probe (first save)', api.probe.result.body, baseline.probe.result.body, false),
        ...api.invariants,
        ...baseline.invariants,
      ],
    };
  },
};

const CHECK_INS = 500;
const SPREAD_SECONDS = 10;
/** Check-ins sent one by one before each measured burst (then removed), so neither side is measured cold; the first is the probe. */
const WARMUP = 20;

/**
 * 500 trainees checking in with the code of the moment, arriving evenly over 10 s, each
 * with its own token. The arrival rate paces both sides, so only latencies compare.
 */
export const checkInBurst: Scenario = {
  name: 'check-in-burst',
  description: '500 POST /api/sessions/:id/check-in arriving evenly over 10 s, after 20 warm-up check-ins',
  baseline:
    'bare Fastify + pg (pool of 20) + the app’s CheckInThrottleService on Redis, the same statements and steps ' +
    'as the API: the caller’s AUTH_ROW_SQL, the session with its class, scope and trainers, the seat, the window, ' +
    'the wrong-code reservation and refund in Redis, the HMAC code check (the app’s verifyCode); in one ' +
    'transaction the session locked FOR UPDATE, class, trainers, window, the seat FOR SHARE, the record, ' +
    'WRITE_ATTENDANCE_SQL (imported from the app); then the answer’s two reads and the same JSON answer; ' +
    'request logs as the API; no JWT verification, Nest or validation',
  compare: 'latency',
  async run(ctx) {
    const world = await seed(ctx.dataSource, CHECK_INS + WARMUP);
    const warmers = world.trainees.slice(0, WARMUP);
    const trainees = world.trainees.slice(WARMUP);
    const key = benchCheckInKey();
    const openWindow = async () => {
      const [w] = await ctx.dataSource.query<{ opened_at: Date }[]>(
        `INSERT INTO check_in_windows (session_id, opened_by, opened_at, closes_at)
         VALUES ($1, $2, now(), now() + interval '30 minutes')
         ON CONFLICT (session_id) DO UPDATE SET opened_at = now(), closes_at = now() + interval '30 minutes'
         RETURNING opened_at`,
        [world.sessionId, world.trainerId],
      );
      // Accepted for this step and the two after it: longer than the burst.
      return codeAt(key, { sessionId: world.sessionId, openedAt: w.opened_at }, stepOf(new Date()));
    };
    const checkInAll = async (server: ServerProcess, request: (t: { id: string }, code: string) => BurstRequest) => {
      const code = await openWindow();
      const one = (t: { id: string }) => {
        const r = request(t, code);
        return send(r.url, r);
      };
      const probe = await server.traceSql(() => one(warmers[0]));
      for (const t of warmers.slice(1)) await one(t);
      await ctx.dataSource.query(`TRUNCATE ${ATTENDANCE_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
      log(`${server.name}: ${CHECK_INS} check-ins over ${SPREAD_SECONDS} s`);
      const run = await measured(server, `check-in-burst-${server.name}`, () =>
        burst(
          trainees.map((t) => request(t, code)),
          undefined,
          SPREAD_SECONDS * 1000,
        ),
      );
      await server.stop();
      const c = await counts(ctx.dataSource);
      const ok = run.statuses.filter((s) => s === 200).length;
      const label = server.name;
      const invariants: Invariant[] = [
        { name: `${label}: every check-in answered 200`, ok: ok === CHECK_INS, detail: `${ok} of ${CHECK_INS}` },
        {
          name: `${label}: one present record and one audit row each`,
          ok: c.records === CHECK_INS && c.attended === CHECK_INS && c.changes === CHECK_INS,
          detail: `${c.records} records, ${c.attended} present or late, ${c.changes} audit rows`,
        },
        await loggingInvariant(server, WARMUP + CHECK_INS),
      ];
      return { probe, run, invariants };
    };

    const { api, baseline } = await bothSides(ctx.dataSource, ctx.order, ATTENDANCE_TABLES, {
      api: async () => {
        const server = await startApi(ctx.databaseUrl, 'check-in-burst');
        return checkInAll(server, (t, code) => ({
          url: `${server.url}/api/sessions/${world.sessionId}/check-in`,
          method: 'POST' as const,
          headers: { authorization: bearer(t.id), 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        }));
      },
      baseline: async () => {
        const server = await startBaseline(ctx.databaseUrl, 'check-in-burst');
        return checkInAll(server, (t, code) => ({
          url: `${server.url}/check-in/${world.sessionId}?as=${t.id}`,
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        }));
      },
    });

    return {
      metric: `${CHECK_INS} check-ins arriving over ${SPREAD_SECONDS} s (latency per check-in)`,
      connections: CHECK_INS,
      app: api.run.measurement,
      baseline: baseline.run.measurement,
      sql: { api: api.probe.statements, baseline: baseline.probe.statements },
      invariants: [
        {
          name: 'probe: both sides answered 200',
          ok: api.probe.result.status === 200 && baseline.probe.result.status === 200,
          detail: `api ${api.probe.result.status}, baseline ${baseline.probe.result.status}`,
        },
        sameSql('probe (first warm-up check-in)', api.probe.statements, baseline.probe.statements),
        sameAnswer('probe (first warm-up check-in)', api.probe.result.body, baseline.probe.result.body, false),
        ...api.invariants,
        ...baseline.invariants,
      ],
    };
  },
};
