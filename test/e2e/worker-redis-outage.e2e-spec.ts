import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createPlan } from '../factories/classes';
import { classWithTrainees } from '../factories/reminders';
import { localDateIn } from '../factories/dates';
import { createOrgTree, createUser, signedIn } from '../factories';
import { type PrivateRedis, startPrivateRedis, stopAllRedis } from '../support/redis-server';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

/**
 * Redis holds only jobs; PostgreSQL holds the truth. Each test here runs on a private
 * redis-server it may wipe or stop: jobs lost with Redis come back from the reconciler
 * under the same ids, nothing already sent goes out again, and the API keeps taking writes
 * while Redis is down.
 */

/** Source classes, required after startTestApp (it resets the module registry) so they match the app's. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(path: string): T => require(path) as T;

const MIN = 60_000;
const OFFSETS = { first: 30 * MIN, second: 10 * MIN };

/** A quiet-hours window around now in the centres' zone: e-mail and SMS wait (delayed jobs) while it lasts. */
function quietWindowAroundNow(): string {
  const now = DateTime.now().setZone('Asia/Shanghai');
  return `${now.minus({ hours: 1 }).toFormat('HH:mm')}-${now.plus({ hours: 2 }).toFormat('HH:mm')}`;
}

const reminderJobId = (sessionId: string, offsetMs: number, startsAt: string) =>
  `reminder.${sessionId}.${offsetMs}.${new Date(startsAt).getTime()}`;

/** The helpers of reminders.e2e-spec.ts, for one app. */
function world(t: TestApp) {
  const ds: DataSource = t.ds;
  let countyA: OrgUnit;
  let townshipA1: OrgUnit;
  let planId: string;
  let admin: { auth: string };

  return {
    async setUp() {
      ({ countyA, townshipA1 } = await createOrgTree(ds));
      admin = await signedIn(t.http, ds, { role: 'admin', orgUnitId: countyA.id });
      planId = (await createPlan(ds, countyA, Number(localDateIn(0).slice(0, 4)))).id;
    },
    get admin() {
      return admin;
    },
    get townshipId() {
      return townshipA1.id;
    },
    /** An open class running from yesterday, with `confirmed` confirmed trainees (with phones when asked). */
    async openClass(confirmed: number, withPhones = false) {
      const plan = { id: planId, year: Number(localDateIn(0).slice(0, 4)) };
      const statuses = Array<'confirmed'>(confirmed).fill('confirmed');
      const c = await classWithTrainees(ds, { plan, county: countyA, township: townshipA1 }, statuses, withPhones);
      return { classId: c.classId, trainerId: c.trainerId, trainees: c.trainees.map((x) => x.id) };
    },
    /** Schedules a session through the API; answers it and how long the request took. */
    async schedule(classId: string, inMs: number) {
      const startsAt = new Date(Date.now() + inMs);
      const began = Date.now();
      const res = await t.http
        .post(`/api/classes/${classId}/sessions`)
        .set('Authorization', admin.auth)
        .send({ startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString() });
      const took = Date.now() - began;
      expect(res.status).toBe(201);
      return { id: (res.body as { id: string }).id, startsAt: startsAt.toISOString(), took };
    },
  };
}

async function notificationsAbout(ds: DataSource, aboutId: string) {
  return ds.query<
    { id: string; user_id: string; channel: string; template: string; status: string; dedup_key: string }[]
  >(
    `SELECT id, user_id, channel::text, template, status::text, dedup_key FROM notifications
      WHERE about_id = $1 ORDER BY dedup_key`,
    [aboutId],
  );
}

afterAll(async () => {
  await stopAllRedis();
});

