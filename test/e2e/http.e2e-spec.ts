import { createOrgTree, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** The HTTP contract every route shares: error envelope, validation, body handling, headers. */
describe('HTTP contract (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096', CORS_ORIGINS: 'https://lib.example.org' });
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  const post = (body: string, type = 'application/json') =>
    t.http.post('/api/org-units').set('Authorization', admin).set('Content-Type', type).send(body);

  it('refuses unknown body fields with 400 VALIDATION_FAILED naming the field', async () => {
    const res = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .send({ kind: 'village', name: '村', parentId: tree.townshipA1.id, secret: 1 })
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toMatch(/secret/);
  });

  it('refuses __proto__ and constructor keys', async () => {
    const proto = await post(
      `{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","__proto__":{"admin":true}}`,
    );
    expect(proto.status).toBe(400);
    expect(proto.body.code).toBe('FORBIDDEN_KEY');
    const ctor = await post(
      `{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","constructor":{"prototype":{"x":1}}}`,
    );
    expect(ctor.status).toBe(400);
    const bare = await post(`{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","constructor":1}`);
    expect(bare.status).toBe(400);
    expect(bare.body.code).toBe('FORBIDDEN_KEY');
    const nested = await post(
      `{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","x":{"constructor":1}}`,
    );
    expect(nested.status).toBe(400);
    expect(await t.ds.query(`SELECT 1 FROM org_units WHERE name = '村'`)).toHaveLength(0);
  });

  it('refuses a body nested deeper than the limit with 400 JSON_TOO_DEEP, before validation recurses into it', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const depth of [33, 1_000]) {
      const res = await post(`{"kind":"village","name":"村","parentId":"${tree.townshipA1.id}","x":${deep(depth)}}`);
      expect({ depth, status: res.status, code: res.body.code }).toEqual({ depth, status: 400, code: 'JSON_TOO_DEEP' });
    }
    // Brackets inside strings are text, not nesting.
    const inString = await post(`{"kind":"village","name":"${'['.repeat(40)}","parentId":"${tree.townshipA1.id}"}`);
    expect(inString.body.code).not.toBe('JSON_TOO_DEEP');
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await post('{"kind": "village", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'INVALID_JSON', message: expect.any(String) });
  });

  it('answers a body that is not JSON with 415', async () => {
    const text = await post('kind=village', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await post('kind=village', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
  });

  it('answers a multipart body with 415 on a route that takes no file, creating nothing', async () => {
    const res = await t.http
      .post('/api/org-units')
      .set('Authorization', admin)
      .field('kind', 'village')
      .field('name', '表单村')
      .field('parentId', tree.townshipA1.id);
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) });
    expect(await t.ds.query(`SELECT 1 FROM org_units WHERE name = '表单村'`)).toHaveLength(0);
  });

  it('answers an oversized body with 413', async () => {
    const res = await post(JSON.stringify({ kind: 'village', name: 'x'.repeat(5000), parentId: tree.townshipA1.id }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a malformed id with 400 INVALID_ID and an unknown one with 404', async () => {
    const bad = await t.http.get('/api/org-units/not-a-uuid').set('Authorization', admin).expect(400);
    expect(bad.body.code).toBe('INVALID_ID');
    await t.http.get('/api/org-units/00000000-0000-4000-8000-000000000000').set('Authorization', admin).expect(404);
  });

  it('answers unknown routes with the envelope', async () => {
    const res = await t.http.get('/api/nothing-here').set('Authorization', admin).expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
  });

  it('validates query strings like bodies', async () => {
    const res = await t.http.get('/api/org-units?page=0&extra=1').set('Authorization', admin).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['extra', 'page']);
  });

  it('puts a request id on every answer, keeping a sane one the client sent', async () => {
    const generated = await t.http.get('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await t.http.get('/health').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const hostile = await t.http.get('/health').set('X-Request-Id', 'a b\tc<script>');
    expect(hostile.headers['x-request-id']).not.toBe('a b\tc<script>');
  });

  it('sends security headers and honours the CORS allow-list', async () => {
    const res = await t.http.get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const allowed = await t.http
      .options('/api/auth/login')
      .set('Origin', 'https://lib.example.org')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://lib.example.org');
    const other = await t.http
      .options('/api/auth/login')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('unexpected failures (e2e)', () => {
  it('answer a plain 500 without stack or SQL', async () => {
    const t = await startTestApp();
    try {
      const tree = await createOrgTree(t.ds);
      const admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
      // Break the schema under the running app: the next query fails inside PostgreSQL.
      await t.ds.query('ALTER TABLE org_units RENAME COLUMN name TO name_gone');
      const res = await t.http.get('/api/org-units').set('Authorization', admin);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        code: 'INTERNAL_ERROR',
        message: '服务器出错了，请稍后再试',
      });
      expect(res.text).not.toMatch(/name_gone|SELECT|at .*\.js|QueryFailed/);
    } finally {
      await t.close();
    }
  });
});
