import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Job, type JobsOptions, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { ClassSession } from '../../src/classes/class-session.entity';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { bullConnection, bullPrefix } from '../../src/common/queue/queue-connection';
import { QUEUES } from '../../src/common/queue/queues';
import { type Env, reminderOffsetsMs, validateEnv } from '../../src/config/env';
import { Course } from '../../src/courses/course.entity';
import { Enrolment } from '../../src/enrolments/enrolment.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { ReminderJobs, type SessionReminderPayload, sessionReminderJobId } from '../../src/reminders/reminders.jobs';
import { SessionRemindersService } from '../../src/reminders/session-reminders.service';
import { User } from '../../src/users/user.entity';
import { Venue } from '../../src/venues/venue.entity';
import { createWorker, type WorkerApp } from '../../src/worker';
import { round } from '../burst';
import { bothSides, log, logLevel, type Measurement, RESULTS_DIR } from '../harness';
import type { Invariant, Scenario } from '../scenario';

const TOWNSHIPS = 100;
const TRAINEES = 10_000;
const CLASSES = 100;
const PER_CLASS = TRAINEES / CLASSES;
const SESSIONS_PER_CLASS = 10;
const SESSIONS = CLASSES * SESSIONS_PER_CLASS;
/** Rounds of "time to schedule" per side, after one warm-up round each; the median is reported. */
const SCHEDULE_ROUNDS = 5;
const DAY_MS = 86_400_000;
const DAY_S = 86_400;
const DELIVERY_TIMEOUT_MS = 240_000;

/** The statement each baseline job sends: one inbox row, as `NotificationsService.notify` writes it. */
const BASELINE_INSERT_SQL = `INSERT INTO notifications (user_id, channel, template, payload, dedup_key, about_id, status, sent_at)
     VALUES ($1, 'inbox', $2, $3, $4, $5, 'sent', now())
     ON CONFLICT (dedup_key) DO NOTHING`;

interface SeededSession {
  id: string;
  classId: string;
  trainerId: string;
  /** Trainees of the class, all confirmed. */
  trainees: string[];
  payload: Record<string, unknown>;
}

interface World {
  sessions: SeededSession[];
}

/**
 * How many sessions the delivery measurement reminds (BENCH_REMINDER_SESSIONS, default all
 * 1,000): 101 messages each, and the baseline adds and runs one job per message.
 */
function deliverySessions(raw = process.env.BENCH_REMINDER_SESSIONS): number {
  if (raw === undefined || raw.trim() === '') return SESSIONS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > SESSIONS || n % SESSIONS_PER_CLASS !== 0) {
    throw new Error(`BENCH_REMINDER_SESSIONS must be a multiple of 10 from 10 to ${SESSIONS} (got "${raw}")`);
  }
  return n;
}

/**
 * A county of 100 townships; 10,000 active trainees (no phone or e-mail: inbox only);
 * 100 open classes of 100 confirmed trainees, each with its own trainer and venue and 10
 * sessions on 10 different days from the day after tomorrow.
 */
