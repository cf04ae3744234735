import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { ScopedClass } from '../../classes/classes.service';
import { pointsOf } from '../../classes/classes.types';
import { UpdateClassDto } from '../../classes/dto/class.dto';
import { formatInstant, isIsoDate, localDate, localTime, zonedInstant } from '../../common/time/zoned-time';
import type { FormFields } from '../forms';

/**
 * The class form of the console (修改培训班): what it shows, how its text fields become the
 * API's UpdateClassDto (checked by the DTO's own class-validator rules), and which field each
 * problem belongs beside. Pure, so every edge has a spec (console-class-form.spec.ts).
 */

/** The form's fields as typed (text), the trainers as the ids ticked. */
export interface ClassFormValues {
  title: string;
  courseId: string;
  quarter: string;
  startDate: string;
  endDate: string;
  venueId: string;
  trainerIds: string[];
  capacity: string;
  minPerTownship: string;
  maxPerTownship: string;
  opensDate: string;
  opensTime: string;
  closesDate: string;
  closesTime: string;
  thresholdPercent: string;
  pointsPresent: string;
  pointsLate: string;
  pointsExcused: string;
  pointsAbsent: string;
  requiredQuizId: string;
}

/** Where a problem is shown: beside one of these (the trainers' and points' fieldsets count as one each). */
export type ClassFormField =
  | 'title'
  | 'courseId'
  | 'quarter'
  | 'startDate'
  | 'endDate'
  | 'venueId'
  | 'trainerIds'
  | 'capacity'
  | 'minPerTownship'
  | 'maxPerTownship'
  | 'opens'
  | 'closes'
  | 'thresholdPercent'
  | 'points'
  | 'requiredQuizId';

/** Problems by field: a `pages` catalogue key, or (after the service refused) the refusal's own words. */
export type ClassFormErrors = Partial<Record<ClassFormField, { key: string } | { text: string }>>;

/** Checkbox fields of the trainers: `trainer_<id>` (a form repeats no field name: the parser keeps the last). */
const TRAINER_FIELD = /^trainer_([0-9a-f-]{36})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WHOLE = /^\d{1,4}$/;
const PERCENT = /^\d{1,3}(\.\d)?$/;

/** The form filled with the class as it is. */
export function formValuesOf(c: ScopedClass, zone: string): ClassFormValues {
  const e = c.entity;
  const points = pointsOf(e);
  return {
    title: e.title,
    courseId: e.courseId,
    quarter: String(e.quarter),
    startDate: e.startDate,
    endDate: e.endDate,
    venueId: e.venueId ?? '',
    trainerIds: [...c.trainerIds],
    capacity: String(e.capacity),
    minPerTownship: String(e.minPerTownship),
    maxPerTownship: String(e.maxPerTownship),
    opensDate: localDate(e.enrolmentOpensAt, zone),
    opensTime: localTime(e.enrolmentOpensAt, zone),
    closesDate: localDate(e.enrolmentClosesAt, zone),
    closesTime: localTime(e.enrolmentClosesAt, zone),
    thresholdPercent: String(Math.round(e.attendanceThreshold * 1000) / 10),
    pointsPresent: String(points.present),
    pointsLate: String(points.late),
    pointsExcused: String(points.excused),
    pointsAbsent: String(points.absent),
    requiredQuizId: e.requiredQuizId ?? '',
  };
}

/** The posted form's fields as typed (absent ones empty). */
export function readClassForm(body: FormFields): ClassFormValues {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  return {
    title: text('title'),
    courseId: text('courseId').trim(),
    quarter: text('quarter').trim(),
    startDate: text('startDate').trim(),
    endDate: text('endDate').trim(),
    venueId: text('venueId').trim(),
    trainerIds: Object.keys(body)
      .map((k) => TRAINER_FIELD.exec(k)?.[1])
      .filter((v): v is string => !!v),
    capacity: text('capacity').trim(),
    minPerTownship: text('minPerTownship').trim(),
    maxPerTownship: text('maxPerTownship').trim(),
    opensDate: text('opensDate').trim(),
    opensTime: text('opensTime').trim(),
    closesDate: text('closesDate').trim(),
    closesTime: text('closesTime').trim(),
    thresholdPercent: text('thresholdPercent').trim(),
    pointsPresent: text('pointsPresent').trim(),
    pointsLate: text('pointsLate').trim(),
    pointsExcused: text('pointsExcused').trim(),
    pointsAbsent: text('pointsAbsent').trim(),
    requiredQuizId: text('requiredQuizId').trim(),
  };
}

/** Which form field a property of UpdateClassDto is shown beside. */
const FIELD_OF: Record<string, ClassFormField> = {
  title: 'title',
  courseId: 'courseId',
  quarter: 'quarter',
  startDate: 'startDate',
  endDate: 'endDate',
  venueId: 'venueId',
  trainerIds: 'trainerIds',
  capacity: 'capacity',
  minPerTownship: 'minPerTownship',
  maxPerTownship: 'maxPerTownship',
  enrolmentOpensAt: 'opens',
  enrolmentClosesAt: 'closes',
  attendanceThreshold: 'thresholdPercent',
  attendancePoints: 'points',
  requiredQuizId: 'requiredQuizId',
};

