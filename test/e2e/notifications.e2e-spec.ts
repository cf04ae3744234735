import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { DataSource } from 'typeorm';
import { Enrolment } from '../../src/enrolments/enrolment.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { localDateIn } from '../factories/dates';
import { createOrgTree, createUser, signedIn } from '../factories';
import { type TestApp, startTestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';
import { waitFor } from '../support/wait-for';

const BASE_ENV = { QUIET_HOURS: '', JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' };
const SMS_SECRET = 'test-sms-gateway-secret-0123456789abcdef';

type NotifyService = { notify(userIds: string[], m: Record<string, unknown>): Promise<number> };

/** Writes one message the way a service does (outside a transaction its delivery is queued at once). */
function notifier(t: TestApp): NotifyService {
  const { NotificationsService } =
    require('../../src/notifications/notifications.service') as typeof import('../../src/notifications/notifications.service'); // eslint-disable-line @typescript-eslint/no-require-imports
  return t.app.get(NotificationsService);
}

async function rows(ds: DataSource, userId: string, channel?: string) {
  return ds.query<{ id: string; channel: string; status: string; attempts: number; last_error: string | null }[]>(
    `SELECT id, channel::text, status::text, attempts, last_error FROM notifications
      WHERE user_id = $1 AND ($2::text IS NULL OR channel::text = $2) ORDER BY created_at, channel`,
    [userId, channel ?? null],
  );
}

/** A stand-in SMS gateway on loopback: records what it receives, checks the signature, answers `status()`. */
async function smsGateway(status: () => number = () => 200) {
  const received: { body: Record<string, string>; headers: IncomingMessage['headers']; signed: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const expected = createHmac('sha256', SMS_SECRET)
        .update(`${String(req.headers['x-timestamp'])}.${raw}`)
        .digest('hex');
      received.push({
        body: JSON.parse(raw),
        headers: req.headers,
        signed: req.headers['x-signature'] === `sha256=${expected}`,
      });
      res.statusCode = status();
      res.end(res.statusCode === 200 ? '{"ok":true}' : 'gateway down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Notifications', () => {
  describe('inbox and preferences', () => {
    let t: TestApp;
    let me: { user: { id: string }; auth: string };
    let other: { user: { id: string }; auth: string };

    beforeAll(async () => {
      t = await startTestApp(BASE_ENV);
      const tree = await createOrgTree(t.ds);
      me = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13800000001' });
      other = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    });
    afterAll(() => t?.close());

    const message = (key: string, classTitle: string) => ({
      template: 'class-cancelled',
      payload: { centre: '甲县', classTitle },
      key,
    });

    it('lists my messages unread first, newest first, in my language, and marks them read', async () => {
      const n = notifier(t);
      await n.notify([me.user.id], message('m1', '第一班'));
      await n.notify([me.user.id], message('m2', '第二班'));
      await n.notify([me.user.id], message('m3', '第三班'));
      await n.notify([other.user.id], message('m4', '别人的班'));

      const all = await t.http.get('/api/me/notifications').set('Authorization', me.auth).expect(200);
      expect(all.body).toMatchObject({ total: 3, unread: 3, page: 1 });
      const titles = (all.body.items as { title: string }[]).map((i) => i.title);
      expect(titles).toEqual(['培训班取消：第三班', '培训班取消：第二班', '培训班取消：第一班']);
      expect(all.body.items[0].body).toContain('很抱歉');

      const oldest = all.body.items[2] as { id: string };
      const read = await t.http
        .post(`/api/me/notifications/${oldest.id}/read`)
        .set('Authorization', me.auth)
        .set('Accept-Language', 'en')
        .expect(200);
      expect(read.body.title).toBe('Class cancelled: 第一班');
      expect(read.body.readAt).toEqual(expect.stringMatching(/\+08:00$/));

      // Unread first: the newest read message sorts after the unread ones.
      await t.http.post(`/api/me/notifications/${all.body.items[0].id}/read`).set('Authorization', me.auth).expect(200);
      const after = await t.http.get('/api/me/notifications?pageSize=2').set('Authorization', me.auth).expect(200);
      expect(after.body).toMatchObject({ total: 3, unread: 1, pageSize: 2 });
      expect(after.body.items.map((i: { title: string }) => i.title)).toEqual([
        '培训班取消：第二班',
        '培训班取消：第三班',
      ]);

      const unread = await t.http.get('/api/me/notifications?unread=true').set('Authorization', me.auth).expect(200);
      expect(unread.body.items.map((i: { title: string }) => i.title)).toEqual(['培训班取消：第二班']);

      const all2 = await t.http.post('/api/me/notifications/read-all').set('Authorization', me.auth).expect(200);
      expect(all2.body).toEqual({ updated: 1 });
      const none = await t.http.get('/api/me/notifications?unread=true').set('Authorization', me.auth).expect(200);
      expect(none.body).toMatchObject({ total: 0, unread: 0, items: [] });
    });

    it('keeps one message per person and channel however often it is written', async () => {
      const n = notifier(t);
      expect(await n.notify([other.user.id], message('same-key', '重复'))).toBe(1);
      expect(await n.notify([other.user.id], message('same-key', '重复'))).toBe(0);
      expect((await rows(t.ds, other.user.id)).length).toBe(2); // m4 and same-key, inbox only (no phone)
    });

    it("answers 404 for someone else's message and 400 for a bad id or filter", async () => {
      const [theirs] = await rows(t.ds, other.user.id, 'inbox');
      const res = await t.http
        .post(`/api/me/notifications/${theirs.id}/read`)
        .set('Authorization', me.auth)
        .expect(404);
      expect(res.body.code).toBe('NOTIFICATION_NOT_FOUND');
      await t.http.post('/api/me/notifications/nope/read').set('Authorization', me.auth).expect(400);
      const bad = await t.http.get('/api/me/notifications?unread=yes').set('Authorization', me.auth).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      await t.http.get('/api/me/notifications').expect(401);
    });

    it("answers the instants of a message's data in the centre's offset", async () => {
      const tree = await createOrgTree(t.ds);
      const someone = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await notifier(t).notify([someone.user.id], {
        template: 'session-cancelled',
        payload: { centre: '甲县', classTitle: '有时间的班', startsAt: '2027-03-03T01:00:00.000Z' },
        key: 'timed',
      });
      const res = await t.http.get('/api/me/notifications').set('Authorization', someone.auth).expect(200);
      expect(res.body.items[0].payload.startsAt).toBe('2027-03-03T09:00:00+08:00');
      expect(res.body.items[0].title).toBe('课程取消：有时间的班 3月3日周三 09:00');
    });

    it('sends SMS only to those who want it and have a phone number', async () => {
      const prefs = await t.http.get('/api/me/notification-preferences').set('Authorization', me.auth).expect(200);
      expect(prefs.body).toEqual({ email: true, sms: true, inbox: true, hasEmail: false, hasPhone: true });
      const before = (await rows(t.ds, me.user.id, 'sms')).length;
      await notifier(t).notify([me.user.id], message('with-sms', '短信'));
      expect((await rows(t.ds, me.user.id, 'sms')).length).toBe(before + 1);

      await t.http
        .put('/api/me/notification-preferences')
        .set('Authorization', me.auth)
        .send({ email: true, sms: false })
        .expect(200);
      await notifier(t).notify([me.user.id], message('without-sms', '不要短信'));
      expect((await rows(t.ds, me.user.id, 'sms')).length).toBe(before + 1);
      expect((await rows(t.ds, me.user.id, 'inbox')).length).toBe(5);

      const bad = await t.http
        .put('/api/me/notification-preferences')
        .set('Authorization', me.auth)
        .send({ email: 'yes', sms: false })
        .expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('e-mail over SMTP', () => {
    let t: TestApp;
    let worker: TestWorker;
    let smtp: SMTPServer;
    const mails: string[] = [];

    beforeAll(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        onData(stream, _session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            mails.push(Buffer.concat(chunks).toString('utf8'));
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const port = (smtp.server.address() as AddressInfo).port;
      const env = { ...BASE_ENV, SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'lms@county.example' };
      t = await startTestApp(env);
      worker = await startTestWorker(t, env);
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    it('delivers the message as UTF-8 e-mail with a Chinese subject and body', async () => {
      const tree = await createOrgTree(t.ds);
      const user = await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: tree.townshipA1.id,
        email: 'zhang@village.example',
      });
      await notifier(t).notify([user.id], {
        template: 'enrolment-promoted',
        payload: { centre: '甲县图书馆', classTitle: '计算机基础', startDate: '2027-03-01' },
        key: 'mail-1',
      });
      const [sent] = await waitFor('the e-mail to be sent', async () => {
        const r = await rows(t.ds, user.id, 'email');
        return r[0]?.status === 'sent' && r;
      });
      expect(sent.attempts).toBe(1);
      const mail = await simpleParser(mails[0]);
      expect(mail.subject).toBe('报名成功：计算机基础');
      expect(mail.text).toContain('有了空位');
      expect(mail.text).toContain('3月1日');
      expect(mail.text).toContain('甲县图书馆');
      expect(mail.to).toMatchObject({ text: 'zhang@village.example' });
      expect(mail.from).toMatchObject({ text: 'lms@county.example' });
      expect(mail.messageId).toBe(`<${sent.id}.0@training-lms>`);
    });
  });

  describe('SMS over an HTTP gateway, retries and failures', () => {
    let t: TestApp;
    let worker: TestWorker;
    let gateway: Awaited<ReturnType<typeof smsGateway>>;
    let answer = 200;
    let tree: Awaited<ReturnType<typeof createOrgTree>>;
    let admin: { auth: string };

    beforeAll(async () => {
      gateway = await smsGateway(() => answer);
      const env = { ...BASE_ENV, SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_SECRET: SMS_SECRET };
      t = await startTestApp(env);
      worker = await startTestWorker(t, env);
      tree = await createOrgTree(t.ds);
      admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
      await gateway?.close();
    });

    it('tells a promoted trainee by SMS, signed, within one segment, naming the centre', async () => {
      answer = 200;
      const year = Number(localDateIn(0).slice(0, 4));
      const plan = await createPlan(t.ds, tree.countyA, year);
      const c = await createClass(t.ds, plan, await createCourse(t.ds, tree.countyA), [], {
        status: 'open',
        title: '智能手机应用',
        capacity: 1,
        maxPerTownship: 1,
        minPerTownship: 1,
        startDate: localDateIn(10),
        endDate: localDateIn(20),
        enrolmentOpensAt: new Date(Date.now() - 86_400_000),
        enrolmentClosesAt: new Date(Date.now() + 86_400_000),
      });
      const seated = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      const waiting = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13912345678' });
      const repo = t.ds.getRepository(Enrolment);
      const [held] = await repo.save([
        repo.create({
          classId: c.id,
          traineeId: seated.id,
          townshipId: tree.townshipA1.id,
          status: 'confirmed',
          enrolledBy: seated.id,
        }),
        repo.create({
          classId: c.id,
          traineeId: waiting.id,
          townshipId: tree.townshipA1.id,
          status: 'waitlisted',
          waitlistPosition: 1,
          enrolledBy: waiting.id,
        }),
      ]);
      await t.http.post(`/api/enrolments/${held.id}/withdraw`).set('Authorization', admin.auth).expect(200);

      const [sms] = await waitFor('the SMS to be sent', async () => {
        const r = await rows(t.ds, waiting.id, 'sms');
        return r[0]?.status === 'sent' && r;
      });
      const got = gateway.received.find((r) => r.body.id === `${sms.id}.0`)!;
      expect(got.signed).toBe(true);
      expect(got.headers['idempotency-key']).toBe(`${sms.id}.0`);
      expect(got.body.phone).toBe('13912345678');
      expect(got.body.text.startsWith('【甲县】')).toBe(true);
      expect(got.body.text).toContain('智能手机应用');
      expect([...got.body.text].length).toBeLessThanOrEqual(70);
      expect(await rows(t.ds, waiting.id, 'inbox')).toHaveLength(1);
    });

    it('retries with backoff, then marks the message failed with its reason for admins, who can send it again', async () => {
      answer = 503;
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13700000000' });
      await notifier(t).notify([user.id], {
        template: 'class-cancelled',
        payload: { centre: '甲县', classTitle: '失败的短信' },
        key: 'fails',
      });
      const [failed] = await waitFor('the SMS to fail for good', async () => {
        const r = await rows(t.ds, user.id, 'sms');
        return r[0]?.status === 'failed' && r;
      });
      expect(failed.attempts).toBe(3);
      expect(failed.last_error).toContain('503');
      expect(gateway.received.filter((r) => r.body.id === `${failed.id}.0`)).toHaveLength(3);

      const list = await t.http
        .get('/api/admin/notifications?status=failed')
        .set('Authorization', admin.auth)
        .expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: failed.id, userId: user.id, channel: 'sms', status: 'failed', attempts: 3 }),
      ]);
      expect(list.body.items[0].lastError).toContain('503');

      // An admin of another county sees nothing of it, and cannot retry it.
      const outsider = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
      const theirs = await t.http.get('/api/admin/notifications').set('Authorization', outsider.auth).expect(200);
      expect(theirs.body.items).toEqual([]);
      await t.http.post(`/api/admin/notifications/${failed.id}/retry`).set('Authorization', outsider.auth).expect(404);
      const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
      await t.http.get('/api/admin/notifications').set('Authorization', trainee.auth).expect(403);

      answer = 200;
      const retried = await t.http
        .post(`/api/admin/notifications/${failed.id}/retry`)
        .set('Authorization', admin.auth)
        .expect(200);
      expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
      await waitFor('the retried SMS to be sent', async () => (await rows(t.ds, user.id, 'sms'))[0]?.status === 'sent');
      // The retry is a delivery of its own: the gateway does not take it for a repeat of the failed ones.
      expect(gateway.received.at(-1)?.headers['idempotency-key']).toBe(`${failed.id}.1`);
      const again = await t.http
        .post(`/api/admin/notifications/${failed.id}/retry`)
        .set('Authorization', admin.auth)
        .expect(409);
      expect(again.body.code).toBe('NOTIFICATION_NOT_FAILED');
    });
  });

  describe('a delivery that crashes for good', () => {
    let t: TestApp;
    let worker: TestWorker;

    beforeAll(async () => {
      t = await startTestApp(BASE_ENV);
      worker = await startTestWorker(t, BASE_ENV);
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
    });

    it('is recorded as failed with its reason instead of staying pending', async () => {
      const { DeliveryService } =
        require('../../src/notifications/delivery.service') as typeof import('../../src/notifications/delivery.service'); // eslint-disable-line @typescript-eslint/no-require-imports
      const delivery = worker.context.get(DeliveryService);
      const tree = await createOrgTree(t.ds);
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13300000000' });
      // Every try dies before it can record anything (as if PostgreSQL went away mid-job).
      const spy = jest.spyOn(delivery, 'deliver').mockRejectedValue(new Error('connection terminated unexpectedly'));
      try {
        await notifier(t).notify([user.id], {
          template: 'class-cancelled',
          payload: { centre: '甲县', classTitle: '崩溃' },
          key: 'crash',
        });
        const [row] = await waitFor('the message to be failed', async () => {
          const r = await rows(t.ds, user.id, 'sms');
          return r[0]?.status === 'failed' && r;
        });
        expect(row.last_error).toBe('connection terminated unexpectedly');
        expect(spy).toHaveBeenCalledTimes(3);
      } finally {
        spy.mockRestore();
      }
    });

    it('never sends a reminder once its session has begun', async () => {
      const tree = await createOrgTree(t.ds);
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13300000001' });
      await notifier(t).notify([user.id], {
        template: 'session-reminder',
        payload: { centre: '甲县', classTitle: '迟到的提醒', startsAt: new Date(Date.now() - 60_000).toISOString() },
        key: 'too-late',
      });
      const [row] = await waitFor('the reminder to expire', async () => {
        const r = await rows(t.ds, user.id, 'sms');
        return r[0]?.status === 'expired' && r;
      });
      expect(row.attempts).toBe(0);
    });
  });

  describe('quiet hours', () => {
    let t: TestApp;
    let worker: TestWorker;
    let gateway: Awaited<ReturnType<typeof smsGateway>>;

    /** A window around now in the centre's zone (Asia/Shanghai, UTC+8): from an hour ago to two hours ahead. */
    const hhmm = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);
    const windowEnd = Date.now() + 2 * 3_600_000;
    const quiet = `${hhmm(Date.now() - 3_600_000)}-${hhmm(windowEnd)}`;

    beforeAll(async () => {
      gateway = await smsGateway();
      const env = {
        ...BASE_ENV,
        QUIET_HOURS: quiet,
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: gateway.url,
        SMS_HTTP_SECRET: SMS_SECRET,
      };
      t = await startTestApp(env);
      worker = await startTestWorker(t, env);
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
      await gateway?.close();
    });

    it('holds SMS until the quiet hours end, and sends them then', async () => {
      const tree = await createOrgTree(t.ds);
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13600000000' });
      await notifier(t).notify([user.id], {
        template: 'class-cancelled',
        payload: { centre: '甲县', classTitle: '夜里不发' },
        key: 'night',
      });
      const [sms] = await rows(t.ds, user.id, 'sms');
      const queue = t.app.get<Queue>(getQueueToken('notifications'));
      const job = (await queue.getJob(`deliver.${sms.id}.0`)) as Job;
      expect(await job.getState()).toBe('delayed');
      // Planned for the window's end (to the minute).
      const planned = job.timestamp + job.delay;
      expect(Math.abs(planned - Math.floor(windowEnd / 60_000) * 60_000)).toBeLessThan(60_000);
      expect((await rows(t.ds, user.id, 'inbox')).length).toBe(1); // the inbox is never held back

      // Run it early: still quiet, so the worker puts it back for the morning without sending.
      await job.promote();
      await waitFor(
        'the job to be delayed again',
        async () => (await job.getState()) === 'delayed' && (await queue.getJob(job.id!)),
      );
      expect(gateway.received).toEqual([]);
      expect((await rows(t.ds, user.id, 'sms'))[0].status).toBe('pending');

      // Morning comes (the worker's clock passes the window's end): sent, never dropped.
      const { Clock } = require('../../src/common/time/clock') as typeof import('../../src/common/time/clock'); // eslint-disable-line @typescript-eslint/no-require-imports
      const clock = worker.context.get(Clock);
      const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(windowEnd + 60_000));
      try {
        await (await queue.getJob(job.id!))!.promote();
        await waitFor('the SMS to be sent', async () => (await rows(t.ds, user.id, 'sms'))[0].status === 'sent');
        expect(gateway.received).toHaveLength(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('does not hold a message about a session that begins soon after the quiet hours', async () => {
      const tree = await createOrgTree(t.ds);
      const user = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, phone: '13600000001' });
      await notifier(t).notify([user.id], {
        template: 'session-cancelled',
        payload: { centre: '甲县', classTitle: '明早的课', startsAt: new Date(windowEnd + 3_600_000).toISOString() },
        key: 'urgent',
      });
      await waitFor('the SMS to be sent at once', async () => (await rows(t.ds, user.id, 'sms'))[0]?.status === 'sent');
    });
  });

  describe('enrolment gap and annual rotation', () => {
    let t: TestApp;
    let worker: TestWorker;
    let tree: Awaited<ReturnType<typeof createOrgTree>>;
    let admin: { user: { id: string }; auth: string };
    // The gap notice 9 s before enrolment closes; the rotation round every minute (the last one is caught up at once).
    const env = { ...BASE_ENV, ENROLMENT_GAP_NOTICE_HOURS: '0.0025', ROTATION_REMINDER_CRON: '* * * * *' };

    let a1Contact: { id: string };
    let a2Contact: { id: string };

    beforeAll(async () => {
      t = await startTestApp(env);
      tree = await createOrgTree(t.ds);
      admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
      a1Contact = await contacts(tree.townshipA1, '甲一联系人');
      a2Contact = await contacts(tree.townshipA2, '甲二联系人');
      // At start the worker catches up the rotation round of the minute just begun.
      worker = await startTestWorker(t, env);
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
    });

    async function contacts(unit: OrgUnit, name: string) {
      const user = await createUser(t.ds, {
        role: 'trainee',
        orgUnitId: unit.id,
        displayName: name,
        phone: '13500000000',
      });
      await t.http
        .put(`/api/org-units/${unit.id}/contacts`)
        .set('Authorization', admin.auth)
        .send({ userIds: [user.id] })
        .expect(200);
      return user;
    }

    const messagesOf = (template: string) =>
      t.ds.query<{ user_id: string; payload: Record<string, unknown> }[]>(
        `SELECT user_id, payload FROM notifications WHERE template = $1 AND channel = 'inbox' ORDER BY created_at`,
        [template],
      );

    it('tells townships below the minimum, and the class admins, before enrolment closes', async () => {
      const year = Number(localDateIn(0).slice(0, 4));
      const plan = await createPlan(t.ds, tree.countyA, year);
      const c = await createClass(t.ds, plan, await createCourse(t.ds, tree.countyA), [], {
        title: '数字阅读推广',
        minPerTownship: 2,
        maxPerTownship: 5,
        startDate: localDateIn(10),
        endDate: localDateIn(20),
        enrolmentOpensAt: new Date(Date.now() - 86_400_000),
        enrolmentClosesAt: new Date(Date.now() + 12_000),
      });
      const trainees = await Promise.all(
        [tree.townshipA1, tree.townshipA2, tree.townshipA2].map((u) =>
          createUser(t.ds, { role: 'trainee', orgUnitId: u.id }),
        ),
      );
      const repo = t.ds.getRepository(Enrolment);
      await repo.save(
        trainees.map((u, i) =>
          repo.create({
            classId: c.id,
            traineeId: u.id,
            townshipId: i === 0 ? tree.townshipA1.id : tree.townshipA2.id,
            status: 'confirmed',
            enrolledBy: u.id,
          }),
        ),
      );
      await t.http.post(`/api/classes/${c.id}/open`).set('Authorization', admin.auth).expect(200);

      const notices = await waitFor('the gap notices', async () => {
        const [gap, summary] = await Promise.all([messagesOf('enrolment-gap'), messagesOf('enrolment-gap-summary')]);
        return gap.length > 0 && summary.length > 0 && { gap, summary };
      });
      expect(notices.gap.map((n) => n.user_id)).toEqual([a1Contact.id]);
      expect(notices.gap[0].payload).toMatchObject({
        township: '甲一镇',
        confirmed: 1,
        min: 2,
        classTitle: '数字阅读推广',
      });
      expect(notices.summary.map((n) => n.user_id)).toEqual([admin.user.id]);
      expect(notices.summary[0].payload).toMatchObject({
        count: 1,
        townships: [expect.objectContaining({ name: '甲一镇', confirmed: 1, contacts: ['甲一联系人 13500000000'] })],
      });
      expect(notices.gap.some((n) => n.user_id === a2Contact.id)).toBe(false);
    });

    it('lists each township its staff not yet trained this year, to its contacts, once per round', async () => {
      const rounds = await waitFor('a rotation round', async () => {
        const r = await messagesOf('rotation-reminder');
        return r.length >= 2 && r;
      });
      const a1 = rounds.find((r) => r.payload.township === '甲一镇')!;
      expect(a1.payload).toMatchObject({ year: Number(localDateIn(0).slice(0, 4)), centre: '甲县' });
      // The contact herself and the enrolled trainee are staff of A1 not yet trained (no completed class).
      expect(a1.payload.names).toEqual(expect.arrayContaining(['甲一联系人']));
      expect(a1.payload.count).toBe((a1.payload.names as string[]).length);

      // The same round again (a retried job, a reconciled duplicate) sends nothing twice.
      const [{ dedup_key }] = await t.ds.query<{ dedup_key: string }[]>(
        `SELECT dedup_key FROM notifications WHERE template = 'rotation-reminder' LIMIT 1`,
      );
      const round = dedup_key.split(':')[1];
      const firesAt = new Date(Number(round)).toISOString();
      const { RotationRemindersService } =
        require('../../src/reminders/rotation-reminders.service') as typeof import('../../src/reminders/rotation-reminders.service'); // eslint-disable-line @typescript-eslint/no-require-imports
      const ofRound = async () =>
        (await t.ds.query<unknown[]>(`SELECT 1 FROM notifications WHERE dedup_key LIKE $1`, [`rotation:${round}:%`]))
          .length;
      const before = await ofRound();
      expect(await worker.context.get(RotationRemindersService).send({ firesAt })).toBe(0);
      expect(await ofRound()).toBe(before);
    });
  });
});
