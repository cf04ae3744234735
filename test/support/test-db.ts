import { Client } from 'pg';

/** Server for test databases; override with TEST_DATABASE_SERVER_URL (no database name). */
export const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * Test databases carry the pid of the Jest run that made them (`lms_t<pid>_...`), so
 * two runs on one machine never touch each other's, and leftovers of dead runs can be
 * dropped. The run's pid reaches the workers through LMS_TEST_RUN (set in global setup).
 */
export function runId(): string {
  return process.env.LMS_TEST_RUN ?? String(process.pid);
}

export function templateDb(): string {
  return `lms_t${runId()}_template`;
}

export function dbUrl(name: string): string {
  return `${SERVER_URL}/${name}`;
}

export async function withAdminClient<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(c: Client, name: string): Promise<void> {
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Drops test databases left behind by runs that are no longer alive. */
export async function dropLeftovers(c: Client): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'lms\\_t%'`);
  for (const { datname } of rows) {
    const pid = /^lms_t(\d+)_/.exec(datname)?.[1];
    if (pid && !isAlive(Number(pid))) await dropDatabase(c, datname);
  }
}

/** Drops every database of this run (global teardown). */
export async function dropRunDatabases(c: Client): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `lms\\_t${runId()}\\_%`,
  ]);
  for (const { datname } of rows) await dropDatabase(c, datname);
}
