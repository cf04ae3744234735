import { Client } from 'pg';

/** Server for test databases; override with TEST_DATABASE_SERVER_URL (no database name). */
export const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const TEMPLATE_DB = 'lms_test_template';

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
