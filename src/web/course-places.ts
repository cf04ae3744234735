import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import type { ScopedClass } from '../classes/classes.service';
import { OrgUnitsService } from '../org-units/org-units.service';

/** An enrolment's status (as `enrolments.status` holds it). */
type EnrolmentStatus = 'confirmed' | 'waitlisted' | 'completed' | 'withdrawn';

/** A trainee's own enrolment in a class, as the 课程 pages show it. */
export interface OwnEnrolment {
  id: string;
  status: EnrolmentStatus;
  position: number | null;
}

/** What the 课程 pages say about one class for one trainee: seats left for its township, and its own state. */
export interface ClassPlaces {
  /** Seats a new trainee of the caller's township would get now (0: the next one is waitlisted). */
  left: number;
  /** How many are waiting for a seat in the class. */
  waitlisted: number;
  mine: OwnEnrolment | null;
}

/**
 * The trainee's side of the quota view (`GET /api/classes/:id/quota` is for staff): for each
 * class, the seats left for the caller's township under the same two limits EnrolmentsService
 * applies when it enrols (confirmed trainees of one township below `maxPerTownship`, of the
 * class below `capacity`), and the caller's own enrolment. Read-only and advisory: enrolling
 * goes through EnrolmentsService.enrol, which counts again under the class's lock, so a seat
 * shown here and taken meanwhile becomes a waitlist place there.
 */
@Injectable()
export class CoursePlaces {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  /** The township the caller's seats count for (its own, or the one above its village), if any. */
  async townshipOf(actor: AuthUser): Promise<{ id: string; name: string } | undefined> {
    const township = await this.orgUnits.townshipOf(actor.orgUnitId);
    return township ? { id: township.id, name: township.name } : undefined;
  }

  /** Per class id; `township` undefined counts no township seats (the caller cannot enrol). */
  async of(
    actor: AuthUser,
    classes: Pick<ScopedClass['entity'], 'id' | 'capacity' | 'maxPerTownship'>[],
    township: { id: string } | undefined,
  ): Promise<Map<string, ClassPlaces>> {
    const out = new Map<string, ClassPlaces>();
    if (classes.length === 0) return out;
    const ids = classes.map((c) => c.id);
    const counts = await this.tx.manager.query<
      { id: string; classConfirmed: number; townshipConfirmed: number; waitlisted: number }[]
    >(
      `SELECT e.class_id AS id,
              count(*) FILTER (WHERE e.status = 'confirmed')::int AS "classConfirmed",
              count(*) FILTER (WHERE e.status = 'confirmed' AND e.township_id = $2)::int AS "townshipConfirmed",
              count(*) FILTER (WHERE e.status = 'waitlisted')::int AS waitlisted
         FROM enrolments e
        WHERE e.class_id = ANY($1::uuid[])
        GROUP BY e.class_id`,
      [ids, township?.id ?? null],
    );
    const own = await this.tx.manager.query<(OwnEnrolment & { classId: string })[]>(
      `SELECT id, class_id AS "classId", status::text AS status, waitlist_position AS position
         FROM enrolments WHERE trainee_id = $1 AND class_id = ANY($2::uuid[])`,
      [actor.id, ids],
    );
    for (const c of classes) {
      const n = counts.find((x) => x.id === c.id) ?? { classConfirmed: 0, townshipConfirmed: 0, waitlisted: 0 };
      const mine = own.find((x) => x.classId === c.id);
      out.set(c.id, {
        left: township
          ? Math.max(0, Math.min(c.maxPerTownship - n.townshipConfirmed, c.capacity - n.classConfirmed))
          : 0,
        waitlisted: n.waitlisted,
        mine: mine ? { id: mine.id, status: mine.status, position: mine.position } : null,
      });
    }
    return out;
  }
}
