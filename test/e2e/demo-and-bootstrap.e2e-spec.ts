import { bootstrapAdmin, readBootstrapInput } from '../../src/cli/admin-bootstrap';
import { DEMO_ADMIN, DEMO_PASSWORDS, DEMO_TRAINERS } from '../../src/demo/demo-data';
import { seedDemo } from '../../src/demo/seed-demo';
import { login } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('demo data (e2e)', () => {
  /** The demo's "today": every seed of this file plans as of it, so the test passes on any date. */
  const NOW = new Date('2026-11-28T02:00:00Z');
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
    const first = await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    expect(first.usersCreated).toBe(64);
    const expected = { province: 1, city: 1, county: 1, township: 10, village: 20, admin: 1, trainer: 3, trainee: 60 };
    expect(await counts()).toEqual(expected);
    const second = await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    expect(second.usersCreated).toBe(0);
    expect(await counts()).toEqual(expected);
  });

  it('gives the running class a question bank, a closing quiz and a township contest; twice is harmless', async () => {
    await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    const [bank] = await t.ds.query<{ questions: number; types: number }[]>(
      `SELECT count(*)::int AS questions, count(DISTINCT type)::int AS types FROM questions`,
    );
    expect(bank).toEqual({ questions: 8, types: 5 });
    // Trainee 3 (of every fourth) attends the fourth quarter's class, running today.
    const token = await login(t.http, '13937000003', DEMO_PASSWORDS.trainee);
    const quizzes = await t.http.get('/api/quizzes').set('Authorization', `Bearer ${token}`).expect(200);
    expect(
      quizzes.body.items
        .map((q: { title: string; mode: string; questionCount: number }) => [q.title, q.mode, q.questionCount])
        .sort(),
    ).toEqual([
      ['乡镇电脑技能竞赛', 'contest', 6],
      ['本期结业测验', 'quiz', 8],
    ]);
  });

  it('plans the current year: four quarterly classes, three sessions a month each, states as of today', async () => {
    await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    const classes = await t.ds.query<{ quarter: number; status: string; sessions: number; first: Date }[]>(
      `SELECT c.quarter, c.status::text, count(s.id)::int AS sessions, min(s.starts_at) AS first
         FROM plans p JOIN classes c ON c.plan_id = p.id LEFT JOIN sessions s ON s.class_id = c.id
        WHERE p.year = 2026 GROUP BY c.quarter, c.status ORDER BY c.quarter`,
    );
    expect(classes.map((c) => [c.quarter, c.status, c.sessions])).toEqual([
      [1, 'completed', 9],
      [2, 'completed', 9],
      [3, 'completed', 9],
      // …and a practice session of the running class under way today, for the pages.
      [4, 'running', 10],
    ]);
    // 09:00 in Shanghai on the 5th of the quarter's first month
    expect(new Date(classes[0].first).toISOString()).toBe('2026-01-05T01:00:00.000Z');
    const token = await login(t.http, DEMO_ADMIN.username, DEMO_PASSWORDS.admin);
    const plans = await t.http.get('/api/plans?year=2026').set('Authorization', `Bearer ${token}`).expect(200);
    expect(plans.body.items).toHaveLength(1);
    const plan = await t.http
      .get(`/api/plans/${plans.body.items[0].id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(plan.body).toMatchObject({ targetClasses: 4, targetPersonTimes: 3000 });
    expect(plan.body.progress).toMatchObject({ classesPlanned: 4, sessionsPlanned: 37 });
    // Attendance of every held session: 27 of the first three quarters and 6 of this one, 15 trainees each.
    const [marks] = await t.ds.query<{ records: number; changes: number; attended: number }[]>(
      `SELECT (SELECT count(*)::int FROM attendance_records) AS records,
              (SELECT count(*)::int FROM attendance_changes) AS changes,
              (SELECT count(*)::int FROM attendance_records WHERE status IN ('present', 'late')) AS attended`,
    );
    expect(marks).toMatchObject({ records: 33 * 15, changes: 33 * 15 });
    expect(marks.attended).toBeGreaterThan(0.8 * marks.records);
    expect(plan.body.progress.personTimes).toBe(marks.attended);
    // trainees of the three completed classes count as trained: 45 of 60
    const rotation = await t.http
      .get('/api/reports/rotation?year=2026')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(rotation.body).toMatchObject({ staffCount: 60, trained: 45, coverage: 0.75 });
    // The outreach events of the year so far count in the reports beside the classes.
    const summary = await t.http
      .get('/api/reports/summary?year=2026')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const [events] = await t.ds.query<{ n: number; heads: number }[]>(
      `SELECT count(*)::int AS n, coalesce(sum(head_count), 0)::int AS heads FROM outreach_events`,
    );
    expect(events.n).toBeGreaterThan(0);
    expect(summary.body).toMatchObject({
      personTimesFromAttendance: marks.attended,
      personTimesFromEvents: events.heads,
      personTimes: marks.attended + events.heads,
    });
    await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    const [{ eventsAgain }] = await t.ds.query(`SELECT count(*)::int AS "eventsAgain" FROM outreach_events`);
    expect(eventsAgain).toBe(events.n);
    const [{ again }] = await t.ds.query(`SELECT count(*)::int AS again FROM attendance_records`);
    expect(again).toBe(33 * 15);
    const [{ n }] = await t.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM sessions s JOIN classes c ON c.id = s.class_id JOIN plans p ON p.id = c.plan_id
        WHERE p.year = 2026`,
    );
    expect(n).toBe(37);
  });

  it("opens next year's first class for enrolment in the last quarter, and puts a session of the running class under way today", async () => {
    await seedDemo(t.ds, 'Asia/Shanghai', NOW);
    const [next] = await t.ds.query<{ status: string; opens: Date; closes: Date; sessions: number }[]>(
      `SELECT c.status::text, c.enrolment_opens_at AS opens, c.enrolment_closes_at AS closes, count(s.id)::int AS sessions
         FROM plans p JOIN classes c ON c.plan_id = p.id JOIN sessions s ON s.class_id = c.id
        WHERE p.year = 2027 GROUP BY c.id`,
    );
    // Open from 1 December (Shanghai) to 4 January 18:00, nine sessions in the first quarter.
    expect(next).toEqual({
      status: 'open',
      opens: new Date('2026-11-30T16:00:00Z'),
      closes: new Date('2027-01-04T10:00:00Z'),
      sessions: 9,
    });
    // 10:00 in Shanghai: the practice session runs 09:30–12:30, taught by the class's trainer.
    const today = await t.ds.query<{ starts: Date; ends: Date; trainer: string }[]>(
      `SELECT s.starts_at AS starts, s.ends_at AS ends, u.username AS trainer
         FROM sessions s JOIN users u ON u.id = s.trainer_id
        WHERE s.starts_at <= $1 AND s.ends_at > $1`,
      [NOW],
    );
    expect(today).toEqual([
      { starts: new Date('2026-11-28T01:30:00Z'), ends: new Date('2026-11-28T04:30:00Z'), trainer: 'trainer1' },
    ]);
    // Loaded again the same day: no second one.
    await seedDemo(t.ds, 'Asia/Shanghai', new Date(NOW.getTime() + 3_600_000));
    const [{ n }] = await t.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM sessions WHERE starts_at >= '2026-11-27T16:00:00Z' AND starts_at < '2026-11-28T16:00:00Z'`,
    );
    expect(n).toBe(1);
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
