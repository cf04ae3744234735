import { AttendanceRecord } from '../../src/attendance/attendance-record.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import { currentYear, localDate } from '../../src/common/time/zoned-time';
import { OutreachEvent } from '../../src/events/outreach-event.entity';
import { Notification } from '../../src/notifications/notification.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { Survey } from '../../src/surveys/survey.entity';
import type { User } from '../../src/users/user.entity';
import { Visit } from '../../src/visits/visit.entity';
import { createOrgTree, createUser, login } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createSurvey } from '../factories/planning';
import { createQuiz } from '../factories/quizzes';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Browser, getPage, pageText, postForm, signInPage, submitForm } from '../support/web-pages';

const ZONE = 'Asia/Shanghai';
const DAY = 86_400_000;
const YEAR = currentYear(ZONE);

/** The text of the element whose opening tag carries `attribute` (a tile, a panel, a table), tags dropped. */
function partOf(html: string, attribute: string, tag: string): string {
  const start = html.indexOf(attribute);
  if (start < 0) throw new Error(`no ${attribute} on the page`);
  const open = html.lastIndexOf(`<${tag}`, start);
  const end = html.indexOf(`</${tag}>`, start);
  return pageText(html.slice(open, end)).trim();
}

/** A table's body rows as arrays of cell texts. */
function tableRows(html: string, name: string): string[][] {
  const start = html.indexOf(`data-table="${name}"`);
  if (start < 0) throw new Error(`no table ${name}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => pageText(c[1]).trim()),
  );
}

/** The SVG of a chart figure. */
function chartOf(html: string, name: string): string {
  const start = html.indexOf(`data-chart="${name}"`);
  if (start < 0) throw new Error(`no chart ${name}`);
  return html.slice(start, html.indexOf('</figure>', start));
}

/**
 * 仪表盘 and 调查 (issue 15, pages 1 and 2), through HTTP as a browser uses them: the dashboard's
 * figures are the API's for the same data (summary, trends, townships), its charts come with
 * tables of the same numbers, and what needs attention appears and goes away as the records
 * change; the surveys page sums up the year and takes a township's survey with the API's rules,
 * every mistake said beside its field. Another county's admin sees none of it and gets 404 on its ids.
 */
describe('console: dashboard and surveys (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let adminA: Browser;
  let adminB: Browser;
  let trainee: Browser;
  let bearerA: string;
  let trainer: User;
  let running: TrainingClass;
  let enrolling: TrainingClass;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    const [a, b, tr, learner] = await Promise.all([
      createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id }),
      createUser(t.ds, { role: 'admin', orgUnitId: tree.countyB.id }),
      createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' }),
      createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id }),
    ]);
    trainer = tr;
    [adminA, adminB, trainee] = await Promise.all([a, b, learner].map((u) => signInPage(t.http, u.username)));
    bearerA = `Bearer ${await login(t.http, a.username)}`;

    // County A's year: a plan with targets, a running class with two sessions held today and one
    // to come, six trainees of two townships with their marks, and an outreach lecture.
    const plan = await createPlan(t.ds, tree.countyA, YEAR, { targetClasses: 4, targetPersonTimes: 300 });
    const course = await createCourse(t.ds, tree.countyA);
    running = await createClass(t.ds, plan, course, [trainer.id], { status: 'running', title: '电脑基础班' });
    const held = [
      await createSession(t.ds, running, trainer.id, -300),
      await createSession(t.ds, running, trainer.id, -120),
    ];
    await createSession(t.ds, running, trainer.id, 60 * 24 * 3);
    const marks: [OrgUnit, ('present' | 'late' | 'absent')[]][] = [
      [tree.townshipA1, ['present', 'late']],
      [tree.townshipA1, ['present', 'absent']],
      [tree.townshipA1, ['late', 'present']],
      [tree.townshipA2, ['present', 'present']],
      [tree.townshipA2, ['absent', 'absent']],
    ];
    for (const [township, statuses] of marks) {
      const u = await createUser(t.ds, { role: 'trainee', orgUnitId: township.id });
      const e = await seat(t.ds, running, u, township);
      await t.ds.getRepository(AttendanceRecord).insert(
        statuses.map((status, i) => ({
          sessionId: held[i].id,
          enrolmentId: e.id,
          status,
          source: 'trainer' as const,
          recordedBy: trainer.id,
        })),
      );
    }
    await t.ds.getRepository(OutreachEvent).insert({
      kind: 'lecture',
      title: '防诈骗讲座',
      date: localDate(new Date(), ZONE),
      orgUnitId: tree.townshipA2.id,
      headCount: 40,
      createdBy: a.id,
    });
    // A class enrolling now: 甲一镇 has one confirmed trainee, 甲二镇 none (minimum 3).
    enrolling = await createClass(t.ds, plan, course, [trainer.id], {
      status: 'open',
      title: '手机应用班',
      enrolmentOpensAt: new Date(Date.now() - DAY),
      enrolmentClosesAt: new Date(Date.now() + 2 * DAY),
    });
    const early = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipA1.id });
    await seat(t.ds, enrolling, early, tree.townshipA1);
  });
  afterAll(() => t?.close());

  const dashboard = async (who: Browser, query = '') =>
    (await getPage(t.http, who, `/console${query}`).expect(200)).text;

  describe('the dashboard', () => {
    it('shows the year’s plan against actual with the API summary’s numbers', async () => {
      const summary = (await t.http.get(`/api/reports/summary?year=${YEAR}`).set('Authorization', bearerA).expect(200))
        .body as Record<string, number | null> & { targets: { classes: number; personTimes: number } };
      // Worked out by hand: 1 class held; 2 sessions held; marks present or late: 3 + 2 + 2 + 0 = 7
      // (甲一镇 5, 甲二镇 2), the lecture 40: 47 person-times; both townships sent someone, 甲一镇 the minimum.
      expect(summary).toMatchObject({ classesHeld: 1, sessionsHeld: 2, personTimesFromAttendance: 7, personTimes: 47 });
      const html = await dashboard(adminA);
      expect(pageText(html)).toContain(`${YEAR} 年仪表盘`);
      expect(partOf(html, 'data-tile="classes"', 'li')).toContain(`${String(summary.classesHeld)} / 4`);
      expect(partOf(html, 'data-tile="classes"', 'li')).toContain('目标 4');
      expect(partOf(html, 'data-tile="sessions"', 'li')).toContain(String(summary.sessionsHeld));
      const personTimes = partOf(html, 'data-tile="personTimes"', 'li');
      expect(personTimes).toContain(`${String(summary.personTimes)} / 300`);
      expect(personTimes).toContain('培训 7，讲座活动 40');
      expect(personTimes).toContain(`完成 ${Math.round((47 / 300) * 1000) / 10}%`);
      expect(partOf(html, 'data-tile="townships"', 'li')).toContain(
        `${String(summary.townshipsCovered)} / ${String(summary.townshipsTotal)}`,
      );
      expect(partOf(html, 'data-tile="certificates"', 'li')).toContain(String(summary.certificatesIssued));
      expect(partOf(html, 'data-tile="visits"', 'li')).toContain(`逾期未回访 ${String(summary.visitsOverdue)} 次`);
    });

    it('draws the monthly trend and the townships as SVG beside tables of the API’s numbers', async () => {
      const trends = (await t.http.get(`/api/reports/trends?year=${YEAR}`).set('Authorization', bearerA).expect(200))
        .body as {
        months: {
          month: number;
          sessionsHeld: number;
          personTimesFromAttendance: number;
          personTimesFromEvents: number;
          personTimes: number;
        }[];
      };
      const townships = (
        await t.http.get(`/api/reports/townships?year=${YEAR}`).set('Authorization', bearerA).expect(200)
      ).body as {
        items: {
          name: string;
          personTimesFromAttendance: number;
          personTimesFromEvents: number;
          personTimes: number;
        }[];
      };
      const html = await dashboard(adminA, `?year=${YEAR}`);
      for (const name of ['trend', 'townships']) {
        expect(chartOf(html, name)).toMatch(/<svg aria-hidden="true" focusable="false"/);
      }
      expect(tableRows(html, 'trend')).toEqual(
        trends.months.map((m) => [
          `${m.month}月`,
          String(m.sessionsHeld),
          String(m.personTimesFromAttendance),
          String(m.personTimesFromEvents),
          String(m.personTimes),
        ]),
      );
      const byMost = [...townships.items].sort((x, y) => y.personTimes - x.personTimes);
      expect(tableRows(html, 'townships')).toEqual(
        byMost.map((r) => [
          r.name,
          String(r.personTimesFromAttendance),
          String(r.personTimesFromEvents),
          String(r.personTimes),
        ]),
      );
      expect(byMost.map((r) => r.personTimes)).toEqual([42, 5]);
      // The chart draws the townships it tabulates.
      expect(chartOf(html, 'townships')).toContain('甲二镇');
    });

    it('lists what needs attention, each linking where it is dealt with, and drops what was dealt with', async () => {
      const yesterday = localDate(new Date(Date.now() - DAY), ZONE);
      const visit = await t.ds.getRepository(Visit).save(
        t.ds.getRepository(Visit).create({
          classId: running.id,
          townshipId: tree.townshipA1.id,
          assigneeId: trainer.id,
          dueOn: yesterday,
          status: 'assigned',
        }),
      );
      const member = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA2.id, displayName: '赵一' });
      const message = await t.ds.getRepository(Notification).save(
        t.ds.getRepository(Notification).create({
          userId: member.id,
          channel: 'sms',
          template: 'session-reminder',
          payload: {},
          dedupKey: `test:${member.id}`,
          status: 'failed',
          attempts: 3,
          lastError: 'gateway down',
          failedAt: new Date(),
        }),
      );
      const soon = await createQuiz(t.ds, running, { title: '第一次测验', closesAt: new Date(Date.now() + 2 * DAY) });
      await createQuiz(t.ds, running, { title: '期末测验', closesAt: new Date(Date.now() + 5 * DAY) });

      let html = await dashboard(adminA);
      const gaps = partOf(html, 'data-attention="gaps"', 'section');
      expect(html).toContain(`href="/console/classes/${enrolling.id}"`);
      expect(gaps).toContain('手机应用班');
      expect(gaps).toContain('甲一镇 1/3');
      expect(gaps).toContain('甲二镇 0/3');
      expect(gaps).not.toContain('电脑基础班');
      const overdue = partOf(html, 'data-attention="overdue"', 'section');
      expect(overdue).toContain('甲一镇 · 电脑基础班');
      expect(overdue).toContain('负责人 王老师');
      expect(html).toContain('href="/console/visits?status=overdue"');
      const failed = partOf(html, 'data-attention="failed"', 'section');
      expect(failed).toContain('发给 赵一 的短信');
      expect(html).toContain('href="/console/operations"');
      const quizzes = partOf(html, 'data-attention="quizzes"', 'section');
      expect(quizzes).toContain('测验「第一次测验」（电脑基础班）');
      expect(quizzes).not.toContain('期末测验');
      expect(html).toContain('href="/console/questions"');

      // Dealt with: the townships reach the minimum, the visit is done, the message sent, the quiz closed.
      for (const township of [tree.townshipA1, tree.townshipA1, tree.townshipA2, tree.townshipA2, tree.townshipA2]) {
        await seat(t.ds, enrolling, await createUser(t.ds, { role: 'trainee', orgUnitId: township.id }), township);
      }
      await t.ds
        .getRepository(Visit)
        .update(visit.id, { status: 'cancelled', cancelledAt: new Date(), cancelReason: 'test' });
      await t.ds.getRepository(Notification).update(message.id, { status: 'sent', sentAt: new Date() });
      await t.ds.query(`UPDATE quizzes SET closes_at = now() - interval '1 minute' WHERE id = $1`, [soon.id]);
      html = await dashboard(adminA);
      expect(partOf(html, 'data-attention="gaps"', 'section')).toContain('各乡镇人数都已达到最低要求');
      expect(partOf(html, 'data-attention="overdue"', 'section')).toContain('没有逾期的回访');
      expect(partOf(html, 'data-attention="failed"', 'section')).toContain('没有发送失败的消息');
      expect(partOf(html, 'data-attention="quizzes"', 'section')).toContain('3 天内没有要截止的测验');
      expect(pageText(html)).toContain('目前没有需要处理的事项');
    });

    it('shows another county’s admin none of it', async () => {
      const html = await dashboard(adminB);
      const text = pageText(html);
      for (const name of ['电脑基础班', '手机应用班', '甲一镇', '甲二镇', '王老师', '赵一'])
        expect(text).not.toContain(name);
      expect(partOf(html, 'data-tile="classes"', 'li')).toMatch(/^培训班 0/);
      expect(tableRows(html, 'townships')).toEqual([['乙一镇', '0', '0', '0']]);
    });

    it('answers a year that is no year 400, saying so beside the field', async () => {
      const res = await getPage(t.http, adminA, '/console?year=20x6').expect(400);
      expect(pageText(res.text)).toContain('年份要填 2000 到 2100 之间的四位数字');
      expect(res.text).toContain('aria-invalid="true"');
    });

    it('shows an earlier year’s figures when asked', async () => {
      const html = await dashboard(adminA, `?year=${YEAR - 1}`);
      expect(pageText(html)).toContain(`${YEAR - 1} 年仪表盘`);
      expect(partOf(html, 'data-tile="personTimes"', 'li')).toMatch(/^培训人次（含讲座活动） 0 /);
      expect(html).toContain(`<option value="${YEAR - 1}" selected>`);
    });

    it('is for admins only, and speaks English when asked', async () => {
      const res = await getPage(t.http, trainee, '/console').expect(403);
      expect(pageText(res.text)).toContain('这是图书馆管理员用的后台');
      await getPage(t.http, trainee, '/console/surveys').expect(403);
      const en = await t.http.get('/console').set('Cookie', adminA.cookie).set('Accept-Language', 'en').expect(200);
      const text = pageText(en.text);
      expect(text).toContain(`Dashboard ${YEAR}`);
      expect(text).toContain('Needs attention now');
      expect(text).toContain('Training person-times');
      expect(en.text).toContain('<th scope="row">Mar</th>');
    });
  });

  describe('the surveys', () => {
    const fields = (over: Record<string, string> = {}) => ({
      orgUnitId: tree.townshipA1.id,
      year: String(YEAR),
      servicePoints: '12',
      staffCount: '20',
      none: '6',
      basic: '9',
      intermediate: '4',
      advanced: '1',
      primary: '3',
      secondary: '12',
      tertiary: '5',
      topics: '智能手机、网上办事\n短视频制作',
      notes: '村级服务点人员流动较大',
      ...over,
    });

    it('enters a township’s survey, and the summary shows what the API sums up', async () => {
      const form = await getPage(t.http, adminA, `/console/surveys/new?orgUnitId=${tree.townshipA1.id}`).expect(200);
      expect(form.text).toContain(`<option value="${tree.townshipA1.id}" selected>甲一镇</option>`);
      expect(form.text).not.toContain('乙一镇');
      const res = await submitForm(t.http, adminA, '/console/surveys', fields()).expect(303);
      expect(res.headers.location).toBe(`/console/surveys?year=${YEAR}&done=created`);
      const [stored] = await t.ds.getRepository(Survey).findBy({ orgUnitId: tree.townshipA1.id, year: YEAR });
      expect(stored).toMatchObject({
        staffCount: 20,
        proficiencyNone: 6,
        educationTertiary: 5,
        notes: '村级服务点人员流动较大',
      });
      expect(stored.topicsWanted).toEqual(['智能手机', '网上办事', '短视频制作']);

      const api = (await t.http.get(`/api/surveys/summary?year=${YEAR}`).set('Authorization', bearerA).expect(200))
        .body as {
        totals: { proficiency: Record<string, number>; education: Record<string, number> };
        topTopics: { topic: string; townships: number }[];
      };
      const page = await getPage(t.http, adminA, res.headers.location).expect(200);
      expect(pageText(page.text)).toContain('调查已保存');
      expect(partOf(page.text, 'data-tile="surveyed"', 'li')).toContain('1 / 2');
      expect(tableRows(page.text, 'proficiency').map((r) => r[1])).toEqual(
        ['none', 'basic', 'intermediate', 'advanced'].map((k) => String(api.totals.proficiency[k])),
      );
      expect(tableRows(page.text, 'education').map((r) => r[1])).toEqual(
        ['primary', 'secondary', 'tertiary'].map((k) => String(api.totals.education[k])),
      );
      expect(tableRows(page.text, 'topics')).toEqual(api.topTopics.map((x) => [x.topic, String(x.townships)]));
      for (const chart of ['proficiency', 'education', 'topics']) expect(chartOf(page.text, chart)).toContain('<svg');
      const rows = tableRows(page.text, 'townships');
      expect(rows.map((r) => [r[0], r[1]])).toEqual([
        ['甲一镇', '已填写'],
        ['甲二镇', '未填写'],
      ]);
      expect(page.text).toContain(`href="/console/surveys/${stored.id}/edit"`);
      expect(page.text).toContain(`href="/console/surveys/new?orgUnitId=${tree.townshipA2.id}&amp;year=${YEAR}"`);
    });

    it('keeps everything typed and says each mistake beside its field', async () => {
      const res = await submitForm(
        t.http,
        adminA,
        '/console/surveys',
        fields({
          orgUnitId: tree.townshipA2.id,
          staffCount: 'abc',
          none: '',
          secondary: '',
          topics: '手机、Excel、excel',
          notes: '留着我',
        }),
      ).expect(400);
      const text = pageText(res.text);
      expect(text).toContain('有 4 处需要改正');
      expect(res.text).toMatch(/id="staffCount-error">请填写 0 到 100000 之间的整数。/);
      expect(res.text).toMatch(/id="none-error">请填写 0 到 100000 之间的整数。/);
      expect(res.text).toMatch(/id="secondary-error">请填写 0 到 100000 之间的整数。/);
      expect(res.text).toMatch(/id="topics-error">这些内容填了两次：Excel/);
      expect(res.text).toContain('value="abc"');
      expect(res.text).toContain('>留着我</textarea>');
      expect(res.text).toContain(`<option value="${tree.townshipA2.id}" selected>`);
      expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA2.id })).toBe(0);
    });

    it('shows the service’s refusals in words: counts above the staff, a second survey of the year', async () => {
      const over = await submitForm(
        t.http,
        adminA,
        '/console/surveys',
        fields({ orgUnitId: tree.townshipA2.id, none: '16' }),
      ).expect(400);
      expect(over.text).toMatch(/id="proficiency-error">各计算机水平人数合计 30 人，超过在岗人数 20 人/);
      const again = await submitForm(t.http, adminA, '/console/surveys', fields({ servicePoints: '99' })).expect(409);
      expect(pageText(again.text)).toContain(`该乡镇已有 ${YEAR} 年的需求调查`);
      const [existing] = await t.ds.getRepository(Survey).findBy({ orgUnitId: tree.townshipA1.id, year: YEAR });
      expect(again.text).toContain(`href="/console/surveys/${existing.id}/edit"`);
      expect(again.text).toContain('value="99"');
      expect((await t.ds.getRepository(Survey).findOneByOrFail({ id: existing.id })).servicePoints).toBe(12);
    });

    it('corrects a survey; another county’s admin gets 404 on it', async () => {
      const [existing] = await t.ds.getRepository(Survey).findBy({ orgUnitId: tree.townshipA1.id, year: YEAR });
      const form = await getPage(t.http, adminA, `/console/surveys/${existing.id}/edit`).expect(200);
      expect(pageText(form.text)).toContain(`修改甲一镇 ${YEAR} 年的调查`);
      expect(form.text).toContain('value="12"');
      const res = await submitForm(
        t.http,
        adminA,
        `/console/surveys/${existing.id}`,
        fields({ servicePoints: '14', primary: '', secondary: '', tertiary: '' }),
      ).expect(303);
      expect(res.headers.location).toBe(`/console/surveys?year=${YEAR}&done=updated`);
      expect(await t.ds.getRepository(Survey).findOneByOrFail({ id: existing.id })).toMatchObject({
        servicePoints: 14,
        educationPrimary: null,
      });

      await getPage(t.http, adminB, `/console/surveys/${existing.id}/edit`).expect(404);
      await submitForm(t.http, adminB, `/console/surveys/${existing.id}`, fields()).expect(404);
      await getPage(t.http, adminB, '/console/surveys/not-an-id/edit').expect(404);
      await getPage(t.http, adminB, `/console/surveys/new?orgUnitId=${tree.townshipA1.id}`).expect(404);
      const theirs = await getPage(t.http, adminB, `/console/surveys?year=${YEAR}`).expect(200);
      expect(pageText(theirs.text)).not.toContain('甲一镇');
      expect(tableRows(theirs.text, 'townships').map((r) => r[0])).toEqual(['乙一镇']);
      // A township of another county posted by hand: refused beside the field, nothing stored.
      const crafted = await submitForm(
        t.http,
        adminB,
        '/console/surveys',
        fields({ orgUnitId: tree.townshipA2.id }),
      ).expect(400);
      expect(crafted.text).toMatch(/id="orgUnitId-error">/);
      expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA2.id })).toBe(0);
    });

    it('refuses a survey posted without its form token', async () => {
      const res = await postForm(t.http, adminA, '/console/surveys', fields({ orgUnitId: tree.townshipA2.id })).expect(
        403,
      );
      expect(pageText(res.text)).toContain('页面已过期');
      expect(await t.ds.getRepository(Survey).countBy({ orgUnitId: tree.townshipA2.id })).toBe(0);
    });

    it('answers a bad year 400 and lists last year’s surveys when asked', async () => {
      await createSurvey(t.ds, { orgUnitId: tree.townshipA2.id, year: YEAR - 1, topicsWanted: ['直播'] });
      const res = await getPage(t.http, adminA, '/console/surveys?year=1999').expect(400);
      expect(pageText(res.text)).toContain('年份要填 2000 到 2100 之间的四位数字');
      const last = await getPage(t.http, adminA, `/console/surveys?year=${YEAR - 1}`).expect(200);
      expect(tableRows(last.text, 'topics')).toEqual([['直播', '1']]);
    });
  });
});