describe('Redis wiped (FLUSHALL), then reconciled', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let worker: TestWorker | undefined;
  let w: ReturnType<typeof world>;
  let reminders: Queue;
  let notifications: Queue;
  let maintenance: Queue;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({
      REDIS_URL: redis.url,
      REMINDER_OFFSETS_MINUTES: '30,10',
      // E-mail and SMS wait (as delayed jobs) for the end of this window: pending rows with jobs in Redis.
      QUIET_HOURS: quietWindowAroundNow(),
      // The worker checks every 5 s that its reconcile schedule still exists.
      RECONCILE_INTERVAL_SECONDS: '5',
      JOB_BACKOFF_MS: '50',
    });
    w = world(t);
    await w.setUp();
    reminders = t.app.get<Queue>(getQueueToken('reminders'));
    notifications = t.app.get<Queue>(getQueueToken('notifications'));
    maintenance = t.app.get<Queue>(getQueueToken('maintenance'));
    worker = await startTestWorker(t);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('the delayed reminders and the pending SMS come back under the same job ids', async () => {
    const { classId } = await w.openClass(1, true);
    const session = await w.schedule(classId, 60 * MIN);
    const reminderIds = [OFFSETS.first, OFFSETS.second].map((o) => reminderJobId(session.id, o, session.startsAt));

    const user = await createUser(t.ds, { role: 'trainee', orgUnitId: w.townshipId, phone: '13700000001' });
    const { NotificationsService } = load<typeof import('../../src/notifications/notifications.service')>(
      '../../src/notifications/notifications.service',
    );
    await t.app
      .get(NotificationsService)
      .notify([user.id], { template: 'class-cancelled', payload: { centre: '甲县', classTitle: 'x' }, key: 'wiped' });
    const [sms] = await t.ds.query<{ id: string; status: string }[]>(
      `SELECT id, status::text FROM notifications WHERE user_id = $1 AND channel = 'sms'`,
      [user.id],
    );
    const deliverId = `deliver.${sms.id}.0`;

    const before = await Promise.all([
      ...reminderIds.map((id) => reminders.getJob(id)),
      notifications.getJob(deliverId),
    ]);
    expect(await Promise.all((before as Job[]).map((j) => j.getState()))).toEqual(['delayed', 'delayed', 'delayed']);
    const dueAt = (before as Job[]).map((j) => j.timestamp + j.delay);
    // Everything planned (the rotation reminder too), to compare with what comes back.
    const planned = [
      (await reminders.getJobCounts('delayed')).delayed,
      (await notifications.getJobCounts('delayed')).delayed,
    ];

    // Wiped: every job and the schedule go. (No check that they are gone: the worker's own
    // schedule check may already be putting them back. The jobs that come back are told from
    // the first ones by when they were added.)
    await redis.command('FLUSHALL');

    // The worker notices its schedule is gone, puts it back and reconciles: no one has to do anything.
    const after = await waitFor(
      'the jobs to be re-created',
      async () => {
        const jobs = await Promise.all([
          ...reminderIds.map((id) => reminders.getJob(id)),
          notifications.getJob(deliverId),
        ]);
        return jobs.every((j, i) => j && j.timestamp > before[i]!.timestamp) && (jobs as Job[]);
      },
      15_000,
    );
    expect(await Promise.all(after.map((j) => j.getState()))).toEqual(['delayed', 'delayed', 'delayed']);
    // Planned for the same moments (the reminders exactly; the SMS for the end of quiet hours).
    after.forEach((j, i) => expect(Math.abs(j.timestamp + j.delay - dueAt[i])).toBeLessThan(2000));
    expect(after.map((j) => j.data)).toEqual(before.map((j) => j!.data));
    expect(await maintenance.getJobScheduler('reconcile')).toBeTruthy();

    // Reconciling again (as the schedule will) adds nothing new.
    const { JobReconciler } = load<typeof import('../../src/common/queue/job-reconciler')>(
      '../../src/common/queue/job-reconciler',
    );
    const counts = await worker!.context.get(JobReconciler).reconcile();
    expect(counts['session-reminders']).toBeGreaterThanOrEqual(2);
    expect([
      (await reminders.getJobCounts('delayed')).delayed,
      (await notifications.getJobCounts('delayed')).delayed,
    ]).toEqual(planned);
    expect(planned[1]).toBe(1);
    expect(await t.ds.query(`SELECT status::text FROM notifications WHERE id = $1`, [sms.id])).toEqual([
      { status: 'pending' },
    ]);
  });

  it('a reminder already sent is not sent again after Redis lost its jobs', async () => {
    const { classId, trainerId, trainees } = await w.openClass(1);
    // 29 minutes ahead: the 30-minute reminder is due at once, the 10-minute one in 19 minutes.
    const session = await w.schedule(classId, 29 * MIN);
    const firstId = reminderJobId(session.id, OFFSETS.first, session.startsAt);
    await waitFor(
      'the 30-minute reminder to run',
      async () => (await (await reminders.getJob(firstId))?.getState()) === 'completed',
    );
    const sent = await notificationsAbout(t.ds, session.id);
    expect(sent.map((r) => r.user_id).sort()).toEqual([...trainees, trainerId].sort());
    expect(sent.every((r) => r.template === 'session-reminder' && r.channel === 'inbox')).toBe(true);
    const first = (await reminders.getJob(firstId))!;
    expect(first.returnvalue).toBe(2);

    // (The worker's own schedule check may re-create the job at any moment after this: it is told
    // apart from the first by when it was added.)
    await redis.command('FLUSHALL');
    const { JobReconciler } = load<typeof import('../../src/common/queue/job-reconciler')>(
      '../../src/common/queue/job-reconciler',
    );
    await worker!.context.get(JobReconciler).reconcile();

    // The reminder (still due) is planned again and runs again, and finds everyone told already.
    const rerun = await waitFor('the re-created reminder to run', async () => {
      const job = await reminders.getJob(firstId);
      return job && job.timestamp > first.timestamp && (await job.getState()) === 'completed' && job;
    });
    expect(rerun.returnvalue).toBe(0);
    expect(await notificationsAbout(t.ds, session.id)).toEqual(sent);
    expect(
      await (await reminders.getJob(reminderJobId(session.id, OFFSETS.second, session.startsAt)))?.getState(),
    ).toBe('delayed');
  });
});

