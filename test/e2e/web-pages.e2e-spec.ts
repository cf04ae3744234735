import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { attendanceWorld, createSession, seatedTrainees } from '../factories/attendance';
import { localDateIn, localInstant } from '../factories/dates';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { getPage, signInPage } from '../support/web-pages';

/** The pages as pages: the home page, languages, headers, static files and sizes (e2e). */
describe('web pages: home, languages, headers, static files (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A GET answered as sent, body undecoded (supertest would unzip it). */
  async function raw(url: string, headers: Record<string, string>, status = 200) {
    const res = await t.app.inject({ method: 'GET', url, headers });
    expect([url, res.statusCode]).toEqual([url, status]);
    return { headers: res.headers, body: res.rawPayload, bytes: res.rawPayload.length };
  }

  /** A trainee with a session tomorrow at 09:00 local time, in a place, with a trainer. */
  async function world() {
    const w = await attendanceWorld(t.http, t.ds);
    const [trainee] = await seatedTrainees(t.http, t.ds, w.cls, w.tree.townshipA1, 1);
    const date = localDateIn(1);
    const session = await createSession(t.ds, w.cls, w.trainer.user.id, 0, {
      startsAt: localInstant(date, '09:00'),
      endsAt: localInstant(date, '11:30'),
      topic: '数字图书馆操作',
    });
    await t.ds.query(`UPDATE users SET display_name = '王老师' WHERE id = $1`, [w.trainer.user.id]);
    return { ...w, trainee, session, date };
  }

  it("shows a trainee the next session in the centre's local time, without a tap", async () => {
    const w = await world();
    const b = await signInPage(t.http, w.trainee.user.username);
    const res = await getPage(t.http, b, '/').expect(200);
    const [, month, day] = w.date.split('-').map(Number);
    expect(res.text).toContain('下次上课');
    expect(res.text).toContain(`${month}月${day}日`);
    expect(res.text).toContain('（明天）');
    expect(res.text).toContain('09:00–11:30');
    expect(res.text).toContain('王老师');
    expect(res.text).toContain('数字图书馆操作');
    expect(res.text).toContain(w.cls.title);
    expect(res.text).toContain('没有未读消息');
  });

  it("shows a trainer today's sessions and the next ones", async () => {
    const w = await world();
    await createSession(t.ds, w.cls, w.trainer.user.id, 0, {
      startsAt: localInstant(localDateIn(0), '00:00'),
      endsAt: localInstant(localDateIn(0), '00:30'),
    });
    const b = await signInPage(t.http, w.trainer.user.username);
    const res = await getPage(t.http, b, '/').expect(200);
    const today = res.text.indexOf('今天的课');
    const later = res.text.indexOf('接下来的课');
    expect(today).toBeGreaterThan(0);
    expect(res.text.slice(today, later)).toContain('00:00–00:30');
    expect(res.text.slice(later)).toContain('09:00–11:30');
  });

  it('speaks English with Accept-Language: en, from the same templates', async () => {
    const w = await world();
    const login = await t.http.get('/login').set('Accept-Language', 'en-US,en;q=0.9').expect(200);
    expect(login.text).toContain('<html lang="en">');
    expect(login.text).toContain('Sign in');
    expect(login.text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(login.headers['content-language']).toBe('en');
    const b = await signInPage(t.http, w.trainee.user.username);
    const home = await getPage(t.http, b, '/').set('Accept-Language', 'en').expect(200);
    expect(home.text).toContain('Your next session');
    expect(home.text).toContain('(tomorrow)');
    expect(home.text).toContain('09:00–11:30');
    const zh = await t.http.get('/login').expect(200);
    expect(zh.text).toContain('<html lang="zh-CN">');
  });

  it('sends a strict CSP on pages, no inline script or style, and keeps the API headers as they were', async () => {
    const res = await t.http.get('/login').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(res.headers['cache-control']).toBe('no-store');
    const api = await t.http.get('/health');
    expect(api.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
  });

  it('serves the stylesheets under hashed names, immutable, gzip or brotli', async () => {
    const page = await t.http.get('/login').expect(200);
    const hrefs = [...page.text.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    expect(hrefs).toEqual([
      expect.stringMatching(/^\/static\/weui\.[0-9a-f]{8}\.css$/),
      expect.stringMatching(/^\/static\/app\.[0-9a-f]{8}\.css$/),
    ]);
    for (const href of hrefs) {
      const gz = await raw(href, { 'accept-encoding': 'gzip' });
      expect(gz.headers).toMatchObject({
        'content-type': 'text/css; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
        'content-encoding': 'gzip',
        vary: 'Accept-Encoding',
      });
      const css = gunzipSync(gz.body).toString('utf8');
      expect(css.length).toBeGreaterThan(500);
      expect(css).not.toMatch(/@import|@font-face|url\((['"]?)(https?:)?\/\//);
      const plain = await raw(href, { 'accept-encoding': 'identity' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString('utf8')).toBe(css);
      // Brotli is made once, in the background, on the first request that takes it.
      const br = await waitFor('the brotli version', async () => {
        const res = await raw(href, { 'accept-encoding': 'gzip, br' });
        return res.headers['content-encoding'] === 'br' ? res : undefined;
      });
      expect(brotliDecompressSync(br.body).toString('utf8')).toBe(css);
      expect(br.bytes).toBeLessThan(gz.bytes);
    }
    await t.http.get('/static/app.00000000.css').expect(404);
  });

  it('compresses pages, and keeps the first load under 60 KB', async () => {
    const w = await world();
    const b = await signInPage(t.http, w.trainee.user.username);
    for (const [path, cookie] of [
      ['/login', ''],
      ['/', b.cookie],
    ]) {
      const html = await raw(path, { cookie, 'accept-encoding': 'gzip, br' });
      expect(html.headers['content-encoding']).toBe('br');
      const text = brotliDecompressSync(html.body).toString('utf8');
      let total = html.bytes;
      for (const [, href] of text.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)) {
        total += (await raw(href, { 'accept-encoding': 'gzip' })).bytes;
      }
      expect({ path, total: total < 60 * 1024 }).toEqual({ path, total: true });
    }
  });

  it('answers an unknown page with a Chinese 404 page, and unknown API paths in JSON as before', async () => {
    const page = await t.http.get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('找不到这个页面');
    const api = await t.http.get('/api/no-such-thing').set('Accept', 'text/html').expect(404);
    expect(api.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: '找不到您要的内容' });
    const json = await t.http.get('/no-such-page').set('Accept', 'application/json').expect(404);
    expect(json.body).toMatchObject({ code: 'NOT_FOUND' });
    await t.http.post('/no-such-page').type('form').send({ a: 1 }).expect(415);
  });
});
