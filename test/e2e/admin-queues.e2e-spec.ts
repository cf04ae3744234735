import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { createOrgTree, signedIn } from '../factories';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

const QUEUE_NAMES = ['notifications', 'reminders', 'visits', 'quizzes', 'certificates', 'imports', 'maintenance'];
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed', 'paused'];

interface QueueState {
  name: string;
  counts: Record<string, number>;
  oldestWaitingSeconds: number | null;
  workers: number;
}

/** GET /api/admin/queues and the `queues` check of /health, with and without a worker. */
describe('Admin view of the job queues', () => {
  let t: TestApp;
  let worker: TestWorker | undefined;
  let admin: { auth: string };
  let trainee: { auth: string };
  let trainer: { auth: string };

  beforeAll(async () => {
    t = await startTestApp();
    const { countyA, townshipA1 } = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: countyA.id });
    trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: townshipA1.id });
    trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: countyA.id });
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  async function states(): Promise<Map<string, QueueState>> {
    const res = await t.http.get('/api/admin/queues').set('Authorization', admin.auth).expect(200);
    return new Map((res.body as { queues: QueueState[] }).queues.map((q) => [q.name, q]));
  }

  it('lists every queue with its counts per state, how long the oldest job waits and no worker', async () => {
    const visits = t.app.get<Queue>(getQueueToken('visits'));
    const job = await visits.add('probe', {}, { jobId: 'admin-view-probe', timestamp: Date.now() - 3000 });
    try {
      const byName = await states();
      expect([...byName.keys()].sort()).toEqual([...QUEUE_NAMES].sort());
      for (const q of byName.values()) {
        expect(Object.keys(q.counts).sort()).toEqual([...STATES].sort());
        expect(Object.values(q.counts).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
        expect(q.workers).toBe(0);
      }
      const waiting = byName.get('visits')!;
      expect(waiting.counts.waiting).toBe(1);
      expect(waiting.oldestWaitingSeconds).not.toBeNull();
      expect(waiting.oldestWaitingSeconds!).toBeGreaterThanOrEqual(2);
      expect(byName.get('imports')!.oldestWaitingSeconds).toBeNull();

      const health = await t.http.get('/health').expect(200);
      expect(health.body.details.queues).toMatchObject({ status: 'up', workers: 0, waiting: 1 });
    } finally {
      await job.remove();
    }
  });

  it('counts the workers once one runs, in the admin view and in /health', async () => {
    worker = await startTestWorker(t);
    const byName = await waitFor('the worker to be counted', async () => {
      const s = await states();
      return [...s.values()].every((q) => q.workers >= 1) && s;
    });
    expect([...byName.values()].map((q) => q.workers).every((n) => n >= 1)).toBe(true);
    const health = await t.http.get('/health').expect(200);
    expect(health.body.details.queues.status).toBe('up');
    expect(health.body.details.queues.workers).toBeGreaterThanOrEqual(1);
  });

  it('is for admins only', async () => {
    await t.http.get('/api/admin/queues').set('Authorization', trainee.auth).expect(403);
    await t.http.get('/api/admin/queues').set('Authorization', trainer.auth).expect(403);
    await t.http.get('/api/admin/queues').expect(401);
  });
});
