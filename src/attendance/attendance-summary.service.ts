import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { pointsOf, pointsPossible } from '../classes/classes.types';
import { ClassesService } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { AttendanceErrors } from './attendance.errors';
import { attendanceSummaryXlsx } from './attendance-summary.export';
import { addCounts, emptyCounts, score, type Score, type StatusCounts } from './attendance-score';
import type { AttendanceSummaryDto, TownshipAttendanceDto, TraineeAttendanceDto } from './dto/attendance.dto';

interface Row extends StatusCounts {
  enrolment_id: string;
  trainee_id: string;
  display_name: string;
  township_id: string;
  township_name: string;
}

const scoreFields = (counts: StatusCounts, s: Score) => ({
  ...counts,
  unmarked: s.unmarked,
  personTimes: s.personTimes,
  pointsEarned: s.pointsEarned,
  pointsPossible: s.pointsPossible,
  rate: s.rate,
});

/**
 * A class's attendance per trainee and per township, counted live from the records over
 * its held sessions (not cancelled, already started), against its points and threshold.
 */
@Injectable()
export class AttendanceSummaryService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
  ) {}

  /** The summary as a workbook (`format=xlsx`, the console's download), named after the class. */
  async workbook(actor: AuthUser, classId: string, now = new Date()): Promise<{ filename: string; body: Buffer }> {
    const summary = await this.summary(actor, classId, now);
    return { filename: `${summary.title}-出勤汇总.xlsx`, body: await attendanceSummaryXlsx(summary) };
  }

  /** Admins in scope and the class's trainers see everyone; a trainee sees only its own line. */
  async summary(actor: AuthUser, classId: string, now = new Date()): Promise<AttendanceSummaryDto> {
    const c = await this.classes.getVisible(actor, classId);
    let onlyTrainee: string | null = null;
    if (actor.role === 'trainee') {
      if (!(await this.enrolments.seatOf(classId, actor.id))) throw AttendanceErrors.notEnrolled();
      onlyTrainee = actor.id;
    }
    const { held, rows } = await this.counts(classId, now, onlyTrainee, ['confirmed', 'completed']);
    const points = pointsOf(c.entity);
    const threshold = c.entity.attendanceThreshold;
    const townships = new Map<string, { name: string; counts: StatusCounts; enrolments: TraineeAttendanceDto[] }>();
    for (const r of rows) {
      const counts = { present: r.present, late: r.late, excused: r.excused, absent: r.absent };
      const s = score(counts, held, points, threshold);
      const t = townships.get(r.township_id) ?? { name: r.township_name, counts: emptyCounts(), enrolments: [] };
      t.counts = addCounts(t.counts, counts);
      t.enrolments.push({
        enrolmentId: r.enrolment_id,
        traineeId: r.trainee_id,
        displayName: r.display_name,
        sessionsHeld: held,
        ...scoreFields(counts, s),
        meetsThreshold: s.meetsThreshold,
      });
      townships.set(r.township_id, t);
    }
    const groups: TownshipAttendanceDto[] = [...townships].map(([townshipId, t]) => ({
      townshipId,
      name: t.name,
      trainees: t.enrolments.length,
      meetingThreshold: t.enrolments.filter((e) => e.meetsThreshold).length,
      ...scoreFields(t.counts, score(t.counts, held * t.enrolments.length, points, threshold)),
      enrolments: t.enrolments,
    }));
    const total = groups.reduce((acc, g) => addCounts(acc, g), emptyCounts());
    return {
      classId,
      title: c.entity.title,
      sessionsHeld: held,
      threshold,
      points: { ...points, possible: pointsPossible(points) },
      trainees: rows.length,
      meetingThreshold: groups.reduce((a, g) => a + g.meetingThreshold, 0),
      ...scoreFields(total, score(total, held * rows.length, points, threshold)),
      townships: groups,
    };
  }

  /**
   * Each enrolment's attendance score, by enrolment id, over the class's held sessions at `now`
   * (withdrawn enrolments too: what they attended before leaving). No access check: for other
   * services (certificates).
   */
  async scoresFor(classId: string, now: Date): Promise<{ sessionsHeld: number; scores: Map<string, Score> }> {
    const c = await this.classes.find(classId);
    if (!c) return { sessionsHeld: 0, scores: new Map() };
    const { held, rows } = await this.counts(classId, now, null, ['confirmed', 'completed', 'withdrawn']);
    const points = pointsOf(c.entity);
    const scores = new Map(
      rows.map((r) => [r.enrolment_id, score(r, held, points, c.entity.attendanceThreshold)] as const),
    );
    return { sessionsHeld: held, scores };
  }

  private async counts(
    classId: string,
    now: Date,
    onlyTrainee: string | null,
    statuses: string[],
  ): Promise<{ held: number; rows: Row[] }> {
    const m = this.tx.manager;
    const [{ held }] = await m.query<{ held: number }[]>(
      `SELECT count(*)::int AS held FROM sessions WHERE class_id = $1 AND status = 'scheduled' AND starts_at <= $2`,
      [classId, now],
    );
    const rows = await m.query<Row[]>(
      `SELECT e.id AS enrolment_id, e.trainee_id, u.display_name, e.township_id, t.name AS township_name,
              count(r.id) FILTER (WHERE r.status = 'present')::int AS present,
              count(r.id) FILTER (WHERE r.status = 'late')::int AS late,
              count(r.id) FILTER (WHERE r.status = 'excused')::int AS excused,
              count(r.id) FILTER (WHERE r.status = 'absent')::int AS absent
         FROM enrolments e
         JOIN users u ON u.id = e.trainee_id
         JOIN org_units t ON t.id = e.township_id
         LEFT JOIN attendance_records r ON r.enrolment_id = e.id AND r.session_id IN (
           SELECT id FROM sessions WHERE class_id = $1 AND status = 'scheduled' AND starts_at <= $2)
        WHERE e.class_id = $1 AND e.status::text = ANY($4::text[]) AND ($3::uuid IS NULL OR e.trainee_id = $3)
        GROUP BY e.id, u.display_name, t.name
        ORDER BY t.name, e.township_id, u.display_name, e.id`,
      [classId, now, onlyTrainee, statuses],
    );
    return { held, rows };
  }
}
