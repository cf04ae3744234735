import { bootstrapAdmin, readBootstrapInput } from '../../src/cli/admin-bootstrap';
import { DEMO_ADMIN, DEMO_PASSWORDS, DEMO_TRAINERS } from '../../src/demo/demo-data';
import { seedDemo } from '../../src/demo/seed-demo';
import { login } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('demo data (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const counts = async () =>
    (
      await t.ds.query<{ kind: string; n: number }[]>(
        `SELECT kind::text, count(*)::int AS n FROM org_units GROUP BY kind
          UNION ALL SELECT role::text, count(*)::int FROM users GROUP BY role ORDER BY 1`,
      )
    ).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.kind]: r.n }), {});

  it('loads a county with 10 townships, 2 villages each, an admin, 3 trainers and 60 trainees; twice is harmless', async () => {
    const first = await seedDemo(t.ds);
    expect(first.usersCreated).toBe(64);
    const expected = { province: 1, city: 1, county: 1, township: 10, village: 20, admin: 1, trainer: 3, trainee: 60 };
    expect(await counts()).toEqual(expected);
    const second = await seedDemo(t.ds);
    expect(second.usersCreated).toBe(0);
    expect(await counts()).toEqual(expected);
  });

  it('spreads education and computer proficiency, with Chinese names', async () => {
    const mix = await t.ds.query<{ education: string; proficiency: string }[]>(
      `SELECT DISTINCT education::text, proficiency::text FROM users WHERE role = 'trainee'`,
    );
    expect(new Set(mix.map((m) => m.education))).toEqual(new Set(['primary', 'secondary', 'tertiary']));
    expect(new Set(mix.map((m) => m.proficiency))).toEqual(new Set(['none', 'basic', 'intermediate', 'advanced']));
    const names = await t.ds.query<{ display_name: string }[]>(`SELECT display_name FROM users WHERE role = 'trainee'`);
    expect(names.every((n) => /^[\u4e00-\u9fff]{2,3}$/.test(n.display_name))).toBe(true);
  });

  it('lets the README logins in, with the admin scoped to the county', async () => {
    const token = await login(t.http, DEMO_ADMIN.username, DEMO_PASSWORDS.admin);
    const towns = await t.http.get('/api/org-units?kind=township').set('Authorization', `Bearer ${token}`).expect(200);
    expect(towns.body.total).toBe(10);
    await login(t.http, DEMO_TRAINERS[0].username, DEMO_PASSWORDS.trainer);
    await login(t.http, '13937000000', DEMO_PASSWORDS.trainee);
  });
});

describe('admin:bootstrap (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('names every missing or bad variable', () => {
    expect(() => readBootstrapInput({ ADMIN_ORG_KIND: 'galaxy', ADMIN_PASSWORD: 'short' })).toThrow(
      /ADMIN_ORG \(name[\s\S]*ADMIN_ORG_KIND[\s\S]*ADMIN_USERNAME[\s\S]*ADMIN_PASSWORD/,
    );
  });

  it('creates the root unit and the admin once, then leaves them', async () => {
    const input = readBootstrapInput({
      ADMIN_ORG: '某县图书馆',
      ADMIN_USERNAME: 'Boss',
      ADMIN_PASSWORD: 'a-very-long-password',
    });
    expect(await bootstrapAdmin(t.ds, input)).toEqual({ orgCreated: true, adminCreated: true });
    expect(await bootstrapAdmin(t.ds, input)).toEqual({ orgCreated: false, adminCreated: false });
    const [unit] = await t.ds.query<{ kind: string; depth: number }[]>(
      `SELECT kind, depth FROM org_units WHERE name = '某县图书馆'`,
    );
    expect(unit).toEqual({ kind: 'county', depth: 0 });
    const token = await login(t.http, 'boss', 'a-very-long-password');
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.role).toBe('admin');
  });
});
