import Fastify from 'fastify';
import { Pool } from 'pg';
import { AUTH_ROW_SQL } from '../src/users/users.service';

/**
 * The baseline for auth-me: bare Fastify plus a pg Pool (20 connections, like the app)
 * running the very query the API runs per request to load the caller. Started by the
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
