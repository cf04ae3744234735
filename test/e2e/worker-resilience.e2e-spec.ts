import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { validateEnv } from '../../src/config/env';
import { createOrgTree, createUser } from '../factories';
import { killAllWorkers, spawnWorker } from '../support/child-worker';
import { type FakeSmsGateway, startFakeSmsGateway } from '../support/fake-sms-gateway';
import { startPrivateRedis, stopAllRedis } from '../support/redis-server';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

/** Source classes, required after startTestApp (it resets the module registry) so they match the app's. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(path: string): T => require(path) as T;

/**
 * The worker as a process: it refuses a Redis that may evict jobs, a job whose worker is
 * killed mid-delivery is taken over once its lock lapses and the SMS is recorded once (the
 * gateway sees the same Idempotency-Key both times), and SIGTERM lets a running delivery finish.
 */
describe('worker process resilience', () => {
  afterAll(async () => {
    await killAllWorkers();
    await stopAllRedis();
  });

  describe('a Redis that may evict keys', () => {
    it('createWorker rejects with a RedisPolicyError naming the policy and noeviction', async () => {
      const redis = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
      // Required together: a test app elsewhere in this file resets the module registry.
      const { createWorker } = load<typeof import('../../src/worker')>('../../src/worker');
      const { RedisPolicyError } = load<typeof import('../../src/common/queue/redis-policy')>(
        '../../src/common/queue/redis-policy',
      );
      const error = await createWorker(validateEnv({ ...process.env, REDIS_URL: redis.url })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisPolicyError);
      expect((error as Error).message).toContain('allkeys-lru');
      expect((error as Error).message).toContain('noeviction');
    });

    it('as a process it exits non-zero printing the reason, without a stack', async () => {
      const redis = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
      const child = spawnWorker({ ...process.env, REDIS_URL: redis.url });
      const { code } = await child.exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(child.stderr()).toContain(`maxmemory-policy is "allkeys-lru"`);
      expect(child.stderr()).toContain('noeviction');
      expect(child.stderr()).not.toMatch(/^\s+at /m);
    });

    it('starts once the policy is noeviction', async () => {
      // The same private Redis, fixed: proves the refusal above is about the policy alone.
      const redis = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
      await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      const { assertNoEviction } = load<typeof import('../../src/common/queue/redis-policy')>(
        '../../src/common/queue/redis-policy',
      );
      await expect(assertNoEviction({ REDIS_URL: redis.url })).resolves.toBeUndefined();
    });
  });

  describe('SMS delivery across a killed and a stopped worker', () => {
    let t: TestApp;
    let gateway: FakeSmsGateway;
    let queue: Queue;
    let orgUnitId: string;
    const inProcess: TestWorker[] = [];

    beforeAll(async () => {
      gateway = await startFakeSmsGateway();
      t = await startTestApp({
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: gateway.url,
        SMS_HTTP_SECRET: gateway.secret,
        QUIET_HOURS: '',
        JOB_LOCK_MS: '2000',
        JOB_BACKOFF_MS: '50',
        WORKER_SHUTDOWN_GRACE_SECONDS: '10',
      });
      queue = t.app.get<Queue>(getQueueToken('notifications'));
      orgUnitId = (await createOrgTree(t.ds)).townshipA1.id;
    });

    afterAll(async () => {
      await killAllWorkers();
      for (const w of inProcess) await w.close().catch(() => undefined);
      await t?.close();
      await gateway?.close();
    });

    /** Writes a class-cancelled message to a new trainee with a phone (outside a transaction: queued at once). */
    async function smsFor(key: string): Promise<{ userId: string; notificationId: string; jobId: string }> {
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId, phone: `138${String(Date.now()).slice(-8)}` });
      const { NotificationsService } = load<typeof import('../../src/notifications/notifications.service')>(
        '../../src/notifications/notifications.service',
      );
      const written = await t.app
        .get(NotificationsService)
        .notify([user.id], { template: 'class-cancelled', payload: { centre: '甲县', classTitle: 'x' }, key });
      expect(written).toBe(2); // inbox and SMS
      const [row] = await smsRows(user.id);
      return { userId: user.id, notificationId: row.id, jobId: `deliver.${row.id}.0` };
    }

    function smsRows(userId: string): Promise<{ id: string; status: string; attempts: number }[]> {
      return t.ds.query(`SELECT id, status::text, attempts FROM notifications WHERE user_id = $1 AND channel = 'sms'`, [
        userId,
      ]);
    }

    it('a worker killed mid-delivery: the job is taken over after its lock lapses and sent once', async () => {
      let firstArrived!: () => void;
      const first = new Promise<void>((resolve) => (firstArrived = resolve));
      // The first request is held unanswered (the worker dies waiting); any later one is accepted.
      gateway.handle = (r) => {
        if (gateway.requests.length === 1) firstArrived();
        else r.respond(200);
      };
      const { userId, notificationId, jobId } = await smsFor('k1');
      const doomed = spawnWorker(t.rawEnv);
      await first;
      const job = (await queue.getJob(jobId)) as Job;
      expect(await job.getState()).toBe('active');
      expect(await smsRows(userId)).toEqual([{ id: notificationId, status: 'pending', attempts: 0 }]);

      doomed.proc.kill('SIGKILL');
      expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor('the gateway to see the killed sender hang up', async () => gateway.requests[0].aborted);
      const killedAt = Date.now();

      inProcess.push(await startTestWorker(t));
      const sent = await waitFor('the SMS to be recorded as sent', async () => {
        const [row] = await smsRows(userId);
        return row.status === 'sent' && row;
      });
      expect(sent).toEqual({ id: notificationId, status: 'sent', attempts: 1 });
      expect(await smsRows(userId)).toHaveLength(1);

      // The gateway saw it twice, the same message both times, so it can drop the repeat.
      expect(gateway.requests).toHaveLength(2);
      expect(gateway.requests.map((r) => r.idempotencyKey)).toEqual([`${notificationId}.0`, `${notificationId}.0`]);
      expect(gateway.requests.every((r) => r.signatureValid)).toBe(true);
      expect(gateway.requests[1].body).toEqual(gateway.requests[0].body);
      // The first one was never answered: its worker was killed while waiting.
      expect(gateway.requests[0].aborted).toBe(true);

      // Taken over as a stalled job (its lock lapsed), not failed and retried, and completed once.
      const done = (await queue.getJob(jobId)) as Job;
      expect(await done.getState()).toBe('completed');
      expect(done.returnvalue).toBe('sent');
      expect(done.stalledCounter).toBe(1);
      expect(done.attemptsMade).toBe(1);
      expect(done.finishedOn! - killedAt).toBeGreaterThan(0);
    });

    it('SIGTERM: a worker finishes the delivery it is running, then exits 0', async () => {
      // Nothing else may take the job: a worker left over from a failed test above is stopped first.
      await killAllWorkers();
      for (const w of inProcess.splice(0)) await w.close();
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      let answeredAt = 0;
      // A slow gateway: answers about a second after the request.
      gateway.handle = (r) => {
        arrived();
        setTimeout(() => {
          answeredAt = Date.now();
          r.respond(200);
        }, 1000);
      };
      const before = gateway.requests.length;
      const worker = spawnWorker(t.rawEnv);
      await worker.waitForOutput(/Worker started/);
      const { userId, notificationId, jobId } = await smsFor('k2');
      await received;
      expect(await smsRows(userId)).toEqual([{ id: notificationId, status: 'pending', attempts: 0 }]);

      const signalledAt = Date.now();
      worker.proc.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(worker.output()).toContain('SIGTERM: finishing running jobs');
      // It was still waiting for the gateway when told to stop, and waited for the answer.
      expect(answeredAt).toBeGreaterThan(signalledAt);

      expect(await smsRows(userId)).toEqual([{ id: notificationId, status: 'sent', attempts: 1 }]);
      const job = (await queue.getJob(jobId)) as Job;
      expect(await job.getState()).toBe('completed');
      expect(job.returnvalue).toBe('sent');
      expect(job.stalledCounter).toBe(0);
      expect(job.attemptsMade).toBe(1);
      // Sent once: no retry reached the gateway.
      expect(gateway.requests.slice(before).map((r) => r.idempotencyKey)).toEqual([`${notificationId}.0`]);
    });

    it('SIGTERM past the grace period: the worker exits, hands the job back, and it is sent once elsewhere', async () => {
      await killAllWorkers();
      for (const w of inProcess.splice(0)) await w.close();
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      const before = gateway.requests.length;
      // The first request hangs (a gateway that stopped answering); a later one is accepted.
      gateway.handle = (r) => {
        if (gateway.requests.length === before + 1) arrived();
        else r.respond(200);
      };
      const worker = spawnWorker({ ...t.rawEnv, WORKER_SHUTDOWN_GRACE_SECONDS: '1' });
      await worker.waitForOutput(/Worker started/);
      const { userId, notificationId, jobId } = await smsFor('k3');
      await received;

      const signalledAt = Date.now();
      worker.proc.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      // Within the grace period and a little more, not after the gateway's 15 s timeout.
      expect(Date.now() - signalledAt).toBeLessThan(6000);
      expect(worker.output()).toContain('running jobs did not finish in time; handing them back');
      expect(await smsRows(userId)).toEqual([{ id: notificationId, status: 'pending', attempts: 0 }]);

      inProcess.push(await startTestWorker(t));
      await waitFor('the handed-back SMS to be sent', async () => (await smsRows(userId))[0].status === 'sent');
      expect(await smsRows(userId)).toEqual([{ id: notificationId, status: 'sent', attempts: 1 }]);
      expect(gateway.requests.slice(before).map((r) => r.idempotencyKey)).toEqual([
        `${notificationId}.0`,
        `${notificationId}.0`,
      ]);
      const job = (await queue.getJob(jobId)) as Job;
      expect(await job.getState()).toBe('completed');
      expect(job.stalledCounter).toBe(1);
    });
  });
});
