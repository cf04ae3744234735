import { Survey } from '../../src/surveys/survey.entity';
import { createOrgTree, createUnit, signedIn } from '../factories';
import { createSurvey } from '../factories/planning';
import { startTestApp, type TestApp } from '../support/test-app';

describe('surveys (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A fresh tree and an admin of county A, so each test sees only its own surveys. */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    return { tree, admin: admin.auth };
  }

  const body = (orgUnitId: string, over: Record<string, unknown> = {}) => ({
    orgUnitId,
    year: 2026,
    servicePoints: 4,
    staffCount: 10,
    proficiency: { none: 2, basic: 5, intermediate: 2, advanced: 1 },
    education: { primary: 3, secondary: 5, tertiary: 2 },
    topicsWanted: [' 智能手机 ', 'Excel'],
    notes: ' 春季调查 ',
    ...over,
  });
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((s) => s.id);

  it('records a township survey and answers it in the nested shape of the body', async () => {
    const { tree, admin } = await world();
    const res = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id))
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      orgUnitId: tree.townshipA1.id,
      orgUnitName: '甲一镇',
      year: 2026,
      servicePoints: 4,
      staffCount: 10,
      proficiency: { none: 2, basic: 5, intermediate: 2, advanced: 1 },
      education: { primary: 3, secondary: 5, tertiary: 2 },
      topicsWanted: ['智能手机', 'Excel'],
      notes: '春季调查',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const stored = await t.ds.getRepository(Survey).findOneByOrFail({ id: res.body.id });
    expect(stored).toMatchObject({
      proficiencyNone: 2,
      proficiencyBasic: 5,
      proficiencyIntermediate: 2,
      proficiencyAdvanced: 1,
      educationPrimary: 3,
      educationSecondary: 5,
      educationTertiary: 2,
    });
    const got = await t.http.get(`/api/surveys/${res.body.id}`).set('Authorization', admin).expect(200);
    expect(got.body).toEqual(res.body);

    // education, topics and notes are optional; counts may add up to exactly the staff
    const minimal = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send({
        orgUnitId: tree.townshipA2.id,
        year: 2026,
        servicePoints: 0,
        staffCount: 3,
        proficiency: { none: 3, basic: 0, intermediate: 0, advanced: 0 },
      })
      .expect(201);
    expect(minimal.body).toMatchObject({ education: null, topicsWanted: [], notes: null });
  });

  it('answers 404 for a unit outside the subtree and 400 SURVEY_UNIT_NOT_TOWNSHIP for other kinds', async () => {
    const { tree, admin } = await world();
    for (const id of [tree.townshipB1.id, crypto.randomUUID()]) {
      const res = await t.http.post('/api/surveys').set('Authorization', admin).send(body(id)).expect(404);
      expect(res.body.code).toBe('ORG_UNIT_NOT_FOUND');
    }
    for (const id of [tree.countyA.id, tree.villageA1.id]) {
      const res = await t.http.post('/api/surveys').set('Authorization', admin).send(body(id)).expect(400);
      expect(res.body.code).toBe('SURVEY_UNIT_NOT_TOWNSHIP');
    }
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipB1.id })).toBe(0);
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.villageA1.id })).toBe(0);
  });

  it('validates year, counts, nested objects and topics', async () => {
    const { tree, admin } = await world();
    const cases: [string, Record<string, unknown>][] = [
      ['year', { year: 1999 }],
      ['year', { year: 2101 }],
      ['year', { year: 2026.5 }],
      ['year', { year: '2026' }],
      ['servicePoints', { servicePoints: -1 }],
      ['staffCount', { staffCount: 1.5 }],
      ['staffCount', { staffCount: null }],
      ['proficiency', { proficiency: undefined }],
      ['proficiency', { proficiency: 'basic' }],
      ['proficiency.basic', { proficiency: { none: 0, basic: -1, intermediate: 0, advanced: 0 } }],
      ['proficiency.advanced', { proficiency: { none: 0, basic: 0, intermediate: 0 } }],
      ['proficiency.expert', { proficiency: { none: 0, basic: 0, intermediate: 0, advanced: 0, expert: 1 } }],
      ['education.tertiary', { education: { primary: 1, secondary: 1, tertiary: 0.5 } }],
      ['topicsWanted', { topicsWanted: ['Excel', 'EXCEL '] }],
      ['topicsWanted', { topicsWanted: [''] }],
      ['topicsWanted', { topicsWanted: ['x'.repeat(51)] }],
      ['topicsWanted', { topicsWanted: Array.from({ length: 31 }, (_, i) => `t${i}`) }],
      ['surveyedBy', { surveyedBy: 'me' }],
    ];
    for (const [field, change] of cases) {
      const res = await t.http
        .post('/api/surveys')
        .set('Authorization', admin)
        .send(body(tree.townshipA1.id, change))
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect({ change, fields: (res.body.errors as { field: string }[]).map((e) => e.field) }).toEqual({
        change,
        fields: [field],
      });
    }
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA1.id })).toBe(0);
  });

  it('refuses proficiency or education counts that add up to more than the staff', async () => {
    const { tree, admin } = await world();
    const tooSkilled = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id, { proficiency: { none: 2, basic: 5, intermediate: 2, advanced: 2 } }))
      .expect(400);
    expect(tooSkilled.body.code).toBe('SURVEY_COUNTS_EXCEED_STAFF');
    const tooSchooled = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id, { education: { primary: 4, secondary: 5, tertiary: 2 } }))
      .expect(400);
    expect(tooSchooled.body.code).toBe('SURVEY_COUNTS_EXCEED_STAFF');
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA1.id })).toBe(0);
  });

  it('allows one survey per township and year: a second is 409 SURVEY_EXISTS naming the first', async () => {
    const { tree, admin } = await world();
    const first = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id))
      .expect(201);
    const again = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id, { staffCount: 12 }))
      .expect(409);
    expect(again.body).toEqual({
      statusCode: 409,
      code: 'SURVEY_EXISTS',
      message: expect.any(String),
      surveyId: first.body.id,
    });
    // another year, or another township, is a new survey
    await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id, { year: 2027 }))
      .expect(201);
    await t.http.post('/api/surveys').set('Authorization', admin).send(body(tree.townshipA2.id)).expect(201);
    expect(await t.ds.getRepository(Survey).findOneByOrFail({ id: first.body.id })).toMatchObject({ staffCount: 10 });
  });

  it('holds one survey per township and year under concurrent POSTs: one 201, the rest 409 naming it', async () => {
    const { tree, admin } = await world();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.http
          .post('/api/surveys')
          .set('Authorization', admin)
          .send(body(tree.townshipA2.id, { servicePoints: i })),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({ code: 'SURVEY_EXISTS', surveyId: winner.body.id });
    }
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA2.id, year: 2026 })).toBe(1);
  });

  it('replays a retried POST with the same Idempotency-Key instead of answering 409', async () => {
    const { tree, admin } = await world();
    const send = () =>
      t.http
        .post('/api/surveys')
        .set('Authorization', admin)
        .set('Idempotency-Key', 'survey-retry')
        .send(body(tree.townshipA1.id));
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('corrects a survey with PATCH, checking the counts against the merged values', async () => {
    const { tree, admin } = await world();
    const created = await t.http
      .post('/api/surveys')
      .set('Authorization', admin)
      .send(body(tree.townshipA1.id))
      .expect(201);
    const url = `/api/surveys/${created.body.id}`;

    const fixed = await t.http
      .patch(url)
      .set('Authorization', admin)
      .send({
        staffCount: 12,
        proficiency: { none: 1, basic: 6, intermediate: 3, advanced: 2 },
        topicsWanted: ['Word'],
      })
      .expect(200);
    expect(fixed.body).toMatchObject({
      id: created.body.id,
      orgUnitId: tree.townshipA1.id,
      year: 2026,
      servicePoints: 4,
      staffCount: 12,
      proficiency: { none: 1, basic: 6, intermediate: 3, advanced: 2 },
      education: { primary: 3, secondary: 5, tertiary: 2 },
      topicsWanted: ['Word'],
      notes: '春季调查',
    });

    // lowering the staff below the stored proficiency counts (12) or education counts (10) is refused
    for (const change of [
      { staffCount: 11 },
      { staffCount: 12, education: { primary: 13, secondary: 0, tertiary: 0 } },
    ]) {
      const res = await t.http.patch(url).set('Authorization', admin).send(change).expect(400);
      expect(res.body.code).toBe('SURVEY_COUNTS_EXCEED_STAFF');
    }
    // township and year cannot be changed, and required fields cannot be nulled
    for (const change of [
      { orgUnitId: tree.townshipA2.id },
      { year: 2027 },
      { staffCount: null },
      { proficiency: null },
      { topicsWanted: null },
    ]) {
      const res = await t.http.patch(url).set('Authorization', admin).send(change).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const cleared = await t.http
      .patch(url)
      .set('Authorization', admin)
      .send({ education: null, notes: '' })
      .expect(200);
    expect(cleared.body).toMatchObject({ education: null, notes: null, staffCount: 12 });
    expect(await t.ds.getRepository(Survey).findOneByOrFail({ id: created.body.id })).toMatchObject({
      staffCount: 12,
      proficiencyAdvanced: 2,
      educationPrimary: null,
      educationTertiary: null,
      notes: null,
      year: 2026,
      orgUnitId: tree.townshipA1.id,
    });
  });

  it('answers 404 for surveys outside the subtree or unknown, on GET and PATCH', async () => {
    const { tree, admin } = await world();
    const outside = await createSurvey(t.ds, { orgUnitId: tree.townshipB1.id, year: 2026 });
    for (const id of [outside.id, crypto.randomUUID()]) {
      const got = await t.http.get(`/api/surveys/${id}`).set('Authorization', admin).expect(404);
      expect(got.body).toEqual({ statusCode: 404, code: 'SURVEY_NOT_FOUND', message: expect.any(String) });
      const patched = await t.http
        .patch(`/api/surveys/${id}`)
        .set('Authorization', admin)
        .send({ staffCount: 1 })
        .expect(404);
      expect(patched.body.code).toBe('SURVEY_NOT_FOUND');
    }
    expect(await t.ds.getRepository(Survey).findOneByOrFail({ id: outside.id })).toMatchObject({ staffCount: 10 });
    const bad = await t.http.get('/api/surveys/nope').set('Authorization', admin).expect(400);
    expect(bad.body.code).toBe('INVALID_ID');
  });

  it('lists surveys in scope by year and unit (with descendants), newest year first, paginated', async () => {
    const tree = await createOrgTree(t.ds);
    // A county of its own, with township names whose order is the same under any collation.
    const county = await createUnit(t.ds, tree.province, 'county', '列表县');
    const tA = await createUnit(t.ds, county, 'township', 'A镇');
    const tB = await createUnit(t.ds, county, 'township', 'B镇');
    const tC = await createUnit(t.ds, county, 'township', 'C镇');
    const { auth: admin } = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: county.id });
    const c = await createSurvey(t.ds, { orgUnitId: tC.id, year: 2026 });
    const aOld = await createSurvey(t.ds, { orgUnitId: tA.id, year: 2025 });
    const a = await createSurvey(t.ds, { orgUnitId: tA.id, year: 2026 });
    const b = await createSurvey(t.ds, { orgUnitId: tB.id, year: 2026 });
    const outside = await createSurvey(t.ds, { orgUnitId: tree.townshipA1.id, year: 2026 });

    const all = await t.http.get('/api/surveys').set('Authorization', admin).expect(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(ids(all)).toEqual([a.id, b.id, c.id, aOld.id]);
    expect(ids(all)).not.toContain(outside.id);
    expect(all.body.items[0]).toMatchObject({ orgUnitName: 'A镇', proficiency: { basic: 10 }, education: null });

    const y2025 = await t.http.get('/api/surveys?year=2025').set('Authorization', admin).expect(200);
    expect(ids(y2025)).toEqual([aOld.id]);
    const inTown = await t.http.get(`/api/surveys?orgUnitId=${tA.id}`).set('Authorization', admin).expect(200);
    expect(ids(inTown)).toEqual([a.id, aOld.id]);
    const inCounty = await t.http
      .get(`/api/surveys?orgUnitId=${county.id}&year=2026`)
      .set('Authorization', admin)
      .expect(200);
    expect(ids(inCounty)).toEqual([a.id, b.id, c.id]);
    const page2 = await t.http.get('/api/surveys?pageSize=3&page=2').set('Authorization', admin).expect(200);
    expect(page2.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(ids(page2)).toEqual([aOld.id]);

    await t.http.get(`/api/surveys?orgUnitId=${tree.countyA.id}`).set('Authorization', admin).expect(404);
    await t.http.get('/api/surveys?year=99').set('Authorization', admin).expect(400);
  });

  it('answers 403 to trainers and trainees on every survey route', async () => {
    const { tree } = await world();
    const survey = await createSurvey(t.ds, { orgUnitId: tree.townshipA1.id, year: 2026 });
    for (const fields of [
      { role: 'trainer' as const, orgUnitId: tree.countyA.id },
      { role: 'trainee' as const, orgUnitId: tree.townshipA1.id },
    ]) {
      const { auth } = await signedIn(t.http, t.ds, fields);
      const calls = [
        t.http.get('/api/surveys').set('Authorization', auth),
        t.http.get('/api/surveys/summary?year=2026').set('Authorization', auth),
        t.http.get(`/api/surveys/${survey.id}`).set('Authorization', auth),
        t.http.post('/api/surveys').set('Authorization', auth).send(body(tree.townshipA2.id)),
        t.http.patch(`/api/surveys/${survey.id}`).set('Authorization', auth).send({ staffCount: 1 }),
      ];
      for (const res of await Promise.all(calls)) {
        expect({ url: res.request.url, status: res.status, code: res.body.code }).toEqual({
          url: res.request.url,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
    }
    expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA2.id })).toBe(0);
  });

  describe('summary', () => {
    it('aggregates the year across the subtree: totals, shares, top topics and every township', async () => {
      const tree = await createOrgTree(t.ds);
      // A county of its own, with township names whose order is the same under any collation.
      const county = await createUnit(t.ds, tree.province, 'county', '汇总县');
      const tA = await createUnit(t.ds, county, 'township', 'A镇');
      const tB = await createUnit(t.ds, county, 'township', 'B镇');
      const tC = await createUnit(t.ds, county, 'township', 'C镇');
      const tD = await createUnit(t.ds, county, 'township', 'D镇');
      await createUnit(t.ds, tA, 'village', 'A村');
      const { auth } = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: county.id });
      const post = async (orgUnitId: string, over: Record<string, unknown>) =>
        (
          await t.http
            .post('/api/surveys')
            .set('Authorization', auth)
            .send({ orgUnitId, year: 2026, ...over })
            .expect(201)
        ).body.id as string;

      const sA = await post(tA.id, {
        servicePoints: 4,
        staffCount: 10,
        proficiency: { none: 2, basic: 5, intermediate: 2, advanced: 1 },
        education: { primary: 3, secondary: 5, tertiary: 2 },
        topicsWanted: ['Excel', '智能手机', 'WeChat Pay'],
      });
      const sB = await post(tB.id, {
        servicePoints: 6,
        staffCount: 20,
        proficiency: { none: 8, basic: 6, intermediate: 3, advanced: 1 },
        topicsWanted: [' excel', 'wechat pay', '网上办事'],
      });
      const sD = await post(tD.id, {
        servicePoints: 2,
        staffCount: 5,
        proficiency: { none: 0, basic: 2, intermediate: 2, advanced: 0 },
        education: { primary: 1, secondary: 1, tertiary: 1 },
        topicsWanted: ['excel ', 'wechat pay', '网上办事'],
      });
      // Not counted: township C's survey of another year, and a township outside the subtree.
      await createSurvey(t.ds, { orgUnitId: tC.id, year: 2025, staffCount: 99, topicsWanted: ['智能手机'] });
      await createSurvey(t.ds, {
        orgUnitId: tree.townshipB1.id,
        year: 2026,
        staffCount: 77,
        topicsWanted: ['智能手机'],
      });

      const res = await t.http.get('/api/surveys/summary?year=2026').set('Authorization', auth).expect(200);
      expect(res.body).toEqual({
        year: 2026,
        townships: { total: 4, surveyed: 3, notSurveyed: [{ orgUnitId: tC.id, name: 'C镇' }] },
        totals: {
          servicePoints: 12,
          staffCount: 35,
          proficiency: { none: 10, basic: 13, intermediate: 7, advanced: 2 },
          education: { primary: 4, secondary: 6, tertiary: 3 },
        },
        // 10/32, 13/32, 7/32, 2/32 rounded to 3 decimals (halves away from zero)
        proficiencyShare: { none: 0.313, basic: 0.406, intermediate: 0.219, advanced: 0.063 },
        topTopics: [
          { topic: 'excel', townships: 3 },
          { topic: 'wechat pay', townships: 3 },
          { topic: '网上办事', townships: 2 },
          { topic: '智能手机', townships: 1 },
        ],
        perTownship: [
          {
            orgUnitId: tA.id,
            name: 'A镇',
            surveyed: true,
            surveyId: sA,
            servicePoints: 4,
            staffCount: 10,
            proficiency: { none: 2, basic: 5, intermediate: 2, advanced: 1 },
            education: { primary: 3, secondary: 5, tertiary: 2 },
            topicsWanted: ['Excel', '智能手机', 'WeChat Pay'],
          },
          {
            orgUnitId: tB.id,
            name: 'B镇',
            surveyed: true,
            surveyId: sB,
            servicePoints: 6,
            staffCount: 20,
            proficiency: { none: 8, basic: 6, intermediate: 3, advanced: 1 },
            education: null,
            topicsWanted: ['excel', 'wechat pay', '网上办事'],
          },
          {
            orgUnitId: tC.id,
            name: 'C镇',
            surveyed: false,
            surveyId: null,
            servicePoints: null,
            staffCount: null,
            proficiency: null,
            education: null,
            topicsWanted: [],
          },
          {
            orgUnitId: tD.id,
            name: 'D镇',
            surveyed: true,
            surveyId: sD,
            servicePoints: 2,
            staffCount: 5,
            proficiency: { none: 0, basic: 2, intermediate: 2, advanced: 0 },
            education: { primary: 1, secondary: 1, tertiary: 1 },
            topicsWanted: ['excel', 'wechat pay', '网上办事'],
          },
        ],
      });
    });

    it('answers zeros and every township unsurveyed for a year without surveys', async () => {
      const { tree, admin } = await world();
      await createSurvey(t.ds, { orgUnitId: tree.townshipA1.id, year: 2026 });
      const res = await t.http.get('/api/surveys/summary?year=2030').set('Authorization', admin).expect(200);
      expect(res.body).toMatchObject({
        year: 2030,
        townships: { total: 2, surveyed: 0 },
        totals: {
          servicePoints: 0,
          staffCount: 0,
          proficiency: { none: 0, basic: 0, intermediate: 0, advanced: 0 },
          education: { primary: 0, secondary: 0, tertiary: 0 },
        },
        proficiencyShare: { none: 0, basic: 0, intermediate: 0, advanced: 0 },
        topTopics: [],
      });
      // (in name order, which depends on the database collation for these names)
      const unsurveyed = [
        { orgUnitId: tree.townshipA1.id, name: '甲一镇' },
        { orgUnitId: tree.townshipA2.id, name: '甲二镇' },
      ];
      expect(res.body.townships.notSurveyed).toHaveLength(2);
      expect(res.body.townships.notSurveyed).toEqual(expect.arrayContaining(unsurveyed));
      expect(res.body.perTownship).toHaveLength(2);
      expect(res.body.perTownship).toEqual(
        expect.arrayContaining(
          unsurveyed.map((u) => ({
            ...u,
            surveyed: false,
            surveyId: null,
            servicePoints: null,
            staffCount: null,
            proficiency: null,
            education: null,
            topicsWanted: [],
          })),
        ),
      );
    });

    it('keeps the ten most wanted topics, ties in topic order, each township counted once', async () => {
      const { tree, admin } = await world();
      const topics = Array.from({ length: 12 }, (_, i) => `topic-${String(12 - i).padStart(2, '0')}`);
      await t.http
        .post('/api/surveys')
        .set('Authorization', admin)
        .send(body(tree.townshipA1.id, { topicsWanted: topics }))
        .expect(201);
      await t.http
        .post('/api/surveys')
        .set('Authorization', admin)
        .send(body(tree.townshipA2.id, { topicsWanted: ['TOPIC-12', 'Topic-07'] }))
        .expect(201);
      const res = await t.http.get('/api/surveys/summary?year=2026').set('Authorization', admin).expect(200);
      expect(res.body.topTopics).toEqual([
        { topic: expect.stringMatching(/^topic-07$/i), townships: 2 },
        { topic: expect.stringMatching(/^topic-12$/i), townships: 2 },
        ...['01', '02', '03', '04', '05', '06', '08', '09'].map((n) => ({ topic: `topic-${n}`, townships: 1 })),
      ]);
    });

    it('needs a valid year', async () => {
      const { admin } = await world();
      for (const query of ['?year=', '?year=abc', '?year=1999', '?year=2026.5']) {
        const res = await t.http.get(`/api/surveys/summary${query}`).set('Authorization', admin).expect(400);
        expect({ query, code: res.body.code }).toEqual({ query, code: 'VALIDATION_FAILED' });
      }
    });
  });
});
