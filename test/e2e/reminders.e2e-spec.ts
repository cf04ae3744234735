import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createPlan, createVenue } from '../factories/classes';
import { classWithTrainees } from '../factories/reminders';
import { localDateIn } from '../factories/dates';
import { createOrgTree, signedIn } from '../factories';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

// Offsets of 18 and 9 seconds: a session 20 s ahead is reminded at +2 s and +11 s.
const OFFSETS = { first: 18_000, second: 9_000 };
const ENV = {
  REMINDER_OFFSETS_MINUTES: '0.3,0.15',
  QUIET_HOURS: '',
  JOB_BACKOFF_MS: '50',
  ENROLMENT_GAP_NOTICE_HOURS: '0.001',
};

interface Row {
  user_id: string;
  template: string;
  channel: string;
  dedup_key: string;
  payload: Record<string, unknown>;
}

async function messages(ds: DataSource, aboutId: string, template?: string): Promise<Row[]> {
  return ds.query(
    `SELECT user_id, template, channel::text, dedup_key, payload FROM notifications
      WHERE about_id = $1 AND ($2::text IS NULL OR template = $2) AND channel = 'inbox' ORDER BY created_at, dedup_key`,
    [aboutId, template ?? null],
  );
}

describe('Reminders (worker, BullMQ)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let queue: Queue;
  let admin: { auth: string };
  let townshipA1: OrgUnit;
  let countyA: OrgUnit;
  let planId: string;
  let ds: DataSource;
  // App classes, loaded after the app boots (see test-app.ts).
  let SessionRemindersService: typeof import('../../src/reminders/session-reminders.service').SessionRemindersService;

  beforeAll(async () => {
    t = await startTestApp(ENV);
    ds = t.ds;
    worker = await startTestWorker(t, ENV);
    /* eslint-disable @typescript-eslint/no-require-imports */
    ({ SessionRemindersService } =
      require('../../src/reminders/session-reminders.service') as typeof import('../../src/reminders/session-reminders.service'));
    /* eslint-enable @typescript-eslint/no-require-imports */
    queue = t.app.get<Queue>(getQueueToken('reminders'));
    const tree = await createOrgTree(ds);
    ({ townshipA1, countyA } = tree);
    admin = await signedIn(t.http, ds, { role: 'admin', orgUnitId: countyA.id });
    const start = localDateIn(0);
    planId = (await createPlan(ds, countyA, Number(start.slice(0, 4)))).id;
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  /** An open class of township A1 with `confirmed` confirmed trainees, and one withdrawn and one waitlisted. */
  async function openClass(confirmed = 2) {
    const plan = { id: planId, year: Number(localDateIn(0).slice(0, 4)) };
    const statuses = [...Array<'confirmed'>(confirmed).fill('confirmed'), 'withdrawn', 'waitlisted'] as const;
    const c = await classWithTrainees(ds, { plan, county: countyA, township: townshipA1 }, [...statuses]);
    return {
      classId: c.classId,
      trainerId: c.trainerId,
      confirmed: c.trainees.filter((x) => x.status === 'confirmed').map((x) => x.id),
      others: c.trainees.filter((x) => x.status !== 'confirmed'),
    };
  }

  async function schedule(classId: string, inMs: number): Promise<{ id: string; startsAt: string }> {
    const startsAt = new Date(Date.now() + inMs);
    const res = await t.http
      .post(`/api/classes/${classId}/sessions`)
      .set('Authorization', admin.auth)
      .send({ startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString() })
      .expect(201);
    const session = res.body as { id: string };
    return { id: session.id, startsAt: startsAt.toISOString() };
  }

  const jobId = (sessionId: string, offsetMs: number, startsAt: string) =>
    `reminder.${sessionId}.${offsetMs}.${new Date(startsAt).getTime()}`;

  it('reminds each confirmed trainee and the trainer at each offset, under deterministic job ids', async () => {
    const { classId, trainerId, confirmed, others } = await openClass(2);
    const session = await schedule(classId, 20_000);
    // Planned by an after-commit listener, which the answer does not wait for.
    const planned = await waitFor('the reminder jobs', async () => {
      const jobs = await Promise.all(
        [OFFSETS.first, OFFSETS.second].map((o) => queue.getJob(jobId(session.id, o, session.startsAt))),
      );
      return jobs.every(Boolean) && jobs;
    });
    expect(planned.map((j) => j?.name)).toEqual(['session-reminder', 'session-reminder']);
    // Delayed to their moments: start − 18 s (about +2 s) and start − 9 s (about +11 s).
    const [first, second] = planned.map((j) => j!.timestamp + j!.delay);
    const start = new Date(session.startsAt).getTime();
    expect(Math.abs(first - (start - OFFSETS.first))).toBeLessThan(1_000);
    expect(Math.abs(second - (start - OFFSETS.second))).toBeLessThan(1_000);

    const sent = await waitFor('both reminders', async () => {
      const rows = await messages(ds, session.id, 'session-reminder');
      return rows.length === 6 && rows;
    });
    const recipients = [...confirmed, trainerId].sort();
    for (const offset of [OFFSETS.first, OFFSETS.second]) {
      const of = sent.filter((r) => r.dedup_key.includes(`:${offset}:`));
      expect(of.map((r) => r.user_id).sort()).toEqual(recipients);
    }
    expect(sent.some((r) => others.some((o) => o.id === r.user_id))).toBe(false);
    expect(sent[0].payload).toMatchObject({ sessionId: session.id, startsAt: session.startsAt, centre: '甲县' });

    // The same reminder again (a repeated job, a reconciled duplicate) writes nothing.
    const again = {
      sessionId: session.id,
      offsetMs: OFFSETS.second,
      startsAt: new Date(session.startsAt).toISOString(),
    };
    expect(await worker.context.get(SessionRemindersService).send(again)).toBe(0);
    expect(await messages(ds, session.id, 'session-reminder')).toHaveLength(6);
  });

  it('stops reminding a trainee who withdraws', async () => {
    const { classId, trainerId, confirmed } = await openClass(2);
    const session = await schedule(classId, 20_000);
    await waitFor('the first reminder', async () => (await messages(ds, session.id)).length === 3);
    await ds.query(
      `UPDATE enrolments SET status = 'withdrawn', withdrawal_reason = 'self', withdrawn_at = now()
        WHERE class_id = $1 AND trainee_id = $2`,
      [classId, confirmed[0]],
    );
    const rows = await waitFor('the second reminder', async () => {
      const r = await messages(ds, session.id);
      return r.length === 5 && r;
    });
    const second = rows.filter((r) => r.dedup_key.includes(`:${OFFSETS.second}:`)).map((r) => r.user_id);
    expect(second.sort()).toEqual([confirmed[1], trainerId].sort());
  });

  it('moves the reminders of a moved session and tells those already reminded', async () => {
    const { classId, trainerId, confirmed } = await openClass(1);
    const session = await schedule(classId, 20_000);
    await waitFor('the first reminder', async () => (await messages(ds, session.id)).length === 2);

    const later = new Date(Date.now() + 3_600_000);
    await t.http
      .patch(`/api/sessions/${session.id}`)
      .set('Authorization', admin.auth)
      .send({ startsAt: later.toISOString(), endsAt: new Date(later.getTime() + 3_600_000).toISOString() })
      .expect(200);

    // Written with the move itself: the "changed" notice to the two already reminded.
    const changed = await messages(ds, session.id, 'session-changed');
    expect(changed.map((r) => r.user_id).sort()).toEqual([...confirmed, trainerId].sort());
    expect(changed[0].payload).toMatchObject({ previousStartsAt: session.startsAt, startsAt: later.toISOString() });

    // The old time's remaining job goes; the new time's are planned for their moments (after commit).
    await waitFor(
      'the old job to go',
      async () => !(await queue.getJob(jobId(session.id, OFFSETS.second, session.startsAt))),
    );
    for (const offset of [OFFSETS.first, OFFSETS.second]) {
      const job = await waitFor('the new job', () => queue.getJob(jobId(session.id, offset, later.toISOString())));
      expect(await job.getState()).toBe('delayed');
      expect(job.timestamp + job.delay).toBeGreaterThanOrEqual(later.getTime() - offset - 1000);
      expect(job.timestamp + job.delay).toBeLessThanOrEqual(later.getTime() - offset + 1000);
    }
  });

  it('tells those already reminded when only the place changes, keeping the reminders', async () => {
    const { classId, trainerId, confirmed } = await openClass(1);
    const session = await schedule(classId, 20_000);
    await waitFor('the first reminder', async () => (await messages(ds, session.id)).length === 2);
    const venue = await createVenue(ds, countyA, { name: '甲县图书馆二楼' });
    await t.http
      .patch(`/api/sessions/${session.id}`)
      .set('Authorization', admin.auth)
      .send({ venueId: venue.id })
      .expect(200);
    const changed = await messages(ds, session.id, 'session-changed');
    expect(changed.map((r) => r.user_id).sort()).toEqual([...confirmed, trainerId].sort());
    expect(changed[0].payload).toMatchObject({ moved: false, venue: '甲县图书馆二楼' });
    // Same time: the second reminder is still planned, and names the new place when it goes.
    const rows = await waitFor('the second reminder', async () => {
      const r = await messages(ds, session.id, 'session-reminder');
      return r.length === 4 && r;
    });
    expect(rows.filter((r) => r.dedup_key.includes(`:${OFFSETS.second}:`))[0].payload).toMatchObject({
      venue: '甲县图书馆二楼',
    });
  });

  it('drops the reminders of a cancelled session and sends a cancellation notice instead', async () => {
    const { classId, trainerId, confirmed } = await openClass(2);
    const session = await schedule(classId, 60_000);
    await waitFor('the reminder job', () => queue.getJob(jobId(session.id, OFFSETS.first, session.startsAt)));
    await t.http.delete(`/api/sessions/${session.id}`).set('Authorization', admin.auth).expect(200);

    const notices = await messages(ds, session.id, 'session-cancelled');
    expect(notices.map((r) => r.user_id).sort()).toEqual([...confirmed, trainerId].sort());
    for (const offset of [OFFSETS.first, OFFSETS.second]) {
      await waitFor('the job to go', async () => !(await queue.getJob(jobId(session.id, offset, session.startsAt))));
    }
    expect(await messages(ds, session.id, 'session-reminder')).toEqual([]);
  });

  it('never reminds of a session already past', async () => {
    const reminders = worker.context.get(SessionRemindersService);
    const { classId } = await openClass(1);
    const session = await schedule(classId, 20_000);
    const past = new Date(Date.now() - 60_000);
    await ds.query(`UPDATE sessions SET starts_at = $2, ends_at = $3 WHERE id = $1`, [
      session.id,
      past,
      new Date(past.getTime() + 30_000),
    ]);
    expect(await reminders.plan([{ sessionId: session.id, startsAt: past }])).toBe(0);
    const payload = { sessionId: session.id, offsetMs: OFFSETS.second, startsAt: past.toISOString() };
    expect(await reminders.send(payload)).toBe(0);
    expect(await messages(ds, session.id)).toEqual([]);
  });

  it('a job already running when its session is cancelled does nothing', async () => {
    const reminders = worker.context.get(SessionRemindersService);
    const original = reminders.send.bind(reminders);
    let started!: () => void;
    let release!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const results: number[] = [];
    let target: string | undefined;
    // Holds this test's job (other tests' jobs pass straight through).
    const spy = jest.spyOn(reminders, 'send').mockImplementation(async (p) => {
      if (p.sessionId !== target) return original(p);
      started();
      await gate;
      const n = await original(p);
      results.push(n);
      return n;
    });
    try {
      const { classId } = await openClass(2);
      const session = await schedule(classId, 11_000); // the 9 s reminder is due at +2 s (the 18 s one is long past)
      target = session.id;
      await running;
      const job = (await queue.getJob(jobId(session.id, OFFSETS.second, session.startsAt))) as Job;
      expect(await job.getState()).toBe('active');
      await t.http.delete(`/api/sessions/${session.id}`).set('Authorization', admin.auth).expect(200);
      release();
      await waitFor('the job to finish', async () => (await job.getState()) === 'completed' || undefined);
      expect(results[0]).toBe(0);
      expect(await messages(ds, session.id, 'session-reminder')).toEqual([]);
    } finally {
      release();
      spy.mockRestore();
    }
  });

  it('two workers on one Redis never run a reminder twice', async () => {
    const second = await startTestWorker(t, ENV);
    const spies = [worker, second].map((w) => jest.spyOn(w.context.get(SessionRemindersService), 'send'));
    try {
      const sessions: { id: string; startsAt: string }[] = [];
      for (let i = 0; i < 4; i++) {
        const { classId } = await openClass(1);
        sessions.push(await schedule(classId, 11_000));
      }
      // Each session: its 9 s reminder at +2 s, to its trainee and trainer.
      await waitFor('every reminder', async () => {
        const counts = await Promise.all(sessions.map((s) => messages(ds, s.id, 'session-reminder')));
        return counts.every((c) => c.length === 2);
      });
      // Every job ran once, on one worker or the other (other tests' late jobs are not counted).
      const ours = new Set(sessions.map((s) => s.id));
      const calls = spies.flatMap((s) => s.mock.calls.map(([p]) => p.sessionId));
      expect(calls.filter((id) => ours.has(id))).toHaveLength(sessions.length);
    } finally {
      spies.forEach((s) => s.mockRestore());
      await second.close();
    }
  });
});
