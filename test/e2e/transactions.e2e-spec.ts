import ExcelJS from 'exceljs';
import { Client } from 'pg';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import { ClassSession } from '../../src/classes/class-session.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/* eslint-disable @typescript-eslint/no-require-imports -- the app's classes come from its own module registry */

/**
 * Domain events run only once the change is committed, whether the service's transaction
 * is its own or joins the Idempotency-Key interceptor's; a rolled-back step emits nothing.
 */
describe('transactions and after-commit events (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: { user: User; auth: string };
  let trainer: User;
  let emitter: EventEmitter2;
  let makeClass: (over?: Partial<TrainingClass>) => Promise<TrainingClass>;
  /** Another connection, already open, so a listener's query leaves at once (before the app could commit). */
  let other: Client;

  beforeAll(async () => {
    t = await startTestApp();
    other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    const { EventEmitter2: AppEmitter } = require('@nestjs/event-emitter') as typeof import('@nestjs/event-emitter');
    emitter = t.app.get(AppEmitter);
    tree = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const course = await createCourse(t.ds, tree.countyA);
    makeClass = (over = {}) => createClass(t.ds, plan, course, [trainer.id], over);
  });
  afterAll(async () => {
    await other.end();
    await t.close();
  });

  /**
   * What another connection sees, at the moment of the first `name` event, from `sql` with
   * the event's `key` as parameter. The query is sent within the listener's own tick.
   */
  function seenAtEvent(name: string, sql: string, key: string): Promise<{ rows: unknown[]; inTransaction: boolean }> {
    const { TransactionService } =
      require('../../src/common/database/transaction.service') as typeof import('../../src/common/database/transaction.service');
    const { DataSource: AppDataSource } = require('typeorm') as typeof import('typeorm');
    const tx = t.app.get(TransactionService);
    const plain = t.app.get(AppDataSource).manager;
    return new Promise((resolve, reject) => {
      emitter.once(name, (payload: Record<string, string>) => {
        // Listeners run synchronously in the emitter's async context: an open transaction would show here.
        const inTransaction = tx.manager !== plain;
        other.query(sql, [payload[key]]).then((r) => resolve({ rows: r.rows, inTransaction }), reject);
      });
    });
  }

  it.each([
    ['with an Idempotency-Key', true, '05'],
    ['without one', false, '06'],
  ])('emits session.scheduled %s only once another connection can see the new session', async (_what, keyed, day) => {
    const c = await makeClass();
    const seen = seenAtEvent('session.scheduled', 'SELECT id FROM sessions WHERE id = $1', 'sessionId');
    const request = t.http.post(`/api/classes/${c.id}/sessions`).set('Authorization', admin.auth);
    if (keyed) void request.set('Idempotency-Key', `after-commit-${c.id}`);
    await request
      .send({ startsAt: `2026-10-${day}T09:00:00+08:00`, endsAt: `2026-10-${day}T11:00:00+08:00` })
      .expect(201);
    expect(await seen).toEqual({ rows: [{ id: expect.any(String) }], inTransaction: false });
  });

  it('emits class.status-changed with an Idempotency-Key only once the new status is committed', async () => {
    const c = await makeClass();
    const seen = seenAtEvent('class.status-changed', 'SELECT status FROM classes WHERE id = $1', 'classId');
    await t.http
      .post(`/api/classes/${c.id}/open`)
      .set('Authorization', admin.auth)
      .set('Idempotency-Key', `open-${c.id}`)
      .expect(200);
    expect(await seen).toEqual({ rows: [{ status: 'open' }], inTransaction: false });
  });

  it('emits nothing when the transaction the step joined rolls back', async () => {
    const { TransactionService } =
      require('../../src/common/database/transaction.service') as typeof import('../../src/common/database/transaction.service');
    const { SessionsService } =
      require('../../src/classes/sessions.service') as typeof import('../../src/classes/sessions.service');
    const { UsersService } = require('../../src/users/users.service') as typeof import('../../src/users/users.service');
    const tx = t.app.get(TransactionService);
    const actor = (await t.app.get(UsersService).findAuthRow(admin.user.id))!;
    const c = await makeClass();
    const emitted: unknown[] = [];
    const record = (payload: unknown) => emitted.push(payload);
    emitter.on('session.scheduled', record);
    try {
      await expect(
        tx.run(async () => {
          await t.app.get(SessionsService).create(actor, c.id, {
            startsAt: '2026-10-12T09:00:00+08:00',
            endsAt: '2026-10-12T11:00:00+08:00',
          });
          throw new Error('a later step of the same transaction failed');
        }),
      ).rejects.toThrow('a later step');
      // The same step committed emits (so the listener would have heard it).
      await t.app.get(SessionsService).create(actor, c.id, {
        startsAt: '2026-10-13T09:00:00+08:00',
        endsAt: '2026-10-13T11:00:00+08:00',
      });
    } finally {
      emitter.off('session.scheduled', record);
    }
    expect(await t.ds.getRepository(ClassSession).countBy({ classId: c.id })).toBe(1);
    expect(emitted).toHaveLength(1);
  });

  it('hashes an import before the Idempotency-Key transaction opens, holding no connection meanwhile', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学员');
    sheet.addRow(['姓名', '手机号', '单位']);
    // Forty new trainees without passwords: forty argon2 hashes, two at a time.
    for (let i = 0; i < 40; i++)
      sheet.addRow([`学员${i}`, `1390000${String(i).padStart(4, '0')}`, tree.townshipA1.name]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const startedAt = Date.now();
    const res = await t.http
      .post('/api/users/import')
      .set('Authorization', admin.auth)
      .set('Idempotency-Key', 'import-hash-outside')
      .attach('file', file, 'trainees.xlsx')
      .expect(200);
    const endedAt = Date.now();
    expect(res.body).toMatchObject({ created: 40, failed: 0 });
    // created_at is the transaction's start: with the hashing outside it, it opened near the end.
    const [{ opened }] = await t.ds.query<{ opened: Date }[]>(
      `SELECT min(u.created_at) AS opened FROM users u WHERE u.org_unit_id = $1 AND u.display_name LIKE '学员%'`,
      [tree.townshipA1.id],
    );
    const share = (new Date(opened).getTime() - startedAt) / (endedAt - startedAt);
    expect(share).toBeGreaterThan(0.5);
  });

  it('replays the stored answer for a retry, with the same instants', async () => {
    const c = await makeClass();
    const send = () =>
      t.http
        .post(`/api/classes/${c.id}/sessions`)
        .set('Authorization', admin.auth)
        .set('Idempotency-Key', `replay-${c.id}`)
        .send({ startsAt: '2026-10-20T09:00:00+08:00', endsAt: '2026-10-20T11:00:00+08:00' });
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(first.body.startsAt).toBe('2026-10-20T09:00:00+08:00');
  });
});
