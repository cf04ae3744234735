import type { DataSource } from 'typeorm';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import type { ClassStatus } from '../../src/classes/class-status';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { Course } from '../../src/courses/course.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { Plan } from '../../src/plans/plan.entity';
import { Venue } from '../../src/venues/venue.entity';

let counter = 0;
const next = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createCourse(ds: DataSource, owner: OrgUnit, fields: Partial<Course> = {}): Promise<Course> {
  const repo = ds.getRepository(Course);
  return repo.save(
    repo.create({ orgUnitId: owner.id, title: `课程${next()}`, level: 'beginner', hours: 12, topics: [], ...fields }),
  );
}

export async function createVenue(ds: DataSource, owner: OrgUnit, fields: Partial<Venue> = {}): Promise<Venue> {
  const repo = ds.getRepository(Venue);
  return repo.save(repo.create({ orgUnitId: owner.id, name: `教室${next()}`, capacity: 60, ...fields }));
}

export async function createPlan(
  ds: DataSource,
  county: OrgUnit,
  year: number,
  fields: Partial<Plan> = {},
): Promise<Plan> {
  const repo = ds.getRepository(Plan);
  return repo.save(repo.create({ orgUnitId: county.id, year, title: `${year}年培训计划`, ...fields }));
}

/** A class in quarter 4 of the plan's year by default, with the given trainers and status. */
export async function createClass(
  ds: DataSource,
  plan: Plan,
  course: Course,
  trainerIds: string[],
  fields: Partial<TrainingClass> & { status?: ClassStatus } = {},
): Promise<TrainingClass> {
  const repo = ds.getRepository(TrainingClass);
  const saved = await repo.save(
    repo.create({
      planId: plan.id,
      courseId: course.id,
      title: `培训班${next()}`,
      quarter: 4,
      startDate: `${plan.year}-10-01`,
      endDate: `${plan.year}-12-31`,
      capacity: 40,
      minPerTownship: 3,
      maxPerTownship: 5,
      enrolmentOpensAt: new Date(`${plan.year}-09-01T00:00:00Z`),
      enrolmentClosesAt: new Date(`${plan.year}-09-30T00:00:00Z`),
      attendanceThreshold: 0.8,
      status: 'draft',
      ...fields,
    }),
  );
  if (trainerIds.length) {
    await ds.getRepository(ClassTrainer).insert(trainerIds.map((trainerId) => ({ classId: saved.id, trainerId })));
  }
  return saved;
}
