import Fastify from 'fastify';
import { Pool } from 'pg';
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
