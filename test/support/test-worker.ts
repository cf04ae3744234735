import { validateEnv } from '../../src/config/env';
import type { TestApp } from './test-app';

export interface TestWorker {
  /** The worker's Nest context, for `get(Service)` (require classes after startTestApp, as for the app). */
  context: import('@nestjs/common').INestApplicationContext;
  close(): Promise<void>;
}

/**
 * Starts a worker in this process on the app's database and Redis prefix (as `npm run
 * start:worker` would), with `env` overriding variables (e.g. JOB_BACKOFF_MS). Close it
 * before the app (`await worker.close()` in afterAll). Jobs run as soon as it is up.
 */
export async function startTestWorker(t: TestApp, env: Record<string, string> = {}): Promise<TestWorker> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createWorker } = require('../../src/worker') as typeof import('../../src/worker');
  const worker = await createWorker(validateEnv({ ...t.rawEnv, ...env }));
  return { context: worker.context, close: () => worker.close() };
}