async function seed(ds: DataSource): Promise<World> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
    const townships = await m.getRepository(OrgUnit).save(
      Array.from({ length: TOWNSHIPS }, (_, k) => ({
        ...placeUnder(county),
        kind: 'township' as const,
        name: `Township ${k}`,
        code: null,
      })),
    );
    const trainers = await m.getRepository(User).save(
      Array.from({ length: CLASSES }, (_, i) => ({
        username: `bench.trainer${i}`,
        passwordHash: 'x',
        displayName: `Trainer ${i}`,
        role: 'trainer' as const,
        orgUnitId: county.id,
      })),
    );
    const trainees: { id: string; townshipId: string }[] = [];
    for (let from = 0; from < TRAINEES; from += 1000) {
      const rows = Array.from({ length: 1000 }, (_, j) => ({
        username: `bench.t${from + j}`,
        passwordHash: 'x',
        displayName: `Trainee ${from + j}`,
        role: 'trainee' as const,
        orgUnitId: townships[(from + j) % TOWNSHIPS].id,
      }));
      const ids = (await m.getRepository(User).insert(rows)).identifiers as { id: string }[];
      ids.forEach((r, j) => trainees.push({ id: r.id, townshipId: rows[j].orgUnitId }));
    }
    const now = new Date();
    const year = now.getUTCFullYear();
    const course = await m
      .getRepository(Course)
      .save({ orgUnitId: county.id, title: 'Bench course', level: 'beginner' as const, hours: 27, topics: [] });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year, title: 'Bench plan' });
    const venues = await m
      .getRepository(Venue)
      .save(Array.from({ length: CLASSES }, (_, i) => ({ orgUnitId: county.id, name: `Room ${i}` })));
    const centre = county.name;
    const sessions: SeededSession[] = [];
    for (let i = 0; i < CLASSES; i++) {
      const c = await m.getRepository(TrainingClass).save({
        planId: plan.id,
        courseId: course.id,
        title: `Class ${i}`,
        quarter: Math.floor(now.getUTCMonth() / 3) + 1,
        startDate: now.toISOString().slice(0, 10),
        endDate: new Date(now.getTime() + 20 * DAY_MS).toISOString().slice(0, 10),
        capacity: PER_CLASS,
        maxPerTownship: PER_CLASS,
        minPerTownship: 0,
        // Closed for enrolment already: no enrolment-gap notices are planned.
        enrolmentOpensAt: new Date(now.getTime() - 10 * DAY_MS),
        enrolmentClosesAt: new Date(now.getTime() - DAY_MS),
        status: 'open' as const,
      });
      await m.getRepository(ClassTrainer).insert({ classId: c.id, trainerId: trainers[i].id });
      const seated = trainees.slice(i * PER_CLASS, (i + 1) * PER_CLASS);
      await m.getRepository(Enrolment).insert(
        seated.map((t) => ({
          classId: c.id,
          traineeId: t.id,
          townshipId: t.townshipId,
          status: 'confirmed' as const,
          waitlistPosition: null,
          enrolledBy: t.id,
          confirmedAt: now,
        })),
      );
      const rows = Array.from({ length: SESSIONS_PER_CLASS }, (_, j) => {
        const startsAt = new Date(Date.UTC(year, now.getUTCMonth(), now.getUTCDate() + 2 + j, 1, 0));
        return {
          classId: c.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
          trainerId: trainers[i].id,
          venueId: venues[i].id,
          topic: `Topic ${j}`,
        };
      });
      const ids = (await m.getRepository(ClassSession).insert(rows)).identifiers as { id: string }[];
      ids.forEach((r, j) =>
        sessions.push({
          id: r.id,
          classId: c.id,
          trainerId: trainers[i].id,
          trainees: seated.map((t) => t.id),
          // What the app's reminder says (class, time, place, trainer, topic, centre): the baseline writes the same.
          payload: {
            centre,
            classId: c.id,
            classTitle: c.title,
            sessionId: r.id,
            startsAt: rows[j].startsAt.toISOString(),
            endsAt: rows[j].endsAt.toISOString(),
            venue: venues[i].name,
            trainer: trainers[i].displayName,
            topic: rows[j].topic,
          },
        }),
      );
    }
    return { sessions };
  });
}

