import type { DataSource } from 'typeorm';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import { User } from '../../src/users/user.entity';
import { burst, type BurstRequest } from '../burst';
import {
  bearer,
  bothSides,
  log,
  loggingInvariant,
  measured,
  sameAnswer,
  sameSql,
  type ServerProcess,
  startApi,
  startBaseline,
} from '../harness';
import type { Invariant, Scenario } from '../scenario';

const TOWNSHIPS = 100;
const TRAINEES_PER_TOWNSHIP = 10;
const CLASSES = 10;
const CAPACITY = 50;
const MAX_PER_TOWNSHIP = 5;

interface World {
  classIds: string[];
  trainees: { id: string; townshipId: string; classId: string }[];
  /** One more trainee of township 0, for the probe request (its enrolment is removed before the burst). */
  probe: { id: string; townshipId: string; classId: string };
}

/**
 * 100 townships of 10 trainees; 10 open classes of 50 seats (5 per township). The
 * trainees of township k all want class k mod 10: 100 requests per class, so each class
 * fills and waitlists half.
 */
async function seed(ds: DataSource): Promise<World> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
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
      displayName: 'Trainer',
      role: 'trainer' as const,
      orgUnitId: county.id,
    });
    const year = new Date().getUTCFullYear();
    const course = await m
      .getRepository(Course)
      .save({ orgUnitId: county.id, title: 'Course', level: 'beginner' as const, hours: 27, topics: [] });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year, title: 'Plan' });
    const classIds: string[] = [];
    for (let i = 0; i < CLASSES; i++) {
      const c = await m.getRepository(TrainingClass).save({
        planId: plan.id,
        courseId: course.id,
        title: `Class ${i}`,
        quarter: 4,
        startDate: `${year}-10-01`,
        endDate: `${year}-12-31`,
        capacity: CAPACITY,
        maxPerTownship: MAX_PER_TOWNSHIP,
        minPerTownship: 3,
        enrolmentOpensAt: new Date(Date.now() - 86_400_000),
        enrolmentClosesAt: new Date(Date.now() + 86_400_000),
        status: 'open' as const,
      });
      await m.getRepository(ClassTrainer).insert({ classId: c.id, trainerId: trainer.id });
      classIds.push(c.id);
    }
    const trainees: World['trainees'] = [];
    let probe: World['probe'] | undefined;
    for (let k = 0; k < TOWNSHIPS; k++) {
      const township = await m
        .getRepository(OrgUnit)
        .save({ ...placeUnder(county), kind: 'township' as const, name: `Township ${k}`, code: null });
      const users = await m.getRepository(User).save(
        Array.from({ length: TRAINEES_PER_TOWNSHIP }, (_, j) => ({
          username: `bench.t${k}.${j}`,
          passwordHash: 'x',
          displayName: `T${k}.${j}`,
          role: 'trainee' as const,
          orgUnitId: township.id,
        })),
      );
      for (const u of users) trainees.push({ id: u.id, townshipId: township.id, classId: classIds[k % CLASSES] });
      if (k === 0) {
        const u = await m.getRepository(User).save({
          username: 'bench.probe',
          passwordHash: 'x',
          displayName: 'Probe',
          role: 'trainee' as const,
          orgUnitId: township.id,
        });
        probe = { id: u.id, townshipId: township.id, classId: classIds[0] };
      }
    }
    void admin;
    return { classIds, trainees, probe: probe! };
  });
}

