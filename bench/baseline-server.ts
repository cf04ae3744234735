import Fastify from 'fastify';
import { Pool, type PoolClient } from 'pg';
import { WRITE_ATTENDANCE_SQL } from '../src/attendance/attendance.sql';
import { verifyCode } from '../src/attendance/check-in-codes';
import { CheckInThrottleService } from '../src/attendance/check-in-throttle.service';
import type { ClassSession } from '../src/classes/class-session.entity';
import { SessionDto, type SessionRefs } from '../src/classes/dto/session.dto';
import { createRedisClient } from '../src/common/redis/redis.module';
import { jsonWithLocalInstants } from '../src/common/time/zoned-time';
import { checkInKey, validateEnv } from '../src/config/env';
import { isWithin } from '../src/org-units/org-units.service';
import { AUTH_ROW_SQL, type AuthRow } from '../src/users/users.service';
import { quizRoutes } from './baseline-quiz';
import {
  CHECK_IN_WINDOW_SQL,
  CLASS_REFS_SQL,
  CLASS_SCOPED_FOR_UPDATE_SQL,
  CLASS_SCOPED_SQL,
  CLASS_TRAINERS_SQL,
  COMMIT,
  COURSE_REFS_SQL,
  DESCRIBE_ENROLMENTS_SQL,
  ENROL_COUNTS_SQL,
  ENROL_TRAINEE_SQL,
  ENROLMENT_OF_TRAINEE_SQL,
  INSERT_ENROLMENT_SQL,
  ORG_UNIT_SQL,
  PERSON_REFS_SQL,
  PLAN_SCOPED_SQL,
  PLAN_SESSIONS_PAGE_SQL,
  RECORDS_OF_SQL,
  ROLLBACK,
  SEAT_OF_FOR_SHARE_SQL,
  SEAT_OF_SQL,
  SEATED_FOR_SHARE_SQL,
  SEATED_SQL,
  SESSION_FOR_UPDATE_SQL,
  SESSION_SQL,
  START_TRANSACTION,
  VENUE_REFS_SQL,
} from './app-sql';

/**
 * Baselines: bare Fastify plus a pg Pool of 20 (like the app's), sending PostgreSQL the
 * statements the API sends for the same request, in the same order, transactions and
 * locks, with the same checks and the same answer, but without Nest, JWT verification,
 * guards, DTO validation or helmet. The caller is named in `?as=` instead of a token, and
 * is loaded with AUTH_ROW_SQL as the API's JWT strategy does. Request logs: Fastify's own
 * pino logger at LOG_LEVEL, to stdout, which the harness points at a file as it does the
 * API's. Started by the harness with DATABASE_URL, PORT, JWT_SECRET and REDIS_PREFIX.
 */

/** Class states trainees may see (ClassesService's VISIBLE_TO_TRAINEES, not exported). */
const VISIBLE_TO_TRAINEES = ['open', 'running', 'completed'];
/** Class states whose sessions take attendance (AttendanceService, not exported). */
const ATTENDANCE_CLASS_STATUSES = ['open', 'running', 'completed'];
/** Attendance opens this long before a session starts (AttendanceService, not exported). */
const OPENS_BEFORE_MS = 30 * 60 * 1000;

type Caller = Omit<AuthRow, 'tokenVersion'>;

interface ClassRow {
  c_id: string;
  c_status: string;
  c_capacity: number;
  c_max_per_township: number;
  c_enrolment_opens_at: Date;
  c_enrolment_closes_at: Date;
  plan_path: string;
}

interface ScopedClass {
  row: ClassRow;
  trainerIds: string[];
}

interface SessionRow {
  ClassSession_id: string;
  ClassSession_class_id: string;
  ClassSession_starts_at: Date;
  ClassSession_ends_at: Date;
  ClassSession_trainer_id: string | null;
  ClassSession_status: string;
}

interface RecordRow {
  id: string;
  enrolment_id: string;
  status: string;
  note: string | null;
  source: string;
  recorded_by: string;
  recorded_at: Date;
  version: number;
}

interface PersonRow {
  id: string;
  traineeId: string;
  displayName: string;
  townshipId: string;
  townshipName: string;
}

