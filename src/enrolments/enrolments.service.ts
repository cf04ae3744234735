import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { CommonErrors } from '../common/errors/domain-error';
import { TransactionService } from '../common/database/transaction.service';
import { inSubtree, subtreePattern } from '../common/database/subtree';
import { ClassErrors } from '../classes/classes.errors';
import {
  ClassEvents,
  type ClassCancellingEvent,
  type ClassCompletingEvent,
  type ClassLimitsChangedEvent,
} from '../classes/classes.events';
import type { ClassStatus } from '../classes/classes.types';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { SessionsService } from '../classes/sessions.service';
import { NotificationsService } from '../notifications/notifications.service';
import { maskDigits } from '../common/logging/logging';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type { QuotaDto, QuotaStatus, RosterDto, RosterEntryDto } from './dto/enrolment.dto';
import { Enrolment, type EnrolmentStatus } from './enrolment.entity';
import { enrolmentWindow, mayWithdraw, seatsLeft } from './enrolment-rules';
import { EnrolmentErrors } from './enrolments.errors';
import { rosterCsv, rosterXlsx } from './roster.export';

export { type EnrolmentWindow, enrolmentWindow, mayWithdraw, seatsLeft } from './enrolment-rules';

/** An enrolment with its trainee and township, as attendance lists them. */
const PEOPLE_SQL = `SELECT e.id, e.trainee_id AS "traineeId", u.display_name AS "displayName", u.username, u.phone,
        e.township_id AS "townshipId", t.name AS "townshipName", e.status::text AS status
   FROM enrolments e
   JOIN users u ON u.id = e.trainee_id
   JOIN org_units t ON t.id = e.township_id`;

export interface EnrolledTrainee {
  id: string;
  traineeId: string;
  displayName: string;
  username: string;
  phone: string | null;
  townshipId: string;
  townshipName: string;
  status: EnrolmentStatus;
}

/** A trainee's own enrolment in a class. */
export interface OwnEnrolment {
  id: string;
  status: EnrolmentStatus;
  /** Its place on the waitlist (1 is next), when waitlisted. */
  position: number | null;
}

/** One class for one trainee: seats left for its township, the waitlist, and its own enrolment. */
export interface ClassPlaces {
  /** Seats a new trainee of the caller's township would get now (0: the next one is waitlisted; 0 without a township). */
  left: number;
  /** How many are waiting for a seat in the class. */
  waitlisted: number;
  mine: OwnEnrolment | null;
}

/** What `placesFor` answers: the township the caller's seats count for (if any), and each class by id. */
export interface TraineePlaces {
  township: { id: string; name: string } | null;
  classes: Map<string, ClassPlaces>;
}

/** A township below its class's minimum while the class's enrolment runs (`gapsInScope`). */
export interface EnrolmentGap {
  classId: string;
  classTitle: string;
  closesAt: Date;
  min: number;
  townshipId: string;
  townshipName: string;
  confirmed: number;
}

/** Per class: what its limits are checked against (see `seatCounts`). */
interface SeatCountRow {
  classId: string;
  townshipConfirmed: number;
  classConfirmed: number;
  waitlisted: number;
  lastPosition: number;
}

interface TraineeRow {
  id: string;
  org_unit_id: string;
  path: string;
}

/** SQL: true when the trainee completed a class of the given plan year. */
const TRAINED_IN_YEAR = `EXISTS (
  SELECT 1 FROM enrolments done JOIN classes dc ON dc.id = done.class_id JOIN plans dp ON dp.id = dc.plan_id
   WHERE done.trainee_id = e.trainee_id AND done.status = 'completed' AND dp.year = $2)`;

export function quotaStatus(confirmed: number, min: number, max: number): QuotaStatus {
  if (confirmed === 0) return 'none';
  if (confirmed >= max) return 'full';
  return confirmed < min ? 'below_minimum' : 'ok';
}

/**
 * Enrolment under the programme's hard rules: per class, confirmed trainees of one
 * township never exceed its maximum and the class never exceeds its capacity. Every step
 * that changes a class's enrolments first locks the class row, so they run one at a time
 * per class (and in parallel across classes) and the counts they read stay true until
 * they commit. Past a limit a trainee is waitlisted with a gap-free position.
 */
