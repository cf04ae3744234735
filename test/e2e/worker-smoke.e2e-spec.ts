import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';

describe('worker smoke', () => {
  let t: TestApp;
  let w: TestWorker;
  beforeAll(async () => {
    t = await startTestApp();
    // The worker signs nothing: it starts without JWT_SECRET (or CHECK_IN_SECRET), as compose runs it.
    w = await startTestWorker(t, { JWT_SECRET: '', CHECK_IN_SECRET: '' });
  });
  afterAll(async () => {
    await w?.close();
    await t?.close();
  });
  it('boots and schedules the reconciler', async () => {
    const keys = await t.redis.keys('*');
    expect(keys.join(' ')).toContain('maintenance');
  });
});
