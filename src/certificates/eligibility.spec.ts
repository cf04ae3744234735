import { score } from '../attendance/attendance.types';
import { DEFAULT_ATTENDANCE_POINTS } from '../classes/classes.types';
import { eligibility, type EligibilityInput } from './eligibility';

/** Five held sessions at the default points (present 2, late 1, absent 0): 10 points possible. */
const meets = (present: number, late: number, threshold = 0.8): boolean =>
  score({ present, late, excused: 0, absent: 5 - present - late }, 5, DEFAULT_ATTENDANCE_POINTS, threshold)
    .meetsThreshold;

const base: EligibilityInput = {
  classStatus: 'completed',
  enrolmentStatus: 'completed',
  meetsAttendanceThreshold: true,
  requiredQuiz: null,
  hasLiveCertificate: false,
};

describe('certificate eligibility', () => {
  it('a completed trainee with enough attendance and no required quiz is eligible', () => {
    expect(eligibility(base)).toEqual({ eligible: true, reasons: [] });
  });

  it('exactly at the threshold is enough; one point below is not', () => {
    // 8 of 10 points is exactly 0.8.
    expect(meets(4, 0)).toBe(true);
    expect(eligibility({ ...base, meetsAttendanceThreshold: meets(4, 0) })).toEqual({ eligible: true, reasons: [] });
    // 7 of 10 points (three present, one late, one absent).
    expect(meets(3, 1)).toBe(false);
    expect(eligibility({ ...base, meetsAttendanceThreshold: meets(3, 1) })).toEqual({
      eligible: false,
      reasons: ['ATTENDANCE_BELOW_THRESHOLD'],
    });
    // Thresholds are compared exactly, not on a rounded rate: 0.701 needs more than 7 of 10.
    expect(meets(3, 1, 0.7)).toBe(true);
    expect(meets(3, 1, 0.701)).toBe(false);
  });

  it('no session held: no attendance to meet the threshold with', () => {
    const held0 = score({ present: 0, late: 0, excused: 0, absent: 0 }, 0, DEFAULT_ATTENDANCE_POINTS, 0.8);
    expect(eligibility({ ...base, meetsAttendanceThreshold: held0.meetsThreshold }).reasons).toEqual([
      'ATTENDANCE_BELOW_THRESHOLD',
    ]);
  });

  it('a required quiz must be passed: failed and not taken say which', () => {
    expect(eligibility({ ...base, requiredQuiz: { attempted: true, passed: true } })).toEqual({
      eligible: true,
      reasons: [],
    });
    expect(eligibility({ ...base, requiredQuiz: { attempted: true, passed: false } })).toEqual({
      eligible: false,
      reasons: ['QUIZ_NOT_PASSED'],
    });
    expect(eligibility({ ...base, requiredQuiz: { attempted: false, passed: false } })).toEqual({
      eligible: false,
      reasons: ['QUIZ_NOT_TAKEN'],
    });
  });

  it('a class not completed yet: not eligible, whatever else', () => {
    for (const classStatus of ['draft', 'open', 'running', 'cancelled'] as const) {
      expect(eligibility({ ...base, classStatus, enrolmentStatus: 'confirmed' })).toEqual({
        eligible: false,
        reasons: ['CLASS_NOT_COMPLETED'],
      });
    }
  });

  it('a trainee who withdrew is not eligible', () => {
    expect(eligibility({ ...base, enrolmentStatus: 'withdrawn' })).toEqual({ eligible: false, reasons: ['WITHDRAWN'] });
  });

  it('a trainee holding a live certificate is not issued another', () => {
    expect(eligibility({ ...base, hasLiveCertificate: true })).toEqual({
      eligible: false,
      reasons: ['ALREADY_CERTIFIED'],
    });
  });

  it('lists every reason that applies, in a fixed order', () => {
    expect(
      eligibility({
        classStatus: 'running',
        enrolmentStatus: 'withdrawn',
        meetsAttendanceThreshold: false,
        requiredQuiz: { attempted: true, passed: false },
        hasLiveCertificate: true,
      }).reasons,
    ).toEqual([
      'CLASS_NOT_COMPLETED',
      'WITHDRAWN',
      'ATTENDANCE_BELOW_THRESHOLD',
      'QUIZ_NOT_PASSED',
      'ALREADY_CERTIFIED',
    ]);
  });
});
