import type { EntityManager } from 'typeorm';
import { ClassSession } from '../classes/class-session.entity';
import type { ClassStatus } from '../classes/class-status';
import { ClassTrainer } from '../classes/class-trainer.entity';
import { ClassTransition } from '../classes/class-transition.entity';
import { TrainingClass } from '../classes/training-class.entity';
import { expandRecurrence } from '../classes/recurrence';
import { localDate, zonedInstant } from '../common/time/zoned-time';
import { Course } from '../courses/course.entity';
import { Enrolment } from '../enrolments/enrolment.entity';
import type { OrgUnit } from '../org-units/org-unit.entity';
import { Plan } from '../plans/plan.entity';
import type { User } from '../users/user.entity';
import { Venue } from '../venues/venue.entity';
import { DEMO_COURSE, DEMO_QUARTER_TOPICS, DEMO_RRULE, DEMO_VENUE } from './demo-data';
import { seedQuizzes } from './seed-quizzes';

const QUARTER_MONTHS = [
  ['01-01', '03-31'],
  ['04-01', '06-30'],
  ['07-01', '09-30'],
  ['10-01', '12-31'],
];
const STEPS: ClassStatus[] = ['draft', 'open', 'running', 'completed'];

/** Enrolment opens on the first day of the month before the class starts (`2027-01-05` → 1 December). */
const enrolmentOpens = (startDate: string, zone: string): Date => {
  const [y, mo] = startDate.split('-').map(Number);
  const [py, pm] = mo === 1 ? [y - 1, 12] : [y, mo - 1];
  return zonedInstant(`${py}-${String(pm).padStart(2, '0')}-01`, '00:00', zone);
};

/** The state a demo class is in today: past quarters completed, this one running, later ones open. */
function statusFor(start: string, end: string, today: string): ClassStatus {
  if (end < today) return 'completed';
  if (start <= today) return 'running';
  return 'open';
}

/**
 * The demo county's plan for the current year: four quarterly classes at the library,
 * each with its sessions, and the trainees of past and running classes enrolled. Idempotent: an existing plan or class is left as it is.
 */
export async function seedPlanning(
  m: EntityManager,
  county: OrgUnit,
  admin: User,
  trainers: User[],
  zone: string,
  now: Date,
): Promise<void> {
  const today = localDate(now, zone);
  const year = Number(today.slice(0, 4));
  const courses = m.getRepository(Course);
  const course =
    (await courses.findOneBy({ orgUnitId: county.id, title: DEMO_COURSE.title })) ??
    (await courses.save(courses.create({ ...DEMO_COURSE, orgUnitId: county.id })));
  const venues = m.getRepository(Venue);
  const venue =
    (await venues.findOneBy({ orgUnitId: county.id, name: DEMO_VENUE.name })) ??
    (await venues.save(venues.create({ ...DEMO_VENUE, orgUnitId: county.id })));
  const plan = await planOf(m, county, year);
  // Every demo trainee attends one class of the year: trainee n the class of quarter (n mod 4) + 1.
  const trainees = await m.query<{ id: string; township_id: string }[]>(
    `SELECT u.id, CASE WHEN o.kind = 'township' THEN o.id ELSE o.parent_id END AS township_id
       FROM users u JOIN org_units o ON o.id = u.org_unit_id
      WHERE u.role = 'trainee' AND o.path LIKE $1 AND o.kind IN ('township', 'village')
      ORDER BY u.username`,
    [`${county.path}%`],
  );
  const place = { courseId: course.id, venueId: venue.id, adminId: admin.id, zone };
  for (let q = 1; q <= 4; q++) {
    if (await m.getRepository(TrainingClass).existsBy({ planId: plan.id, quarter: q })) continue;
    const [from, to] = QUARTER_MONTHS[q - 1];
    const status = statusFor(`${year}-${from}`, `${year}-${to}`, today);
    const trainer = trainers[(q - 1) % trainers.length];
    const saved = await seedClass(m, place, { plan, year, quarter: q, status, trainer });
    if (status === 'completed' || status === 'running') {
      const attending = trainees.filter((_, n) => n % 4 === q - 1);
      if (attending.length) {
        await m.getRepository(Enrolment).insert(
          attending.map((t) => ({
            classId: saved.id,
            traineeId: t.id,
            townshipId: t.township_id,
            status: status === 'completed' ? ('completed' as const) : ('confirmed' as const),
            enrolledBy: admin.id,
            confirmedAt: saved.enrolmentOpensAt,
          })),
        );
        await seedAttendance(m, saved.id, trainer.id, now);
      }
    }
  }
  // In the last quarter, next year's first class is open for enrolment (from 1 December), so the
  // pages' 课程 has a class to enrol in whatever the month.
  if (today >= `${year}-10-01`) {
    const next = await planOf(m, county, year + 1);
    if (!(await m.getRepository(TrainingClass).existsBy({ planId: next.id, quarter: 1 }))) {
      await seedClass(m, place, { plan: next, year: year + 1, quarter: 1, status: 'open', trainer: trainers[0] });
    }
  }
  await seedSessionToday(m, plan.id, venue.id, zone, now);
  await seedQuizzes(m, course.id, admin.id, zone, now);
}

/**
 * One quarter's class of a plan at the library, in `status` (with the transitions that led
 * there), taught by `trainer`, with its sessions on the 5th, 15th and 25th of each month.
 */
