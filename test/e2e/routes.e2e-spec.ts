import { listRoutes, type RouteInfo } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';

/** Routes reachable without a token. Adding one here is a deliberate, reviewed decision. */
const PUBLIC_ROUTES = [
  'POST /api/auth/login',
  'GET /health',
  'GET /api/calendar/feeds/:token',
  // What a certificate's QR code opens: anyone may check a certificate (rate-limited per address).
  'GET /api/certificates/verify/:code',
  // The pages' login form (its POST carries a form token bound to a cookie of its own).
  'GET /login',
  'POST /login',
  // 忘记密码: asking for an SMS code and setting a new password with it (form tokens as for login;
  // rate-limited per number and per address).
  'GET /forgot-password',
  'POST /forgot-password',
  'POST /forgot-password/reset',
];

describe('every route is guarded or explicitly public (e2e)', () => {
  let t: TestApp;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await startTestApp();
    routes = listRoutes(t.app);
  });
  afterAll(() => t.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(10);
  });

  it('marks exactly the allowed routes public', () => {
    const publicRoutes = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`);
    expect(publicRoutes.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('honours Idempotency-Key on every authenticated POST of the API', () => {
    // Pages' forms are not API calls: posting one again is harmless (checking in twice changes nothing).
    const missing = routes.filter((r) => r.method === 'POST' && !r.isPublic && !r.idempotent && !r.page);
    expect(missing.map((r) => r.path)).toEqual([]);
    expect(routes.filter((r) => r.idempotent).length).toBeGreaterThan(0);
  });

  it('answers 401 without a token on every other route of the API', async () => {
    const guarded = routes.filter((r) => !r.isPublic && !r.page);
    const failures: string[] = [];
    for (const r of guarded) {
      const path = r.path.replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: path,
        payload: r.method === 'GET' ? undefined : {},
      });
      if (res.statusCode !== 401) failures.push(`${r.method} ${r.path} answered ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('sends every other page to the login page without a session, whatever the bearer token', async () => {
    const pages = routes.filter((r) => r.page && !r.isPublic);
    expect(pages.length).toBeGreaterThan(2);
    const failures: string[] = [];
    for (const r of pages) {
      const path = r.path.replace(/:\w+/g, 'x');
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: path,
        payload: r.method === 'GET' ? undefined : '',
      });
      const location = String(res.headers.location ?? '');
      if (res.statusCode !== 303 || !location.startsWith('/login')) {
        failures.push(`${r.method} ${r.path} answered ${res.statusCode} ${location}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
