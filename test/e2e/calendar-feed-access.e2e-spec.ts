import { Writable } from 'node:stream';
import { createOrgTree, createUser, login, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** Calendar feed addresses are secrets: built from PUBLIC_BASE_URL, revoked with access, never logged. */
describe('calendar feed addresses (e2e)', () => {
  let t: TestApp;
  const lines: string[] = [];
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestApp(
      { PUBLIC_BASE_URL: 'https://lms.example.org/county', NODE_ENV: 'development', LOG_LEVEL: 'info' },
      { logDestination: destination },
    );
    tree = await createOrgTree(t.ds);
    admin = (await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id })).auth;
  });
  afterAll(() => t.close());

  const issue = async (auth: string) => {
    const res = await t.http
      .put('/api/me/calendar-feed')
      .set('Authorization', auth)
      .set('Host', 'evil.example')
      .expect(200);
    return res.body.url as string;
  };
  const feedPath = (url: string) => url.replace('https://lms.example.org/county', '');

  it('builds the address from PUBLIC_BASE_URL, whatever Host the request names', async () => {
    const { auth } = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const url = await issue(auth);
    expect(url).toMatch(/^https:\/\/lms\.example\.org\/county\/api\/calendar\/feeds\/[\w-]{40,}$/);
    await t.http.get(feedPath(url)).expect(200);
  });

  it.each([
    ['a password reset', { password: 'a-brand-new-password' }],
    ['a role change', { role: 'trainee' }],
    ['deactivation', { active: false }],
  ])('stops the address working after %s', async (_what, change) => {
    const user = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const url = await issue(`Bearer ${await login(t.http, user.username)}`);
    await t.http.get(feedPath(url)).expect(200);
    await t.http.patch(`/api/users/${user.id}`).set('Authorization', admin).send(change).expect(200);
    expect((await t.http.get(feedPath(url)).expect(404)).body.code).toBe('CALENDAR_FEED_NOT_FOUND');
  });

  it('keeps working after changes that grant nothing new (a new phone number)', async () => {
    const user = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const url = await issue(`Bearer ${await login(t.http, user.username)}`);
    await t.http.patch(`/api/users/${user.id}`).set('Authorization', admin).send({ phone: '13900001111' }).expect(200);
    await t.http.get(feedPath(url)).expect(200);
  });

  it('never writes the secret of an address into the request log', async () => {
    const { auth } = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const url = await issue(auth);
    const secret = url.split('/').pop()!;
    lines.length = 0;
    await t.http.get(feedPath(url)).expect(200);
    await t.http.get(`${feedPath(url)}.ics?x=1`).expect(200);
    const requestLines = lines.filter((l) => l.includes('/api/calendar/feeds/'));
    expect(requestLines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(secret);
    expect(requestLines.join('\n')).toContain('/api/calendar/feeds/[redacted]');
  });
});
