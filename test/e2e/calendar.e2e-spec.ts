import ICAL from 'ical.js';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
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

describe('calendar feeds (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: string;
  let trainer: User;
  let trainerAuth: string;
  let sessionIds: string[];

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    const adminUser = await createUser(t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    admin = `Bearer ${await login(t.http, adminUser.username)}`;
    trainer = await createUser(t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    trainerAuth = `Bearer ${await login(t.http, trainer.username)}`;
    const plan = await createPlan(t.ds, tree.countyA, 2026);
    const course = await createCourse(t.ds, tree.countyA);
    const venue = await createVenue(t.ds, tree.countyA, { name: '县图书馆二楼电子阅览室', address: '宜阳县文化路1号' });
    const c = await createClass(t.ds, plan, course, [trainer.id], {
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
    const draft = await createClass(t.ds, plan, course, [trainer.id], { status: 'draft' });
    await t.http
      .post(`/api/classes/${draft.id}/sessions`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-10-06T09:00:00+08:00', endsAt: '2026-10-06T10:00:00+08:00' })
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
    expect(events[0]).toMatchObject({
      sequence: 0,
      status: 'CONFIRMED',
      start: '2026-10-05T01:00:00.000Z',
      end: '2026-10-05T04:00:00.000Z',
      summary: '第四期培训班：数字阅读',
      location: '县图书馆二楼电子阅览室，宜阳县文化路1号',
    });
  });

  it('raises SEQUENCE when a session moves and marks cancelled sessions STATUS:CANCELLED', async () => {
    await t.http
      .patch(`/api/sessions/${sessionIds[1]}`)
      .set('Authorization', admin)
      .send({ startsAt: '2026-10-16T14:00:00+08:00', endsAt: '2026-10-16T17:00:00+08:00' })
      .expect(200);
    await t.http.delete(`/api/sessions/${sessionIds[2]}`).set('Authorization', admin).expect(200);
    const events = await myFeed(trainerAuth);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`session-${sessionIds[1]}@training-lms`)).toMatchObject({
      sequence: 1,
      start: '2026-10-16T06:00:00.000Z',
    });
    expect(byUid.get(`session-${sessionIds[2]}@training-lms`)).toMatchObject({ sequence: 1, status: 'CANCELLED' });
    expect(byUid.get(`session-${sessionIds[0]}@training-lms`)).toMatchObject({ sequence: 0, status: 'CONFIRMED' });
  });

  it('gives an admin every session in its part of the tree, drafts included', async () => {
    const events = await myFeed(admin);
    expect(events).toHaveLength(10);
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
