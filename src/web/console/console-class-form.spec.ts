import type { TrainingClass } from '../../classes/classes.types';
import { type ClassFormValues, fieldOfRefusal, formValuesOf, readClassForm, toUpdateDto } from './console-class-form';

const ZONE = 'Asia/Shanghai';
const TRAINER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const COURSE = '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';

const cls = {
  entity: {
    title: '第一期培训班',
    courseId: COURSE,
    quarter: 1,
    startDate: '2027-01-05',
    endDate: '2027-03-25',
    venueId: null,
    capacity: 40,
    minPerTownship: 3,
    maxPerTownship: 5,
    enrolmentOpensAt: new Date('2026-12-01T00:00:00+08:00'),
    enrolmentClosesAt: new Date('2027-01-04T18:00:00+08:00'),
    attendanceThreshold: 0.8,
    pointsPresent: 2,
    pointsLate: 1,
    pointsExcused: 1,
    pointsAbsent: 0,
    requiredQuizId: null,
  } as unknown as TrainingClass,
  planPath: 'x',
  trainerIds: [TRAINER],
};

describe('the console class form', () => {
  it('shows the class in local dates and times, the threshold as a percent', () => {
    expect(formValuesOf(cls, ZONE)).toEqual(
      expect.objectContaining({
        opensDate: '2026-12-01',
        opensTime: '00:00',
        closesDate: '2027-01-04',
        closesTime: '18:00',
        thresholdPercent: '80',
        capacity: '40',
        venueId: '',
        trainerIds: [TRAINER],
      }),
    );
  });

  it('reads the ticked trainers from their own fields and the rest as typed', () => {
    const v = readClassForm({ title: ' 名称 ', [`trainer_${TRAINER}`]: 'on', trainer_bad: 'on', capacity: ' 12 ' });
    expect(v.trainerIds).toEqual([TRAINER]);
    expect(v.title).toBe(' 名称 ');
    expect(v.capacity).toBe('12');
    expect(v.opensDate).toBe('');
  });

  it('turns a good form into the API body, instants with the centre’s offset', async () => {
    const { dto, errors } = await toUpdateDto({ ...formValuesOf(cls, ZONE), thresholdPercent: '75.5' }, ZONE);
    expect(errors).toEqual({});
    expect(dto).toEqual(
      expect.objectContaining({
        enrolmentOpensAt: '2026-12-01T00:00:00+08:00',
        enrolmentClosesAt: '2027-01-04T18:00:00+08:00',
        attendanceThreshold: 0.755,
        capacity: 40,
        venueId: null,
        requiredQuizId: null,
        trainerIds: [TRAINER],
      }),
    );
  });

  it.each<[Partial<ClassFormValues>, string, string]>([
    [{ title: '   ' }, 'title', 'class_err_titleEmpty'],
    [{ title: 'x'.repeat(201) }, 'title', 'class_err_titleLong'],
    [{ title: '两\n行' }, 'title', 'class_err_title'],
    [{ quarter: '5' }, 'quarter', 'class_err_quarter'],
    [{ startDate: '2027-02-30' }, 'startDate', 'class_err_date'],
    [{ capacity: '4.5' }, 'capacity', 'class_err_whole'],
    [{ capacity: '0' }, 'capacity', 'class_err_capacity'],
    [{ maxPerTownship: '101' }, 'maxPerTownship', 'class_err_max'],
    [{ closesTime: '24:00' }, 'closes', 'class_err_dateTime'],
    [{ opensDate: '' }, 'opens', 'class_err_dateTime'],
    [{ thresholdPercent: '100.5' }, 'thresholdPercent', 'class_err_percent'],
    [{ thresholdPercent: '8%' }, 'thresholdPercent', 'class_err_percent'],
    [{ pointsLate: '101' }, 'points', 'class_err_points'],
    [{ trainerIds: [] }, 'trainerIds', 'class_err_trainers'],
    [{ courseId: 'abc' }, 'courseId', 'class_err_choose'],
    [{ venueId: 'abc' }, 'venueId', 'class_err_choose'],
  ])('refuses %j beside its field', async (over, field, key) => {
    const { errors } = await toUpdateDto({ ...formValuesOf(cls, ZONE), ...over }, ZONE);
    expect(errors).toEqual({ [field]: { key } });
  });

  it('names the field a refusal of the service is about', () => {
    expect(fieldOfRefusal('CLASS_DATES_OUTSIDE_QUARTER')).toBe('startDate');
    expect(fieldOfRefusal('INVALID_DATE', { field: 'endDate' })).toBe('endDate');
    expect(fieldOfRefusal('LIMITS_BELOW_ENROLMENT')).toBe('capacity');
    expect(fieldOfRefusal('CLASS_TRAINER_HAS_SESSIONS')).toBe('trainerIds');
    expect(fieldOfRefusal('ENROLMENT_WINDOW_INVALID')).toBe('closes');
    expect(fieldOfRefusal('CLASS_NOT_EDITABLE')).toBeUndefined();
  });
});