/** The catalogue key of a DTO rule's refusal, by field. */
const DTO_ERROR: Record<ClassFormField, string> = {
  title: 'class_err_title',
  courseId: 'class_err_choose',
  quarter: 'class_err_quarter',
  startDate: 'class_err_date',
  endDate: 'class_err_date',
  venueId: 'class_err_choose',
  trainerIds: 'class_err_trainers',
  capacity: 'class_err_capacity',
  minPerTownship: 'class_err_min',
  maxPerTownship: 'class_err_max',
  opens: 'class_err_dateTime',
  closes: 'class_err_dateTime',
  thresholdPercent: 'class_err_percent',
  points: 'class_err_points',
  requiredQuizId: 'class_err_choose',
};

/**
 * The form as the API's UpdateClassDto, or what is wrong with it, field by field. The shapes a
 * form can get wrong (a date, a time, a whole number) are checked here first, so the DTO never
 * sees a number typed as text; then the DTO's own rules. Local dates and times are read in
 * `zone` and sent with its offset, as the API expects.
 */
export async function toUpdateDto(
  v: ClassFormValues,
  zone: string,
): Promise<{ dto: UpdateClassDto; errors: ClassFormErrors }> {
  const errors: ClassFormErrors = {};
  const whole = (field: ClassFormField, value: string): number | string => {
    if (WHOLE.test(value)) return Number(value);
    errors[field] ??= { key: 'class_err_whole' };
    return value;
  };
  const instant = (field: 'opens' | 'closes', date: string, time: string): string => {
    if (isIsoDate(date) && TIME.test(time)) return formatInstant(zonedInstant(date, time, zone), zone)!;
    errors[field] = { key: 'class_err_dateTime' };
    return '';
  };
  if (v.title.trim() === '') errors.title = { key: 'class_err_titleEmpty' };
  if (!/^[1-4]$/.test(v.quarter)) errors.quarter = { key: 'class_err_quarter' };
  if (!isIsoDate(v.startDate)) errors.startDate = { key: 'class_err_date' };
  if (!isIsoDate(v.endDate)) errors.endDate = { key: 'class_err_date' };
  if (v.courseId === '') errors.courseId = { key: 'class_err_choose' };
  if (v.trainerIds.length === 0) errors.trainerIds = { key: 'class_err_trainers' };
  let threshold: number | string = v.thresholdPercent;
  if (PERCENT.test(v.thresholdPercent) && Number(v.thresholdPercent) <= 100) {
    threshold = Math.round(Number(v.thresholdPercent) * 10) / 1000;
  } else {
    errors.thresholdPercent = { key: 'class_err_percent' };
  }
  const plain = {
    title: v.title,
    courseId: v.courseId,
    quarter: Number(v.quarter),
    startDate: v.startDate,
    endDate: v.endDate,
    venueId: v.venueId === '' ? null : v.venueId,
    trainerIds: v.trainerIds,
    capacity: whole('capacity', v.capacity),
    minPerTownship: whole('minPerTownship', v.minPerTownship),
    maxPerTownship: whole('maxPerTownship', v.maxPerTownship),
    enrolmentOpensAt: instant('opens', v.opensDate, v.opensTime),
    enrolmentClosesAt: instant('closes', v.closesDate, v.closesTime),
    attendanceThreshold: threshold,
    attendancePoints: {
      present: whole('points', v.pointsPresent),
      late: whole('points', v.pointsLate),
      excused: whole('points', v.pointsExcused),
      absent: whole('points', v.pointsAbsent),
    },
    requiredQuizId: v.requiredQuizId === '' ? null : v.requiredQuizId,
  };
  const dto = plainToInstance(UpdateClassDto, plain);
  for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
    const field = FIELD_OF[e.property];
    if (!field || errors[field]) continue;
    const tooLong = e.property === 'title' && !!e.constraints?.maxLength;
    errors[field] = { key: tooLong ? 'class_err_titleLong' : DTO_ERROR[field] };
  }
  return { dto, errors };
}

/**
 * The field a refusal of ClassesService.update is about (its code), to show its words beside
 * it; undefined for a refusal of the whole form (the class can no longer be edited).
 */
export function fieldOfRefusal(code: string, details?: Record<string, unknown>): ClassFormField | undefined {
  switch (code) {
    case 'CLASS_DATES_OUTSIDE_QUARTER':
    case 'CLASS_SESSIONS_OUTSIDE_DATES':
      return 'startDate';
    case 'INVALID_DATE':
      return details?.field === 'endDate' ? 'endDate' : 'startDate';
    case 'CLASS_LIMITS_INVALID':
      return 'minPerTownship';
    case 'LIMITS_BELOW_ENROLMENT':
      return 'capacity';
    case 'ENROLMENT_WINDOW_INVALID':
      return 'closes';
    case 'ATTENDANCE_POINTS_INVALID':
      return 'points';
    case 'TRAINER_NOT_FOUND':
    case 'CLASS_TRAINER_HAS_SESSIONS':
      return 'trainerIds';
    case 'COURSE_NOT_FOUND':
      return 'courseId';
    case 'VENUE_NOT_FOUND':
      return 'venueId';
    case 'CLASS_REQUIRED_QUIZ_INVALID':
      return 'requiredQuizId';
    default:
      return undefined;
  }
}
