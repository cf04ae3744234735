import { createOrgTree, createUser, PASSWORD, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('health (e2e)', () => {
  it('answers 200 naming PostgreSQL and Redis when both are up', async () => {
    const t = await startTestApp();
    try {
      const res = await t.http.get('/health').expect(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        info: { postgres: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up', workers: 0 } },
      });
    } finally {
      await t.close();
    }
  });

  describe('with Redis unreachable', () => {
    let t: TestApp;

    // Nothing listens on this port: every Redis command fails, as when Redis is stopped.
    beforeAll(async () => {
      t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    });
    afterAll(() => t.close());

    it('answers 503 naming redis and the job queues, with PostgreSQL still up', async () => {
      const res = await t.http.get('/health').expect(503);
      expect(res.body).toMatchObject({
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: '以下部分无法使用：redis、queues',
        error: {
          redis: { status: 'down', message: 'unreachable' },
          queues: { status: 'down', message: 'unreachable' },
        },
        info: { postgres: { status: 'up' } },
      });
      // The answer is public: it must not tell where Redis lives.
      expect(res.text).not.toContain('127.0.0.1');
    });

    it('still lets people log in and read', async () => {
      const tree = await createOrgTree(t.ds);
      const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
      await t.http.get('/api/auth/me').set('Authorization', admin.auth).expect(200);
      await t.http.get('/api/org-units').set('Authorization', admin.auth).expect(200);
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await t.http.post('/api/auth/login').send({ username: user.username, password: 'wrong-one' }).expect(401);
      await t.http.post('/api/auth/login').send({ username: user.username, password: PASSWORD }).expect(200);
    });
  });

  it('answers 503 naming postgres when the database is gone', async () => {
    const t = await startTestApp();
    try {
      // Terminate the app's connections and forbid new ones: PostgreSQL is unreachable for this app.
      const db = new URL(t.databaseUrl).pathname.slice(1);
      await t.ds.destroy();
      const { withAdminClient } = await import('../support/test-db');
      await withAdminClient(async (c) => {
        await c.query(`ALTER DATABASE "${db}" WITH ALLOW_CONNECTIONS false`);
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [db]);
      });
      const res = await t.http.get('/health').expect(503);
      expect(res.body).toMatchObject({
        message: '以下部分无法使用：postgres',
        error: { postgres: { status: 'down' } },
      });
      await withAdminClient((c) => c.query(`ALTER DATABASE "${db}" WITH ALLOW_CONNECTIONS true`));
      await t.ds.initialize();
    } finally {
      await t.close();
    }
  });
});
