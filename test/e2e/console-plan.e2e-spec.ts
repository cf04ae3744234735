import { createSession } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { createOrgTree, createUser } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

/** The plan year the tests plan in: next year in the centre's zone, so every session lies ahead. */
const Y = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear() + 1;

/** A page's HTML with the entities Handlebars writes for `=` undone (rules are full of them). */
const html = (res: { text: string }): string => res.text.replace(/&#x3D;/g, '=');

/**
 * 年度计划 through HTTP, as an admin's browser uses it: the year's plan created and its targets
 * changed; a class with a recurrence rule previewed (the exact dates, holidays struck out, nothing
 * saved) and then saved (exactly those sessions); a bad rule refused beside its field with the
 * form kept; a session moved, refused for a double booking (in words), cancelled after a
 * confirmation; one session added. Scope (another county's admin: 404), trainees (403) and form
 * tokens (403) as for every page; English once.
 */
describe('console: the year plan (e2e)', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;
  let admin: Browser;

  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id, displayName: '馆员甲' });
    const trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
    const trainer2 = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '李老师' });
    const trainee = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const otherAdmin = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
    const course = await createCourse(t.ds, tree.countyA, { title: '电脑基础与智能手机应用' });
    const venue = await createVenue(t.ds, tree.countyA, { name: '县图书馆电子阅览室' });
    const plan = await createPlan(t.ds, tree.countyA, Y, { title: `${Y}年度培训计划`, targetClasses: 4 });
    return { tree, admin, trainer, trainer2, trainee, otherAdmin, course, venue, plan };
  }

  beforeAll(async () => {
    t = await startTestApp();
    w = await world();
    admin = await signInPage(t.http, w.admin.username);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The new-class form's fields for a class of quarter `q`, the rule's fields on top. */
  function classFields(q: number, over: Record<string, string> = {}): Record<string, string> {
    const month = String((q - 1) * 3 + 1).padStart(2, '0');
    const last = String(q * 3).padStart(2, '0');
    return {
      year: String(Y),
      planId: w.plan.id,
      courseId: w.course.id,
      title: `${Y}年第${q}期培训班`,
      quarter: String(q),
      startDate: `${Y}-${month}-01`,
      endDate: `${Y}-${last}-${q === 1 ? '31' : q === 2 ? '30' : q === 3 ? '30' : '31'}`,
      venueId: w.venue.id,
      [`trainer_${w.trainer.id}`]: 'on',
      capacity: '40',
      minPerTownship: '3',
      maxPerTownship: '5',
      opensDate: `${Y - 1}-12-01`,
      opensTime: '09:00',
      closesDate: `${Y}-${month}-01`,
      closesTime: '08:00',
      threshold: '80',
      startTime: '09:00',
      durationMinutes: '120',
      exdates: '',
      sessionTrainerId: '',
      topic: '电脑操作',
      whatToBring: '',
      ...over,
    };
  }

  const classCount = async () => Number((await t.ds.query(`SELECT count(*)::int AS n FROM classes`))[0].n);

  it('creates the year plan from the plan page, refusing a mistake beside its field, and changes its targets', async () => {
    const year = Y + 3;
    const empty = await getPage(t.http, admin, `/console/plan?year=${year}`).expect(200);
    expect(pageText(empty)).toContain(`建立 ${year} 年度计划`);
    expect(empty.text).toContain(`<option value="${w.tree.countyA.id}" selected>甲县</option>`);

    const form = {
      orgUnitId: w.tree.countyA.id,
      year: String(year),
      title: '',
      targetClasses: '7',
      targetPersonTimes: 'x',
    };
    const bad = await submitForm(t.http, admin, '/console/plan', form).expect(400);
    expect(pageText(bad)).toContain('请填写计划名称');
    expect(pageText(bad)).toContain('目标人次应是 0 到 1000000 的整数');
    expect(bad.text).toMatch(/id="targetClasses"[^>]*value="7"/);
    expect(bad.text).toMatch(/id="title"[^>]*aria-invalid="true"/);

    const made = await submitForm(t.http, admin, '/console/plan', {
      ...form,
      title: `${year}年度培训计划`,
      targetPersonTimes: '3000',
    }).expect(303);
    const [plan] = await t.ds.query(`SELECT id, target_classes, target_person_times FROM plans WHERE year = $1`, [
      year,
    ]);
    expect(plan).toMatchObject({ target_classes: 7, target_person_times: 3000 });
    expect(made.headers.location).toBe(`/console/plan?year=${year}&plan=${plan.id}&done=planCreated`);
    const page = await getPage(t.http, admin, made.headers.location).expect(200);
    expect(pageText(page)).toContain('年度计划已建立');
    expect(pageText(page)).toContain('第一季度（1–3月）');
    expect(pageText(page)).toContain('目标 7，完成 0%');

    // The same year again: the service's refusal in words.
    const again = await submitForm(t.http, admin, '/console/plan', {
      ...form,
      title: '又一个',
      targetPersonTimes: '',
    }).expect(409);
    expect(pageText(again)).toContain('该单位已有当年的培训计划');

    await submitForm(t.http, admin, `/console/plan/${plan.id}`, {
      title: `${year}年度培训计划（修订）`,
      targetClasses: '',
      targetPersonTimes: '2500',
    }).expect(303);
    const [edited] = await t.ds.query(`SELECT title, target_classes, target_person_times FROM plans WHERE id = $1`, [
      plan.id,
    ]);
    expect(edited).toEqual({ title: `${year}年度培训计划（修订）`, target_classes: null, target_person_times: 2500 });
  });

  it("previews a rule's exact dates without saving, skipping holidays, then saves exactly those sessions", async () => {
    const before = await classCount();
    const fields = classFields(1, {
      pattern: 'monthly',
      monthDays: '5,15,25',
      exdates: `${Y}-02-15\n${Y}-02-16`,
    });
    const preview = await submitForm(t.http, admin, '/console/plan/classes/new', {
      ...fields,
      action: 'preview',
    }).expect(200);
    const text = pageText(preview);
    expect(text).toContain('共 8 次课；跳过节假日 1 天。尚未保存。');
    expect(html(preview)).toContain('<code>FREQ=MONTHLY;BYMONTHDAY=5,15,25</code>');
    const shown = [...preview.text.matchAll(/<th scope="row">([^<]+)<\/th><td>(\d\d:\d\d–\d\d:\d\d)</g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const expected = ['01-05', '01-15', '01-25', '02-05', '02-25', '03-05', '03-15', '03-25'];
    expect(shown).toHaveLength(8);
    shown.forEach((s, i) => {
      const [mm, dd] = expected[i].split('-').map(Number);
      expect(s).toMatch(new RegExp(`^${Y}年${mm}月${dd}日 周[一二三四五六日] 09:00–11:00$`));
    });
    expect(preview.text).toMatch(new RegExp(`<del>${Y}年2月15日 周.</del>`));
    // The form is kept as typed.
    expect(preview.text).toContain(`${Y}-02-15\n${Y}-02-16</textarea>`);
    expect(await classCount()).toBe(before);

    const saved = await submitForm(t.http, admin, '/console/plan/classes/new', { ...fields, action: 'save' }).expect(
      303,
    );
    const [cls] = await t.ds.query(`SELECT id, title, status FROM classes WHERE title = $1`, [fields.title]);
    expect(saved.headers.location).toBe(`/console/classes/${cls.id}?done=created`);
    expect(cls.status).toBe('draft');
    // The class page it leads to says so.
    expect(pageText(await getPage(t.http, admin, saved.headers.location).expect(200))).toContain(
      '培训班和课次已保存。',
    );
    const rows: { starts_at: Date; ends_at: Date; topic: string; trainer_id: string }[] = await t.ds.query(
      `SELECT starts_at, ends_at, topic, trainer_id FROM sessions WHERE class_id = $1 ORDER BY starts_at`,
      [cls.id],
    );
    expect(rows.map((r) => r.starts_at.getTime())).toEqual(
      expected.map((d) => localInstant(`${Y}-${d}`, '09:00').getTime()),
    );
    expect(rows.every((r) => r.ends_at.getTime() - r.starts_at.getTime() === 120 * 60_000)).toBe(true);
    expect(rows.every((r) => r.topic === '电脑操作' && r.trainer_id === w.trainer.id)).toBe(true);

    // The plan page lists the class and its sessions month by month.
    const plan = await getPage(t.http, admin, `/console/plan?year=${Y}`).expect(200);
    expect(plan.text).toContain(`href="/console/classes/${cls.id}">${fields.title}</a>`);
    expect(pageText(plan)).toMatch(
      new RegExp(`${Y}年1月5日 周. 09:00–11:00 ${fields.title} 电脑操作 县图书馆电子阅览室 王老师 待上课`),
    );
  });

  it('refuses a bad rule beside its field, in Chinese, keeping the form, and saves nothing', async () => {
    const before = await classCount();
    const fields = classFields(2, { pattern: 'rrule', rrule: 'FREQ=HOURLY', title: '第二期（规则有误）' });
    const res = await submitForm(t.http, admin, '/console/plan/classes/new', { ...fields, action: 'save' }).expect(400);
    expect(html(res)).toMatch(/id="rrule-error">重复规则中的“FREQ=HOURLY”不受支持或超出范围</);
    expect(html(res)).toMatch(/id="rrule"[^>]*value="FREQ=HOURLY"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="title"[^>]*value="第二期（规则有误）"/);
    expect(res.text).toMatch(/id="pattern-rrule"[^>]*checked/);

    // The builder's own mistakes, beside their fields.
    const noDays = await submitForm(t.http, admin, '/console/plan/classes/new', {
      ...classFields(2, { pattern: 'weekly', exdates: '10月1日' }),
      action: 'preview',
    }).expect(400);
    expect(pageText(noDays)).toContain('请至少选一天');
    expect(pageText(noDays)).toContain('这些不是 2027-10-01 这样的日期：10月1日');

    // A rule giving more sessions than the API allows.
    const daily = await submitForm(t.http, admin, '/console/plan/classes/new', {
      ...classFields(2, { pattern: 'rrule', rrule: 'FREQ=DAILY', endDate: `${Y + 1}-03-31` }),
      action: 'preview',
    }).expect(400);
    expect(pageText(daily)).toContain('一个重复规则最多生成 200 次课');
    expect(await classCount()).toBe(before);
  });

  it('flags a clash in the preview, and refuses the save in words without leaving the class behind', async () => {
    const other = await createClass(t.ds, w.plan, w.course, [w.trainer.id], {
      title: '已有的班',
      quarter: 3,
      startDate: `${Y}-07-01`,
      endDate: `${Y}-09-30`,
    });
    const booked = await createSession(t.ds, other, w.trainer.id, 0, {
      startsAt: localInstant(`${Y}-07-07`, '09:00'),
      endsAt: localInstant(`${Y}-07-07`, '11:00'),
    });
    const before = await classCount();
    const fields = classFields(3, { pattern: 'monthly', monthDays: '7', startTime: '10:00', title: '第三期' });
    const preview = await submitForm(t.http, admin, '/console/plan/classes/new', {
      ...fields,
      action: 'preview',
    }).expect(200);
    expect(pageText(preview)).toMatch(/教师在 \d{4}年7月7日 周. 09:00–11:00 已有“已有的班”的课/);
    expect(pageText(preview)).toContain('有 1 次课有问题');

    const refused = await submitForm(t.http, admin, '/console/plan/classes/new', { ...fields, action: 'save' }).expect(
      409,
    );
    expect(pageText(refused)).toContain('该教师在');
    expect(pageText(refused)).toContain('培训班和课次都没有保存');
    expect(refused.text).toContain(`href="/console/sessions/${booked.id}"`);
    expect(await classCount()).toBe(before);
  });

  it('moves a session, refuses a double booking in words, cancels after a confirmation, and adds one', async () => {
    const cls = await createClass(t.ds, w.plan, w.course, [w.trainer.id, w.trainer2.id], { title: '第四期' });
    const first = await createSession(t.ds, cls, w.trainer.id, 0, {
      startsAt: localInstant(`${Y}-10-10`, '09:00'),
      endsAt: localInstant(`${Y}-10-10`, '11:00'),
      topic: '打字',
    });
    const second = await createSession(t.ds, cls, w.trainer.id, 0, {
      startsAt: localInstant(`${Y}-10-20`, '09:00'),
      endsAt: localInstant(`${Y}-10-20`, '11:00'),
    });
    const page = await getPage(t.http, admin, `/console/sessions/${first.id}`).expect(200);
    expect(page.text).toMatch(new RegExp(`id="date"[^>]*value="${Y}-10-10"`));
    expect(pageText(page)).toContain('第四期');

    const move = {
      date: `${Y}-10-11`,
      startTime: '14:00',
      endTime: '16:30',
      venueId: w.venue.id,
      trainerId: w.trainer2.id,
      topic: '打字练习',
      whatToBring: '手机',
    };
    const moved = await submitForm(t.http, admin, `/console/sessions/${first.id}`, move).expect(303);
    expect(moved.headers.location).toBe(`/console/sessions/${first.id}?done=moved`);
    const [row] = await t.ds.query(
      `SELECT starts_at, ends_at, trainer_id, venue_id, topic, what_to_bring FROM sessions WHERE id = $1`,
      [first.id],
    );
    expect(row).toEqual({
      starts_at: localInstant(`${Y}-10-11`, '14:00'),
      ends_at: localInstant(`${Y}-10-11`, '16:30'),
      trainer_id: w.trainer2.id,
      venue_id: w.venue.id,
      topic: '打字练习',
      what_to_bring: '手机',
    });

    // Onto the other session's time with its trainer: refused beside the date, nothing changed.
    const clash = await submitForm(t.http, admin, `/console/sessions/${first.id}`, {
      ...move,
      date: `${Y}-10-20`,
      startTime: '10:00',
      endTime: '12:00',
      trainerId: w.trainer.id,
    }).expect(409);
    expect(clash.text).toMatch(/id="date-error">该教师在 \d{4}-10-20 09:00 已有课</);
    expect(clash.text).toContain(`href="/console/sessions/${second.id}"`);
    expect(clash.text).toMatch(/id="startTime"[^>]*value="10:00"/);
    const [still] = await t.ds.query(`SELECT starts_at FROM sessions WHERE id = $1`, [first.id]);
    expect(still.starts_at).toEqual(localInstant(`${Y}-10-11`, '14:00'));

    // A time that is not one: refused beside it.
    const badTime = await submitForm(t.http, admin, `/console/sessions/${first.id}`, {
      ...move,
      endTime: '25:00',
    }).expect(400);
    expect(badTime.text).toMatch(/id="endTime-error">请填写时间，例如 09:00。</);

    const confirm = await getPage(t.http, admin, `/console/sessions/${second.id}/cancel`).expect(200);
    expect(pageText(confirm)).toContain('已报名的学员和授课教师会收到取消通知');
    expect(confirm.text).toContain('>确认取消这次课</button>');
    expect(confirm.text).toContain('>返回，不做改动</a>');
    const [unchanged] = await t.ds.query(`SELECT status FROM sessions WHERE id = $1`, [second.id]);
    expect(unchanged.status).toBe('scheduled');
    await submitForm(t.http, admin, `/console/sessions/${second.id}/cancel`).expect(303);
    const [cancelled] = await t.ds.query(`SELECT status FROM sessions WHERE id = $1`, [second.id]);
    expect(cancelled.status).toBe('cancelled');
    const after = await getPage(t.http, admin, `/console/sessions/${second.id}?done=cancelled`).expect(200);
    expect(pageText(after)).toContain('这次课已取消，不能再调整');

    // One more session; with two trainers the page asks which.
    const form = await getPage(t.http, admin, `/console/classes/${cls.id}/sessions/new`).expect(200);
    expect(pageText(form)).toContain('为“第四期”加一次课');
    const one = {
      date: `${Y}-11-03`,
      startTime: '09:00',
      endTime: '11:00',
      venueId: '',
      trainerId: '',
      topic: '复习',
      whatToBring: '',
    };
    const noTrainer = await submitForm(t.http, admin, `/console/classes/${cls.id}/sessions/new`, one).expect(400);
    expect(noTrainer.text).toMatch(/id="trainerId-error">本班有多位教师，请指定本次课的授课教师/);
    const added = await submitForm(t.http, admin, `/console/classes/${cls.id}/sessions/new`, {
      ...one,
      trainerId: w.trainer2.id,
    }).expect(303);
    const [created] = await t.ds.query(`SELECT id, starts_at FROM sessions WHERE class_id = $1 AND topic = '复习'`, [
      cls.id,
    ]);
    expect(added.headers.location).toBe(`/console/sessions/${created.id}?done=created`);
    expect(created.starts_at).toEqual(localInstant(`${Y}-11-03`, '09:00'));
  });

  it("keeps to the admin's part of the tree, to admins, and to forms with their token", async () => {
    const cls = await createClass(t.ds, w.plan, w.course, [w.trainer.id], { title: '范围测试班' });
    const s = await createSession(t.ds, cls, w.trainer.id, 0, {
      startsAt: localInstant(`${Y}-12-01`, '09:00'),
      endsAt: localInstant(`${Y}-12-01`, '10:00'),
    });
    const other = await signInPage(t.http, w.otherAdmin.username);
    await getPage(t.http, other, `/console/sessions/${s.id}`).expect(404);
    await getPage(t.http, other, `/console/sessions/${s.id}/cancel`).expect(404);
    await submitForm(t.http, other, `/console/sessions/${s.id}/cancel`).expect(404);
    await getPage(t.http, other, `/console/classes/${cls.id}/sessions/new`).expect(404);
    await submitForm(t.http, other, `/console/plan/${w.plan.id}`, {
      title: 'x',
      targetClasses: '',
      targetPersonTimes: '',
    }).expect(404);
    const theirs = await getPage(t.http, other, `/console/plan?year=${Y}`).expect(200);
    expect(theirs.text).not.toContain('范围测试班');
    expect(pageText(theirs)).toContain(`建立 ${Y} 年度计划`);
    // Saving a class into a plan that is not theirs: refused beside the plan, nothing made.
    const before = await classCount();
    const foreign = await submitForm(t.http, other, '/console/plan/classes/new', {
      ...classFields(4),
      action: 'save',
    }).expect(400);
    expect(pageText(foreign)).toContain(`${Y} 年还没有年度计划`);
    expect(await classCount()).toBe(before);
    await getPage(t.http, admin, '/console/sessions/not-an-id').expect(404);
    await getPage(t.http, admin, '/console/plan?year=20x7').expect(400);

    const trainee = await signInPage(t.http, w.trainee.username);
    for (const path of [
      '/console/plan',
      `/console/sessions/${s.id}`,
      '/console/plan/classes/new',
      `/console/classes/${cls.id}/sessions/new`,
    ]) {
      const res = await getPage(t.http, trainee, path).expect(403);
      expect(pageText(res)).toContain('这是图书馆管理员用的后台');
    }

    await postForm(t.http, admin, `/console/sessions/${s.id}/cancel`).expect(403);
    await postForm(t.http, admin, '/console/plan/classes/new', { ...classFields(4), action: 'save' }).expect(403);
    const [kept] = await t.ds.query(`SELECT status FROM sessions WHERE id = $1`, [s.id]);
    expect(kept.status).toBe('scheduled');
  });

  it('speaks English when asked', async () => {
    const res = await getPage(t.http, admin, `/console/plan?year=${Y}`).set('Accept-Language', 'en').expect(200);
    expect(res.text).toContain('<html lang="en">');
    expect(pageText(res)).toContain(`${Y} plan`);
    expect(pageText(res)).toContain('Quarter 1 (months 1–3)');
    const form = await getPage(t.http, admin, `/console/plan/classes/new?year=${Y}&quarter=2`)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(pageText(form)).toContain('Preview the dates');
    const bad = await submitForm(t.http, admin, '/console/plan/classes/new', {
      ...classFields(2, { pattern: 'rrule', rrule: 'FREQ=HOURLY' }),
      action: 'preview',
    })
      .set('Accept-Language', 'en')
      .expect(400);
    expect(html(bad)).toMatch(/id="rrule-error">rrule part &quot;FREQ=HOURLY&quot; is not supported/);
  });
});
