import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { createOrgTree, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Idempotency-Key (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  const create = (key: string, name: string, auth = admin) =>
    t.http
      .post('/api/org-units')
      .set('Authorization', auth)
      .set('Idempotency-Key', key)
      .send({ kind: 'village', name, parentId: tree.townshipA1.id });
  const countNamed = (name: string) => t.ds.getRepository(OrgUnit).countBy({ name });

  it('replays the first answer for a retry with the same key and body, creating once', async () => {
    const first = await create('key-replay', '重试村').expect(201);
    const again = await create('key-replay', '重试村').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countNamed('重试村')).toBe(1);
  });

  it('answers 422 when the same key comes with another body, changing nothing', async () => {
    await create('key-other-body', '甲村').expect(201);
    const res = await create('key-other-body', '乙村').expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countNamed('乙村')).toBe(0);
  });

  it('creates once when ten retries race with the same key', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => create('key-race', '并发村')));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => (r.body as { id: string }).id)).size).toBe(1);
    expect(await countNamed('并发村')).toBe(1);
  });

  it('keeps keys of different users apart', async () => {
    const other = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
    const mine = await create('shared-key', '各自村').expect(201);
    const theirs = await create('shared-key', '各自村', other).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await countNamed('各自村')).toBe(2);
  });

  it('does not remember failures: the change rolled back, so a retry runs again', async () => {
    const body = { kind: 'village', name: '失败村', parentId: tree.townshipA1.id, code: 'IDEM-FAIL' };
    await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ ...body, name: '占码村' })
      .expect(201);
    await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'key-fail')
      .send(body)
      .expect(409);
    const stored = await t.ds.query(`SELECT 1 FROM idempotency_keys WHERE key = 'key-fail'`);
    expect(stored).toHaveLength(0);
    await t.ds.query(`UPDATE org_units SET code = NULL WHERE code = 'IDEM-FAIL'`);
    await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'key-fail')
      .send(body)
      .expect(201);
  });

  it('stores the key in the same transaction as the change', async () => {
    await create('key-stored', '存档村').expect(201);
    const [row] = await t.ds.query<
      { method: string; path: string; status_code: number; response_body: { name: string } }[]
    >(`SELECT method, path, status_code, response_body FROM idempotency_keys WHERE key = 'key-stored'`);
    expect(row).toMatchObject({ method: 'POST', path: '/api/org-units', status_code: 201 });
    expect(row.response_body.name).toBe('存档村');
  });

  it('refuses a malformed key with 400', async () => {
    const res = await create('bad key with spaces', '坏键村').expect(400);
    expect(res.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
    expect(await countNamed('坏键村')).toBe(0);
  });

  it('forgets keys after 24 hours', async () => {
    await create('key-old', '旧村').expect(201);
    await t.ds.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-old'`);
    const fresh = await create('key-old', '新村').expect(201);
    expect(fresh.body.name).toBe('新村');
  });

  it('deletes keys older than 24 hours, a hundred at a time, whenever a key is claimed', async () => {
    await t.ds.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, status_code, created_at)
       SELECT 'stale-scope', 'stale-' || n, 'POST', '/api/org-units', 'x', 201, now() - interval '25 hours'
         FROM generate_series(1, 150) AS n`,
    );
    const stale = async () =>
      Number(
        (
          await t.ds.query<{ count: string }[]>(
            `SELECT count(*) FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
          )
        )[0].count,
      );
    const before = await stale();
    await create('key-sweeper', '清扫村').expect(201);
    expect(before - (await stale())).toBe(100);
  });

  it('covers file uploads too: the same file under the same key imports once', async () => {
    const file = Buffer.from(`username,displayName,orgUnit\nidem-imp-1,王五,${tree.townshipA1.name}\n`);
    const send = () =>
      t.http
        .post('/api/users/import')
        .set('Authorization', admin)
        .set('Idempotency-Key', 'key-import')
        .attach('file', file, 'trainees.csv');
    const first = await send().expect(200);
    expect(first.body).toMatchObject({ created: 1, credentials: [{ username: 'idem-imp-1' }] });
    const password = (first.body as { credentials: { password: string }[] }).credentials[0].password;
    const again = await send().expect(200);
    // The retry did not run the import again; the generated password was not stored, so it is not replayed.
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual({ ...first.body, credentials: [], credentialsRedacted: true });
    const stored = await t.ds.query<{ body: string }[]>(`SELECT response_body::text AS body FROM idempotency_keys`);
    expect(stored.filter((r) => r.body.includes(password))).toEqual([]);
    const other = await t.http
      .post('/api/users/import')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'key-import')
      .attach('file', Buffer.from(`username,displayName,orgUnit\nidem-imp-2,赵六,${tree.townshipA1.name}\n`), 'b.csv')
      .expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