/** What the API's domain errors become, in short: the status and the code. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

type Db = Pick<PoolClient, 'query'>;

async function main(): Promise<void> {
  const env = validateEnv(process.env);
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const redis = createRedisClient(env);
  const throttle = new CheckInThrottleService(redis, env);
  const key = checkInKey(env);
  const app = Fastify({ logger: { level: env.LOG_LEVEL } });
  // The API's answer serializer (dates in the county's zone), so both sides write the same bytes.
  app.setReplySerializer(jsonWithLocalInstants(env.TZ_DEFAULT));

  app.setErrorHandler((e, _req, reply) => {
    if (e instanceof Refusal) return reply.code(e.status).send({ code: e.code });
    return reply.send(e);
  });

  /** AUTH_ROW_SQL and the JWT strategy's checks (AuthService.resolveToken), outside any transaction. */
  const caller = async (id: string): Promise<Caller> => {
    const { rows } = await pool.query<AuthRow>(AUTH_ROW_SQL, [id]);
    if (!rows[0] || rows[0].tokenVersion !== 0) throw new Refusal(401, 'TOKEN_REVOKED');
    if (!rows[0].active) throw new Refusal(401, 'INACTIVE');
    const { tokenVersion: _v, ...actor } = rows[0];
    return actor;
  };

  /** TransactionService.run: START TRANSACTION, the work, COMMIT (ROLLBACK on an error). */
  const transaction = async <T>(work: (db: Db) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(START_TRANSACTION);
      const result = await work(client);
      await client.query(COMMIT);
      return result;
    } catch (e) {
      await client.query(ROLLBACK);
      throw e;
    } finally {
      client.release();
    }
  };

  /** ClassesService.load: the class with its county path (locked FOR UPDATE OF c if asked), then its trainers. */
  const loadClass = async (db: Db, id: string, lock = false): Promise<ScopedClass | undefined> => {
    const { rows } = await db.query<ClassRow>(lock ? CLASS_SCOPED_FOR_UPDATE_SQL : CLASS_SCOPED_SQL, [id]);
    if (!rows[0]) return undefined;
    const trainers = await db.query<{ ClassTrainer_trainer_id: string }>(CLASS_TRAINERS_SQL, [id]);
    return { row: rows[0], trainerIds: trainers.rows.map((t) => t.ClassTrainer_trainer_id) };
  };

  /** ClassesService.canRead. */
  const canRead = (actor: Caller, c: ScopedClass): boolean => {
    switch (actor.role) {
      case 'admin':
        return isWithin(c.row.plan_path, actor.orgPath);
      case 'trainer':
        return c.trainerIds.includes(actor.id);
      case 'trainee':
        return isWithin(actor.orgPath, c.row.plan_path) && VISIBLE_TO_TRAINEES.includes(c.row.c_status);
    }
  };

  /** SessionsService.getWithClass: the session (FOR UPDATE if asked), then its class unlocked. */
  const sessionWithClass = async (db: Db, id: string, lock = false): Promise<{ s: SessionRow; c: ScopedClass }> => {
    const { rows } = await db.query<SessionRow>(lock ? SESSION_FOR_UPDATE_SQL : SESSION_SQL, [id]);
    const c = rows[0] && (await loadClass(db, rows[0].ClassSession_class_id));
    if (!rows[0] || !c) throw new Refusal(404, 'SESSION_NOT_FOUND');
    return { s: rows[0], c };
  };

  /** AttendanceService.assertMayRead / assertMayTake / assertTakesAttendance. */
  const mayRead = (actor: Caller, c: ScopedClass): void => {
    const ok =
      (actor.role === 'admin' && isWithin(c.row.plan_path, actor.orgPath)) ||
      (actor.role === 'trainer' && c.trainerIds.includes(actor.id));
    if (!ok) throw new Refusal(404, 'SESSION_NOT_FOUND');
  };
  const mayTake = (actor: Caller, s: SessionRow, c: ScopedClass): void => {
    mayRead(actor, c);
    if (actor.role === 'trainer' && s.ClassSession_trainer_id !== actor.id) {
      throw new Refusal(403, 'NOT_SESSION_TRAINER');
    }
  };
  const takesAttendance = (s: SessionRow, c: ScopedClass, now: Date): void => {
    if (s.ClassSession_status === 'cancelled') throw new Refusal(409, 'SESSION_CANCELLED');
    if (!ATTENDANCE_CLASS_STATUSES.includes(c.row.c_status)) throw new Refusal(409, 'CLASS_NOT_ACTIVE');
    if (now.getTime() < s.ClassSession_starts_at.getTime() - OPENS_BEFORE_MS) throw new Refusal(409, 'TOO_EARLY');
  };

  /** ClassViewsService.sessions: the names beside the ids, one query per kind, then SessionDto.from. */
  const sessionViews = async (items: ClassSession[]): Promise<SessionDto[]> => {
    const ids = <T>(values: T[]) => [...new Set(values.filter((v) => v !== null))];
    const classIds = ids(items.map((s) => s.classId));
    const classRows = classIds.length
      ? (await pool.query<{ id: string; title: string; courseId: string }>(CLASS_REFS_SQL, [classIds])).rows
      : [];
    const byId = async <T extends { id: string }>(sql: string, wanted: (string | null)[]) => {
      const list = ids(wanted);
      return new Map(list.length ? (await pool.query<T>(sql, [list])).rows.map((r) => [r.id, r]) : []);
    };
    const refs: SessionRefs = {
      classes: new Map(classRows.map((c) => [c.id, c])),
      courses: await byId(
        COURSE_REFS_SQL,
        classRows.map((c) => c.courseId),
      ),
      venues: await byId(
        VENUE_REFS_SQL,
        items.map((s) => s.venueId),
      ),
      people: await byId(
        PERSON_REFS_SQL,
        items.map((s) => s.trainerId),
      ),
    };
    const now = new Date();
    return items.map((s) => SessionDto.from(s, refs, now));
  };

  const entry = (e: PersonRow, r: RecordRow | undefined) => ({
    enrolmentId: e.id,
    traineeId: e.traineeId,
    displayName: e.displayName,
    townshipId: e.townshipId,
    townshipName: e.townshipName,
    status: r?.status ?? null,
    note: r?.note ?? null,
    source: r?.source ?? null,
    recordedBy: r?.recorded_by ?? null,
    recordedAt: r?.recorded_at ?? null,
    version: r?.version ?? 0,
  });

  app.get('/health', async () => {
    await pool.query('SELECT 1');
    return { status: 'ok' };
  });

  // auth-me: the caller's row, answered as UserDto (without the path and token version).
  app.get<{ Querystring: { as: string } }>('/auth-me', async (req) => {
    const { orgPath: _p, ...user } = await caller(req.query.as);
    return user;
  });

  // plan-sessions: PlansService.getScoped, SessionsService.listForPlan, then ClassViewsService.sessions.
  app.get<{ Params: { id: string }; Querystring: { as: string; pageSize: string } }>(
    '/plan-sessions/:id',
    async (req) => {
      const actor = await caller(req.query.as);
      if (actor.role !== 'admin') throw new Refusal(403, 'FORBIDDEN');
      const { rows: plans } = await pool.query<{ p_id: string; unit_path: string }>(PLAN_SCOPED_SQL, [req.params.id]);
      if (!plans[0] || !isWithin(plans[0].unit_path, actor.orgPath)) throw new Refusal(404, 'PLAN_NOT_FOUND');
      const pageSize = Number(req.query.pageSize);
      const { rows } = await pool.query<ClassSession & { total: number }>(PLAN_SESSIONS_PAGE_SQL, [
        req.params.id,
        false,
        pageSize,
        0,
      ]);
      const total = rows[0]?.total ?? 0;
      return { items: await sessionViews(rows), total, page: 1, pageSize };
    },
  );

  // enrolment-burst: EnrolmentsService.enrol for a trainee enrolling itself.
  app.post<{ Params: { classId: string }; Querystring: { as: string } }>('/enrol/:classId', async (req, reply) => {
    const actor = await caller(req.query.as);
    const { classId } = req.params;
    const e = await transaction(async (db) => {
      const c = await loadClass(db, classId, true);
      if (!c || !canRead(actor, c)) throw new Refusal(404, 'CLASS_NOT_FOUND');
      const { rows: trainees } = await db.query<{ id: string; org_unit_id: string; path: string }>(ENROL_TRAINEE_SQL, [
        actor.id,
      ]);
      const trainee = trainees[0];
      if (!trainee || !isWithin(trainee.path, actor.orgPath) || !isWithin(trainee.path, c.row.plan_path)) {
        throw new Refusal(404, 'CLASS_NOT_FOUND');
      }
      const now = new Date();
      const k = c.row;
      if (k.c_status !== 'open' || now < k.c_enrolment_opens_at || now >= k.c_enrolment_closes_at) {
        throw new Refusal(409, 'ENROLMENT_CLOSED');
      }
      // OrgUnitsService.townshipOf: the unit, or a village's parent.
      let { rows: units } = await db.query<{ OrgUnit_id: string; OrgUnit_kind: string; OrgUnit_parent_id: string }>(
        ORG_UNIT_SQL,
        [trainee.org_unit_id],
      );
      if (units[0]?.OrgUnit_kind === 'village' && units[0].OrgUnit_parent_id) {
        ({ rows: units } = await db.query(ORG_UNIT_SQL, [units[0].OrgUnit_parent_id]));
      }
      const township = units[0]?.OrgUnit_kind === 'township' ? units[0].OrgUnit_id : undefined;
      if (!township) throw new Refusal(422, 'NO_TOWNSHIP');
      const { rows: existing } = await db.query<{ Enrolment_id: string; Enrolment_status: string }>(
        ENROLMENT_OF_TRAINEE_SQL,
        [classId, trainee.id],
      );
      // A withdrawn enrolment would be updated in place; the benchmark's trainees have none.
      if (existing[0]) throw new Refusal(409, 'ALREADY_ENROLLED');
      const { rows: counts } = await db.query<{
        township_confirmed: number;
        class_confirmed: number;
        last_position: number;
      }>(ENROL_COUNTS_SQL, [classId, township]);
      const fits = counts[0].township_confirmed < k.c_max_per_township && counts[0].class_confirmed < k.c_capacity;
      const position = fits ? null : counts[0].last_position + 1;
      const status = fits ? 'confirmed' : 'waitlisted';
      const { rows } = await db.query<{ id: string }>(INSERT_ENROLMENT_SQL, [
        classId,
        trainee.id,
        township,
        status,
        position,
        actor.id,
        fits ? now : null,
        null,
        null,
      ]);
      return { id: rows[0].id, status, position, township, traineeId: trainee.id };
    });
    // EnrolmentDto.from
    return reply.code(201).send({
      id: e.id,
      status: e.status,
      ...(e.position !== null && { position: e.position }),
      townshipId: e.township,
      traineeId: e.traineeId,
      classId,
      withdrawalReason: null,
    });
  });

  /** AttendanceService.view (without history): every seated trainee with its record. */
  const view = async (actor: Caller, sessionId: string) => {
    const { s, c } = await sessionWithClass(pool, sessionId);
    mayRead(actor, c);
    const { rows: seated } = await pool.query<PersonRow>(SEATED_SQL, [c.row.c_id]);
    const { rows: records } = await pool.query<RecordRow>(RECORDS_OF_SQL, [sessionId, null]);
    const byEnrolment = new Map(records.map((r) => [r.enrolment_id, r]));
    const seatedIds = new Set(seated.map((e) => e.id));
    const otherIds = records.filter((r) => !seatedIds.has(r.enrolment_id)).map((r) => r.enrolment_id);
    const others = otherIds.length > 0 ? (await pool.query<PersonRow>(DESCRIBE_ENROLMENTS_SQL, [otherIds])).rows : [];
    const entries = [...seated, ...others].map((e) => entry(e, byEnrolment.get(e.id)));
    const count = (st: string) => entries.filter((e) => e.status === st).length;
    const counts = {
      present: count('present'),
      late: count('late'),
      excused: count('excused'),
      absent: count('absent'),
      unmarked: entries.filter((e) => e.status === null).length,
    };
    return {
      sessionId: s.ClassSession_id,
      classId: c.row.c_id,
      startsAt: s.ClassSession_starts_at,
      endsAt: s.ClassSession_ends_at,
      personTimes: counts.present + counts.late,
      counts,
      records: entries,
    };
  };

  // attendance-bulk: AttendanceService.mark (records without versions), then the view it answers.
  app.put<{
    Params: { sessionId: string };
    Querystring: { as: string };
    Body: { records: { enrolmentId: string; status: string; note?: string | null }[] };
  }>('/attendance/:sessionId', async (req) => {
    const actor = await caller(req.query.as);
    const { sessionId } = req.params;
    const { records } = req.body;
    await transaction(async (db) => {
      const { s, c } = await sessionWithClass(db, sessionId, true);
      mayTake(actor, s, c);
      takesAttendance(s, c, new Date());
      const { rows: seated } = await db.query<{ id: string }>(SEATED_FOR_SHARE_SQL, [c.row.c_id]);
      const ids = new Set(seated.map((e) => e.id));
      if (!records.every((r) => ids.has(r.enrolmentId))) throw new Refusal(422, 'ATTENDANCE_ENROLMENT_INVALID');
      await db.query(WRITE_ATTENDANCE_SQL, [
        sessionId,
        records.map((r) => r.enrolmentId),
        records.map((r) => r.status),
        records.map((r) => r.note ?? null),
        'trainer',
        actor.id,
      ]);
    });
    return view(actor, sessionId);
  });

  // check-in-burst: AttendanceService.checkIn.
  app.post<{ Params: { sessionId: string }; Querystring: { as: string }; Body: { code: string } }>(
    '/check-in/:sessionId',
    async (req) => {
      const actor = await caller(req.query.as);
      if (actor.role !== 'trainee') throw new Refusal(403, 'FORBIDDEN');
      const { sessionId } = req.params;
      const { s, c } = await sessionWithClass(pool, sessionId);
      if (!canRead(actor, c)) throw new Refusal(404, 'SESSION_NOT_FOUND');
      const { rows: seats } = await pool.query<{ e_id: string }>(SEAT_OF_SQL, [c.row.c_id, actor.id]);
      const seat = seats[0];
      if (!seat) throw new Refusal(403, 'NOT_ENROLLED');
      if (s.ClassSession_status === 'cancelled') throw new Refusal(409, 'SESSION_CANCELLED');
      if (new Date() >= s.ClassSession_ends_at) throw new Refusal(409, 'SESSION_ENDED');
      const { rows: windows } = await pool.query<{ CheckInWindow_opened_at: Date; CheckInWindow_closes_at: Date }>(
        CHECK_IN_WINDOW_SQL,
        [sessionId],
      );
      const w = windows[0];
      if (!w || w.CheckInWindow_closes_at <= new Date()) throw new Refusal(409, 'CHECK_IN_CLOSED');

      await throttle.reserve(sessionId, actor.id);
      const at = new Date();
      if (!verifyCode(key, { sessionId, openedAt: w.CheckInWindow_opened_at }, req.body.code, at)) {
        throw new Refusal(400, 'CHECK_IN_CODE_INVALID');
      }
      await throttle.refund(sessionId, actor.id);

      await transaction(async (db) => {
        const locked = await sessionWithClass(db, sessionId, true);
        takesAttendance(locked.s, locked.c, at);
        if (at >= locked.s.ClassSession_ends_at) throw new Refusal(409, 'SESSION_ENDED');
        const { rows: current } = await db.query<{ CheckInWindow_opened_at: Date; CheckInWindow_closes_at: Date }>(
          CHECK_IN_WINDOW_SQL,
          [sessionId],
        );
        if (
          !current[0] ||
          current[0].CheckInWindow_opened_at.getTime() !== w.CheckInWindow_opened_at.getTime() ||
          current[0].CheckInWindow_closes_at <= at
        ) {
          throw new Refusal(409, 'CHECK_IN_CLOSED');
        }
        const { rows: held } = await db.query<{ e_id: string }>(SEAT_OF_FOR_SHARE_SQL, [c.row.c_id, actor.id]);
        if (held[0]?.e_id !== seat.e_id) throw new Refusal(403, 'NOT_ENROLLED');
        const { rows: existing } = await db.query<RecordRow>(RECORDS_OF_SQL, [sessionId, [seat.e_id]]);
        if (existing[0]?.source === 'trainer') throw new Refusal(409, 'MARKED_BY_TRAINER');
        if (existing[0]) return;
        const lateAfter = locked.s.ClassSession_starts_at.getTime() + env.CHECK_IN_LATE_AFTER_MINUTES * 60_000;
        await db.query(WRITE_ATTENDANCE_SQL, [
          sessionId,
          [seat.e_id],
          [at.getTime() > lateAfter ? 'late' : 'present'],
          [null],
          'self',
          actor.id,
        ]);
      });
      // AttendanceService.entryOf
      const { rows: records } = await pool.query<RecordRow>(RECORDS_OF_SQL, [sessionId, [seat.e_id]]);
      const { rows: people } = await pool.query<PersonRow>(DESCRIBE_ENROLMENTS_SQL, [[seat.e_id]]);
      return entry(people[0], records[0]);
    },
  );

  // quiz-day: AttemptsService's start, save and submit (baseline-quiz.ts).
  const quizzes = quizRoutes(app, {
    pool,
    env,
    caller,
    transaction,
    refuse: (status, code) => new Refusal(status, code),
  });

  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });

  const stop = (): void => {
    void app
      .close()
      .then(() => quizzes.close())
      .then(() => pool.end())
      .then(() => redis.disconnect())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});