@Injectable()
export class EnrolmentsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly sessions: SessionsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly notifications: NotificationsService,
    private readonly env: Env,
    private readonly clock: Clock,
  ) {}

  async enrol(actor: AuthUser, classId: string, traineeId: string | undefined): Promise<Enrolment> {
    if (actor.role === 'trainee' && traineeId !== undefined && traineeId !== actor.id) {
      throw EnrolmentErrors.cannotEnrolOthers();
    }
    if (actor.role === 'admin' && !traineeId) throw EnrolmentErrors.traineeRequired();
    return this.tx.run(async (m) => {
      const c = await this.classes.lockForEnrolment(classId, m);
      if (!this.classes.canRead(actor, c)) throw ClassErrors.notFound();
      const trainee = await this.loadTrainee(actor, traineeId ?? actor.id, c, m);
      const now = this.clock.now();
      const e = c.entity;
      if (enrolmentWindow(e, now) !== 'open') throw EnrolmentErrors.closed();
      const township = await this.orgUnits.townshipOf(trainee.org_unit_id, m);
      if (!township) throw EnrolmentErrors.noTownship();

      const repo = m.getRepository(Enrolment);
      const existing = await repo.findOneBy({ classId, traineeId: trainee.id });
      if (existing && existing.status !== 'withdrawn') throw EnrolmentErrors.already(existing.id);

      const [counts] = await this.seatCounts(m, [classId], township.id);
      const fits = seatsLeft(counts, e) > 0;
      const enrolment = existing ?? repo.create({ classId, traineeId: trainee.id });
      Object.assign(enrolment, {
        townshipId: township.id,
        status: fits ? 'confirmed' : 'waitlisted',
        waitlistPosition: fits ? null : counts.lastPosition + 1,
        enrolledBy: actor.id,
        confirmedAt: fits ? now : null,
        withdrawnAt: null,
        withdrawalReason: null,
      });
      return repo.save(enrolment);
    });
  }

  /**
   * Withdraws an enrolment. If it held a seat, the first waitlisted trainee who fits
   * both limits takes it in the same transaction (those not yet trained this year first,
   * then by position) and is told. The reason is `self` when the trainee withdraws, `admin`
   * when an admin does.
   */
  async withdraw(actor: AuthUser, enrolmentId: string): Promise<Enrolment> {
    return this.tx.run(async (m) => {
      const peek = await m.getRepository(Enrolment).findOneBy({ id: enrolmentId });
      if (!peek) throw EnrolmentErrors.notFound();
      const c = await this.classes.lockForEnrolment(peek.classId, m);
      const enrolment = await m.getRepository(Enrolment).findOneByOrFail({ id: enrolmentId });
      this.assertMayWithdraw(actor, enrolment, c);
      if (enrolment.status !== 'confirmed' && enrolment.status !== 'waitlisted') {
        throw EnrolmentErrors.notWithdrawable(enrolment.status);
      }
      const heldSeat = enrolment.status === 'confirmed';
      const position = enrolment.waitlistPosition;
      Object.assign(enrolment, {
        status: 'withdrawn',
        waitlistPosition: null,
        withdrawnAt: this.clock.now(),
        withdrawalReason: actor.role === 'admin' ? 'admin' : 'self',
      });
      const saved = await m.getRepository(Enrolment).save(enrolment);
      if (position !== null) await this.closeGap(m, c.entity.id, position);
      if (heldSeat) await this.promoteNext(m, c);
      return saved;
    });
  }

  /**
   * For a trainee choosing classes (the 课程 pages): per class, the seats a new trainee of the
   * caller's township would get now, counted as `enrol` counts them (`seatCounts`, `seatsLeft`),
   * the waitlist's length, and the caller's own enrolment with its waitlist place. Read without
   * the class's lock, so advisory: `enrol` counts again under it, and a seat taken meanwhile
   * becomes a waitlist place there. The classes are the caller's to read (the caller got them
   * from ClassesService); without a township the caller gets no seats (it cannot enrol).
   */
  async placesFor(
    actor: AuthUser,
    classes: Pick<ScopedClass['entity'], 'id' | 'capacity' | 'maxPerTownship'>[],
  ): Promise<TraineePlaces> {
    const m = this.tx.manager;
    const found = await this.orgUnits.townshipOf(actor.orgUnitId, m);
    const township = found ? { id: found.id, name: found.name } : null;
    const out = new Map<string, ClassPlaces>();
    if (classes.length === 0) return { township, classes: out };
    const ids = classes.map((c) => c.id);
    const counts = await this.seatCounts(m, ids, township?.id ?? null);
    const own = await m.getRepository(Enrolment).find({ where: { traineeId: actor.id, classId: In(ids) } });
    for (const c of classes) {
      const n = counts.find((x) => x.classId === c.id)!;
      const mine = own.find((x) => x.classId === c.id);
      out.set(c.id, {
        left: township ? seatsLeft(n, c) : 0,
        waitlisted: n.waitlisted,
        mine: mine ? { id: mine.id, status: mine.status, position: mine.waitlistPosition } : null,
      });
    }
    return { township, classes: out };
  }

  /** The class ends: confirmed trainees completed it; those still waitlisted are withdrawn (`class_completed`). */
  @OnEvent(ClassEvents.completing, { promisify: true, suppressErrors: false })
  async onClassCompleting(event: ClassCompletingEvent): Promise<void> {
    await this.tx.manager.query(
      `UPDATE enrolments SET status = 'completed', updated_at = now() WHERE class_id = $1 AND status = 'confirmed'`,
      [event.classId],
    );
    await this.tx.manager.query(
      `UPDATE enrolments
          SET status = 'withdrawn', withdrawal_reason = 'class_completed', waitlist_position = NULL,
              withdrawn_at = now(), updated_at = now()
        WHERE class_id = $1 AND status = 'waitlisted'`,
      [event.classId],
    );
  }

  /**
   * The class is cancelled: every confirmed and waitlisted enrolment is withdrawn
   * (`class_cancelled`), and each of those trainees gets the `class-cancelled` message, in
   * the class's transaction (a cancellation that rolls back tells nobody).
   */
  @OnEvent(ClassEvents.cancelling, { promisify: true, suppressErrors: false })
  async onClassCancelling(event: ClassCancellingEvent): Promise<void> {
    const m = this.tx.manager;
    const c = await this.classes.lockForEnrolment(event.classId, m);
    // An UPDATE answers [rows, count] through TypeORM's query().
    const [withdrawn] = await m.query<[{ trainee_id: string }[], number]>(
      `UPDATE enrolments
          SET status = 'withdrawn', withdrawal_reason = 'class_cancelled', waitlist_position = NULL,
              withdrawn_at = now(), updated_at = now()
        WHERE class_id = $1 AND status IN ('confirmed', 'waitlisted')
        RETURNING trainee_id`,
      [event.classId],
    );
    const centre = await this.orgUnits.centreName(c.planPath, m);
    // Its next session makes the notice urgent (quiet hours do not hold it back if that is soon).
    const firstSessionAt = (await this.sessions.nextStart(event.classId, new Date(), m))?.toISOString();
    const message = { template: 'class-cancelled', aboutId: event.classId } as const;
    await this.notifications.notify(
      withdrawn.map((r) => r.trainee_id),
      {
        ...message,
        payload: { centre, classTitle: c.entity.title, firstSessionAt },
        key: `class-cancelled:${event.classId}`,
      },
      m,
    );
    // Its trainers too: their teaching is called off with it.
    await this.notifications.notify(
      c.trainerIds,
      {
        ...message,
        payload: { centre, classTitle: c.entity.title, firstSessionAt, toTrainer: true },
        key: `class-cancelled:${event.classId}:trainers`,
      },
      m,
    );
  }

  /** New limits: refuse a cut below the seats already held; fill any new room from the waitlist. */
  @OnEvent(ClassEvents.limitsChanged, { promisify: true, suppressErrors: false })
  async onLimitsChanged(event: ClassLimitsChangedEvent): Promise<void> {
    const m = this.tx.manager;
    const c = await this.classes.lockForEnrolment(event.classId, m);
    const [{ busiest, total }] = await m.query<{ busiest: number; total: number }[]>(
      `SELECT coalesce(max(n), 0)::int AS busiest, coalesce(sum(n), 0)::int AS total FROM (
         SELECT count(*) AS n FROM enrolments WHERE class_id = $1 AND status = 'confirmed' GROUP BY township_id) x`,
      [event.classId],
    );
    if (busiest > c.entity.maxPerTownship || total > c.entity.capacity) throw EnrolmentErrors.limitsBelowEnrolment();
    while (await this.promoteNext(m, c));
  }

  async quota(actor: AuthUser, classId: string): Promise<QuotaDto> {
    const c = await this.classes.getVisible(actor, classId);
    if (actor.role === 'trainee') throw CommonErrors.forbidden();
    const rows = await this.tx.manager.query<{ id: string; name: string; confirmed: number; waitlisted: number }[]>(
      `SELECT t.id, t.name,
              count(e.id) FILTER (WHERE e.status IN ('confirmed', 'completed'))::int AS confirmed,
              count(e.id) FILTER (WHERE e.status = 'waitlisted')::int AS waitlisted
         FROM org_units t
         LEFT JOIN enrolments e ON e.township_id = t.id AND e.class_id = $1
        WHERE t.kind = 'township' AND t.path LIKE $2
        GROUP BY t.id, t.name
        ORDER BY t.name, t.id`,
      [classId, `${c.planPath}%`],
    );
    const { minPerTownship: min, maxPerTownship: max, capacity } = c.entity;
    const contacts = await this.orgUnits.contactsOf(rows.map((r) => r.id));
    return {
      classId,
      capacity,
      confirmed: rows.reduce((a, r) => a + r.confirmed, 0),
      waitlisted: rows.reduce((a, r) => a + r.waitlisted, 0),
      townships: rows.map((r) => ({
        townshipId: r.id,
        name: r.name,
        confirmed: r.confirmed,
        waitlisted: r.waitlisted,
        min,
        max,
        status: quotaStatus(r.confirmed, min, max),
        contacts: contacts.get(r.id) ?? [],
      })),
    };
  }

  /**
   * The class roster by township. A trainee sees only its own township's part (the
   * summary then counts that part), without colleagues' phone numbers, full usernames,
   * education or proficiency (they count as unknown in the mix).
   */
  async roster(actor: AuthUser, classId: string): Promise<RosterDto> {
    const c = await this.classes.getVisible(actor, classId);
    const year = await this.planYear(c);
    let townshipFilter: string | null = null;
    if (actor.role === 'trainee') {
      townshipFilter = (await this.orgUnits.townshipOf(actor.orgUnitId))?.id ?? '00000000-0000-0000-0000-000000000000';
    }
    const rows = await this.tx.manager.query<
      (Omit<RosterEntryDto, 'position'> & { position: number | null; townshipId: string; townshipName: string })[]
    >(
      `SELECT e.id AS "enrolmentId", e.trainee_id AS "traineeId", u.display_name AS "displayName", u.username,
              u.phone, u.education::text AS education, u.proficiency::text AS proficiency, e.status::text AS status,
              e.waitlist_position AS position, ${TRAINED_IN_YEAR} AS "trainedThisYear",
              t.id AS "townshipId", t.name AS "townshipName"
         FROM enrolments e
         JOIN users u ON u.id = e.trainee_id
         JOIN org_units t ON t.id = e.township_id
        WHERE e.class_id = $1 AND e.status <> 'withdrawn' AND ($3::uuid IS NULL OR e.township_id = $3)
        ORDER BY t.name, t.id, (e.status = 'waitlisted'), e.waitlist_position, u.display_name`,
      [classId, year, townshipFilter],
    );
    // A trainee sees who of its township is enrolled, not their phone, full username, schooling or skills.
    const seen = rows.map((r) =>
      actor.role === 'trainee' && r.traineeId !== actor.id
        ? { ...r, phone: null, username: maskDigits(r.username), education: null, proficiency: null }
        : r,
    );
    const counted = seen.filter((r) => r.status === 'confirmed' || r.status === 'completed');
    const mix = { none: 0, basic: 0, intermediate: 0, advanced: 0, unknown: 0 };
    for (const r of counted) mix[(r.proficiency as keyof typeof mix | null) ?? 'unknown']++;
    const townships = new Map<string, RosterDto['townships'][number]>();
    for (const { townshipId, townshipName, position, ...entry } of seen) {
      const group = townships.get(townshipId) ?? { townshipId, name: townshipName, enrolments: [] };
      group.enrolments.push({ ...entry, ...(position !== null && { position }) });
      townships.set(townshipId, group);
    }
    return {
      classId,
      confirmed: counted.length,
      waitlisted: rows.filter((r) => r.status === 'waitlisted').length,
      proficiency: mix,
      townships: [...townships.values()],
    };
  }

  /**
   * Every township of the class's county with its confirmed trainees in the class, fewest
   * first: which townships are below the class's minimum (the enrolment-gap notice).
   */
  async confirmedByTownship(
    classId: string,
    planPath: string,
    m: EntityManager = this.tx.manager,
  ): Promise<{ townshipId: string; name: string; confirmed: number }[]> {
    return m.query(
      `SELECT t.id AS "townshipId", t.name, count(e.id)::int AS confirmed
         FROM org_units t
         LEFT JOIN enrolments e ON e.township_id = t.id AND e.class_id = $1 AND e.status = 'confirmed'
        WHERE t.kind = 'township' AND t.path LIKE $2
        GROUP BY t.id, t.name
        ORDER BY confirmed, t.name, t.id`,
      [classId, `${planPath}%`],
    );
  }

  /**
   * What the console's dashboard chases before enrolment closes: every township below its class's
   * minimum (confirmed trainees, as the enrolment-gap notice counts them; none at all included) in
   * the open classes of the admin's part of the tree whose enrolment runs at `now`. One query
   * (townships under each class's county by the path index's range, see `inSubtree`), ordered by
   * when enrolment closes, then fewest confirmed first.
   */
  async gapsInScope(actor: AuthUser, now: Date): Promise<EnrolmentGap[]> {
    return this.tx.manager.query<EnrolmentGap[]>(
      `SELECT c.id AS "classId", c.title AS "classTitle", c.enrolment_closes_at AS "closesAt",
              c.min_per_township AS min, t.id AS "townshipId", t.name AS "townshipName",
              count(e.id)::int AS confirmed
         FROM classes c
         JOIN plans p ON p.id = c.plan_id
         JOIN org_units o ON o.id = p.org_unit_id
         JOIN org_units t ON t.kind = 'township' AND ${inSubtree('t.path', 'o.path')}
         LEFT JOIN enrolments e ON e.class_id = c.id AND e.township_id = t.id AND e.status = 'confirmed'
        WHERE o.path LIKE $1 AND c.status = 'open' AND c.enrolment_opens_at <= $2 AND c.enrolment_closes_at > $2
        GROUP BY c.id, t.id
       HAVING count(e.id) < c.min_per_township
        ORDER BY c.enrolment_closes_at, c.title, c.id, confirmed, t.name, t.id`,
      [subtreePattern(actor.orgPath), now],
    );
  }

  /**
   * A trainee's enrolments with each class and its sessions (cancelled ones too, so nobody comes
   * in vain). Not paged, and bounded by the data: one enrolment per class and trainee
   * (`uq_enrolments_class_trainee`), and a trainee takes a few classes a year, each of a few
   * dozen sessions. `GET /api/me/enrolments` documents the whole list, and the 我的 page counts
   * person-times over all of it, so cutting it here would make both wrong.
   */
  async mine(actor: AuthUser) {
    const enrolments = await this.tx.manager.getRepository(Enrolment).find({
      where: { traineeId: actor.id },
      order: { createdAt: 'DESC' },
    });
    if (enrolments.length === 0) return [];
    const classIds = enrolments.map((e) => e.classId);
    const classes = await this.tx.manager.query<
      { id: string; title: string; status: ClassStatus; startDate: string; endDate: string }[]
    >(
      `SELECT id, title, status::text, to_char(start_date, 'YYYY-MM-DD') AS "startDate",
              to_char(end_date, 'YYYY-MM-DD') AS "endDate" FROM classes WHERE id = ANY($1::uuid[])`,
      [classIds],
    );
    const sessions = await this.sessions.ofClasses(classIds);
    return enrolments.map((e) => ({
      e,
      class: classes.find((x) => x.id === e.classId)!,
      sessions: sessions.filter((s) => s.classId === e.classId),
    }));
  }

  /**
   * The roster as a file for Excel (`GET /api/classes/:id/enrolments?format=`, the console's
   * downloads): CSV (UTF-8 with BOM) or XLSX, named after the class, for whoever may read it.
   */
  async rosterFile(
    actor: AuthUser,
    classId: string,
    format: 'csv' | 'xlsx',
  ): Promise<{ filename: string; body: Buffer }> {
    const roster = await this.roster(actor, classId);
    const c = await this.classes.getVisible(actor, classId);
    const filename = `${c.entity.title}-花名册.${format}`;
    return { filename, body: format === 'csv' ? rosterCsv(roster) : await rosterXlsx(roster, c.entity.title) };
  }

  /**
   * Enrolments that hold a seat in a class (confirmed, or completed once it ended), with
   * trainee and township, ordered by township and name: whom attendance is taken for.
   * With `lock`, the enrolment rows are share-locked for the transaction: a withdrawal
   * waits for it, or (having committed first) is seen.
   */
  async seated(classId: string, m: EntityManager = this.tx.manager, lock = false): Promise<EnrolledTrainee[]> {
    return m.query<EnrolledTrainee[]>(
      `${PEOPLE_SQL}
        WHERE e.class_id = $1 AND e.status IN ('confirmed', 'completed')
        ORDER BY t.name, t.id, u.display_name, e.id
        ${lock ? 'FOR SHARE OF e' : ''}`,
      [classId],
    );
  }

  /**
   * Everyone who held a seat in the class: seated now (as in `seated`) or withdrawn after
   * being confirmed (never from the waitlist only), ordered as in `seated`.
   */
  async everSeated(classId: string, m: EntityManager = this.tx.manager): Promise<EnrolledTrainee[]> {
    return m.query<EnrolledTrainee[]>(
      `${PEOPLE_SQL}
        WHERE e.class_id = $1
          AND (e.status IN ('confirmed', 'completed') OR (e.status = 'withdrawn' AND e.confirmed_at IS NOT NULL))
        ORDER BY t.name, t.id, u.display_name, e.id`,
      [classId],
    );
  }

  /** Enrolments by id, whatever their status, with trainee and township (as in `seated`). */
  async describe(enrolmentIds: string[], m: EntityManager = this.tx.manager): Promise<EnrolledTrainee[]> {
    if (enrolmentIds.length === 0) return [];
    return m.query<EnrolledTrainee[]>(
      `${PEOPLE_SQL}
        WHERE e.id = ANY($1::uuid[])
        ORDER BY t.name, t.id, u.display_name, e.id`,
      [enrolmentIds],
    );
  }

  /** The trainee's seat in the class, if it holds one; with `lock`, share-locked (as in `seated`). */
  async seatOf(
    classId: string,
    traineeId: string,
    m: EntityManager = this.tx.manager,
    lock = false,
  ): Promise<Enrolment | null> {
    const qb = m
      .getRepository(Enrolment)
      .createQueryBuilder('e')
      .where('e.class_id = :classId AND e.trainee_id = :traineeId', { classId, traineeId })
      .andWhere(`e.status IN ('confirmed', 'completed')`);
    if (lock) qb.setLock('pessimistic_read');
    return qb.getOne();
  }

  private async planYear(c: ScopedClass): Promise<number> {
    const [{ year }] = await this.tx.manager.query<{ year: number }[]>(`SELECT year FROM plans WHERE id = $1`, [
      c.entity.planId,
    ]);
    return year;
  }

  /** The trainee to enrol: the caller itself, or (admins) an active trainee in the admin's subtree and the class's county. */
  private async loadTrainee(actor: AuthUser, id: string, c: ScopedClass, m: EntityManager): Promise<TraineeRow> {
    const [row] = await m.query<TraineeRow[]>(
      `SELECT u.id, u.org_unit_id, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.id = $1 AND u.role = 'trainee' AND u.active`,
      [id],
    );
    const inScope = row && isWithin(row.path, actor.orgPath) && isWithin(row.path, c.planPath);
    if (!inScope) throw actor.role === 'trainee' ? ClassErrors.notFound() : EnrolmentErrors.traineeNotFound();
    return row;
  }

  private assertMayWithdraw(actor: AuthUser, enrolment: Enrolment, c: ScopedClass): void {
    if (actor.role === 'trainee') {
      if (enrolment.traineeId !== actor.id) throw EnrolmentErrors.notFound();
      if (!mayWithdraw(c.entity, this.clock.now(), this.env.TZ_DEFAULT)) throw EnrolmentErrors.withdrawClosed();
      return;
    }
    if (actor.role !== 'admin' || !isWithin(c.planPath, actor.orgPath)) throw EnrolmentErrors.notFound();
    if (c.entity.status === 'completed' || c.entity.status === 'cancelled') {
      throw EnrolmentErrors.notWithdrawable(c.entity.status);
    }
  }

  /**
   * The counts a class's limits are checked against, one row per class id (in order, zeros
   * for a class without enrolments): confirmed trainees of `townshipId` (0 when null) and of
   * the class, the waitlist's length and its last position. `enrol` reads them under the
   * class's lock; `placesFor` reads the same without it.
   */
  private async seatCounts(m: EntityManager, classIds: string[], townshipId: string | null): Promise<SeatCountRow[]> {
    return m.query<SeatCountRow[]>(
      `SELECT c.id AS "classId",
              count(e.id) FILTER (WHERE e.status = 'confirmed' AND e.township_id = $2)::int AS "townshipConfirmed",
              count(e.id) FILTER (WHERE e.status = 'confirmed')::int AS "classConfirmed",
              count(e.id) FILTER (WHERE e.status = 'waitlisted')::int AS waitlisted,
              coalesce(max(e.waitlist_position), 0)::int AS "lastPosition"
         FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, n)
         LEFT JOIN enrolments e ON e.class_id = c.id
        GROUP BY c.id, c.n
        ORDER BY c.n`,
      [classIds, townshipId],
    );
  }

  /** Moves everyone behind `position` one place up: the waitlist stays 1..n without gaps. */
  private async closeGap(m: EntityManager, classId: string, position: number): Promise<void> {
    await m.query(
      `UPDATE enrolments SET waitlist_position = waitlist_position - 1, updated_at = now()
        WHERE class_id = $1 AND status = 'waitlisted' AND waitlist_position > $2`,
      [classId, position],
    );
  }

  /**
   * Gives one free seat to the first waitlisted trainee who fits; false when nobody does.
   * Deactivated accounts are passed over (they keep their place, should they come back).
   */
  private async promoteNext(m: EntityManager, c: ScopedClass): Promise<boolean> {
    const year = await this.planYear(c);
    const { id: classId, maxPerTownship, capacity } = c.entity;
    const [next] = await m.query<{ id: string; trainee_id: string; waitlist_position: number }[]>(
      `WITH counts AS (
         SELECT township_id, count(*) FILTER (WHERE status = 'confirmed') AS confirmed
           FROM enrolments WHERE class_id = $1 GROUP BY township_id),
       total AS (SELECT count(*) AS confirmed FROM enrolments WHERE class_id = $1 AND status = 'confirmed')
       SELECT e.id, e.trainee_id, e.waitlist_position
         FROM enrolments e
         JOIN users u ON u.id = e.trainee_id AND u.active
         LEFT JOIN counts ON counts.township_id = e.township_id, total
        WHERE e.class_id = $1 AND e.status = 'waitlisted'
          AND coalesce(counts.confirmed, 0) < $3 AND total.confirmed < $4
        ORDER BY ${TRAINED_IN_YEAR} ASC, e.waitlist_position ASC
        LIMIT 1`,
      [classId, year, maxPerTownship, capacity],
    );
    if (!next) return false;
    await m.query(
      `UPDATE enrolments SET status = 'confirmed', waitlist_position = NULL, confirmed_at = now(), updated_at = now()
        WHERE id = $1`,
      [next.id],
    );
    await this.closeGap(m, classId, next.waitlist_position);
    await this.notifications.notify(
      [next.trainee_id],
      {
        template: 'enrolment-promoted',
        payload: {
          centre: await this.orgUnits.centreName(c.planPath, m),
          classTitle: c.entity.title,
          startDate: c.entity.startDate,
        },
        key: `enrolment-promoted:${next.id}:${Date.now()}`,
        aboutId: classId,
      },
      m,
    );
    return true;
  }
}
