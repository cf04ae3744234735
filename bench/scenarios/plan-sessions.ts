import type { DataSource } from 'typeorm';
import { ClassSession } from '../../src/classes/class-session.entity';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { expandRecurrence } from '../../src/classes/recurrence';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { hashPassword } from '../../src/users/passwords';
import { User } from '../../src/users/user.entity';
import { Venue } from '../../src/venues/venue.entity';
import { httpGet, loadInvariants, log, login, measure, startApi, startBaseline } from '../harness';
import type { Invariant, Scenario } from '../scenario';

const USERNAME = 'bench.admin';
const PASSWORD = 'bench-password-1';
const CONNECTIONS = 50;
const CLASSES = 4;
const SESSIONS_PER_CLASS = 36;

/** A county plan with four quarterly classes of 36 sessions each (three a week, 09:00 Shanghai). */
async function seed(ds: DataSource): Promise<{ planId: string }> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
    await m.getRepository(User).save({
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
    return { planId: plan.id };
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
 * calendar view. The baseline runs the same page query on bare
 * Fastify + pg; the API adds auth, the scope check and serialisation.
 */
export const planSessions: Scenario = {
  name: 'plan-sessions',
  description:
    'GET /api/plans/:id/sessions?pageSize=200 (144 sessions) vs bare Fastify + pg running the same page query',
  async run(ctx) {
    const { planId } = await seed(ctx.dataSource);
    const load = { connections: CONNECTIONS, durationSeconds: ctx.durationSeconds, warmupSeconds: ctx.warmupSeconds };

    const api = await startApi(ctx.databaseUrl);
    const headers = { authorization: `Bearer ${await login(api.url, USERNAME, PASSWORD)}` };
    const url = `${api.url}/api/plans/${planId}/sessions?pageSize=200`;
    const first = await httpGet(url, headers);
    log(`measuring api: GET /api/plans/:id/sessions, ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s`);
    const app = await measure({ ...load, url, headers, expectBody: first.body });
    await api.stop();

    const baselineServer = await startBaseline(ctx.databaseUrl);
    const baseUrl = `${baselineServer.url}/plan-sessions/${planId}`;
    const base = await httpGet(baseUrl);
    log(`measuring baseline: GET /plan-sessions/:id, ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s`);
    const baseline = await measure({ ...load, url: baseUrl, expectBody: base.body });
    await baselineServer.stop();

    return {
      metric: 'GET /api/plans/:id/sessions',
      connections: CONNECTIONS,
      app,
      baseline,
      invariants: [
        sessionCount('api: lists all 144 sessions', first),
        sessionCount('baseline: lists all 144 sessions', base),
        ...loadInvariants('api', app),
        ...loadInvariants('baseline', baseline),
      ],
    };
  },
};
