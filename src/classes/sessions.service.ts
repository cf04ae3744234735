import { DomainError } from '../common/errors/domain-error';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { localDate, localDayBounds } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { PlansService } from '../plans/plans.service';
import { VenuesService } from '../venues/venues.service';
import { isEditable } from './class-status';
import { ClassSession } from './class-session.entity';
import { ClassErrors, SessionErrors } from './classes.errors';
import {
  ClassEvents,
  type SessionCancelledEvent,
  type SessionCancellingEvent,
  type SessionChangingEvent,
  type SessionRescheduledEvent,
  type SessionScheduledEvent,
} from './classes.events';
import { ClassesService, type ScopedClass } from './classes.service';
import type { CreateClassDto } from './dto/class.dto';
import type {
  CreateSessionsDto,
  ListSessionsQueryDto,
  RecurrenceDto,
  SearchSessionsQueryDto,
  UpdateSessionDto,
} from './dto/session.dto';
import { expandRecurrence, type Occurrence, RecurrenceError } from './recurrence';

interface Slot {
  startsAt: Date;
  endsAt: Date;
  /** Null only for a slot rebuilt from a venue conflict, to look the other booking up. */
  trainerId: string | null;
  venueId: string | null;
  /** The session being moved, which must not conflict with itself. */
  selfId?: string;
}

const MAX_SESSION_MS = 12 * 60 * 60 * 1000;

