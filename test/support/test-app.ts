import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { validateEnv } from '../../src/config/env';
import { dataSourceOptions } from '../../src/database/data-source';
import { dbUrl, dropDatabase, runId, templateDb, withAdminClient } from './test-db';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  /** A direct connection to this file's database, for factories and checks. */
  ds: DataSource;
  /** A Redis client on this file's key prefix. */
  redis: Redis;
  databaseUrl: string;
  /** The environment this app runs with (a worker started for it uses the same, see test-worker.ts). */
  rawEnv: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** A fresh database (copied from the migrated template) for one test file. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `lms_t${runId()}_${randomUUID().slice(0, 8)}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`));
  return { name, url: dbUrl(name), drop: () => withAdminClient((c) => dropDatabase(c, name)) };
}

/**
 * Boots the real API (Fastify, PostgreSQL, Redis) on a database of its own and a Redis
 * key prefix of its own. `env` overrides variables for this app; logs go to
 * `options.logDestination` (they are silent unless `env` sets another NODE_ENV than test).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const prefix = `lms:test:${randomUUID().slice(0, 8)}:`;
  // Small pools: two test files run at once, some with two apps, under PostgreSQL's default 100 connections.
  const rawEnv = { ...process.env, DATABASE_URL: db.url, REDIS_PREFIX: prefix, DATABASE_POOL_SIZE: '8', ...env };
  const config = validateEnv(rawEnv);
  // A fresh module registry per app: passport keeps strategies in a process-wide singleton,
  // so two apps in one file would otherwise share (and, once one closes, break) them.
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require('../../src/app.factory') as typeof import('../../src/app.factory');
  const app = await createApp(config, options);
  const ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  // Fails fast instead of retrying when a test points the app at a Redis that is down.
  const redis = new Redis(config.REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  return {
    app,
    http: request(app.getHttpServer()),
    ds,
    redis,
    databaseUrl: db.url,
    rawEnv,
    async close() {
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
      } catch {
        // Redis unreachable in this test: nothing was written there.
      } finally {
        redis.disconnect();
      }
      await app.close();
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
  };
}

/**
 * Makes the app listen on a real port (an ephemeral one on 127.0.0.1), for a browser, and
 * answers its base URL, `http://127.0.0.1:PORT`. Supertest and `app.inject` go on working
 * (supertest uses the listening server); `close()` stops it.
 */
export async function listenOnLoopback(t: Pick<TestApp, 'app'>): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
