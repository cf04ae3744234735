import type { DataSource } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { createOrgTree, createUser, signedIn } from '../factories';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan, createVenue } from '../factories/classes';
import { openClassFields } from '../factories/enrolments';

/**
 * Data for the 课程, 成绩, 证书 and 消息 page specs: county A with an admin and a trainer (王老师),
 * a plan of this year, and classes open for enrolment now (enrolment ran from yesterday to
 * tomorrow; the class starts in three days, so trainees may withdraw).
 */
export async function coursesWorld(http: TestAgent, ds: DataSource) {
  const tree = await createOrgTree(ds);
  const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
  const trainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id, displayName: '王老师' });
  const year = new Date(Date.now() + 3 * 86_400_000).getUTCFullYear();
  const plan = await createPlan(ds, tree.countyA, year);
  const course = await createCourse(ds, tree.countyA, { title: '智能手机应用' });
  const venue = await createVenue(ds, tree.countyA, { name: '县图书馆三楼培训室' });

  /** An open class of county A (enrolment running now), 2 places per township by default. */
  async function openClass(fields: Partial<TrainingClass> = {}): Promise<TrainingClass> {
    return createClass(ds, plan, course, [trainer.user.id], {
      ...openClassFields(plan),
      maxPerTownship: 2,
      minPerTownship: 1,
      capacity: 10,
      venueId: venue.id,
      ...fields,
    });
  }

  let n = 0;
  /** A trainee of `unit` (township A1 by default) with a fixed-looking name. */
  async function trainee(name = '李小红', unit: OrgUnit = tree.townshipA1): Promise<User> {
    n += 1;
    return createUser(ds, {
      role: 'trainee',
      orgUnitId: unit.id,
      displayName: name,
      username: `1390000${String(n).padStart(4, '0')}${Math.random().toString(36).slice(2, 6)}`,
    });
  }

  /** `count` other trainees of `township` holding seats in the class. */
  async function fill(cls: TrainingClass, township: OrgUnit, count: number): Promise<User[]> {
    const out: User[] = [];
    for (let i = 0; i < count; i++) {
      const u = await trainee(`学员${i + 1}`, township);
      await seat(ds, cls, u, township);
      out.push(u);
    }
    return out;
  }

  /** A session of the class at a fixed local time. */
  async function session(cls: TrainingClass, startsAt: string, endsAt: string, topic: string | null = null) {
    return createSession(ds, cls, trainer.user.id, 0, {
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      venueId: venue.id,
      topic,
    });
  }

  return { tree, admin, trainer, plan, course, venue, openClass, trainee, fill, session };
}

/** An inbox message for `user`, written straight into `notifications` at `createdAt`. */
export async function inboxMessage(
  ds: DataSource,
  user: User,
  fields: { classTitle: string; createdAt: Date; read?: boolean; aboutId?: string; template?: string },
): Promise<string> {
  const [{ id }] = await ds.query<{ id: string }[]>(
    `INSERT INTO notifications (user_id, channel, template, payload, dedup_key, about_id, status, sent_at, created_at, read_at)
     VALUES ($1, 'inbox', $2, $3, $4, $5, 'sent', $6, $6, $7) RETURNING id`,
    [
      user.id,
      fields.template ?? 'enrolment-promoted',
      JSON.stringify({ centre: '甲县图书馆', classTitle: fields.classTitle, startDate: '2036-05-20' }),
      `test:${Math.random().toString(36).slice(2)}:${user.id}`,
      fields.aboutId ?? null,
      fields.createdAt,
      fields.read ? fields.createdAt : null,
    ],
  );
  return id;
}
