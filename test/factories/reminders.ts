import type { DataSource } from 'typeorm';
import { Enrolment, type EnrolmentStatus } from '../../src/enrolments/enrolment.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { Plan } from '../../src/plans/plan.entity';
import { createClass, createCourse } from './classes';
import { localDateIn } from './dates';
import { createUser } from './index';

/**
 * An open class running from yesterday to three days ahead (so sessions can start in seconds),
 * with a trainer of its own (sessions of different classes may overlap) and one trainee of
 * `township` per entry of `statuses`, enrolled with that status. With `withPhones` the
 * trainees have phone numbers (so SMS are written).
 */
export async function classWithTrainees(
  ds: DataSource,
  where: { plan: Pick<Plan, 'id' | 'year'>; county: OrgUnit; township: OrgUnit },
  statuses: EnrolmentStatus[],
  withPhones = false,
): Promise<{ classId: string; trainerId: string; trainees: { id: string; status: EnrolmentStatus }[] }> {
  const course = await createCourse(ds, where.county);
  const trainerId = (await createUser(ds, { role: 'trainer', orgUnitId: where.county.id })).id;
  const c = await createClass(ds, where.plan as Plan, course, [trainerId], {
    status: 'open',
    startDate: localDateIn(-1),
    endDate: localDateIn(3),
    enrolmentOpensAt: new Date(Date.now() - 86_400_000),
    enrolmentClosesAt: new Date(Date.now() + 86_400_000),
  });
  const trainees = [];
  for (const [i, status] of statuses.entries()) {
    const phone = withPhones ? `139${String(Date.now()).slice(-6)}${i % 10}${i % 10}` : null;
    trainees.push({ user: await createUser(ds, { role: 'trainee', orgUnitId: where.township.id, phone }), status });
  }
  let position = 0;
  const repo = ds.getRepository(Enrolment);
  await repo.save(
    trainees.map(({ user, status }) =>
      repo.create({
        classId: c.id,
        traineeId: user.id,
        townshipId: where.township.id,
        status,
        waitlistPosition: status === 'waitlisted' ? ++position : null,
        enrolledBy: user.id,
        withdrawalReason: status === 'withdrawn' ? 'self' : null,
      }),
    ),
  );
  return { classId: c.id, trainerId, trainees: trainees.map(({ user, status }) => ({ id: user.id, status })) };
}
