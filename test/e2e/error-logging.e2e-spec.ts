import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { validateEnv } from '../../src/config/env';
import { dataSourceOptions } from '../../src/database/data-source';
import { createOrgTree, signedIn } from '../factories';
import { createTestDatabase } from '../support/test-app';

/** What the app writes to its log when a database error carries secrets in its row, parameters and SQL. */
describe('error logging (e2e)', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  let app: NestFastifyApplication;
  let ds: DataSource;
  let drop: () => Promise<void>;
  const prefix = `lms:test:${randomUUID().slice(0, 8)}:`;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = () => db.drop();
    // NODE_ENV=test keeps the app silent; development logs like a real deployment.
    const env = validateEnv({
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_PREFIX: prefix,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
    });
    const { createApp } = await import('../../src/app.factory');
    app = await createApp(env, { logDestination: destination });
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
  });

  afterAll(async () => {
    await app.close();
    await ds.destroy();
    await drop();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const createTrainee = (auth: string, reqId: string, username: string, orgUnitId: string) =>
    request(app.getHttpServer()).post('/api/users').set('Authorization', auth).set('X-Request-Id', reqId).send({
      username,
      password: 'correct-horse-battery',
      displayName: '李明',
      role: 'trainee',
      orgUnitId,
      phone: '13812345678',
    });

  it('logs a 500 with the request id and the SQLSTATE, never the failing row, parameters or SQL', async () => {
    const http = request(app.getHttpServer());
    const tree = await createOrgTree(ds);
    const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
    // Refuse every new user inside PostgreSQL, quoting the row as PostgreSQL's own constraint errors do.
    await ds.query(`
      CREATE FUNCTION refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'Failing row contains %', NEW USING DETAIL = format('Failing row contains %s.', NEW);
      END $$;
      CREATE TRIGGER refuse_user BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_user();`);
    lines.length = 0;

    const res = await createTrainee(admin.auth, 'req-leak-500', 'leaky', tree.townshipA1.id);
    await ds.query('DROP TRIGGER refuse_user ON users; DROP FUNCTION refuse_user()');

    expect(res.status).toBe(500);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const errorLine = logged.find((l) => l.err);
    expect(errorLine).toMatchObject({
      reqId: 'req-leak-500',
      err: { type: 'QueryFailedError', code: 'P0001', message: expect.stringContaining('Failing row contains') },
    });
    const text = lines.join('\n');
    expect(text).not.toContain('$argon2');
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('correct-horse-battery');
    expect(text).not.toMatch(/INSERT INTO|"parameters"|"query"|"detail"/);
  });

  it('logs a value PostgreSQL refused (a 400) as a warning, without the failing row', async () => {
    const http = request(app.getHttpServer());
    const tree = await createOrgTree(ds);
    const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
    // A NOT NULL column the app does not know about: PostgreSQL quotes the whole new row in its detail.
    await ds.query(`ALTER TABLE users ADD COLUMN required_note text NOT NULL DEFAULT 'x'`);
    await ds.query(`ALTER TABLE users ALTER COLUMN required_note DROP DEFAULT`);
    lines.length = 0;

    const res = await createTrainee(admin.auth, 'req-not-null', 'leaky2', tree.townshipA1.id);
    await ds.query('ALTER TABLE users DROP COLUMN required_note');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_VALUE');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((l) => l.err)).toMatchObject({
      level: 40,
      reqId: 'req-not-null',
      err: { type: 'QueryFailedError', code: '23502', table: 'users', column: 'required_note' },
    });
    const text = lines.join('\n');
    expect(text).not.toContain('$argon2');
    expect(text).not.toContain('13812345678');
    expect(text).not.toMatch(/INSERT INTO|"parameters"|"query"|"detail"/);
  });
});
