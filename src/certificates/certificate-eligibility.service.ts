import { Injectable } from '@nestjs/common';
import type { Score } from '../attendance/attendance.types';
import { AttendanceSummaryService } from '../attendance/attendance-summary.service';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { Clock } from '../common/time/clock';
import type { ClassStatus } from '../classes/classes.types';
import { ClassErrors } from '../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { EnrolmentsService, type EnrolledTrainee } from '../enrolments/enrolments.service';
import { type QuizGrade, QuizResultsService } from '../quizzes/quiz-results.service';
import { eligibility, type IneligibilityReason } from './eligibility';

/** One trainee who held a seat in the class, and whether it may have a certificate. */
export interface TraineeEligibility {
  traineeId: string;
  displayName: string;
  townshipId: string;
  townshipName: string;
  eligible: boolean;
  reasons: IneligibilityReason[];
  /** Attendance points earned / possible over held sessions (4 places); null before any session was held. */
  attendanceRate: number | null;
  threshold: number;
  /** Held sessions attended (present or late). */
  sessionsAttended: number;
  sessionsHeld: number;
  /** The grade on the class's required quiz; null without one, or without a finished attempt. */
  quizPercent: number | null;
  /** The trainee's live certificate of this class, if it holds one. */
  certificateId: string | null;
}

export interface ClassEligibility {
  classId: string;
  title: string;
  status: ClassStatus;
  threshold: number;
  requiredQuizId: string | null;
  sessionsHeld: number;
  eligible: number;
  items: TraineeEligibility[];
}

/**
 * Who may have a certificate of a class, read live from the other modules (enrolments,
 * attendance, the required quiz's grades) and this module's own certificates; the rule itself
 * is the pure `eligibility()` beside it.
 */
@Injectable()
export class CertificateEligibilityService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly attendance: AttendanceSummaryService,
    private readonly quizResults: QuizResultsService,
    private readonly clock: Clock,
  ) {}

  /** Admins in scope and the class's trainers (trainees are refused by the route); others 404. */
  async list(actor: AuthUser, classId: string): Promise<ClassEligibility> {
    const c = await this.classes.getVisible(actor, classId);
    if (actor.role === 'trainee') throw ClassErrors.notFound();
    return this.forClass(c);
  }

  /** Every trainee who held a seat in the class, by township and name. No access check. */
  async forClass(c: ScopedClass): Promise<ClassEligibility> {
    const cls = c.entity;
    const [people, { sessionsHeld, scores }, grades, live] = await Promise.all([
      this.enrolments.everSeated(cls.id),
      this.attendance.scoresFor(cls.id, this.clock.now()),
      cls.requiredQuizId ? this.quizResults.gradesFor(cls.requiredQuizId) : Promise.resolve(undefined),
      this.liveCertificates(cls.id),
    ]);
    const items = onePerTrainee(people).map((p) =>
      this.assess(cls.status, cls.attendanceThreshold, sessionsHeld, p, scores.get(p.id), grades, live),
    );
    return {
      classId: cls.id,
      title: cls.title,
      status: cls.status,
      threshold: cls.attendanceThreshold,
      requiredQuizId: cls.requiredQuizId,
      sessionsHeld,
      eligible: items.filter((i) => i.eligible).length,
      items,
    };
  }

  private assess(
    classStatus: ClassStatus,
    threshold: number,
    sessionsHeld: number,
    p: EnrolledTrainee,
    s: Score | undefined,
    grades: Map<string, QuizGrade> | undefined,
    live: Map<string, string>,
  ): TraineeEligibility {
    const grade = grades?.get(p.traineeId);
    const quizPercent = grade?.percent ?? null;
    const verdict = eligibility({
      classStatus,
      enrolmentStatus: p.status === 'withdrawn' ? 'withdrawn' : p.status === 'completed' ? 'completed' : 'confirmed',
      meetsAttendanceThreshold: s?.meetsThreshold ?? false,
      requiredQuiz: grades ? { attempted: quizPercent !== null, passed: grade?.passed ?? false } : null,
      hasLiveCertificate: live.has(p.traineeId),
    });
    return {
      traineeId: p.traineeId,
      displayName: p.displayName,
      townshipId: p.townshipId,
      townshipName: p.townshipName,
      ...verdict,
      attendanceRate: s?.rate ?? null,
      threshold,
      sessionsAttended: s?.personTimes ?? 0,
      sessionsHeld,
      quizPercent,
      certificateId: live.get(p.traineeId) ?? null,
    };
  }

  /** Live (unrevoked) certificates of the class: trainee id → certificate id. */
  private async liveCertificates(classId: string): Promise<Map<string, string>> {
    const rows = await this.tx.manager.query<{ id: string; trainee_id: string }[]>(
      `SELECT id, trainee_id FROM certificates WHERE class_id = $1 AND revoked_at IS NULL`,
      [classId],
    );
    return new Map(rows.map((r) => [r.trainee_id, r.id]));
  }
}

/** A trainee who withdrew and enrolled again counts once: by its seat, not its old withdrawal. */
function onePerTrainee(people: EnrolledTrainee[]): EnrolledTrainee[] {
  const chosen = new Map<string, EnrolledTrainee>();
  for (const p of people) {
    const seen = chosen.get(p.traineeId);
    if (!seen || (seen.status === 'withdrawn' && p.status !== 'withdrawn')) chosen.set(p.traineeId, p);
  }
  return people.filter((p) => chosen.get(p.traineeId) === p);
}