describe('Redis stopped while the API takes writes', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let worker: TestWorker | undefined;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({
      REDIS_URL: redis.url,
      REMINDER_OFFSETS_MINUTES: '30,10',
      QUIET_HOURS: '',
      JOB_BACKOFF_MS: '50',
    });
    w = world(t);
    await w.setUp();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('answers promptly and keeps the rows; a worker started after Redis is back catches up', async () => {
    const doomed = await w.openClass(2, true);
    const toCancel = await w.schedule(doomed.classId, 60 * MIN);
    const { classId } = await w.openClass(1);

    await redis.stop();

    // A new session: 201 at once, in PostgreSQL, its reminders not yet in Redis.
    const session = await w.schedule(classId, 60 * MIN);
    expect(session.took).toBeLessThan(3000);
    expect(await t.ds.query(`SELECT status::text FROM sessions WHERE id = $1`, [session.id])).toEqual([
      { status: 'scheduled' },
    ]);

    // A cancellation that tells everyone (inbox and SMS): 200 at once, the notices written.
    const began = Date.now();
    await t.http.delete(`/api/sessions/${toCancel.id}`).set('Authorization', w.admin.auth).expect(200);
    expect(Date.now() - began).toBeLessThan(3000);
    const notices = await notificationsAbout(t.ds, toCancel.id);
    expect(notices.filter((r) => r.channel === 'sms').map((r) => [r.template, r.status])).toEqual([
      ['session-cancelled', 'pending'],
      ['session-cancelled', 'pending'],
    ]);
    expect(notices.filter((r) => r.channel === 'inbox')).toHaveLength(3); // two trainees and the trainer

    const health = await t.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.error).toMatchObject({ redis: { status: 'down' }, queues: { status: 'down' } });
    expect(health.body.info).toMatchObject({ postgres: { status: 'up' } });
    const queues = await t.http.get('/api/admin/queues').set('Authorization', w.admin.auth);
    expect(queues.status).toBe(503);
    expect(queues.body.code).toBe('SERVICE_UNAVAILABLE');

    // Back (empty: it kept nothing), and a worker started now re-creates what was missed.
    await redis.restart();
    await waitFor('/health to answer 200 again', async () => (await t.http.get('/health')).status === 200);
    worker = await startTestWorker(t);
    const reminders = t.app.get<Queue>(getQueueToken('reminders'));
    for (const offset of [OFFSETS.first, OFFSETS.second]) {
      const job = await reminders.getJob(reminderJobId(session.id, offset, session.startsAt));
      expect(await job?.getState()).toBe('delayed');
    }
    // The cancelled session's reminders are not re-created.
    expect(await reminders.getJob(reminderJobId(toCancel.id, OFFSETS.first, toCancel.startsAt))).toBeUndefined();
    const delivered = await waitFor('the pending SMS to be delivered', async () => {
      const rows = (await notificationsAbout(t.ds, toCancel.id)).filter((r) => r.channel === 'sms');
      return rows.every((r) => r.status === 'sent') && rows;
    });
    expect(delivered).toHaveLength(2);
  });
});
