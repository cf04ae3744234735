import ICAL from 'ical.js';
import type { Plan } from '../../src/plans/plan.entity';
import type { User } from '../../src/users/user.entity';
import { createSession } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { localDateIn, localInstant, quarterAfter, quarterContaining, type Quarter } from '../factories/dates';
import { createOrgTree, createUser, login } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

interface ParsedEvent {
  uid: string;
  sequence: number;
  status: string;
  start: string;
  end: string;
  summary: string;
  location: string | null;
}

/** Reads a feed with an independent iCalendar parser (Mozilla's ical.js). */
function parseFeed(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  expect(calendar.name).toBe('vcalendar');
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const event = new ICAL.Event(v);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: String(v.getFirstPropertyValue('status')),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      summary: event.summary,
      location: (v.getFirstPropertyValue('location') as string | null) ?? null,
    };
  });
}

/** A class's quarter, dates and an enrolment window that closes as the quarter begins. */
const classDates = (q: Quarter) => ({
  quarter: q.quarter,
  startDate: q.startDate,
  endDate: q.endDate,
  enrolmentOpensAt: new Date(localInstant(q.startDate, '00:00').getTime() - 30 * 86_400_000),
  enrolmentClosesAt: localInstant(q.startDate, '00:00'),
});

describe('calendar feeds (e2e)', () => {
  // The classes run in the next quarter: wholly in the future on any day, so inside the feed.
  const q = quarterAfter(localDateIn(0));
  /** Day `d` of the quarter's first month, `YYYY-MM-DD`. */
  const day = (d: number) => `${q.months[0]}-${String(d).padStart(2, '0')}`;
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;
  let trainer: User;
  let trainerAuth: string;
  let sessionIds: string[];

  beforeAll(async () => {
    // The times below are written in UTC+8 (factories/dates.ts): the app plans in the same zone.
    t = await startTestApp({ TZ_DEFAULT: 'Asia/Shanghai' });
    tree = await createOrgTree(t.ds);
    const adminUser = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    admin = `Bearer ${await login(t.http, adminUser.username)}`;
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    trainerAuth = `Bearer ${await login(t.http, trainer.username)}`;
    const plan = await createPlan(t.ds, tree.countyA, q.year);
    const course = await createCourse(t.ds, tree.countyA);
    const venue = await createVenue(t.ds, tree.countyA, { name: '县图书馆二楼电子阅览室', address: '宜阳县文化路1号' });
    const c = await createClass(t.ds, plan, course, [trainer.id], {
      ...classDates(q),
      status: 'open',
      venueId: venue.id,
      title: '第四期培训班',
    });
    const res = await t.http
      .post(`/api/classes/${c.id}/sessions`)
      .set('Authorization', admin)
      .send({
        recurrence: { rrule: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25', startTime: '09:00', durationMinutes: 180 },
        topic: '数字阅读',
      })
      .expect(201);
    sessionIds = (res.body.items as { id: string }[]).map((s) => s.id);
    // A draft class of the same trainer is not announced yet: not in the trainer's feed.
    const draft = await createClass(t.ds, plan, course, [trainer.id], { ...classDates(q), status: 'draft' });
    await t.http
      .post(`/api/classes/${draft.id}/sessions`)
      .set('Authorization', admin)
      .send({ startsAt: `${day(6)}T09:00:00+08:00`, endsAt: `${day(6)}T10:00:00+08:00` })
      .expect(201);
  });
  afterAll(() => t.close());

  const myFeed = async (auth: string) => {
    const res = await t.http.get('/api/me/calendar.ics').set('Authorization', auth).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    return parseFeed(res.text);
  };

  it('gives a trainer the sessions it teaches, with stable UIDs and correct UTC times', async () => {
    const events = await myFeed(trainerAuth);
    expect(events).toHaveLength(9);
    expect(events.map((e) => e.uid)).toEqual(sessionIds.map((id) => `session-${id}@training-lms`));
    // The 5th, 15th and 25th of each month of the quarter at 09:00 in UTC+8, that is 01:00 UTC.
    expect(events.map((e) => e.start)).toEqual(
      q.months.flatMap((m) => ['05', '15', '25'].map((d) => `${m}-${d}T01:00:00.000Z`)),
    );
    expect(events[0]).toMatchObject({
      sequence: 0,
      status: 'CONFIRMED',
      start: `${day(5)}T01:00:00.000Z`,
      end: `${day(5)}T04:00:00.000Z`,
      summary: '第四期培训班：数字阅读',
      location: '县图书馆二楼电子阅览室，宜阳县文化路1号',
    });
  });

  it('raises SEQUENCE when a session moves and marks cancelled sessions STATUS:CANCELLED', async () => {
    await t.http
      .patch(`/api/sessions/${sessionIds[1]}`)
      .set('Authorization', admin)
      .send({ startsAt: `${day(16)}T14:00:00+08:00`, endsAt: `${day(16)}T17:00:00+08:00` })
      .expect(200);
    await t.http.delete(`/api/sessions/${sessionIds[2]}`).set('Authorization', admin).expect(200);
    const events = await myFeed(trainerAuth);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`session-${sessionIds[1]}@training-lms`)).toMatchObject({
      sequence: 1,
      start: `${day(16)}T06:00:00.000Z`,
    });
    expect(byUid.get(`session-${sessionIds[2]}@training-lms`)).toMatchObject({ sequence: 1, status: 'CANCELLED' });
    expect(byUid.get(`session-${sessionIds[0]}@training-lms`)).toMatchObject({ sequence: 0, status: 'CONFIRMED' });
  });

  it('gives an admin every session in its part of the tree, drafts included', async () => {
    const events = await myFeed(admin);
    expect(events).toHaveLength(10);
  });

  it('reaches back 180 days: keeps a session that ended 179 days ago, leaves out one that ended 181 days ago', async () => {
    const other = await createOrgTree(t.ds);
    const teacher = await createUser(t.ds, { role: 'trainer', orgUnitId: other.countyA.id });
    const course = await createCourse(t.ds, other.countyA);
    const plans = new Map<number, Plan>();
    /** A session of `teacher` from 12:00 to 13:00 local, `daysAgo` days back, in a completed class of that quarter. */
    const pastSession = async (daysAgo: number) => {
      // Ends between 11 hours before and 13 hours after the moment `daysAgo` days back.
      const date = localDateIn(-daysAgo);
      const dq = quarterContaining(date);
      const plan = plans.get(dq.year) ?? (await createPlan(t.ds, other.countyA, dq.year));
      plans.set(dq.year, plan);
      const cls = await createClass(t.ds, plan, course, [teacher.id], { ...classDates(dq), status: 'completed' });
      return createSession(t.ds, cls, teacher.id, 0, {
        startsAt: localInstant(date, '12:00'),
        endsAt: localInstant(date, '13:00'),
      });
    };
    const kept = await pastSession(179);
    await pastSession(181);
    const events = await myFeed(`Bearer ${await login(t.http, teacher.username)}`);
    expect(events.map((e) => e.uid)).toEqual([`session-${kept.id}@training-lms`]);
  });

  it('serves a secret feed address without a bearer token, which can be rotated and revoked', async () => {
    const issued = await t.http.put('/api/me/calendar-feed').set('Authorization', trainerAuth).expect(200);
    const url = new URL(issued.body.url as string);
    expect(url.pathname).toMatch(/^\/api\/calendar\/feeds\/[\w-]{40,}$/);
    const feed = await t.http.get(url.pathname).expect(200);
    expect(parseFeed(feed.text)).toHaveLength(9);
    const stored = await t.ds.query<{ calendar_token_hash: string }[]>(
      `SELECT calendar_token_hash FROM users WHERE id = $1`,
      [trainer.id],
    );
    expect(stored[0].calendar_token_hash).not.toContain(url.pathname.split('/').pop());

    const rotated = await t.http.put('/api/me/calendar-feed').set('Authorization', trainerAuth).expect(200);
    await t.http.get(url.pathname).expect(404);
    const next = new URL(rotated.body.url as string).pathname;
    await t.http.get(`${next}.ics`).expect(200);
    await t.http.delete('/api/me/calendar-feed').set('Authorization', trainerAuth).expect(204);
    const gone = await t.http.get(next).expect(404);
    expect(gone.body.code).toBe('CALENDAR_FEED_NOT_FOUND');
    await t.http.get('/api/calendar/feeds/guess').expect(404);
  });

  it('stops the feed of a deactivated user', async () => {
    const other = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const auth = `Bearer ${await login(t.http, other.username)}`;
    const path = new URL((await t.http.put('/api/me/calendar-feed').set('Authorization', auth).expect(200)).body.url)
      .pathname;
    await t.http.get(path).expect(200);
    await t.http.patch(`/api/users/${other.id}`).set('Authorization', admin).send({ active: false }).expect(200);
    await t.http.get(path).expect(404);
  });

  it('needs a token for the personal calendar', async () => {
    await t.http.get('/api/me/calendar.ics').expect(401);
  });
});
