import { createUser } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { coursesWorld } from '../support/courses-pages';
import { listRoutes, type RouteInfo } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, getPage, signInPage, submitForm } from '../support/web-pages';

/**
 * The console probed as an attacker with an admin account of another county would: every
 * console route, with every id of county A's records in every path parameter, answers county
 * B's admin 404 and shows nothing of county A; the list pages' id filters do not widen the scope.
 */
describe('console security (e2e)', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  let w: Awaited<ReturnType<typeof coursesWorld>>;
  let outsider: Browser;
  let ids: Record<string, string>;
  const SECRET_CLASS = '甲县机密培训班';
  const SECRET_TRAINEE = '甲县秘密学员';
  jest.setTimeout(180_000);

  beforeAll(async () => {
    t = await startTestApp();
    routes = listRoutes(t.app).filter((r) => r.path === '/console' || r.path.startsWith('/console/'));
    w = await coursesWorld(t.http, t.ds);
    const cls = await w.openClass({ title: SECRET_CLASS });
    const trainee = await w.trainee(SECRET_TRAINEE);
    const enrolment = await seat(t.ds, cls, trainee, w.tree.townshipA1);
    const session = await createSession(t.ds, cls, w.trainer.user.id, 0);
    const adminB = await createUser(t.ds, { role: 'admin', orgUnitId: w.tree.countyB.id });
    outsider = await signInPage(t.http, adminB.username);
    ids = {
      class: cls.id,
      session: session.id,
      enrolment: enrolment.id,
      plan: w.plan.id,
      course: w.course.id,
      venue: w.venue.id,
      unit: w.tree.townshipA1.id,
      county: w.tree.countyA.id,
      trainee: trainee.id,
      trainer: w.trainer.user.id,
      admin: w.admin.user.id,
    };
  });
  afterAll(() => t?.close());

  const leaks = (text: string) =>
    text.includes(SECRET_CLASS) || text.includes(SECRET_TRAINEE) || text.includes('王老师');

  it("answers another county's admin 404 on every console route named by an id of county A", async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.path.includes(':'))) {
      for (const [kind, id] of Object.entries(ids)) {
        const url = r.path.replace(/:\w+/g, id);
        const res =
          r.method === 'GET'
            ? await getPage(t.http, outsider, url)
            : r.upload
              ? await t.http
                  .post(url)
                  .set('Cookie', outsider.cookie)
                  .field('_csrf', outsider.csrf)
                  .attach('file', Buffer.from('a,b\n'), 'x.csv')
              : await t.http
                  .post(url)
                  .set('Cookie', outsider.cookie)
                  .type('form')
                  .send({ _csrf: outsider.csrf, assigneeId: ids.trainer, userId: ids.trainee, traineeId: ids.trainee });
        if (res.status !== 404 || leaks(res.text ?? ''))
          failures.push(`${r.method} ${r.path} with the ${kind}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("shows nothing of county A on the list pages when their filters name county A's ids", async () => {
    const failures: string[] = [];
    const gets = routes.filter((r) => r.method === 'GET' && !r.path.includes(':'));
    const params = ['orgUnitId', 'parentId', 'classId', 'courseId', 'assigneeId', 'plan', 'planId', 'traineeId'];
    const named = [ids.class, ids.unit, ids.county, ids.course, ids.plan, ids.trainer];
    for (const r of gets) {
      for (const name of params) {
        for (const id of named) {
          const res = await getPage(t.http, outsider, `${r.path}?${name}=${id}`);
          if (leaks(res.text ?? '')) failures.push(`${r.path}?${name}=<${id}>: ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets an admin neither create users or units outside its part nor change its own role, unit or activity', async () => {
    const me = await signInPage(t.http, w.admin.user.username);
    const created = await submitForm(t.http, me, '/console/people/users/new', {
      username: 'outsider-admin',
      password: 'a-long-enough-password',
      displayName: '越权管理员',
      role: 'admin',
      orgUnitId: w.tree.province.id,
    });
    expect(created.status).toBe(400);
    const unit = await submitForm(t.http, me, '/console/people/units', {
      parentId: w.tree.countyB.id,
      kind: 'township',
      name: '越权镇',
    });
    expect(unit.status).toBe(400);
    const self = `/console/people/users/${w.admin.user.id}`;
    await submitForm(t.http, me, self, { displayName: '我', role: 'trainee', orgUnitId: w.tree.province.id });
    const off = await submitForm(t.http, me, `${self}/active`, { active: 'false' });
    expect(off.status).toBe(409);
    const [row] = await t.ds.query<{ role: string; org_unit_id: string; active: boolean }[]>(
      `SELECT role::text, org_unit_id, active FROM users WHERE id = $1`,
      [w.admin.user.id],
    );
    expect(row).toEqual({ role: 'admin', org_unit_id: w.tree.countyA.id, active: true });
    const strays = await t.ds.query<unknown[]>(
      `SELECT 1 FROM users WHERE username = 'outsider-admin' UNION ALL SELECT 1 FROM org_units WHERE name = '越权镇'`,
    );
    expect(strays).toEqual([]);
  });
});
