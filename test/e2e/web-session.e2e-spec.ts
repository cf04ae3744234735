import { createOrgTree, createUser, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { formToken, openLogin, setCookies, signInPage } from '../support/web-pages';

/** The pages' sign-in: cookie sessions the server can end, form tokens, where sign-in leads (e2e). */
describe('web pages: sessions (e2e)', () => {
  let t: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // Behind one proxy that terminates HTTPS and says so in X-Forwarded-Proto.
    proxied = await startTestApp({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await proxied.close();
    await t.close();
  });

  async function trainee(app: TestApp = t) {
    const tree = await createOrgTree(app.ds);
    const user = await createUser(app.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, displayName: '李小红' });
    return { tree, user };
  }

  it('signs in with an HttpOnly, SameSite=Lax session cookie, not Secure over plain HTTP', async () => {
    const { user } = await trainee();
    const form = await openLogin(t.http);
    const res = await t.http
      .post('/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ username: user.username, password: 'correct-horse-battery', _csrf: form.csrf })
      .expect(303);
    expect(res.headers.location).toBe('/');
    const session = setCookies(res).lms_session;
    expect(session.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(session.attributes).not.toContain('Secure');
    // Only the token's hash is stored.
    const rows = await t.ds.query(`SELECT token_hash, token_version FROM web_sessions WHERE user_id = $1`, [user.id]);
    expect(rows).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), token_version: 0 }]);
    expect(rows[0].token_hash).not.toContain(session.value);

    const home = await t.http.get('/').set('Cookie', `lms_session=${session.value}`).expect(200);
    expect(home.text).toContain('你好，李小红');
  });

  it('marks the cookies Secure behind a trusted proxy that says HTTPS', async () => {
    const { user } = await trainee(proxied);
    const page = await proxied.http.get('/login').set('X-Forwarded-Proto', 'https').expect(200);
    expect(setCookies(page).lms_form.attributes).toContain('Secure');
    const res = await proxied.http
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `lms_form=${setCookies(page).lms_form.value}`)
      .type('form')
      .send({ username: user.username, password: 'correct-horse-battery', _csrf: formToken(page.text) })
      .expect(303);
    expect(setCookies(res).lms_session.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Secure']),
    );
    // The same app over plain HTTP (no header from the proxy): not Secure.
    const plain = await proxied.http.get('/login').expect(200);
    expect(setCookies(plain).lms_form.attributes).not.toContain('Secure');
  });

  it('signs out: the row is deleted and the cookie no longer works', async () => {
    const { user } = await trainee();
    const b = await signInPage(t.http, user.username);
    const res = await t.http.post('/logout').set('Cookie', b.cookie).type('form').send({ _csrf: b.csrf }).expect(303);
    expect(res.headers.location).toBe('/login');
    expect(setCookies(res).lms_session.value).toBe('');
    expect(await t.ds.query(`SELECT id FROM web_sessions WHERE user_id = $1`, [user.id])).toEqual([]);
    const after = await t.http.get('/').set('Cookie', b.cookie).expect(303);
    expect(after.headers.location).toBe('/login');
  });

  it('refuses a form without its token (or with another session’s) with a Chinese 403 page', async () => {
    const { user } = await trainee();
    const b = await signInPage(t.http, user.username);
    const other = await signInPage(t.http, (await trainee()).user.username);
    for (const body of [{}, { _csrf: '' }, { _csrf: other.csrf }, { _csrf: `${b.csrf}x` }]) {
      const res = await t.http.post('/logout').set('Cookie', b.cookie).type('form').send(body).expect(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('页面已过期');
    }
    // Still signed in: nothing was done.
    await t.http.get('/').set('Cookie', b.cookie).expect(200);
    // The header works as the field does (for scripts).
    await t.http.post('/logout').set('Cookie', b.cookie).set('X-CSRF-Token', b.csrf).type('form').send({}).expect(303);
  });

  it('refuses JSON on a form route whose fields are not all text (400, never a 500)', async () => {
    const { user } = await trainee();
    const form = await openLogin(t.http);
    for (const body of [{ username: 1, password: 'x' }, { username: ['a'], password: {} }, { username: null }]) {
      const res = await t.http
        .post('/login')
        .set('Cookie', form.cookie)
        .send({ ...body, _csrf: form.csrf });
      expect([body, res.status]).toEqual([body, 400]);
      expect(setCookies(res).lms_session).toBeUndefined();
    }
    const json = await t.http
      .post('/login')
      .set('Cookie', form.cookie)
      .set('Accept', 'application/json')
      .send({ username: 1, _csrf: form.csrf })
      .expect(400);
    expect(json.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    // Without the token it is the token that is missing (403); text fields as JSON still work.
    await t.http.post('/login').set('Cookie', form.cookie).send({ username: 1 }).expect(403);
    await t.http
      .post('/login')
      .set('Cookie', form.cookie)
      .send({ username: user.username, password: 'correct-horse-battery', _csrf: form.csrf })
      .expect(303);
  });

  it('refuses the login form without the token bound to its own cookie', async () => {
    const { user } = await trainee();
    const form = await openLogin(t.http);
    const other = await openLogin(t.http);
    const send = (cookie: string | undefined, csrf: string | undefined) => {
      const req = t.http.post('/login').type('form');
      if (cookie) void req.set('Cookie', cookie);
      return req.send({ username: user.username, password: 'correct-horse-battery', ...(csrf && { _csrf: csrf }) });
    };
    for (const [cookie, csrf] of [
      [form.cookie, undefined],
      [undefined, form.csrf],
      [form.cookie, other.csrf],
    ]) {
      const res = await send(cookie, csrf).expect(403);
      expect(res.text).toContain('页面已过期');
      expect(setCookies(res).lms_session).toBeUndefined();
    }
    await send(form.cookie, form.csrf).expect(303);
  });

  it('tells a wrong password what to do next, in Chinese, keeping the name typed', async () => {
    const { user } = await trainee();
    const form = await openLogin(t.http);
    const res = await t.http
      .post('/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ username: user.username, password: 'wrong', _csrf: form.csrf })
      .expect(401);
    expect(res.text).toContain('用户名或密码错误');
    expect(res.text).toContain('请检查手机号和密码');
    expect(res.text).toContain(`value="${user.username}"`);
    expect(res.text).not.toContain('value="wrong"');
    const empty = await t.http
      .post('/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ username: ' ', password: '', _csrf: form.csrf })
      .expect(400);
    expect(empty.text).toContain('请填写手机号和密码');
  });

  it('takes a phone number typed with spaces', async () => {
    const tree = await createOrgTree(t.ds);
    await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id, username: '13937009901' });
    const b = await signInPage(t.http, '139 3700 9901');
    expect(b.location).toBe('/');
  });

  it('ends an open session at once when the trainee is deactivated', async () => {
    const { tree, user } = await trainee();
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const b = await signInPage(t.http, user.username);
    await t.http.get('/').set('Cookie', b.cookie).expect(200);
    await t.http.patch(`/api/users/${user.id}`).set('Authorization', admin.auth).send({ active: false }).expect(200);
    const res = await t.http.get('/').set('Cookie', b.cookie).expect(303);
    expect(res.headers.location).toBe('/login');
    expect(setCookies(res).lms_session.value).toBe('');
    expect(await t.ds.query(`SELECT id FROM web_sessions WHERE user_id = $1`, [user.id])).toEqual([]);
    // A new password ends it the same way (the user's token_version moves on).
    await t.http.patch(`/api/users/${user.id}`).set('Authorization', admin.auth).send({ active: true }).expect(200);
    const again = await signInPage(t.http, user.username);
    await t.http
      .patch(`/api/users/${user.id}`)
      .set('Authorization', admin.auth)
      .send({ password: 'another-horse-battery' })
      .expect(200);
    await t.http.get('/').set('Cookie', again.cookie).expect(303);
  });

  it('moves the expiry on as the session is used, at most once a minute', async () => {
    const { user } = await trainee();
    const b = await signInPage(t.http, user.username);
    const before = await t.ds.query(`SELECT last_seen_at, expires_at FROM web_sessions WHERE user_id = $1`, [user.id]);
    const quick = await t.http.get('/').set('Cookie', b.cookie).expect(200);
    expect(setCookies(quick).lms_session).toBeUndefined();
    await t.ds.query(
      `UPDATE web_sessions SET last_seen_at = last_seen_at - interval '2 minutes', expires_at = now() + interval '1 hour'
        WHERE user_id = $1`,
      [user.id],
    );
    const later = await t.http.get('/').set('Cookie', b.cookie).expect(200);
    expect(setCookies(later).lms_session.attributes).toContain(`Max-Age=${30 * 86_400}`);
    const [after] = await t.ds.query(`SELECT last_seen_at, expires_at FROM web_sessions WHERE user_id = $1`, [user.id]);
    expect(after.expires_at.getTime()).toBeGreaterThanOrEqual(before[0].expires_at.getTime());
    // Expired: signed out.
    await t.ds.query(
      `UPDATE web_sessions SET last_seen_at = now() - interval '31 days', expires_at = now() - interval '1 day'
        WHERE user_id = $1`,
      [user.id],
    );
    await t.http.get('/').set('Cookie', b.cookie).expect(303);
  });

  it('goes back to a check-in link after signing in, never to another site', async () => {
    const { user } = await trainee();
    const link = '/c/Wx5sKk8NTE6aUS99jDueEA/042917';
    const asked = await t.http.get(link).set('Accept', 'text/html').expect(303);
    expect(asked.headers.location).toBe(`/login?next=${encodeURIComponent(link)}`);
    const page = await t.http.get(asked.headers.location).expect(200);
    expect(page.text).toContain('登录后会接着签到');
    // Handlebars writes = as &#x3D; in attributes; browsers read it back.
    expect(page.text).toContain(`action="/login?next&#x3D;${encodeURIComponent(link)}"`);
    expect((await signInPage(t.http, user.username, { next: link })).location).toBe(link);

    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      expect((await signInPage(t.http, user.username, { next })).location).toBe('/');
    }
    // Dot segments that collapse to `//` are another host to a browser: refused too.
    for (const next of ['/.//evil.example/c/x/1', '/a/..//evil.example', '/%2e//evil.example']) {
      const b = await signInPage(t.http, user.username, { next });
      expect([next, b.location]).toEqual([next, '/']);
      const again = await t.http
        .get(`/login?next=${encodeURIComponent(next)}`)
        .set('Cookie', b.cookie)
        .expect(303);
      expect([next, again.headers.location]).toEqual([next, '/']);
    }
  });

  it('sends a signed-in browser on from the login page', async () => {
    const { user } = await trainee();
    const b = await signInPage(t.http, user.username);
    const res = await t.http.get('/login?next=%2Fcheck-in').set('Cookie', b.cookie).expect(303);
    expect(res.headers.location).toBe('/check-in');
  });

  it('still takes a bearer token on the API only, and no session cookie there', async () => {
    const { user } = await trainee();
    const b = await signInPage(t.http, user.username);
    await t.http.get('/api/auth/me').set('Cookie', b.cookie).expect(401);
    // And the API still refuses form bodies.
    await t.http.post('/api/auth/login').type('form').send({ username: user.username, password: 'x' }).expect(415);
  });
});
