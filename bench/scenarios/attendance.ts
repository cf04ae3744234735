import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { codeAt, stepOf } from '../../src/attendance/check-in-codes';
import { ClassSession } from '../../src/classes/class-session.entity';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { checkInKey, jwtSecret, validateEnv } from '../../src/config/env';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { User } from '../../src/users/user.entity';
import { burst } from '../burst';
import { log, type Measurement, startApi, startBaseline } from '../harness';
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

const secret = () => jwtSecret(validateEnv({ NODE_ENV: 'development' }));
const tokenFor = (userId: string) =>
  `Bearer ${jwt.sign({ sub: userId, ver: 0 }, secret(), { algorithm: 'HS256', expiresIn: 600 })}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Sends one request after another (a trainer saving the roster), `warmup` unmeasured
 * first, then for about `seconds` (at least 5 requests): time per request.
 */
async function sequential(
  send: (i: number) => Promise<number>,
  seconds: number,
  warmup = 2,
): Promise<{ measurement: Measurement; statuses: number[] }> {
  for (let i = 0; i < warmup; i++) await send(i);
  const latencies: number[] = [];
  const statuses: number[] = [];
  const started = performance.now();
  for (let i = warmup; latencies.length < 5 || performance.now() - started < seconds * 1000; i++) {
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
      p50: Math.round(percentile(sorted, 50)),
      p90: Math.round(percentile(sorted, 90)),
      p99: Math.round(percentile(sorted, 99)),
      max: Math.round(sorted[sorted.length - 1]),
      requests: latencies.length,
      durationSeconds: elapsed,
      non2xx: statuses.filter((s) => s !== 200).length,
      errors: 0,
      timeouts: 0,
      mismatches: 0,
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

/**
 * A trainer saving a 1,000-trainee roster in one PUT, over and over, each time flipping
 * every record (present <-> late) so every save writes 1,000 records and 1,000 audit rows.
 * Baseline: the same SQL (lock the session, check the enrolments, the same upsert and
 * audit statement) on bare Fastify + pg, without validation, auth or the answer's view.
 */
export const attendanceBulk: Scenario = {
  name: 'attendance-bulk',
  description:
    'PUT /api/sessions/:id/attendance with 1,000 records, one after another, vs the same SQL on bare Fastify + pg',
  async run(ctx) {
    const world = await seed(ctx.dataSource, BULK_SIZE);
    const body = (i: number) =>
      JSON.stringify({
        records: world.trainees.map((t) => ({ enrolmentId: t.enrolmentId, status: i % 2 ? 'late' : 'present' })),
      });
    const invariants: Invariant[] = [];
    const check = async (label: string, statuses: number[], requests: number) => {
      const c = await counts(ctx.dataSource);
      invariants.push(
        {
          name: `${label}: every save answered 200`,
          ok: statuses.every((s) => s === 200),
          detail: `${statuses.length} saves`,
        },
        { name: `${label}: one record per trainee`, ok: c.records === BULK_SIZE, detail: `${c.records} records` },
        {
          name: `${label}: every save audited every record`,
          ok: c.changes === requests * BULK_SIZE,
          detail: `${c.changes} audit rows for ${requests} saves`,
        },
      );
    };

    const api = await startApi(ctx.databaseUrl);
    const auth = tokenFor(world.trainerId);
    log(`api: saving ${BULK_SIZE} records per request for ${ctx.durationSeconds} s`);
    const send = (url: string, headers: Record<string, string>) => async (i: number) => {
      const res = await fetch(url, { method: 'PUT', headers, body: body(i), signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      return res.status;
    };
    const appRun = await sequential(
      send(`${api.url}/api/sessions/${world.sessionId}/attendance`, {
        authorization: auth,
        'content-type': 'application/json',
      }),
      ctx.durationSeconds,
    );
    await api.stop();
    await check('api', appRun.statuses, appRun.statuses.length + 2);

    await ctx.dataSource.query('DELETE FROM attendance_changes');
    await ctx.dataSource.query('DELETE FROM attendance_records');
    const baseline = await startBaseline(ctx.databaseUrl);
    log(`baseline: the same saves`);
    const baseRun = await sequential(
      send(`${baseline.url}/attendance/${world.sessionId}?by=${world.trainerId}`, {
        'content-type': 'application/json',
      }),
      ctx.durationSeconds,
    );
    await baseline.stop();
    await check('baseline', baseRun.statuses, baseRun.statuses.length + 2);

    return {
      metric: 'saves of a 1,000-record roster per second (p50/p99: ms per save)',
      connections: 1,
      app: appRun.measurement,
      baseline: baseRun.measurement,
      invariants,
    };
  },
};

const CHECK_INS = 500;
const SPREAD_SECONDS = 10;
/** Check-ins sent one by one before each measured burst (then removed), so neither side is measured cold. */
const WARMUP = 20;

/**
 * 500 trainees checking in with the code of the moment, arriving evenly over 10 s, each
 * with its own token. Baseline: the same steps on bare Fastify + pg (find the seat and
 * the window, verify the HMAC code, lock the session, write the record and its audit row),
 * without auth, validation or the Redis attempt limit.
 */
export const checkInBurst: Scenario = {
  name: 'check-in-burst',
  description: '500 POST /api/sessions/:id/check-in over 10 s (p50/p99) vs the same steps on bare Fastify + pg',
  async run(ctx) {
    const world = await seed(ctx.dataSource, CHECK_INS + WARMUP);
    const warmers = world.trainees.slice(0, WARMUP);
    const trainees = world.trainees.slice(WARMUP);
    const key = checkInKey(validateEnv({ NODE_ENV: 'development' }));
    const openWindow = async () => {
      const [w] = await ctx.dataSource.query<{ opened_at: Date }[]>(
        `INSERT INTO check_in_windows (session_id, opened_by, opened_at, closes_at)
         VALUES ($1, $2, now(), now() + interval '30 minutes')
         ON CONFLICT (session_id) DO UPDATE SET opened_at = now(), closes_at = now() + interval '30 minutes'
         RETURNING opened_at`,
        [world.sessionId, world.trainerId],
      );
      // Valid for this step and the next: longer than the burst.
      return codeAt(key, { sessionId: world.sessionId, openedAt: w.opened_at }, stepOf(new Date()));
    };
    const warmUp = async (send: (t: World['trainees'][number]) => Promise<Response>) => {
      for (const t of warmers) await (await send(t)).arrayBuffer();
      await ctx.dataSource.query('DELETE FROM attendance_changes');
      await ctx.dataSource.query('DELETE FROM attendance_records');
    };
    const invariants: Invariant[] = [];
    const check = async (label: string, statuses: number[]) => {
      const c = await counts(ctx.dataSource);
      const ok = statuses.filter((s) => s === 200).length;
      invariants.push(
        { name: `${label}: every check-in answered 200`, ok: ok === CHECK_INS, detail: `${ok} of ${CHECK_INS}` },
        {
          name: `${label}: one present record and one audit row each`,
          ok: c.records === CHECK_INS && c.attended === CHECK_INS && c.changes === CHECK_INS,
          detail: `${c.records} records, ${c.attended} present or late, ${c.changes} audit rows`,
        },
      );
    };

    const api = await startApi(ctx.databaseUrl);
    const code = await openWindow();
    const apiCheckIn = (t: { id: string }) => ({
      url: `${api.url}/api/sessions/${world.sessionId}/check-in`,
      method: 'POST' as const,
      headers: { authorization: tokenFor(t.id), 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    await warmUp((t) => fetch(apiCheckIn(t).url, apiCheckIn(t)));
    log(`api: ${CHECK_INS} check-ins over ${SPREAD_SECONDS} s`);
    const appRun = await burst(trainees.map(apiCheckIn), undefined, SPREAD_SECONDS * 1000);
    await api.stop();
    await check('api', appRun.statuses);

    await ctx.dataSource.query('DELETE FROM attendance_changes');
    await ctx.dataSource.query('DELETE FROM attendance_records');
    const baseline = await startBaseline(ctx.databaseUrl);
    const baseCode = await openWindow();
    const baseCheckIn = (t: { id: string }) => ({
      url: `${baseline.url}/check-in/${world.sessionId}`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ traineeId: t.id, code: baseCode }),
    });
    await warmUp((t) => fetch(baseCheckIn(t).url, baseCheckIn(t)));
    log(`baseline: the same check-ins`);
    const baseRun = await burst(trainees.map(baseCheckIn), undefined, SPREAD_SECONDS * 1000);
    await baseline.stop();
    await check('baseline', baseRun.statuses);
    return {
      metric: `${CHECK_INS} check-ins arriving over ${SPREAD_SECONDS} s (req/s; p50/p99 ms per check-in)`,
      connections: CHECK_INS,
      app: appRun.measurement,
      baseline: baseRun.measurement,
      invariants,
    };
  },
};
