import { randomUUID } from 'node:crypto';
import { CONSOLE_SECTIONS } from '../../src/web/page-renderer';
import { createOrgTree, createUser } from '../factories';
import { listRoutes, type RouteInfo } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, pageText, signInPage } from '../support/web-pages';

/**
 * Who may use the console (issue 15, Must show 4), over every console route there is: trainees
 * and trainers get the 403 page (or FORBIDDEN to a script) on each, whatever its id; a form
 * posted without its token is refused for admins too; each menu section answers an admin.
 * Scope (an admin sees only its subtree: 404 outside it) is tested per area, on its own ids.
 */
describe('console: roles, CSRF and the menu (e2e)', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  let admin: Browser;
  let trainee: Browser;
  let trainer: Browser;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    t = await startTestApp();
    routes = listRoutes(t.app).filter((r) => r.path === '/console' || r.path.startsWith('/console/'));
    const tree = await createOrgTree(t.ds);
    const [a, b, c] = await Promise.all([
      createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id }),
      createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id }),
      createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id }),
    ]);
    [admin, trainee, trainer] = await Promise.all([a, b, c].map((u) => signInPage(t.http, u.username)));
  });
  afterAll(() => t?.close());

  /** A route's address with a fresh UUID for each parameter. */
  const addressOf = (r: RouteInfo) => r.path.replace(/:\w+/g, () => randomUUID());

  it('has a page for every section of the menu, and sends an admin from / to the console', async () => {
    const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path));
    expect(CONSOLE_SECTIONS.map((s) => s.href).filter((href) => !gets.has(href))).toEqual([]);
    for (const section of CONSOLE_SECTIONS) {
      const res = await t.http.get(section.href).set('Cookie', admin.cookie);
      expect({ href: section.href, status: res.status }).toEqual({ href: section.href, status: 200 });
      expect(res.text).toContain(`href="${section.href}" aria-current="page"`);
    }
    const home = await t.http.get('/').set('Cookie', admin.cookie).expect(303);
    expect(home.headers.location).toBe('/console');
  });

  it.each([
    ['trainee', () => trainee],
    ['trainer', () => trainer],
  ])('answers a %s 403 on every console route, as a page or to a script', async (_, who) => {
    expect(routes.length).toBeGreaterThanOrEqual(CONSOLE_SECTIONS.length);
    const failures: string[] = [];
    for (const r of routes) {
      const url = addressOf(r);
      const method = r.method.toLowerCase() as 'get' | 'post';
      const request = t.http[method](url).set('Cookie', who().cookie);
      const page = r.upload
        ? await request.field('_csrf', who().csrf).attach('file', Buffer.from('a,b\n'), 'people.csv')
        : await request.type('form').send({ _csrf: who().csrf });
      if (page.status !== 403 || !pageText(page.text).includes('这是图书馆管理员用的后台')) {
        failures.push(`${r.method} ${r.path} as a page: ${page.status}`);
      }
      const script = await t.http[method](url)
        .set('Cookie', who().cookie)
        .set('Accept', 'application/json')
        .set('X-CSRF-Token', who().csrf);
      if (script.status !== 403 || (script.body as { code?: string }).code !== 'FORBIDDEN') {
        failures.push(`${r.method} ${r.path} to a script: ${script.status} ${JSON.stringify(script.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every console form posted without its token, even from an admin', async () => {
    const posts = routes.filter((r) => r.method !== 'GET');
    expect(posts.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const r of posts) {
      const request = t.http[r.method.toLowerCase() as 'post'](addressOf(r)).set('Cookie', admin.cookie);
      const res = r.upload
        ? await request.field('note', 'no token').attach('file', Buffer.from('a,b\n'), 'people.csv')
        : await request.type('form').send({ note: 'no token' });
      if (res.status !== 403 || !pageText(res.text).includes('页面已过期'))
        failures.push(`${r.method} ${r.path}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('says in English that the console is the library staff’s', async () => {
    const res = await t.http.get('/console').set('Cookie', trainee.cookie).set('Accept-Language', 'en').expect(403);
    expect(pageText(res.text)).toContain('This console is for library administrators');
  });
});