@Injectable()
export class SessionsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly plans: PlansService,
    private readonly venues: VenuesService,
    private readonly events: EventEmitter2,
    private readonly env: Env,
  ) {}

  private get zone(): string {
    return this.env.TZ_DEFAULT;
  }

  async listForClass(actor: AuthUser, classId: string, query: ListSessionsQueryDto): Promise<Page<ClassSession>> {
    await this.classes.getVisible(actor, classId);
    const qb = this.tx.manager
      .getRepository(ClassSession)
      .createQueryBuilder('s')
      .where('s.class_id = :classId', { classId })
      .orderBy('s.starts_at')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.includeCancelled !== 'true') qb.andWhere(`s.status = 'scheduled'`);
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /**
   * Sessions in the caller's part of the organisation, in time order: an admin's, every
   * session of its subtree's classes; a trainer's, the sessions of the classes it teaches;
   * a trainee's, the sessions of the (announced) classes it holds a seat in. Filtered by a
   * time range (sessions overlapping [from, to)), trainer and class: a trainer's "today", an
   * admin's week.
   */
  async search(actor: AuthUser, query: SearchSessionsQueryDto): Promise<Page<ClassSession>> {
    if (query.from && query.to && new Date(query.from) >= new Date(query.to)) throw SessionErrors.rangeOrder();
    const qb = this.tx.manager
      .getRepository(ClassSession)
      .createQueryBuilder('s')
      .innerJoin('classes', 'c', 'c.id = s.class_id')
      .orderBy('s.starts_at')
      .addOrderBy('s.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    switch (actor.role) {
      case 'admin':
        qb.innerJoin('plans', 'p', 'p.id = c.plan_id')
          .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
          .where('o.path LIKE :scope', { scope: subtreePattern(actor.orgPath) });
        break;
      case 'trainer':
        qb.where('EXISTS (SELECT 1 FROM class_trainers ct WHERE ct.class_id = c.id AND ct.trainer_id = :me)', {
          me: actor.id,
        });
        break;
      case 'trainee':
        qb.where(
          `c.status <> 'draft' AND EXISTS (SELECT 1 FROM enrolments e WHERE e.class_id = c.id
             AND e.trainee_id = :me AND e.status IN ('confirmed', 'completed'))`,
          { me: actor.id },
        );
        break;
    }
    if (query.includeCancelled !== 'true') qb.andWhere(`s.status = 'scheduled'`);
    if (query.from) qb.andWhere('s.ends_at > :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('s.starts_at < :to', { to: new Date(query.to) });
    if (query.trainerId) qb.andWhere('s.trainer_id = :trainerId', { trainerId: query.trainerId });
    if (query.classId) qb.andWhere('s.class_id = :classId', { classId: query.classId });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /**
   * Every session of a plan's classes, in time order (admins of the plan's county). One
   * SQL query with the total as a window count: a calendar view asks for this often, and
   * TypeORM's skip/take over a join would add a DISTINCT pass and a second count query.
   */
  async listForPlan(actor: AuthUser, planId: string, query: ListSessionsQueryDto): Promise<Page<ClassSession>> {
    await this.plans.getInScope(actor, planId);
    const rows = await this.tx.manager.query<(ClassSession & { total: number })[]>(
      `SELECT s.id, s.class_id AS "classId", s.starts_at AS "startsAt", s.ends_at AS "endsAt",
              s.trainer_id AS "trainerId", s.venue_id AS "venueId", s.topic, s.what_to_bring AS "whatToBring", s.status, s.sequence,
              s.cancelled_at AS "cancelledAt", count(*) OVER ()::int AS total
         FROM sessions s JOIN classes c ON c.id = s.class_id
        WHERE c.plan_id = $1 AND ($2 OR s.status = 'scheduled')
        ORDER BY s.starts_at, s.id
        LIMIT $3 OFFSET $4`,
      [planId, query.includeCancelled === 'true', query.pageSize, (query.page - 1) * query.pageSize],
    );
    const total = rows[0]?.total ?? (query.page > 1 ? await this.countForPlan(planId, query) : 0);
    return pageOf(rows, total, query);
  }

  /** The total when the asked page is past the end (the window count then has no row to ride on). */
  private async countForPlan(planId: string, query: ListSessionsQueryDto): Promise<number> {
    const [{ total }] = await this.tx.manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM sessions s JOIN classes c ON c.id = s.class_id
        WHERE c.plan_id = $1 AND ($2 OR s.status = 'scheduled')`,
      [planId, query.includeCancelled === 'true'],
    );
    return total;
  }

  /**
   * A session of a class the admin manages, with its class; SESSION_NOT_FOUND when there is
   * none or it lies outside the admin's part of the tree (the console's session page).
   */
  async getManagedView(actor: AuthUser, id: string): Promise<{ s: ClassSession; c: ScopedClass }> {
    const s = await this.tx.manager.getRepository(ClassSession).findOneBy({ id });
    if (!s) throw SessionErrors.notFound();
    try {
      return { s, c: await this.classes.getManaged(actor, s.classId) };
    } catch (e) {
      // Outside the admin's part of the tree: the session is not there for it. Anything else goes on.
      if (e instanceof DomainError && e.code === 'CLASS_NOT_FOUND') throw SessionErrors.notFound();
      throw e;
    }
  }

  /**
   * The dates a recurrence gives between a class's first and last local day, exactly as
   * `create` expands them (exdates skipped, at most 200), or its refusal as a DomainError
   * (INVALID_RRULE, RECURRENCE_TOO_LONG, RECURRENCE_EMPTY). Nothing is saved: a preview.
   */
  expandFor(startDate: string, endDate: string, recurrence: RecurrenceDto): Occurrence[] {
    try {
      return expandRecurrence(recurrence, startDate, endDate, this.zone);
    } catch (e) {
      if (e instanceof RecurrenceError) throw SessionErrors.recurrence(e);
      throw e;
    }
  }

  /**
   * A new class and its first sessions (one, or a recurrence) in one transaction: if the
   * sessions are refused (a bad rule, a double booking), the class is not created either.
   */
  async createClassWithSessions(
    actor: AuthUser,
    classDto: CreateClassDto,
    sessionsDto: CreateSessionsDto,
  ): Promise<{ c: ScopedClass; sessions: ClassSession[] }> {
    return this.tx.run(async () => {
      const c = await this.classes.create(actor, classDto);
      const sessions = await this.create(actor, c.entity.id, sessionsDto);
      return { c, sessions };
    });
  }

  async create(actor: AuthUser, classId: string, dto: CreateSessionsDto): Promise<ClassSession[]> {
    if (dto.recurrence && (dto.startsAt !== undefined || dto.endsAt !== undefined)) {
      throw SessionErrors.timesOrRecurrence();
    }
    const created = await this.withConflictReport(() =>
      this.tx.run(async (m) => {
        const c = await this.classes.getManaged(actor, classId, m, true);
        if (!isEditable(c.entity.status)) throw ClassErrors.notEditable(c.entity.status);
        const trainerId = this.pickTrainer(c, dto.trainerId);
        const venueId = dto.venueId ?? c.entity.venueId;
        if (dto.venueId) await this.venues.getUnder(c.planPath, dto.venueId, m);
        const times = dto.recurrence
          ? this.expand(c, dto.recurrence)
          : [{ startsAt: new Date(dto.startsAt!), endsAt: new Date(dto.endsAt!) }];
        const slots = times.map((t) => ({ ...t, trainerId, venueId }));
        for (const slot of slots) this.assertFits(c, slot);
        await this.assertNoConflict(m, slots);
        const repo = m.getRepository(ClassSession);
        const saved = await repo.save(
          slots.map((s) =>
            repo.create({
              ...s,
              classId,
              topic: dto.topic ?? null,
              whatToBring: dto.whatToBring ?? null,
              status: 'scheduled',
            }),
          ),
        );
        this.tx.afterCommit(() => {
          for (const s of saved) {
            this.events.emit(ClassEvents.sessionScheduled, {
              sessionId: s.id,
              classId,
              startsAt: s.startsAt.toISOString(),
            } satisfies SessionScheduledEvent);
          }
        });
        return saved;
      }),
    );
    return created;
  }

  async update(actor: AuthUser, id: string, dto: UpdateSessionDto): Promise<ClassSession> {
    const updated = await this.withConflictReport(() =>
      this.tx.run(async (m) => {
        const { s: session, c } = await this.getManaged(actor, id, m);
        if (!isEditable(c.entity.status)) throw ClassErrors.notEditable(c.entity.status);
        if (session.status === 'cancelled') throw SessionErrors.cancelled();
        if (dto.venueId) await this.venues.getUnder(c.planPath, dto.venueId, m);
        const slot: Slot = {
          startsAt: dto.startsAt !== undefined ? new Date(dto.startsAt) : session.startsAt,
          endsAt: dto.endsAt !== undefined ? new Date(dto.endsAt) : session.endsAt,
          trainerId: dto.trainerId !== undefined ? this.pickTrainer(c, dto.trainerId) : session.trainerId,
          venueId: dto.venueId !== undefined ? dto.venueId : session.venueId,
          selfId: session.id,
        };
        this.assertFits(c, slot);
        await this.assertNoConflict(m, [slot]);
        const previousStartsAt = session.startsAt;
        const previousVenueId = session.venueId;
        Object.assign(session, {
          startsAt: slot.startsAt,
          endsAt: slot.endsAt,
          trainerId: slot.trainerId,
          venueId: slot.venueId,
          ...(dto.topic !== undefined && { topic: dto.topic }),
          ...(dto.whatToBring !== undefined && { whatToBring: dto.whatToBring }),
          sequence: session.sequence + 1,
        });
        const saved = await m.getRepository(ClassSession).save(session);
        const moved = saved.startsAt.getTime() !== previousStartsAt.getTime();
        if (moved || saved.venueId !== previousVenueId) {
          await this.events.emitAsync(ClassEvents.sessionChanging, {
            sessionId: saved.id,
            classId: saved.classId,
            previousStartsAt: previousStartsAt.toISOString(),
            startsAt: saved.startsAt.toISOString(),
            moved,
            sequence: saved.sequence,
          } satisfies SessionChangingEvent);
        }
        if (moved) {
          this.tx.afterCommit(() =>
            this.events.emit(ClassEvents.sessionRescheduled, {
              sessionId: saved.id,
              classId: saved.classId,
              previousStartsAt: previousStartsAt.toISOString(),
              startsAt: saved.startsAt.toISOString(),
              sequence: saved.sequence,
            } satisfies SessionRescheduledEvent),
          );
        }
        return saved;
      }),
    );
    return updated;
  }

  /** Cancels (never deletes) a session; cancelling again changes nothing. */
  async cancel(actor: AuthUser, id: string): Promise<ClassSession> {
    return this.tx.run(async (m) => {
      const { s, c } = await this.getManaged(actor, id, m);
      if (s.status === 'cancelled') return s;
      if (c.entity.status === 'completed') throw ClassErrors.notEditable(c.entity.status);
      Object.assign(s, { status: 'cancelled', cancelledAt: new Date(), sequence: s.sequence + 1 });
      const saved = await m.getRepository(ClassSession).save(s);
      await this.events.emitAsync(ClassEvents.sessionCancelling, {
        sessionId: saved.id,
        classId: saved.classId,
        startsAt: saved.startsAt.toISOString(),
      } satisfies SessionCancellingEvent);
      this.tx.afterCommit(() =>
        this.events.emit(ClassEvents.sessionCancelled, {
          sessionId: saved.id,
          classId: saved.classId,
          startsAt: saved.startsAt.toISOString(),
        } satisfies SessionCancelledEvent),
      );
      return saved;
    });
  }

  /** When the class's next scheduled session starts after `now`, if it has one; no access check. */
  async nextStart(classId: string, now: Date, m: EntityManager = this.tx.manager): Promise<Date | undefined> {
    const [row] = await m.query<{ next: Date | null }[]>(
      `SELECT min(starts_at) AS next FROM sessions WHERE class_id = $1 AND status = 'scheduled' AND starts_at > $2`,
      [classId, now],
    );
    return row?.next ? new Date(row.next) : undefined;
  }

  /** Scheduled sessions starting in (from, until] of classes in these statuses, soonest first; no access check. */
  async upcoming(
    classStatuses: string[],
    from: Date,
    until: Date,
    limit: number,
  ): Promise<{ id: string; startsAt: Date }[]> {
    return this.tx.manager.query(
      `SELECT s.id, s.starts_at AS "startsAt" FROM sessions s JOIN classes c ON c.id = s.class_id
        WHERE s.status = 'scheduled' AND s.starts_at > $1 AND s.starts_at <= $2 AND c.status::text = ANY($3::text[])
        ORDER BY s.starts_at LIMIT $4`,
      [from, until, classStatuses, limit],
    );
  }

  /** Every session of the given classes, cancelled ones too, in time order; no access check. */
  ofClasses(classIds: string[]): Promise<ClassSession[]> {
    if (classIds.length === 0) return Promise.resolve([]);
    return this.tx.manager
      .getRepository(ClassSession)
      .find({ where: { classId: In(classIds) }, order: { startsAt: 'ASC', id: 'ASC' } });
  }

  /**
   * A session with its class, for steps on that session's attendance; no access check.
   * With `lock` the session row is locked for the transaction: every write to a session's
   * attendance holds it, so those writes run one at a time per session and each sees the
   * last one's result. (Only the session is locked, never the class after it: class steps
   * lock the class first, then sessions, so there is no lock cycle.)
   */
  async getWithClass(
    id: string,
    m: EntityManager = this.tx.manager,
    lock = false,
  ): Promise<{ s: ClassSession; c: ScopedClass }> {
    const s = await m
      .getRepository(ClassSession)
      .findOne({ where: { id }, ...(lock && { lock: { mode: 'pessimistic_write' as const } }) });
    const c = s && (await this.classes.find(s.classId, m));
    if (!s || !c) throw SessionErrors.notFound();
    return { s, c };
  }

  /** What a printout names for a session: its venue and its trainer (null when none). */
  async labels(id: string): Promise<{ venue: string | null; trainer: string | null }> {
    const [row] = await this.tx.manager.query<{ venue: string | null; trainer: string | null }[]>(
      `SELECT v.name AS venue, u.display_name AS trainer
         FROM sessions s LEFT JOIN venues v ON v.id = s.venue_id LEFT JOIN users u ON u.id = s.trainer_id
        WHERE s.id = $1`,
      [id],
    );
    if (!row) throw SessionErrors.notFound();
    return row;
  }

  /**
   * A session whose class the admin manages, with that class; both locked for this
   * transaction, the class first (as class steps that touch sessions do: no lock cycle).
   */
  private async getManaged(
    actor: AuthUser,
    id: string,
    m: EntityManager,
  ): Promise<{ s: ClassSession; c: ScopedClass }> {
    const peek = await m.getRepository(ClassSession).findOneBy({ id });
    if (!peek) throw SessionErrors.notFound();
    let c: ScopedClass;
    try {
      c = await this.classes.getManaged(actor, peek.classId, m, true);
    } catch {
      throw SessionErrors.notFound();
    }
    const s = await m.getRepository(ClassSession).findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
    return { s, c };
  }

  /**
   * The session's trainer: the one asked for (must teach the class), else the class's only
   * trainer. A class with several needs it named: a session always has its trainer, so the
   * overlap constraint sees every booking.
   */
  private pickTrainer(c: ScopedClass, requested: string | undefined): string {
    if (requested) {
      if (!c.trainerIds.includes(requested)) throw SessionErrors.trainerNotInClass();
      return requested;
    }
    if (c.trainerIds.length !== 1) throw SessionErrors.trainerRequired();
    return c.trainerIds[0];
  }

  private expand(c: ScopedClass, recurrence: NonNullable<CreateSessionsDto['recurrence']>) {
    return this.expandFor(c.entity.startDate, c.entity.endDate, recurrence);
  }

  /** Inside the class's local dates, ends after it starts, at most 12 hours. */
  private assertFits(c: ScopedClass, slot: Slot): void {
    if (slot.endsAt <= slot.startsAt) throw SessionErrors.timeOrder();
    if (slot.endsAt.getTime() - slot.startsAt.getTime() > MAX_SESSION_MS) throw SessionErrors.tooLong();
    const first = localDayBounds(c.entity.startDate, this.zone).start;
    const afterLast = localDayBounds(c.entity.endDate, this.zone).end;
    if (slot.startsAt < first || slot.endsAt > afterLast) {
      throw SessionErrors.outsideClassDates(localDate(slot.startsAt, this.zone));
    }
  }

  /**
   * The first live session that shares a trainer or a venue with one of the slots and
   * overlaps it. This gives a friendly 409; the exclusion constraints are what make the
   * rule hold when requests race.
   */
  private async findConflict(m: EntityManager, slots: Slot[]) {
    const rows = await m.query<{ id: string; starts_at: Date; same_trainer: boolean }[]>(
      `SELECT s.id, s.starts_at, (s.trainer_id = c.trainer_id) AS same_trainer
         FROM unnest($1::timestamptz[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::uuid[])
              WITH ORDINALITY AS c(starts_at, ends_at, trainer_id, venue_id, self_id, n)
         JOIN sessions s
           ON s.status = 'scheduled'
          AND tstzrange(s.starts_at, s.ends_at) && tstzrange(c.starts_at, c.ends_at)
          AND (s.trainer_id = c.trainer_id OR s.venue_id = c.venue_id)
          AND s.id IS DISTINCT FROM c.self_id
        ORDER BY c.n, s.starts_at
        LIMIT 1`,
      [
        slots.map((s) => s.startsAt),
        slots.map((s) => s.endsAt),
        slots.map((s) => s.trainerId),
        slots.map((s) => s.venueId),
        slots.map((s) => s.selfId ?? null),
      ],
    );
    const r = rows[0];
    return r
      ? { id: r.id, startsAt: new Date(r.starts_at), with: r.same_trainer ? ('trainer' as const) : ('venue' as const) }
      : undefined;
  }

  private async assertNoConflict(m: EntityManager, slots: Slot[]): Promise<void> {
    const conflict = await this.findConflict(m, slots);
    if (conflict) throw SessionErrors.conflict(conflict);
    // Two slots of the same request overlapping each other (e.g. a dense recurrence).
    const sorted = [...slots].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].startsAt < sorted[i - 1].endsAt) throw SessionErrors.conflict(undefined);
    }
  }

  /**
   * Runs a booking; if a concurrent booking won the race (the exclusion constraint
   * refused ours), reports which session it was, looked up outside the failed transaction.
   */
  private withConflictReport<T>(work: () => Promise<T>): Promise<T> {
    return this.tx.mapViolations(work, async (v, fresh) => {
      if (v.kind !== 'exclusion') return undefined;
      // detail: Key (trainer_id, tstzrange(starts_at, ends_at))=(<id>, ["<from>","<to>")) conflicts with existing key (...)
      const m = /^Key \((\w+)_id, tstzrange\(starts_at, ends_at\)\)=\(([0-9a-f-]+), \["([^"]+)","([^"]+)"\)\)/.exec(
        v.detail,
      );
      if (!m) return SessionErrors.conflict(undefined);
      const slot: Slot = {
        startsAt: new Date(m[3]),
        endsAt: new Date(m[4]),
        trainerId: m[1] === 'trainer' ? m[2] : null,
        venueId: m[1] === 'venue' ? m[2] : null,
      };
      return SessionErrors.conflict(await this.findConflict(fresh, [slot]));
    });
  }
}