async function seedClass(
  m: EntityManager,
  place: { courseId: string; venueId: string; adminId: string; zone: string },
  spec: { plan: Plan; year: number; quarter: number; status: ClassStatus; trainer: User },
): Promise<TrainingClass> {
  const { plan, year, quarter: q, status, trainer } = spec;
  const [from, to] = QUARTER_MONTHS[q - 1];
  const startDate = `${year}-${from}`;
  const endDate = `${year}-${to}`;
  const saved = await m.getRepository(TrainingClass).save(
    m.getRepository(TrainingClass).create({
      planId: plan.id,
      courseId: place.courseId,
      title: `${year}年第${['一', '二', '三', '四'][q - 1]}期基层服务点人员培训班`,
      quarter: q,
      startDate,
      endDate,
      venueId: place.venueId,
      capacity: 50,
      minPerTownship: 3,
      maxPerTownship: 5,
      enrolmentOpensAt: enrolmentOpens(startDate, place.zone),
      enrolmentClosesAt: zonedInstant(`${year}-${from.slice(0, 2)}-04`, '18:00', place.zone),
      attendanceThreshold: 0.8,
      status,
    }),
  );
  await m.getRepository(ClassTrainer).insert({ classId: saved.id, trainerId: trainer.id });
  const steps = STEPS.slice(0, STEPS.indexOf(status) + 1);
  await m
    .getRepository(ClassTransition)
    .insert(
      steps
        .slice(1)
        .map((toStatus, i) => ({ classId: saved.id, fromStatus: steps[i], toStatus, actorId: place.adminId })),
    );
  const occurrences = expandRecurrence(
    { rrule: DEMO_RRULE, startTime: '09:00', durationMinutes: 180 },
    startDate,
    endDate,
    place.zone,
  );
  await m.getRepository(ClassSession).insert(
    occurrences.map((o) => ({
      classId: saved.id,
      startsAt: o.startsAt,
      endsAt: o.endsAt,
      trainerId: trainer.id,
      venueId: place.venueId,
      topic: DEMO_QUARTER_TOPICS[q - 1],
      whatToBring: '手机（充好电）、笔和本子',
    })),
  );
  return saved;
}

/** The county's plan of `year`, made (four classes, 3,000 person-times) when missing. */
async function planOf(m: EntityManager, county: OrgUnit, year: number): Promise<Plan> {
  const plans = m.getRepository(Plan);
  return (
    (await plans.findOneBy({ orgUnitId: county.id, year })) ??
    plans.save(
      plans.create({
        orgUnitId: county.id,
        year,
        title: `${year}年度基层服务点人员培训计划`,
        targetClasses: 4,
        targetPersonTimes: 3000,
      }),
    )
  );
}

/**
 * A practice session of the running class under way on the day the demo is loaded (from the
 * last half hour, three hours long), unless one is under way or still to come today: so the
 * demo trainer has a class to take the roll of and show the check-in QR code to, and its
 * trainees a check-in to make. Added at most once a day.
 */
async function seedSessionToday(m: EntityManager, planId: string, venueId: string, zone: string, now: Date) {
  const [running] = await m.query<{ id: string; trainer_id: string }[]>(
    `SELECT c.id, t.trainer_id FROM classes c JOIN class_trainers t ON t.class_id = c.id
      WHERE c.plan_id = $1 AND c.status = 'running' ORDER BY c.quarter LIMIT 1`,
    [planId],
  );
  if (!running) return;
  const endOfToday = zonedInstant(localDate(new Date(now.getTime() + 86_400_000), zone), '00:00', zone);
  const [{ later }] = await m.query<{ later: number }[]>(
    `SELECT count(*)::int AS later FROM sessions
      WHERE class_id = $1 AND status = 'scheduled' AND ends_at > $2 AND starts_at < $3`,
    [running.id, now, endOfToday],
  );
  if (later > 0) return;
  const halfHour = 30 * 60_000;
  const startsAt = new Date(Math.floor(now.getTime() / halfHour) * halfHour - halfHour);
  await m.getRepository(ClassSession).insert({
    classId: running.id,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
    trainerId: running.trainer_id,
    venueId,
    topic: '加课：用手机扫码签到、做测验',
    whatToBring: '手机（充好电）',
  });
}

/**
 * Attendance of the held sessions as the trainer would have marked it, about ten minutes
 * in: mostly present, some late, a few excused or absent (a fixed pattern, so every demo
 * load looks the same), each with its first audit step.
 */
async function seedAttendance(m: EntityManager, classId: string, trainerId: string, now: Date): Promise<void> {
  await m.query(
    `WITH held AS (
       SELECT id, starts_at, row_number() OVER (ORDER BY starts_at) AS k
         FROM sessions WHERE class_id = $1 AND status = 'scheduled' AND starts_at <= $2),
     seats AS (
       SELECT id, row_number() OVER (ORDER BY id) AS n
         FROM enrolments WHERE class_id = $1 AND status IN ('confirmed', 'completed')),
     recorded AS (
       INSERT INTO attendance_records (session_id, enrolment_id, status, source, recorded_by, recorded_at)
       SELECT h.id, s.id,
              (CASE (h.k * 7 + s.n * 3) % 20 WHEN 0 THEN 'absent' WHEN 1 THEN 'excused' WHEN 2 THEN 'late'
                    WHEN 3 THEN 'late' ELSE 'present' END)::attendance_status,
              'trainer', $3, h.starts_at + interval '10 minutes'
         FROM held h CROSS JOIN seats s
       RETURNING id, session_id, enrolment_id, status, recorded_at)
     INSERT INTO attendance_changes (record_id, session_id, enrolment_id, new_status, source, changed_by, changed_at)
     SELECT id, session_id, enrolment_id, status, 'trainer', $3, recorded_at FROM recorded`,
    [classId, now, trainerId],
  );
}
