import type { TrainingClass } from './training-class.entity';

/** Points each attendance status earns in a class; a session is worth the highest of them. */
export interface AttendancePoints {
  present: number;
  late: number;
  excused: number;
  absent: number;
}

/** Moodle's attendance module: present 2, late 1, excused 1, absent 0, out of 2. */
export const DEFAULT_ATTENDANCE_POINTS: AttendancePoints = { present: 2, late: 1, excused: 1, absent: 0 };

export function pointsOf(
  c: Pick<TrainingClass, 'pointsPresent' | 'pointsLate' | 'pointsExcused' | 'pointsAbsent'>,
): AttendancePoints {
  return { present: c.pointsPresent, late: c.pointsLate, excused: c.pointsExcused, absent: c.pointsAbsent };
}

/** What one session is worth: the best status's points. */
export function pointsPossible(p: AttendancePoints): number {
  return Math.max(p.present, p.late, p.excused, p.absent);
}

export function toColumns(
  p: AttendancePoints,
): Pick<TrainingClass, 'pointsPresent' | 'pointsLate' | 'pointsExcused' | 'pointsAbsent'> {
  return { pointsPresent: p.present, pointsLate: p.late, pointsExcused: p.excused, pointsAbsent: p.absent };
}