/** The statements sent through pg (TypeORM and a bare pool alike) while `work` runs, in this process. */
async function traceSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  type Query = (this: Client, config: unknown, ...rest: unknown[]) => unknown;
  const proto = Client.prototype as unknown as { query: Query };
  const original = proto.query;
  const statements: string[] = [];
  proto.query = function traced(this: Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    statements.push(typeof text === 'string' ? text : '<not a text query>');
    return original.call(this, config, ...rest);
  };
  try {
    return { result: await work(), statements };
  } finally {
    proto.query = original;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the notifications table holds `expected` inbox rows; answers when it did (performance.now()). */
async function untilRows(ds: DataSource, expected: number, startedAt: number): Promise<number> {
  for (;;) {
    const [{ n }] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM notifications WHERE channel = 'inbox'`,
    );
    const at = performance.now();
    if (n >= expected) return at;
    if (at - startedAt > DELIVERY_TIMEOUT_MS) {
      throw new Error(`only ${n} of ${expected} inbox rows after ${DELIVERY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(25);
  }
}

/** Job options the app's queues use (queue.module.ts), so baseline jobs are stored the same way. */
function appJobOptions(env: Env): JobsOptions {
  return {
    attempts: env.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: env.JOB_BACKOFF_MS },
    removeOnComplete: { age: 7 * DAY_S, count: 50_000 },
    removeOnFail: { age: 30 * DAY_S },
  };
}

/** Deletes every Redis key under the run's prefix. */
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

/** A baseline delivery job: one message to one person. */
interface BaselineJob extends SessionReminderPayload {
  userId: string;
}

interface DeliveryRun {
  measurement: Measurement;
  /** Jobs added and run. */
  jobs: number;
  rows: number;
  failed: number;
}

/** CPU time of this process (µs → ms): the worker and the baseline both run here. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function measurementOf(rows: number, seconds: number, cpu: number): Measurement {
  return {
    rps: rows / seconds,
    // Latency has no meaning per message here (a reminder job writes 101 at once): not reported.
    p50: 0,
    p90: 0,
    p95: 0,
    p99: 0,
    max: 0,
    requests: rows,
    durationSeconds: seconds,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    cpuMsPerRequest: cpu / Math.max(1, rows),
  };
}

/**
 * Session reminders for 10,000 trainees over 1,000 sessions, through the real worker
 * (`createWorker`, in this process) against bare BullMQ in the same process:
 *
 * 1. Time to schedule: `SessionRemindersService.plan()` of all 1,000 sessions at the default
 *    offsets (2,000 delayed jobs) against one `addBulk` of the same 2,000 jobs on a queue of
 *    its own; 5 rounds each, sides alternating, median reported.
 * 2. Delivery: the sessions moved to the next 10–100 minutes, so each has one reminder due
 *    at once (the 2-hour one), planned with delay 0 and run by the worker until every
 *    inbox row is written; against bare BullMQ adding and running one job per message, each
 *    the same single INSERT through a pg pool of the app's size, with the same concurrency.
 */
export const reminders: Scenario = {
  name: 'reminders',
  description:
    'session reminders, 10,000 trainees over 1,000 sessions: time to schedule 2,000 jobs, inbox messages/s through the worker',
  baseline:
    'in this process, bare BullMQ on a queue of its own with the app’s job options: to schedule, one addBulk of ' +
    'the same 2,000 delayed jobs (same ids and payloads); to deliver, one job per message added in bulk and ' +
    'run by one Worker of WORKER_CONCURRENCY, each job one INSERT of one inbox row (unique dedup key, the same ' +
    'payload) through a pg pool of DATABASE_POOL_SIZE; no Nest, no session lock or re-checks, no recipient query',
  compare: 'throughput',
  target: { ratio: 0.5 },
  dropDatabaseAfter: true,
  async run(ctx) {
    const env = validateEnv({
      NODE_ENV: 'production',
      DATABASE_URL: ctx.databaseUrl,
      REDIS_URL: process.env.BENCH_REDIS_URL?.trim() || process.env.REDIS_URL?.trim() || undefined,
      REDIS_PREFIX: `lms-bench-${randomBytes(4).toString('hex')}:`,
      QUIET_HOURS: '',
      LOG_LEVEL: logLevel(),
      // Default offsets (1440,120); no reconciler run during the measurements (it runs once at start-up).
      RECONCILE_INTERVAL_SECONDS: String(DAY_S),
    });
    const offsets = reminderOffsetsMs(env);
    const toDeliver = deliverySessions();
    log(`reminders: seeding ${TRAINEES} trainees, ${CLASSES} classes, ${SESSIONS} sessions`);
    const world = await seed(ctx.dataSource);
    const connection = bullConnection(env, 'worker');
    const prefix = bullPrefix(env);
    mkdirSync(path.join(RESULTS_DIR, 'logs'), { recursive: true });
    const logFile = path.join(RESULTS_DIR, 'logs', 'reminders-worker.log');

    let worker: WorkerApp | undefined;
    const baselineQueues: Queue[] = [];
    const invariants: Invariant[] = [];
    try {
      worker = await createWorker(env, {
        logDestination: pino.destination({ dest: logFile, sync: false, append: false }),
      });
      const service = worker.context.get(SessionRemindersService);
      const remindersQueue = new Queue(QUEUES.reminders, { connection, prefix });
      const maintenanceQueue = new Queue(QUEUES.maintenance, { connection, prefix });
      baselineQueues.push(remindersQueue, maintenanceQueue);
      // The reconciler's first scheduled run comes at once: let it finish before measuring.
      for (let i = 0; i < 200; i++) {
        const c = await maintenanceQueue.getJobCounts('waiting', 'active', 'completed');
        if (c.waiting + c.active === 0 && c.completed > 0) break;
        await sleep(50);
      }

      // 1. Time to schedule.
      const scheduleQueue = new Queue('bench-schedule-baseline', {
        connection,
        prefix,
        defaultJobOptions: appJobOptions(env),
      });
      baselineQueues.push(scheduleQueue);
      const far = world.sessions.map((s) => ({ sessionId: s.id, startsAt: new Date(s.payload.startsAt as string) }));
      const shifted = (r: number) => far.map((s) => ({ ...s, startsAt: new Date(s.startsAt.getTime() + r * 60_000) }));
      const scheduleTimes = { api: [] as number[], baseline: [] as number[] };
      const delayedBefore = (await remindersQueue.getJobCounts('delayed')).delayed;
      let planned = 0;
      log(
        `reminders: time to schedule ${SESSIONS * offsets.length} jobs, ${SCHEDULE_ROUNDS} rounds a side after a warm-up`,
      );
      for (let r = 1; r <= SCHEDULE_ROUNDS + 1; r++) {
        const sessions = shifted(r);
        const sides = r % 2 ? ctx.order : [...ctx.order].reverse();
        for (const side of sides) {
          const t0 = performance.now();
          if (side === 'api') {
            planned += await service.plan(sessions);
          } else {
            const now = Date.now();
            await scheduleQueue.addBulk(
              sessions.flatMap(({ sessionId, startsAt }) =>
                offsets.map((offsetMs) => ({
                  name: ReminderJobs.sessionReminder,
                  data: { sessionId, offsetMs, startsAt: startsAt.toISOString() } satisfies SessionReminderPayload,
                  opts: {
                    jobId: sessionReminderJobId(sessionId, offsetMs, startsAt),
                    delay: startsAt.getTime() - offsetMs - now,
                  },
                })),
              ),
            );
          }
          if (r > 1) scheduleTimes[side].push(performance.now() - t0);
        }
      }
      const delayedAfter = {
        api: (await remindersQueue.getJobCounts('delayed')).delayed - delayedBefore,
        baseline: (await scheduleQueue.getJobCounts('delayed')).delayed,
      };
      const expectedScheduled = (SCHEDULE_ROUNDS + 1) * SESSIONS * offsets.length;
      invariants.push({
        name: 'schedule: every job planned is in Redis, delayed, on both sides',
        ok:
          planned === expectedScheduled &&
          delayedAfter.api === expectedScheduled &&
          delayedAfter.baseline === expectedScheduled,
        detail: `planned ${planned}; delayed: api ${delayedAfter.api}, baseline ${delayedAfter.baseline}, of ${expectedScheduled}`,
      });
      const scheduleMs = { api: median(scheduleTimes.api), baseline: median(scheduleTimes.baseline) };
      await scheduleQueue.obliterate({ force: true });

      // 2. Delivery: sessions in the next 10–100 minutes, one reminder each due now.
      const soon = Date.now() + 10 * 60_000;
      const near = world.sessions.map((s, k) => {
        const startsAt = new Date(soon + (k % SESSIONS_PER_CLASS) * 10 * 60_000);
        const endsAt = new Date(startsAt.getTime() + 5 * 60_000);
        const payload = { ...s.payload, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
        return { ...s, startsAt, payload };
      });
      await ctx.dataSource.query(
        `UPDATE sessions s SET starts_at = v.starts_at, ends_at = v.starts_at + interval '5 minutes'
           FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, starts_at) WHERE s.id = v.id`,
        [near.map((s) => s.id), near.map((s) => s.startsAt.toISOString())],
      );
      const dueOffset = offsets[offsets.length - 1];
      const chosen = near.slice(0, toDeliver);
      const perSession = PER_CLASS + 1;
      const messages = chosen.length * perSession;

      // One probe reminder on each side, for the statements each sends (the one session's rows are truncated below).
      const probeSession = near[near.length - 1];
      const apiProbe = await traceSql(() =>
        service.send({
          sessionId: probeSession.id,
          offsetMs: dueOffset,
          startsAt: probeSession.startsAt.toISOString(),
        }),
      );
      invariants.push({
        name: 'probe: a due reminder writes one inbox row per confirmed trainee and the trainer',
        ok: apiProbe.result === perSession,
        detail: `${apiProbe.result} rows of ${perSession}`,
      });

      const pool = new Pool({ connectionString: ctx.databaseUrl, max: env.DATABASE_POOL_SIZE });
      // The same payload as the app writes, made once per session (the app reads it from the database per job).
      const payloads = new Map(near.map((s) => [s.id, JSON.stringify(s.payload)]));
      const insertOne = (d: BaselineJob) =>
        pool.query(BASELINE_INSERT_SQL, [
          d.userId,
          'session-reminder',
          payloads.get(d.sessionId),
          `session-reminder:${d.sessionId}:${d.offsetMs}:${new Date(d.startsAt).getTime()}:${d.userId}:inbox`,
          d.sessionId,
        ]);
      await ctx.dataSource.query('TRUNCATE notifications');
      const baseProbe = await traceSql(() =>
        insertOne({
          userId: probeSession.trainerId,
          sessionId: probeSession.id,
          offsetMs: dueOffset,
          startsAt: probeSession.startsAt.toISOString(),
        }),
      );

      log(
        `reminders: delivery of ${chosen.length} sessions' reminders (${messages} inbox messages), ` +
          `${ctx.order[0]} first, concurrency ${env.WORKER_CONCURRENCY}, pool ${env.DATABASE_POOL_SIZE}`,
      );
      let delivery: Record<'api' | 'baseline', DeliveryRun>;
      try {
        delivery = await bothSides(ctx.dataSource, ctx.order, ['notifications'], {
          api: async () => {
            const before = await remindersQueue.getJobCounts('completed', 'failed');
            const cpu0 = cpuMs();
            const t0 = performance.now();
            const jobs = await service.plan(chosen.map((s) => ({ sessionId: s.id, startsAt: s.startsAt })));
            const t1 = await untilRows(ctx.dataSource, messages, t0);
            const cpu = cpuMs() - cpu0;
            const after = await remindersQueue.getJobCounts('completed', 'failed');
            return {
              measurement: measurementOf(messages, (t1 - t0) / 1000, cpu),
              jobs,
              rows: messages,
              failed: after.failed - before.failed,
            };
          },
          baseline: async () => {
            const name = 'bench-delivery-baseline';
            const queue = new Queue(name, { connection, prefix, defaultJobOptions: appJobOptions(env) });
            baselineQueues.push(queue);
            let failed = 0;
            const bare = new Worker(
              name,
              async (job: Job) => {
                await insertOne(job.data as BaselineJob);
              },
              {
                connection,
                prefix,
                concurrency: env.WORKER_CONCURRENCY,
                lockDuration: env.JOB_LOCK_MS,
                stalledInterval: Math.max(500, Math.floor(env.JOB_LOCK_MS / 2)),
                maxStalledCount: 2,
              },
            );
            bare.on('failed', () => failed++);
            await bare.waitUntilReady();
            try {
              const jobs = chosen.flatMap((s) => {
                const startsAt = s.startsAt.toISOString();
                return [...s.trainees, s.trainerId].map((userId) => ({
                  name: ReminderJobs.sessionReminder,
                  data: { userId, sessionId: s.id, offsetMs: dueOffset, startsAt } satisfies BaselineJob,
                  opts: { jobId: `${sessionReminderJobId(s.id, dueOffset, s.startsAt)}.${userId}` },
                }));
              });
              const cpu0 = cpuMs();
              const t0 = performance.now();
              for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
              const t1 = await untilRows(ctx.dataSource, messages, t0);
              const cpu = cpuMs() - cpu0;
              return {
                measurement: measurementOf(messages, (t1 - t0) / 1000, cpu),
                jobs: jobs.length,
                rows: messages,
                failed,
              };
            } finally {
              await bare.close();
            }
          },
        });
      } finally {
        await pool.end();
      }
      const { api, baseline } = delivery;
      invariants.push(
        {
          name: 'delivery (api): one reminder job per session, every inbox row written, no job failed',
          ok: api.jobs === chosen.length && api.rows === messages && api.failed === 0,
          detail: `${api.jobs} jobs for ${chosen.length} sessions, ${api.rows} rows of ${messages}, ${api.failed} failed`,
        },
        {
          name: 'delivery (baseline): one job per message, every inbox row written, no job failed',
          ok: baseline.jobs === messages && baseline.rows === messages && baseline.failed === 0,
          detail: `${baseline.jobs} jobs, ${baseline.rows} rows of ${messages}, ${baseline.failed} failed`,
        },
      );
      const [{ n: leftOver }] = await ctx.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM notifications WHERE channel <> 'inbox' OR status <> 'sent'`,
      );
      invariants.push({
        name: 'delivery: inbox only (no e-mail or SMS rows), every row sent',
        ok: leftOver === 0,
        detail: `${leftOver} other rows`,
      });

      const scheduleRatio = scheduleMs.baseline / scheduleMs.api;
      const deliveryRatio = api.measurement.rps / baseline.measurement.rps;
      const jobsPerSecond = api.jobs / api.measurement.durationSeconds;
      const notes = [
        `time to schedule ${SESSIONS * offsets.length} delayed reminder jobs (${SESSIONS} sessions × ${offsets.length} offsets), ` +
          `median of ${SCHEDULE_ROUNDS}: plan() ${round(scheduleMs.api)} ms, bare addBulk ${round(scheduleMs.baseline)} ms, ` +
          `ratio (baseline/ours) ${scheduleRatio.toFixed(2)} (${scheduleRatio >= 0.5 ? 'PASS' : 'BELOW TARGET'} of >= 0.5).`,
        `delivery through the inbox: ${chosen.length} sessions, ${messages} messages in ${api.measurement.durationSeconds.toFixed(1)} s ` +
          `= ${Math.round(api.measurement.rps)} messages/s, ${jobsPerSecond.toFixed(1)} reminder jobs/s; baseline ${baseline.jobs} jobs ` +
          `in ${baseline.measurement.durationSeconds.toFixed(1)} s = ${Math.round(baseline.measurement.rps)} messages/s; ` +
          `ratio (ours/baseline) ${deliveryRatio.toFixed(2)}.`,
        `why: each reminder job writes all ${perSession} recipients of its session in one INSERT … SELECT, so ours runs ` +
          `${perSession}× fewer jobs (and BullMQ round trips) than the baseline's one job per message, which outweighs ` +
          'its session lock, re-checks, recipient and payload queries.',
        'CPU ms/req above is this process’s CPU per message (worker and BullMQ alike run in it; PostgreSQL and Redis not counted).',
      ];
      for (const n of notes) log(`reminders: ${n}`);
      return {
        metric: `inbox messages/s through the worker (${messages} messages, ${chosen.length} reminder jobs)`,
        connections: env.WORKER_CONCURRENCY,
        app: api.measurement,
        baseline: baseline.measurement,
        invariants,
        sql: { api: apiProbe.statements, baseline: baseProbe.statements },
        figures: {
          sessions: SESSIONS,
          trainees: TRAINEES,
          scheduledJobs: SESSIONS * offsets.length,
          scheduleMsApi: round(scheduleMs.api),
          scheduleMsBaseline: round(scheduleMs.baseline),
          scheduleRatio: Number(scheduleRatio.toFixed(3)),
          deliverySessions: chosen.length,
          deliveryMessages: messages,
          deliverySecondsApi: Number(api.measurement.durationSeconds.toFixed(2)),
          deliverySecondsBaseline: Number(baseline.measurement.durationSeconds.toFixed(2)),
          messagesPerSecondApi: Math.round(api.measurement.rps),
          messagesPerSecondBaseline: Math.round(baseline.measurement.rps),
          reminderJobsPerSecondApi: Number(jobsPerSecond.toFixed(1)),
          deliveryRatio: Number(deliveryRatio.toFixed(3)),
          workerConcurrency: env.WORKER_CONCURRENCY,
          databasePoolSize: env.DATABASE_POOL_SIZE,
        },
        notes,
      };
    } finally {
      await Promise.all(baselineQueues.map((q) => q.close().catch(() => undefined)));
      await worker?.close().catch((e: unknown) => log(`reminders: worker close failed: ${String(e)}`));
      const dropped = await dropRedisKeys(env).catch((e: unknown) => {
        log(`reminders: could not delete Redis keys under ${env.REDIS_PREFIX}: ${String(e)}`);
        return 0;
      });
      log(`reminders: deleted ${dropped} Redis keys under ${env.REDIS_PREFIX}`);
    }
  },
};
