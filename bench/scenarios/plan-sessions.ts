import type { DataSource } from 'typeorm';
import { ClassSession } from '../../src/classes/class-session.entity';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { expandRecurrence } from '../../src/classes/recurrence';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { hashPassword } from '../../src/common/auth/passwords';
import { User } from '../../src/users/user.entity';
import { Venue } from '../../src/venues/venue.entity';
import {
  freshTables,
  httpGet,
  loadInvariants,
  log,
  loggingInvariant,
  login,
  measureAlternating,
  sameAnswer,
  sameSql,
  startApi,
  startBaseline,
} from '../harness';
import type { Invariant, Scenario } from '../scenario';

const USERNAME = 'bench.admin';
const PASSWORD = 'bench-password-1';
const CONNECTIONS = 50;
const CLASSES = 4;
const SESSIONS_PER_CLASS = 36;

/** A county plan with four quarterly classes of 36 sessions each (three a week, 09:00 Shanghai). */
async function seed(ds: DataSource): Promise<{ planId: string; adminId: string }> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
    const admin = await m.getRepository(User).save({
      username: USERNAME,
      passwordHash: await hashPassword(PASSWORD),
      displayName: 'Bench Admin',
      role: 'admin' as const,
      orgUnitId: county.id,
    });
    const trainers = await m.getRepository(User).save(
      Array.from({ length: CLASSES }, (_, i) => ({
        username: `bench.trainer${i}`,
        passwordHash: 'x',
        displayName: `Trainer ${i}`,
        role: 'trainer' as const,
        orgUnitId: county.id,
      })),
    );
    const course = await m
      .getRepository(Course)
      .save({ orgUnitId: county.id, title: 'Bench course', level: 'beginner' as const, hours: 27, topics: [] });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year: 2026, title: 'Bench plan' });
    const venues = await m
      .getRepository(Venue)
      .save(Array.from({ length: CLASSES }, (_, i) => ({ orgUnitId: county.id, name: `Room ${i}` })));
    const quarters = [
      ['2026-01-01', '2026-03-31'],
      ['2026-04-01', '2026-06-30'],
      ['2026-07-01', '2026-09-30'],
      ['2026-10-01', '2026-12-31'],
    ];
    for (let q = 0; q < CLASSES; q++) {
      const [startDate, endDate] = quarters[q];
      const c = await m.getRepository(TrainingClass).save({
        planId: plan.id,
        courseId: course.id,
        title: `Class Q${q + 1}`,
        quarter: q + 1,
        startDate,
        endDate,
        capacity: 50,
        enrolmentOpensAt: new Date(`${startDate}T00:00:00Z`),
        enrolmentClosesAt: new Date(`${startDate}T12:00:00Z`),
        status: 'running' as const,
      });
      await m.getRepository(ClassTrainer).insert({ classId: c.id, trainerId: trainers[q].id });
      const occurrences = expandRecurrence(
        { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR', startTime: '09:00', durationMinutes: 120 },
        startDate,
        endDate,
        'Asia/Shanghai',
      ).slice(0, SESSIONS_PER_CLASS);
      await m.getRepository(ClassSession).insert(
        occurrences.map((o) => ({
          classId: c.id,
          startsAt: o.startsAt,
          endsAt: o.endsAt,
          trainerId: trainers[q].id,
          venueId: venues[q].id,
        })),
      );
    }
    return { planId: plan.id, adminId: admin.id };
  });
}

function sessionCount(name: string, res: { status: number; body: string }): Invariant {
  let items = -1;
  try {
    items = (JSON.parse(res.body) as { items: unknown[] }).items.length;
  } catch {
    items = -1;
  }
  const expected = CLASSES * SESSIONS_PER_CLASS;
  return {
    name,
    ok: res.status === 200 && items === expected,
    detail: `status ${res.status}, ${items} of ${expected} sessions`,
  };
}

/**
 * Listing every session of a plan (4 classes × 36 sessions) as an admin would for a
 * calendar view. The baseline sends the same statements (the caller's row, the plan's
 * scope, the page, the names shown beside the ids) and answers the same body; the API
 * adds JWT checks, guards, validation of the query and Nest's pipeline.
 */
export const planSessions: Scenario = {
  name: 'plan-sessions',
  description:
    'GET /api/plans/:id/sessions?pageSize=200 (144 sessions), 50 connections, API and baseline taking turns every 2 s',
  baseline:
    'bare Fastify + pg (pool of 20): the same seven statements as the API (AUTH_ROW_SQL, the plan scope read, ' +
    'the page query with its window count, then the class, course, venue and trainer names), the same scope ' +
    'check, SessionDto.from and answer serializer, the same JSON body; request logs as the API; no JWT ' +
    'verification, Nest, guards, query validation, CORS or helmet headers',
  compare: 'throughput',
  async run(ctx) {
    const { planId, adminId } = await seed(ctx.dataSource);
    await freshTables(ctx.dataSource, []);
    const api = await startApi(ctx.databaseUrl, 'plan-sessions');
    const baseline = await startBaseline(ctx.databaseUrl, 'plan-sessions');
    const headers = { authorization: `Bearer ${await login(api.url, USERNAME, PASSWORD)}` };
    const apiUrl = `${api.url}/api/plans/${planId}/sessions?pageSize=200`;
    const baseUrl = `${baseline.url}/plan-sessions/${planId}?as=${adminId}&pageSize=200`;
    const apiProbe = await api.traceSql(() => httpGet(apiUrl, headers));
    const baseProbe = await baseline.traceSql(() => httpGet(baseUrl));

    log(
      `measuring GET /api/plans/:id/sessions and the baseline: ${ctx.warmupSeconds} s warm-up each, ` +
        `then ${ctx.durationSeconds} s each in alternating slices`,
    );
    const m = await measureAlternating(
      {
        api: { server: api, url: apiUrl, headers, expectBody: apiProbe.result.body },
        baseline: { server: baseline, url: baseUrl, expectBody: baseProbe.result.body },
      },
      { ...ctx, connections: CONNECTIONS, label: 'plan-sessions' },
    );
    await api.stop();
    await baseline.stop();

    return {
      metric: 'GET /api/plans/:id/sessions req/s',
      connections: CONNECTIONS,
      app: m.api,
      baseline: m.baseline,
      sql: { api: apiProbe.statements, baseline: baseProbe.statements },
      invariants: [
        sessionCount('api: lists all 144 sessions', apiProbe.result),
        sameSql('probe', apiProbe.statements, baseProbe.statements),
        sameAnswer('probe', apiProbe.result.body, baseProbe.result.body, true),
        ...loadInvariants('api', m.api),
        ...loadInvariants('baseline', m.baseline),
        await loggingInvariant(api, m.api.requests),
        await loggingInvariant(baseline, m.baseline.requests),
      ],
    };
  },
};
