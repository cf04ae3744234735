import { randomUUID } from 'node:crypto';
import { Like } from 'typeorm';
import { User } from '../../src/users/user.entity';
import { createOrgTree, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { startTestWorker, type TestWorker } from '../support/test-worker';

/** A username prefix of this test's own, so tests never see each other's rows. */
function prefix(): string {
  return `bg${randomUUID().slice(0, 8)}`;
}

function csv(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** `count` good trainee rows (no passwords: each gets a generated one). */
function goodRows(p: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${p}u${from + i},学员${from + i},甲一镇`);
}

interface ImportBody {
  id: string;
  status: string;
  total: number;
  done: number;
  created: number;
  updated: number;
  failed: number;
  errors: { row: number; field: string; code: string; message: string }[];
  credentials?: { row: number; username: string; password: string }[];
  credentialsShown: boolean;
  error?: string;
  startedAt: string | null;
  finishedAt: string | null;
}

describe('background imports (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: Awaited<ReturnType<typeof signedIn>>;
  let worker: TestWorker | undefined;

  beforeAll(async () => {
    // Small numbers, so a file of a few dozen rows runs in the background in many batches.
    t = await startTestApp({ IMPORT_ASYNC_ROWS: '5', IMPORT_BATCH_ROWS: '3' });
    tree = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id, username: `${prefix()}admin` });
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(() => t.close());

  function upload(file: Buffer, query = '') {
    return t.http
      .post(`/api/users/import${query}`)
      .set('Authorization', admin.auth)
      .attach('file', file, 'trainees.csv');
  }

  function read(id: string, auth = admin.auth, lang?: string) {
    const req = t.http.get(`/api/imports/${id}`).set('Authorization', auth);
    return lang ? req.set('Accept-Language', lang) : req;
  }

  /** Reads the import until `done` holds (with a deadline); answers every body seen, the last one satisfying it. */
  async function pollUntil(id: string, done: (b: ImportBody) => boolean, deadlineMs = 20_000): Promise<ImportBody[]> {
    const seen: ImportBody[] = [];
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const res = await read(id).expect(200);
      seen.push(res.body as ImportBody);
      if (done(res.body as ImportBody)) return seen;
      if (Date.now() > deadline) throw new Error(`import ${id} still ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 25)); // a polling interval, not a wait for time to pass
    }
  }

  const finished = (b: ImportBody) => b.status === 'done' || b.status === 'failed';

  function usersStartingWith(p: string): Promise<User[]> {
    return t.ds.getRepository(User).find({ where: { username: Like(`${p}%`) }, order: { username: 'ASC' } });
  }

  it('answers 202 for a big file, queues it, shows progress and the result, and the passwords once', async () => {
    const p = prefix();
    const file = csv([
      'username,displayName,orgUnit,phone',
      ...goodRows(p, 4).map((r) => `${r},`), // rows 2-5
      `${p}bad1,坏行,不存在镇,`, // 6: unknown unit
      ...goodRows(p, 5, 4).map((r) => `${r},`), // rows 7-11
      `${p}bad2,坏行二,甲一镇,not-a-phone`, // 12: bad phone
      ...goodRows(p, 3, 9).map((r) => `${r},`), // rows 13-15
    ]);

    const res = await upload(file).expect(202);

    expect(res.body).toEqual({ importId: expect.any(String), status: 'queued', total: 14 });
    const id = res.body.importId as string;
    expect(res.headers.location).toBe(`/api/imports/${id}`);
    // No worker yet: queued, the bad rows already counted as done.
    const queued = await read(id).expect(200);
    expect(queued.body).toMatchObject({
      id,
      kind: 'users',
      status: 'queued',
      total: 14,
      done: 2,
      created: 0,
      failed: 2,
      credentialsShown: false,
      startedAt: null,
      finishedAt: null,
    });
    expect(queued.body.credentials).toBeUndefined();
    expect(await usersStartingWith(p)).toHaveLength(0);

    worker = await startTestWorker(t);
    const seen = await pollUntil(id, finished);

    const last = seen[seen.length - 1];
    // Progress only moves forward, and batch by batch (3 rows at a time) up to the total.
    const dones = seen.map((b) => b.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(dones.every((d) => d === 2 || d === 14 || (d - 2) % 3 === 0)).toBe(true);
    expect(last).toMatchObject({ status: 'done', total: 14, done: 14, created: 12, updated: 0, failed: 2 });
    expect(last.startedAt).toEqual(expect.any(String));
    expect(last.finishedAt).toEqual(expect.any(String));
    expect(last.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [6, 'orgUnit', 'NOT_FOUND'],
      [12, 'phone', 'INVALID'],
    ]);
    // The first read after the end holds every generated password, and they work.
    expect(last.credentials).toHaveLength(12);
    expect(new Set(last.credentials!.map((c) => c.username)).size).toBe(12);
    const first = last.credentials!.find((c) => c.row === 2)!;
    expect(first.username).toBe(`${p}u0`);
    await t.http.post('/api/auth/login').send({ username: first.username, password: first.password }).expect(200);
    expect(await usersStartingWith(p)).toHaveLength(12);

    // Gone on the next read, and from the database.
    const again = await read(id).expect(200);
    expect(again.body.credentials).toBeUndefined();
    expect(again.body).toMatchObject({ status: 'done', done: 14, created: 12, credentialsShown: true });
    const [row] = await t.ds.query<{ result: unknown; input: unknown; next_index: number }[]>(
      `SELECT result, input, next_index FROM imports WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ result: { credentialsShown: true }, input: null, next_index: 12 });

    // Row errors in the caller's language, like the synchronous import.
    const zh = again.body as ImportBody;
    const en = (await read(id, admin.auth, 'en').expect(200)).body as ImportBody;
    expect(zh.errors[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect(zh.errors[0].message).toContain('不存在镇');
    expect(en.errors[0].message.replace('不存在镇', '')).not.toMatch(/[\u4e00-\u9fff]/);
    expect(en.errors[0].message).not.toBe(zh.errors[0].message);
    expect(en.errors[0].message).toMatch(/[a-z]{3}/);
  });

  it('shows an import to the admin who started it only; 403 for other roles', async () => {
    const p = prefix();
    const res = await upload(csv(['username,displayName,orgUnit', ...goodRows(p, 6)])).expect(202);
    const id = res.body.importId as string;
    const colleague = await signedIn(t.http, t.ds, {
      role: 'admin',
      orgUnitId: tree.countyA.id,
      username: `${prefix()}admin`,
    });
    const trainee = await signedIn(t.http, t.ds, {
      role: 'trainee',
      orgUnitId: tree.townshipA1.id,
      username: `${prefix()}t`,
    });

    expect((await read(id, colleague.auth).expect(404)).body.code).toBe('IMPORT_NOT_FOUND');
    expect((await read(randomUUID()).expect(404)).body.code).toBe('IMPORT_NOT_FOUND');
    await read(id, trainee.auth).expect(403);

    worker = await startTestWorker(t);
    const seen = await pollUntil(id, finished);
    expect(seen[seen.length - 1]).toMatchObject({ status: 'done', created: 6 });
    expect(seen[seen.length - 1].credentials).toHaveLength(6);
    // Nobody else ever sees them.
    await read(id, colleague.auth).expect(404);
  });

  it('answers at once (200) at or under IMPORT_ASYNC_ROWS rows, and for a dry run of any size', async () => {
    const p = prefix();
    const small = await upload(csv(['username,displayName,orgUnit', ...goodRows(p, 5)])).expect(200);
    expect(small.body).toMatchObject({ dryRun: false, created: 5, failed: 0, errors: [] });
    expect(small.body.credentials).toHaveLength(5);

    const dry = await upload(csv(['username,displayName,orgUnit', ...goodRows(p, 20, 5)]), '?dryRun=true').expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 20, updated: 0, failed: 0, errors: [] });
    expect(await usersStartingWith(p)).toHaveLength(5);
  });

  it('replays the 202 for a retry with the same Idempotency-Key, starting one import', async () => {
    const p = prefix();
    const file = csv(['username,displayName,orgUnit', ...goodRows(p, 7)]);
    const key = randomUUID();
    const send = () =>
      t.http
        .post('/api/users/import')
        .set('Authorization', admin.auth)
        .set('Idempotency-Key', key)
        .attach('file', file, 'trainees.csv');

    const first = await send().expect(202);
    const replay = await send().expect(202);

    expect(replay.body).toEqual(first.body);
    const [{ count }] = await t.ds.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM imports WHERE started_by = $1 AND total = 7 AND created_at > now() - interval '1 minute'`,
      [admin.user.id],
    );
    expect(count).toBe(1);
    worker = await startTestWorker(t);
    await pollUntil(first.body.importId as string, finished);
  });

  it('finishes an import whose worker died mid-way on another worker, writing no row twice', async () => {
    const p = prefix();
    const rows = 30;
    // Short locks: a job whose worker stopped renewing its lock is taken over within about a second.
    const fast = { JOB_LOCK_MS: '1000', WORKER_SHUTDOWN_GRACE_SECONDS: '1' };
    const { UsersImportService } =
      require('../../src/users/users-import.service') as typeof import('../../src/users/users-import.service'); // eslint-disable-line @typescript-eslint/no-require-imports

    worker = await startTestWorker(t, fast);
    // The first worker gets stuck before its third batch, for good.
    // hashFor() is private: the spy reaches it through this narrow view.
    const importer = worker.context.get<unknown, { hashFor(rows: unknown[]): Promise<unknown> }>(UsersImportService);
    const hashFor = importer.hashFor.bind(importer);
    let release!: (e: Error) => void;
    const stuck = new Promise<never>((_, reject) => (release = reject));
    let batches = 0;
    jest.spyOn(importer, 'hashFor').mockImplementation((batch) => (++batches <= 2 ? hashFor(batch) : stuck));
    const res = await upload(csv(['username,displayName,orgUnit', ...goodRows(p, rows)])).expect(202);
    const id = res.body.importId as string;
    const before = await pollUntil(id, (b) => b.done === 6);
    // It shuts down: after its 1 s of grace it stops waiting for the job, which is left running there.
    const dying = worker;
    worker = undefined;
    await dying.close();
    // Its process would now exit and its lock lapse; in this process, the lock goes as it would.
    await t.redis.del(`bull:imports:import.${id}:lock`);
    const midway = (await read(id).expect(200)).body as ImportBody;
    expect(midway).toMatchObject({ status: 'running', done: 6, created: 6 });

    worker = await startTestWorker(t, fast);
    const seen = await pollUntil(id, finished);

    const last = seen[seen.length - 1];
    const dones = [...before, ...seen].map((b) => b.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(last).toMatchObject({ status: 'done', total: rows, done: rows, created: rows, failed: 0, errors: [] });
    expect(last.credentials).toHaveLength(rows);
    expect(new Set(last.credentials!.map((c) => c.row)).size).toBe(rows);
    expect(await usersStartingWith(p)).toHaveLength(rows);
    // The stuck runner wakes up late: it writes nothing more.
    release(new Error('woken after the takeover'));
    expect(await usersStartingWith(p)).toHaveLength(rows);
  });

  it('re-queues an import whose job Redis lost (the reconciler)', async () => {
    const p = prefix();
    const res = await upload(csv(['username,displayName,orgUnit', ...goodRows(p, 8)])).expect(202);
    const id = res.body.importId as string;
    const jobKeys = async () =>
      (await t.redis.keys(`${t.rawEnv.REDIS_PREFIX}bull:imports:*`)).filter((k) => k.includes(id));
    expect(await jobKeys()).not.toEqual([]);

    // Redis loses its data: every key of the imports queue goes.
    const all = await t.redis.keys(`${t.rawEnv.REDIS_PREFIX}bull:imports:*`);
    await t.redis.del(...all.map((k) => k.slice(t.rawEnv.REDIS_PREFIX!.length)));
    expect(await jobKeys()).toEqual([]);

    worker = await startTestWorker(t);
    // The worker reconciles at start; a later run finds the job there and adds nothing.
    const { JobReconciler } =
      require('../../src/common/queue/job-reconciler') as typeof import('../../src/common/queue/job-reconciler'); // eslint-disable-line @typescript-eslint/no-require-imports
    const seen = await pollUntil(id, finished);
    expect(seen[seen.length - 1]).toMatchObject({ status: 'done', created: 8, done: 8 });
    expect(await worker.context.get(JobReconciler).reconcile()).toMatchObject({ imports: 0 });
  });

  it('brings back a lost job when the reconciler runs, without a restart', async () => {
    const p = prefix();
    worker = await startTestWorker(t);
    const { JobReconciler } =
      require('../../src/common/queue/job-reconciler') as typeof import('../../src/common/queue/job-reconciler'); // eslint-disable-line @typescript-eslint/no-require-imports
    // An import whose job never reached Redis (as when Redis was down at the time): only its row exists.
    const [{ id }] = await t.ds.query<{ id: string }[]>(
      `INSERT INTO imports (kind, total, started_by, input)
       VALUES ('users', 2, $1, $2::jsonb) RETURNING id`,
      [
        admin.user.id,
        JSON.stringify({
          rows: [0, 1].map((i) => ({
            row: i + 2,
            username: `${p}u${i}`,
            displayName: `学员${i}`,
            phone: null,
            email: null,
            education: null,
            proficiency: null,
            orgUnitId: tree.townshipA1.id,
          })),
          params: { scopeUnitIds: [tree.townshipA1.id] },
        }),
      ],
    );

    expect(await worker.context.get(JobReconciler).reconcile()).toMatchObject({ imports: 1 });

    const seen = await pollUntil(id, finished);
    expect(seen[seen.length - 1]).toMatchObject({ status: 'done', created: 2 });
    expect(await usersStartingWith(p)).toHaveLength(2);
  });

  it('marks an import failed, with a reason in the caller’s language, when its job fails for good', async () => {
    const [{ id }] = await t.ds.query<{ id: string }[]>(
      `INSERT INTO imports (kind, total, started_by, input) VALUES ('no-such-kind', 1, $1, '{"rows": [{}], "params": {}}')
       RETURNING id`,
      [admin.user.id],
    );
    worker = await startTestWorker(t, { JOB_ATTEMPTS: '1' });

    const seen = await pollUntil(id, finished);

    expect(seen[seen.length - 1]).toMatchObject({ status: 'failed', done: 0, error: expect.stringMatching(/导入/) });
    const en = await read(id, admin.auth, 'en').expect(200);
    expect(en.body.error).toMatch(/import stopped/);
    const [row] = await t.ds.query<{ error: string; input: unknown }[]>(
      `SELECT error, input FROM imports WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ error: 'No handler for no-such-kind imports', input: null });
  });
});
