import { Injectable } from '@nestjs/common';
import { TransactionService } from '../common/database/transaction.service';

/** SQL: the marks (of attendance record `r`) that make a person-time at a held session. */
export const PERSON_TIME_MARK = `r.status IN ('present', 'late')`;

/**
 * SQL: the attendance records that are person-times as of the instant `now` (an SQL
 * expression). One per `present` or `late` record of a held session (not cancelled, already
 * started); `r` is attendance_records, `s` its session. The class summary counts the same
 * records per trainee; the reports pass their own reading time so every figure of one answer
 * agrees on what has been held.
 */
export const personTimeAt = (now: string): string =>
  `${PERSON_TIME_MARK} AND s.status = 'scheduled' AND s.starts_at <= ${now}`;

/** SQL: the attendance records that are person-times now (see `personTimeAt`). */
export const PERSON_TIME = personTimeAt('now()');

/**
 * Person-times for the plans and reports that count them: the one definition, counted
 * live from the records. A module of its own with no imports, so planning and reports can
 * use it without depending on classes or enrolments through the attendance module.
 */
@Injectable()
export class PersonTimesService {
  constructor(private readonly tx: TransactionService) {}

  /** A plan's person-times per quarter of its classes (quarters without any are left out). */
  async byQuarterOfPlan(planId: string): Promise<Map<number, number>> {
    const rows = await this.tx.manager.query<{ quarter: number; n: number }[]>(
      `SELECT c.quarter, count(*)::int AS n
         FROM attendance_records r
         JOIN sessions s ON s.id = r.session_id
         JOIN classes c ON c.id = s.class_id
        WHERE c.plan_id = $1 AND ${PERSON_TIME}
        GROUP BY c.quarter`,
      [planId],
    );
    return new Map(rows.map((r) => [r.quarter, r.n]));
  }

  /**
   * One trainee's person-times (sessions attended: present or late at a held session) per class
   * of the given ones (classes without any are left out): the 我的 page's learning record.
   */
  async byClassOfTrainee(traineeId: string, classIds: string[]): Promise<Map<string, number>> {
    if (classIds.length === 0) return new Map();
    const rows = await this.tx.manager.query<{ class_id: string; n: number }[]>(
      `SELECT e.class_id, count(*)::int AS n
         FROM attendance_records r
         JOIN sessions s ON s.id = r.session_id
         JOIN enrolments e ON e.id = r.enrolment_id
        WHERE e.trainee_id = $1 AND e.class_id = ANY($2::uuid[]) AND ${PERSON_TIME}
        GROUP BY e.class_id`,
      [traineeId, classIds],
    );
    return new Map(rows.map((r) => [r.class_id, r.n]));
  }

  /**
   * Person-times in a year's classes per township the trainees came for, for townships
   * whose path starts with `scopePath` (townships without any are left out).
   */
  async byTownship(year: number, scopePath: string): Promise<Map<string, number>> {
    const rows = await this.tx.manager.query<{ township_id: string; n: number }[]>(
      `SELECT e.township_id, count(*)::int AS n
         FROM attendance_records r
         JOIN sessions s ON s.id = r.session_id
         JOIN enrolments e ON e.id = r.enrolment_id
         JOIN classes c ON c.id = e.class_id
         JOIN plans p ON p.id = c.plan_id AND p.year = $2
         JOIN org_units t ON t.id = e.township_id AND t.path LIKE $1
        WHERE ${PERSON_TIME}
        GROUP BY e.township_id`,
      [`${scopePath}%`, year],
    );
    return new Map(rows.map((r) => [r.township_id, r.n]));
  }
}
