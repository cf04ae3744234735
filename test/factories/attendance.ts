import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { ClassSession } from '../../src/classes/class-session.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import { Enrolment, type EnrolmentStatus } from '../../src/enrolments/enrolment.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from './classes';
import { createOrgTree, createUser, login, signedIn } from './index';

const MINUTE = 60_000;

/** A session of the class starting `startsInMinutes` from now (negative: already started), an hour long. */
export async function createSession(
  ds: DataSource,
  cls: TrainingClass,
  trainerId: string,
  startsInMinutes: number,
  fields: Partial<ClassSession> = {},
): Promise<ClassSession> {
  const startsAt = new Date(Date.now() + startsInMinutes * MINUTE);
  const repo = ds.getRepository(ClassSession);
  return repo.save(
    repo.create({
      classId: cls.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 60 * MINUTE),
      trainerId,
      venueId: null,
      topic: null,
      status: 'scheduled',
      ...fields,
    }),
  );
}

/** Puts a trainee straight into a class (no quota check): confirmed by default. */
export async function seat(
  ds: DataSource,
  cls: TrainingClass,
  trainee: User,
  township: OrgUnit,
  status: EnrolmentStatus = 'confirmed',
  waitlistPosition: number | null = null,
): Promise<Enrolment> {
  const repo = ds.getRepository(Enrolment);
  return repo.save(
    repo.create({
      classId: cls.id,
      traineeId: trainee.id,
      townshipId: township.id,
      status,
      waitlistPosition,
      enrolledBy: trainee.id,
      confirmedAt: status === 'confirmed' ? new Date() : null,
      ...(status === 'withdrawn' && { withdrawnAt: new Date(), withdrawalReason: 'admin' as const }),
    }),
  );
}

/** Trainees of a township, named `names`, seated in the class straight in the database (not signed in). */
export async function seatTrainees(
  ds: DataSource,
  cls: TrainingClass,
  township: OrgUnit,
  names: string[],
): Promise<{ user: User; enrolment: Enrolment }[]> {
  const out: { user: User; enrolment: Enrolment }[] = [];
  for (const displayName of names) {
    const user = await createUser(ds, { role: 'trainee', orgUnitId: township.id, displayName });
    out.push({ user, enrolment: await seat(ds, cls, user, township) });
  }
  return out;
}

/**
 * A running class of county A around today, taught by `trainer`, with a co-trainer
 * (`coTrainer`) who teaches none of its sessions; an admin of county A signed in.
 */
export async function attendanceWorld(http: TestAgent, ds: DataSource, fields: Partial<TrainingClass> = {}) {
  const tree = await createOrgTree(ds);
  const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
  const trainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  const coTrainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  const year = new Date().getUTCFullYear();
  const plan = await createPlan(ds, tree.countyA, year);
  const course = await createCourse(ds, tree.countyA);
  const cls = await createClass(ds, plan, course, [trainer.user.id, coTrainer.user.id], {
    status: 'running',
    startDate: `${year}-01-01`,
    endDate: `${year}-12-31`,
    ...fields,
  });
  return { tree, admin, trainer, coTrainer, plan, course, cls };
}

/** `count` trainees of a township, seated in the class and signed in. */
export async function seatedTrainees(
  http: TestAgent,
  ds: DataSource,
  cls: TrainingClass,
  township: OrgUnit,
  count: number,
  namePrefix = '学员',
): Promise<{ user: User; enrolment: Enrolment; auth: string }[]> {
  const out: { user: User; enrolment: Enrolment; auth: string }[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createUser(ds, {
      role: 'trainee',
      orgUnitId: township.id,
      displayName: `${namePrefix}${township.name}${i + 1}`,
    });
    const enrolment = await seat(ds, cls, user, township);
    out.push({ user, enrolment, auth: `Bearer ${await login(http, user.username)}` });
  }
  return out;
}