/** The rules, checked in the database after the burst. */
async function checkInvariants(ds: DataSource, label: string, world: World, statuses: number[]): Promise<Invariant[]> {
  const overTownship = await ds.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM enrolments e JOIN classes c ON c.id = e.class_id
       WHERE e.status = 'confirmed' GROUP BY e.class_id, e.township_id, c.max_per_township
       HAVING count(*) > c.max_per_township) x`,
  );
  const overCapacity = await ds.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM enrolments e JOIN classes c ON c.id = e.class_id
       WHERE e.status = 'confirmed' GROUP BY e.class_id, c.capacity HAVING count(*) > c.capacity) x`,
  );
  const badWaitlists = await ds.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT class_id FROM enrolments WHERE status = 'waitlisted' GROUP BY class_id
       HAVING min(waitlist_position) <> 1 OR max(waitlist_position) <> count(*) OR count(DISTINCT waitlist_position) <> count(*)) x`,
  );
  const [{ confirmed, total }] = await ds.query<{ confirmed: number; total: number }[]>(
    `SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed, count(*)::int AS total FROM enrolments`,
  );
  const created = statuses.filter((s) => s === 201).length;
  return [
    {
      name: `${label}: every request answered 201`,
      ok: created === world.trainees.length,
      detail: `${created} of ${world.trainees.length}`,
    },
    { name: `${label}: one enrolment per request`, ok: total === world.trainees.length, detail: `${total} rows` },
    {
      name: `${label}: no township over its maximum`,
      ok: overTownship[0].n === 0,
      detail: `${overTownship[0].n} township-class pairs over`,
    },
    {
      name: `${label}: no class over capacity`,
      ok: overCapacity[0].n === 0,
      detail: `${overCapacity[0].n} classes over`,
    },
    {
      name: `${label}: every class filled`,
      ok: confirmed === CLASSES * CAPACITY,
      detail: `${confirmed} confirmed of ${CLASSES * CAPACITY} seats`,
    },
    {
      name: `${label}: waitlist positions 1..n, no gaps or duplicates`,
      ok: badWaitlists[0].n === 0,
      detail: `${badWaitlists[0].n} classes with a broken waitlist`,
    },
  ];
}

/**
 * 1,000 simultaneous enrolment requests from 100 townships into 10 classes, each its
 * own trainee with its own token (minted with the run's secret, so the burst measures
 * enrolment, not 1,000 argon2 logins). One probe enrolment on each side first (then
 * removed) checks that the baseline sends the same statements.
 */
export const enrolmentBurst: Scenario = {
  name: 'enrolment-burst',
  description: '1,000 simultaneous POST /api/classes/:id/enrolments (100 townships, 10 classes of 50)',
  baseline:
    'bare Fastify + pg (pool of 20), the same statements as the API in the same transaction: the caller’s ' +
    'AUTH_ROW_SQL, the class row locked FOR UPDATE with its plan scope, its trainers, the trainee, the ' +
    'township, the duplicate check, the counts, the insert; the same visibility, window and scope checks, the ' +
    'same JSON answer; request logs as the API; no JWT verification, Nest, validation or idempotency interceptor',
  compare: 'throughput',
  async run(ctx) {
    const world = await seed(ctx.dataSource);
    const enrolAll = async (
      server: ServerProcess,
      request: (t: World['trainees'][number]) => BurstRequest,
    ): Promise<Outcome> => {
      const probeRequest = request(world.probe);
      const probe = await server.traceSql(async () => {
        const res = await fetch(probeRequest.url, probeRequest);
        return { status: res.status, body: await res.text() };
      });
      await ctx.dataSource.query('DELETE FROM enrolments WHERE trainee_id = $1', [world.probe.id]);
      log(`${server.name}: ${world.trainees.length} simultaneous self-enrolments`);
      const run = await measured(server, `enrolment-burst-${server.name}`, () => burst(world.trainees.map(request)));
      await server.stop();
      return {
        server,
        probe,
        run,
        invariants: await checkInvariants(ctx.dataSource, server.name, world, run.statuses),
      };
    };

    const { api, baseline } = await bothSides(ctx.dataSource, ctx.order, ['enrolments'], {
      api: async () => {
        const server = await startApi(ctx.databaseUrl, 'enrolment-burst');
        return enrolAll(server, (t) => ({
          url: `${server.url}/api/classes/${t.classId}/enrolments`,
          method: 'POST' as const,
          headers: { authorization: bearer(t.id), 'content-type': 'application/json' },
          body: '{}',
        }));
      },
      baseline: async () => {
        const server = await startBaseline(ctx.databaseUrl, 'enrolment-burst');
        return enrolAll(server, (t) => ({
          url: `${server.url}/enrol/${t.classId}?as=${t.id}`,
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }));
      },
    });

    return {
      metric: '1,000 simultaneous enrolments (req/s over the burst)',
      connections: world.trainees.length,
      app: api.run.measurement,
      baseline: baseline.run.measurement,
      sql: { api: api.probe.statements, baseline: baseline.probe.statements },
      invariants: [
        {
          name: 'probe: both sides answered 201',
          ok: api.probe.result.status === 201 && baseline.probe.result.status === 201,
          detail: `api ${api.probe.result.status}, baseline ${baseline.probe.result.status}`,
        },
        sameSql('probe', api.probe.statements, baseline.probe.statements),
        sameAnswer('probe', api.probe.result.body, baseline.probe.result.body, false),
        ...api.invariants,
        ...baseline.invariants,
        await loggingInvariant(api.server, world.trainees.length),
        await loggingInvariant(baseline.server, world.trainees.length),
      ],
    };
  },
};

interface Outcome {
  server: ServerProcess;
  probe: { result: { status: number; body: string }; statements: string[] };
  run: Awaited<ReturnType<typeof burst>>;
  invariants: Invariant[];
}
