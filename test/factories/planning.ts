import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Course } from '../../src/courses/course.entity';
import { Survey } from '../../src/surveys/survey.entity';
import { Venue } from '../../src/venues/venue.entity';

/** A venue written straight to the database (no scope checks). */
export async function createVenue(ds: DataSource, fields: { orgUnitId: string } & Partial<Venue>): Promise<Venue> {
  const repo = ds.getRepository(Venue);
  return repo.save(repo.create({ name: `教室-${randomUUID().slice(0, 6)}`, capacity: 40, address: null, ...fields }));
}

/** A catalogue course owned by `orgUnitId`. */
export async function createCourse(ds: DataSource, fields: { orgUnitId: string } & Partial<Course>): Promise<Course> {
  const repo = ds.getRepository(Course);
  return repo.save(
    repo.create({
      title: `课程-${randomUUID().slice(0, 6)}`,
      level: 'beginner',
      hours: 12,
      description: null,
      topics: [],
      ...fields,
    }),
  );
}

/** A township survey; the proficiency counts default to everyone at `basic`. */
export async function createSurvey(
  ds: DataSource,
  fields: { orgUnitId: string; year: number } & Partial<Survey>,
): Promise<Survey> {
  const repo = ds.getRepository(Survey);
  const staffCount = fields.staffCount ?? 10;
  return repo.save(
    repo.create({
      servicePoints: 3,
      staffCount,
      proficiencyNone: 0,
      proficiencyBasic: staffCount,
      proficiencyIntermediate: 0,
      proficiencyAdvanced: 0,
      educationPrimary: null,
      educationSecondary: null,
      educationTertiary: null,
      topicsWanted: [],
      notes: null,
      ...fields,
    }),
  );
}
