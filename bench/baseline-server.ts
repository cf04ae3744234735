import Fastify from 'fastify';
import { Pool } from 'pg';
import { WRITE_ATTENDANCE_SQL } from '../src/attendance/attendance.sql';
import { codeAt, stepOf } from '../src/attendance/check-in-codes';
import { checkInKey, validateEnv } from '../src/config/env';
import { AUTH_ROW_SQL } from '../src/users/users.service';
import { PLAN_SESSIONS_PAGE_SQL } from './scenarios/plan-sessions.sql';

/**
 * Baselines: bare Fastify plus a pg Pool (20 connections, like the app) running the
 * queries the API runs for the same answer (auth-me: the caller's row; plan-sessions:
 * one page of a plan's sessions), without the framework, auth or scope checks. Started by the
 * harness in its own process with DATABASE_URL and PORT.
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const app = Fastify({ logger: false });

  app.get('/health', async () => {
    await pool.query('SELECT 1');
    return { status: 'ok' };
  });

  app.get<{ Params: { id: string } }>('/auth-row/:id', async (req, reply) => {
    const { rows } = await pool.query<Record<string, unknown>>(AUTH_ROW_SQL, [req.params.id]);
    if (rows.length === 0) return reply.code(404).send({ statusCode: 404 });
    return rows[0];
  });

  // plan-sessions: the query the API's session list runs for one page (rows and total).
  app.get<{ Params: { id: string } }>('/plan-sessions/:id', async (req) => {
    const { rows } = await pool.query<{ total: number }>(PLAN_SESSIONS_PAGE_SQL, [req.params.id, 200, 0]);
    const items = rows.map(({ total: _total, ...row }) => row);
    return { items, total: rows[0]?.total ?? 0, page: 1, pageSize: 200 };
  });

  // enrolment-burst: the same rule as the API in bare SQL: lock the class, count, place, commit.
  app.post<{ Params: { classId: string }; Body: { traineeId: string; townshipId: string } }>(
    '/enrol/:classId',
    async (req, reply) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows: classes } = await client.query<{ max_per_township: number; capacity: number }>(
          'SELECT max_per_township, capacity FROM classes WHERE id = $1 FOR UPDATE',
          [req.params.classId],
        );
        const { rows: counts } = await client.query<{ t: number; c: number; p: number }>(
          `SELECT count(*) FILTER (WHERE status = 'confirmed' AND township_id = $2)::int AS t,
                  count(*) FILTER (WHERE status = 'confirmed')::int AS c,
                  coalesce(max(waitlist_position), 0)::int AS p
             FROM enrolments WHERE class_id = $1`,
          [req.params.classId, req.body.townshipId],
        );
        const fits = counts[0].t < classes[0].max_per_township && counts[0].c < classes[0].capacity;
        const { rows } = await client.query<{ id: string; status: string; waitlist_position: number | null }>(
          `INSERT INTO enrolments (class_id, trainee_id, township_id, status, waitlist_position, enrolled_by, confirmed_at)
           VALUES ($1, $2, $3, $4::enrolment_status, $5, $2, CASE WHEN $6::boolean THEN now() END)
           RETURNING id, status, waitlist_position`,
          [
            req.params.classId,
            req.body.traineeId,
            req.body.townshipId,
            fits ? 'confirmed' : 'waitlisted',
            fits ? null : counts[0].p + 1,
            fits,
          ],
        );
        await client.query('COMMIT');
        return reply.code(201).send(rows[0]);
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    },
  );

  // attendance-bulk: lock the session, check the enrolments, the API's upsert-and-audit statement.
  app.put<{
    Params: { sessionId: string };
    Querystring: { by: string };
    Body: { records: { enrolmentId: string; status: string }[] };
  }>('/attendance/:sessionId', async (req, reply) => {
    const { records } = req.body;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: sessions } = await client.query<{ class_id: string }>(
        'SELECT class_id FROM sessions WHERE id = $1 FOR UPDATE',
        [req.params.sessionId],
      );
      const { rows: seated } = await client.query<{ id: string }>(
        `SELECT id FROM enrolments WHERE class_id = $1 AND status IN ('confirmed', 'completed')`,
        [sessions[0].class_id],
      );
      const ids = new Set(seated.map((e) => e.id));
      if (!records.every((r) => ids.has(r.enrolmentId))) {
        await client.query('ROLLBACK');
        return reply.code(422).send({ code: 'ATTENDANCE_ENROLMENT_INVALID' });
      }
      await client.query(WRITE_ATTENDANCE_SQL, [
        req.params.sessionId,
        records.map((r) => r.enrolmentId),
        records.map((r) => r.status),
        records.map(() => null),
        'trainer',
        req.query.by,
      ]);
      await client.query('COMMIT');
      return { saved: records.length };
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  });

  // check-in-burst: find the seat and the window, verify the code, then write under the session lock.
  const key = checkInKey(validateEnv({ NODE_ENV: 'development' }));
  app.post<{ Params: { sessionId: string }; Body: { traineeId: string; code: string } }>(
    '/check-in/:sessionId',
    async (req, reply) => {
      const { sessionId } = req.params;
      const { rows: seats } = await pool.query<{ id: string }>(
        `SELECT e.id FROM enrolments e JOIN sessions s ON s.class_id = e.class_id
          WHERE s.id = $1 AND e.trainee_id = $2 AND e.status IN ('confirmed', 'completed')`,
        [sessionId, req.body.traineeId],
      );
      if (!seats[0]) return reply.code(403).send({ code: 'NOT_ENROLLED' });
      const { rows: windows } = await pool.query<{ opened_at: Date }>(
        'SELECT opened_at FROM check_in_windows WHERE session_id = $1 AND closes_at > now()',
        [sessionId],
      );
      const step = stepOf(new Date());
      const w = windows[0] && { sessionId, openedAt: windows[0].opened_at };
      if (!w || (codeAt(key, w, step) !== req.body.code && codeAt(key, w, step - 1) !== req.body.code)) {
        return reply.code(400).send({ code: 'CHECK_IN_CODE_INVALID' });
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
        const { rows: existing } = await client.query(
          'SELECT status FROM attendance_records WHERE session_id = $1 AND enrolment_id = $2',
          [sessionId, seats[0].id],
        );
        if (existing.length === 0) {
          await client.query(WRITE_ATTENDANCE_SQL, [
            sessionId,
            [seats[0].id],
            ['present'],
            [null],
            'self',
            req.body.traineeId,
          ]);
        }
        await client.query('COMMIT');
        return { enrolmentId: seats[0].id, status: 'present' };
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    },
  );

  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });

  const stop = (): void => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});
