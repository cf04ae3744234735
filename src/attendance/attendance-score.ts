import { type AttendancePoints, pointsPossible } from '../classes/classes.types';
import type { AttendanceStatus } from './attendance.types';

export type StatusCounts = Record<AttendanceStatus, number>;

export interface Score {
  /** Held sessions with no record: they earn nothing. */
  unmarked: number;
  /** Present and late: one person-time each. */
  personTimes: number;
  pointsEarned: number;
  pointsPossible: number;
  /** pointsEarned / pointsPossible, to 4 places; null before any session is held. */
  rate: number | null;
  meetsThreshold: boolean;
}

export const emptyCounts = (): StatusCounts => ({ present: 0, late: 0, excused: 0, absent: 0 });

/**
 * Attendance over a class's held sessions (not cancelled, already started), as Moodle's
 * attendance module scores it: each status earns its points, each held session is worth
 * the best status's points, and an unmarked held session earns nothing. `threshold` is
 * compared exactly (in thousandths, as the class stores it), not on the rounded rate.
 */
export function score(counts: StatusCounts, held: number, points: AttendancePoints, threshold: number): Score {
  const marked = counts.present + counts.late + counts.excused + counts.absent;
  const earned =
    counts.present * points.present +
    counts.late * points.late +
    counts.excused * points.excused +
    counts.absent * points.absent;
  const possible = held * pointsPossible(points);
  return {
    unmarked: Math.max(held - marked, 0),
    personTimes: counts.present + counts.late,
    pointsEarned: earned,
    pointsPossible: possible,
    rate: possible > 0 ? Math.round((earned / possible) * 10_000) / 10_000 : null,
    meetsThreshold: possible > 0 && earned * 1000 >= Math.round(threshold * 1000) * possible,
  };
}

export function addCounts(a: StatusCounts, b: StatusCounts): StatusCounts {
  return {
    present: a.present + b.present,
    late: a.late + b.late,
    excused: a.excused + b.excused,
    absent: a.absent + b.absent,
  };
}
