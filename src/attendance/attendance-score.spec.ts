import { DEFAULT_ATTENDANCE_POINTS } from '../classes/classes.types';
import { emptyCounts, score } from './attendance-score';

describe('attendance score', () => {
  const counts = (over: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(), ...over });

  it('scores as Moodle does by default: present 2, late 1, excused 1, absent 0, out of 2', () => {
    const s = score(counts({ present: 6, late: 2, excused: 1, absent: 1 }), 10, DEFAULT_ATTENDANCE_POINTS, 0.8);
    expect(s).toMatchObject({ pointsEarned: 15, pointsPossible: 20, rate: 0.75, personTimes: 8, unmarked: 0 });
    expect(s.meetsThreshold).toBe(false);
  });

  it('counts unmarked held sessions as earning nothing', () => {
    const s = score(counts({ present: 4 }), 5, DEFAULT_ATTENDANCE_POINTS, 0.8);
    expect(s).toMatchObject({ unmarked: 1, pointsEarned: 8, pointsPossible: 10, rate: 0.8, meetsThreshold: true });
  });

  it('meets a threshold exactly at the boundary, without float error', () => {
    // 7 of 10 points is 0.7: 0.7 * 10 in floating point is 7.000000000000001.
    const points = { present: 1, late: 1, excused: 0, absent: 0 };
    expect(score(counts({ present: 7, absent: 3 }), 10, points, 0.7).meetsThreshold).toBe(true);
    expect(score(counts({ present: 6, absent: 4 }), 10, points, 0.7).meetsThreshold).toBe(false);
  });

  it('has no rate before any session is held', () => {
    expect(score(emptyCounts(), 0, DEFAULT_ATTENDANCE_POINTS, 0)).toMatchObject({ rate: null, meetsThreshold: false });
  });

  it('uses the class points and the best status as the session worth', () => {
    const points = { present: 3, late: 2, excused: 3, absent: 0 };
    const s = score(counts({ late: 1, excused: 1 }), 2, points, 0.8);
    expect(s).toMatchObject({ pointsEarned: 5, pointsPossible: 6, rate: 0.8333, meetsThreshold: true });
  });
});
