import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { ancestorPaths, subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { isIsoDate, localDayBounds, quarterOf } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { CoursesService } from '../courses/courses.service';
import { isWithin } from '../org-units/org-units.service';
import { PlansService } from '../plans/plans.service';
import { UsersService } from '../users/users.service';
import { VenuesService } from '../venues/venues.service';
import { DEFAULT_ATTENDANCE_POINTS, pointsOf, pointsPossible, toColumns } from './attendance-points';
import { type ClassAction, isEditable, TRANSITIONS } from './class-status';
import { ClassTrainer } from './class-trainer.entity';
import { ClassTransition } from './class-transition.entity';
import { ClassErrors } from './classes.errors';
import { ClassEvents, type ClassStatusChangedEvent, type SessionCancelledEvent } from './classes.events';
import type { CreateClassDto, ListClassesQueryDto, UpdateClassDto } from './dto/class.dto';
import { TrainingClass } from './training-class.entity';

/** A class with the path of its plan's org unit (its scope) and its trainers. */
export interface ScopedClass {
  entity: TrainingClass;
  planPath: string;
  trainerIds: string[];
}

/**
 * Whether a quiz is one of a class's. The quizzes module answers it (it imports this module, so
 * this one cannot import it back) and registers the answer at start: see registerRequiredQuizCheck.
 */
export type RequiredQuizCheck = (quizId: string, classId: string, m: EntityManager) => Promise<boolean>;

/** Classes trainees may see: announced ones. */
const VISIBLE_TO_TRAINEES = ['open', 'running', 'completed'];

@Injectable()
export class ClassesService {
  private requiredQuizCheck?: RequiredQuizCheck;

  constructor(
    private readonly tx: TransactionService,
    private readonly plans: PlansService,
    private readonly courses: CoursesService,
    private readonly venues: VenuesService,
    private readonly users: UsersService,
    private readonly events: EventEmitter2,
    private readonly env: Env,
  ) {}

  /** Called once by the quizzes module: how `requiredQuizId` is checked to be a quiz of the class. */
  registerRequiredQuizCheck(check: RequiredQuizCheck): void {
    this.requiredQuizCheck = check;
  }

  private async load(id: string, m: EntityManager, lock: boolean | 'share' = false): Promise<ScopedClass | undefined> {
    const qb = m
      .getRepository(TrainingClass)
      .createQueryBuilder('c')
      .innerJoin('plans', 'p', 'p.id = c.plan_id')
      .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
      .addSelect('o.path', 'plan_path')
      .where('c.id = :id', { id });
    if (lock) qb.setLock(lock === 'share' ? 'pessimistic_read' : 'pessimistic_write', undefined, ['c']);
    const { entities, raw } = await qb.getRawAndEntities<{ plan_path: string }>();
    if (!entities[0]) return undefined;
    const trainers = await m.getRepository(ClassTrainer).find({ where: { classId: id }, order: { trainerId: 'ASC' } });
    return { entity: entities[0], planPath: raw[0].plan_path, trainerIds: trainers.map((t) => t.trainerId) };
  }

  /** A class with its scope and trainers, or undefined. No access check: callers apply canRead or their own rule. */
  find(id: string, m: EntityManager = this.tx.manager): Promise<ScopedClass | undefined> {
    return this.load(id, m);
  }

  /** Ids of the courses of the classes (any status) a trainer teaches: whose question banks it maintains. */
  async courseIdsTaughtBy(trainerId: string): Promise<string[]> {
    const rows = await this.tx.manager.query<{ course_id: string }[]>(
      `SELECT DISTINCT c.course_id FROM classes c JOIN class_trainers ct ON ct.class_id = c.id WHERE ct.trainer_id = $1`,
      [trainerId],
    );
    return rows.map((r) => r.course_id);
  }

  /** Open classes whose enrolment has not closed at `now`, with its window; no access check. */
  async enrollingAt(now: Date): Promise<{ id: string; enrolmentOpensAt: Date; enrolmentClosesAt: Date }[]> {
    return this.tx.manager.query(
      `SELECT id, enrolment_opens_at AS "enrolmentOpensAt", enrolment_closes_at AS "enrolmentClosesAt" FROM classes
        WHERE status = 'open' AND enrolment_closes_at > $1 ORDER BY enrolment_closes_at`,
      [now],
    );
  }

  /** Who may read a class: admins of its county, its trainers, trainees of its county once announced. */
  canRead(actor: AuthUser, c: ScopedClass): boolean {
    switch (actor.role) {
      case 'admin':
        return isWithin(c.planPath, actor.orgPath);
      case 'trainer':
        return c.trainerIds.includes(actor.id);
      case 'trainee':
        return isWithin(actor.orgPath, c.planPath) && VISIBLE_TO_TRAINEES.includes(c.entity.status);
    }
  }

  async getVisible(actor: AuthUser, id: string): Promise<ScopedClass> {
    const c = await this.load(id, this.tx.manager);
    if (!c || !this.canRead(actor, c)) throw ClassErrors.notFound();
    return c;
  }

  /** A class an admin manages (its plan is inside the admin's subtree), optionally locked for the transaction. */
  async getManaged(
    actor: AuthUser,
    id: string,
    m: EntityManager = this.tx.manager,
    lock = false,
  ): Promise<ScopedClass> {
    const c = await this.load(id, m, lock);
    if (!c || actor.role !== 'admin' || !isWithin(c.planPath, actor.orgPath)) throw ClassErrors.notFound();
    return c;
  }

  /**
   * The class row, share-locked for this transaction: a step that changes the class (cancel,
   * complete, edit) waits for this one, or has committed and is seen; readers do not wait on each other.
   */
  async lockForReading(id: string, m: EntityManager): Promise<ScopedClass> {
    const c = await this.load(id, m, 'share');
    if (!c) throw ClassErrors.notFound();
    return c;
  }

  /** The class row, locked for this transaction: enrolment steps of one class run one at a time. */
  async lockForEnrolment(id: string, m: EntityManager): Promise<ScopedClass> {
    const c = await this.load(id, m, true);
    if (!c) throw ClassErrors.notFound();
    return c;
  }

  async transitions(classId: string): Promise<ClassTransition[]> {
    return this.tx.manager.getRepository(ClassTransition).find({ where: { classId }, order: { at: 'ASC' } });
  }

  async list(actor: AuthUser, query: ListClassesQueryDto): Promise<Page<ScopedClass>> {
    const qb = this.listQuery(actor, query);
    const total = await qb.clone().getCount();
    const { entities, raw } = await qb.getRawAndEntities<{ plan_path: string }>();
    const trainers = entities.length
      ? await this.tx.manager
          .getRepository(ClassTrainer)
          .createQueryBuilder('t')
          .where('t.class_id IN (:...ids)', { ids: entities.map((e) => e.id) })
          .orderBy('t.trainer_id')
          .getMany()
      : [];
    const items = entities.map((entity, i) => ({
      entity,
      planPath: raw[i].plan_path,
      trainerIds: trainers.filter((t) => t.classId === entity.id).map((t) => t.trainerId),
    }));
    return pageOf(items, total, query);
  }

  /**
   * The classes a caller may list, as one query on the org tree's path index: an admin's
   * subtree is a prefix range, a trainee's county one of the units above it (`= ANY` of its
   * ancestors' paths, not `myPath LIKE o.path || '%'`, which reads every unit).
   */
  listQuery(actor: AuthUser, query: ListClassesQueryDto) {
    const qb = this.tx.manager
      .getRepository(TrainingClass)
      .createQueryBuilder('c')
      .innerJoin('plans', 'p', 'p.id = c.plan_id')
      .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
      .addSelect('o.path', 'plan_path')
      .orderBy('c.start_date', 'DESC')
      .addOrderBy('c.title')
      .offset((query.page - 1) * query.pageSize)
      .limit(query.pageSize);
    switch (actor.role) {
      case 'admin':
        qb.where('o.path LIKE :scope', { scope: subtreePattern(actor.orgPath) });
        break;
      case 'trainer':
        qb.where('EXISTS (SELECT 1 FROM class_trainers ct WHERE ct.class_id = c.id AND ct.trainer_id = :me)', {
          me: actor.id,
        });
        break;
      case 'trainee':
        qb.where('o.path IN (:...above)', { above: ancestorPaths(actor.orgPath) }).andWhere(
          'c.status IN (:...visible)',
          { visible: VISIBLE_TO_TRAINEES },
        );
        break;
    }
    if (query.planId) qb.andWhere('c.plan_id = :planId', { planId: query.planId });
    if (query.quarter) qb.andWhere('c.quarter = :quarter', { quarter: query.quarter });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.year) qb.andWhere('p.year = :year', { year: query.year });
    return qb;
  }

  async create(actor: AuthUser, dto: CreateClassDto): Promise<ScopedClass> {
    const created = await this.tx.run(async (m) => {
      // The course, venue and trainers must belong to the class's own county (the plan's unit).
      const { plan, unitPath } = await this.plans.getScoped(actor, dto.planId, m);
      // A new class has no quizzes yet, so no quiz can be one of its own.
      if (dto.requiredQuizId) throw ClassErrors.requiredQuizInvalid(dto.requiredQuizId);
      await this.courses.getUsableFor(unitPath, dto.courseId, m);
      if (dto.venueId) await this.venues.getUnder(unitPath, dto.venueId, m);
      await this.assertTrainers(unitPath, dto.trainerIds, m);
      const entity = m.getRepository(TrainingClass).create({
        planId: plan.id,
        courseId: dto.courseId,
        title: dto.title,
        quarter: dto.quarter,
        startDate: dto.startDate,
        endDate: dto.endDate,
        venueId: dto.venueId ?? null,
        capacity: dto.capacity,
        minPerTownship: dto.minPerTownship ?? 3,
        maxPerTownship: dto.maxPerTownship ?? 5,
        enrolmentOpensAt: new Date(dto.enrolmentOpensAt),
        enrolmentClosesAt: new Date(dto.enrolmentClosesAt),
        attendanceThreshold: dto.attendanceThreshold ?? 0.8,
        ...toColumns(dto.attendancePoints ?? DEFAULT_ATTENDANCE_POINTS),
        status: 'draft',
      });
      this.assertConsistent(entity, plan.year);
      const saved = await m.getRepository(TrainingClass).save(entity);
      await m.getRepository(ClassTrainer).insert(dto.trainerIds.map((trainerId) => ({ classId: saved.id, trainerId })));
      return saved.id;
    });
    return this.getManaged(actor, created);
  }

  async update(actor: AuthUser, id: string, dto: UpdateClassDto): Promise<ScopedClass> {
    await this.tx.run(async (m) => {
      const current = await this.getManaged(actor, id, m, true);
      const c = current.entity;
      const limitsBefore = { capacity: c.capacity, maxPerTownship: c.maxPerTownship };
      if (!isEditable(c.status)) throw ClassErrors.notEditable(c.status);
      const plan = await this.plans.getInScope(actor, c.planId, m);
      if (dto.courseId !== undefined && dto.courseId !== c.courseId) {
        await this.courses.getUsableFor(current.planPath, dto.courseId, m);
      }
      if (dto.venueId && dto.venueId !== c.venueId) await this.venues.getUnder(current.planPath, dto.venueId, m);
      if (dto.requiredQuizId && dto.requiredQuizId !== c.requiredQuizId) {
        await this.assertRequiredQuiz(dto.requiredQuizId, c.id, m);
      }
      Object.assign(c, {
        ...(dto.courseId !== undefined && { courseId: dto.courseId }),
        ...(dto.title !== undefined && { title: dto.title }),
        ...(dto.quarter !== undefined && { quarter: dto.quarter }),
        ...(dto.startDate !== undefined && { startDate: dto.startDate }),
        ...(dto.endDate !== undefined && { endDate: dto.endDate }),
        ...(dto.venueId !== undefined && { venueId: dto.venueId }),
        ...(dto.capacity !== undefined && { capacity: dto.capacity }),
        ...(dto.minPerTownship !== undefined && { minPerTownship: dto.minPerTownship }),
        ...(dto.maxPerTownship !== undefined && { maxPerTownship: dto.maxPerTownship }),
        ...(dto.enrolmentOpensAt !== undefined && { enrolmentOpensAt: new Date(dto.enrolmentOpensAt) }),
        ...(dto.enrolmentClosesAt !== undefined && { enrolmentClosesAt: new Date(dto.enrolmentClosesAt) }),
        ...(dto.attendanceThreshold !== undefined && { attendanceThreshold: dto.attendanceThreshold }),
        ...(dto.requiredQuizId !== undefined && { requiredQuizId: dto.requiredQuizId }),
        ...(dto.attendancePoints !== undefined && toColumns(dto.attendancePoints)),
      });
      this.assertConsistent(c, plan.year);
      if (dto.startDate !== undefined || dto.endDate !== undefined) {
        const start = localDayBounds(c.startDate, this.env.TZ_DEFAULT).start;
        const end = localDayBounds(c.endDate, this.env.TZ_DEFAULT).end;
        const [{ outside }] = await m.query<{ outside: number }[]>(
          `SELECT count(*)::int AS outside FROM sessions
            WHERE class_id = $1 AND status = 'scheduled' AND (starts_at < $2 OR ends_at > $3)`,
          [c.id, start, end],
        );
        if (outside > 0) throw ClassErrors.sessionsOutsideDates();
      }
      if (dto.trainerIds !== undefined) {
        await this.assertTrainers(current.planPath, dto.trainerIds, m);
        const removed = current.trainerIds.filter((t) => !dto.trainerIds!.includes(t));
        if (removed.length) {
          const busy = await m.query<{ trainer_id: string }[]>(
            `SELECT DISTINCT trainer_id FROM sessions WHERE class_id = $1 AND status = 'scheduled' AND trainer_id = ANY($2::uuid[])`,
            [c.id, removed],
          );
          if (busy.length) throw ClassErrors.trainerHasSessions(busy.map((b) => b.trainer_id));
        }
        await m.getRepository(ClassTrainer).delete({ classId: c.id });
        await m.getRepository(ClassTrainer).insert(dto.trainerIds.map((trainerId) => ({ classId: c.id, trainerId })));
      }
      const limitsChanged = c.capacity !== limitsBefore.capacity || c.maxPerTownship !== limitsBefore.maxPerTownship;
      await m.getRepository(TrainingClass).save(c);
      // Enrolments check the new limits against who holds a seat (refusing a cut below them)
      // and give freed seats to the waitlist, in this transaction.
      if (limitsChanged) await this.events.emitAsync(ClassEvents.limitsChanged, { classId: c.id });
    });
    return this.getManaged(actor, id);
  }

  /**
   * Moves a class along `draft > open > running > completed` (or to `cancelled`). The
   * status check and the change are one conditional UPDATE, so two racing requests
   * cannot both succeed; the step is recorded with who and when.
   */
  async transition(actor: AuthUser, id: string, action: ClassAction): Promise<ScopedClass> {
    const { from, to } = TRANSITIONS[action];
    await this.tx.run(async (m) => {
      // Locked, so the recorded `from` is the state this step really left.
      const current = await this.getManaged(actor, id, m, true);
      const { affected } = await m
        .createQueryBuilder()
        .update(TrainingClass)
        .set({ status: to })
        .where('id = :id AND status IN (:...from)', { id, from })
        .execute();
      if (!affected) {
        const fresh = await this.getManaged(actor, id, m);
        throw ClassErrors.invalidTransition(fresh.entity.status, action);
      }
      await m
        .getRepository(ClassTransition)
        .insert({ classId: id, fromStatus: current.entity.status, toStatus: to, actorId: actor.id });
      // Listeners run inside this transaction (they join it through TransactionService),
      // e.g. enrolments become completed together with the class.
      if (to === 'completed') await this.events.emitAsync(ClassEvents.completing, { classId: id });
      if (to === 'cancelled') await this.events.emitAsync(ClassEvents.cancelling, { classId: id });
      // A cancelled class's sessions are cancelled with it: their slots free, calendars updated.
      const cancelledSessions = to === 'cancelled' ? await this.cancelSessionsOf(id, m) : [];
      const changed: ClassStatusChangedEvent = { classId: id, from: current.entity.status, to, actorId: actor.id };
      this.tx.afterCommit(() => {
        this.events.emit(ClassEvents.statusChanged, changed);
        for (const s of cancelledSessions) {
          this.events.emit(ClassEvents.sessionCancelled, {
            sessionId: s.id,
            classId: id,
            startsAt: new Date(s.starts_at).toISOString(),
          } satisfies SessionCancelledEvent);
        }
      });
    });
    return this.getManaged(actor, id);
  }

  /** Cancels a class's live sessions (slots freed, SEQUENCE raised for calendars); answers which. */
  private async cancelSessionsOf(classId: string, m: EntityManager): Promise<{ id: string; starts_at: Date }[]> {
    const live = await m.query<{ id: string; starts_at: Date }[]>(
      `SELECT id, starts_at FROM sessions WHERE class_id = $1 AND status = 'scheduled' FOR UPDATE`,
      [classId],
    );
    if (live.length) {
      await m.query(
        `UPDATE sessions SET status = 'cancelled', cancelled_at = now(), sequence = sequence + 1, updated_at = now()
          WHERE id = ANY($1::uuid[])`,
        [live.map((s) => s.id)],
      );
    }
    return live;
  }

  private async assertRequiredQuiz(quizId: string, classId: string, m: EntityManager): Promise<void> {
    // Fails closed: without the quizzes module's check no quiz can be required.
    if (!this.requiredQuizCheck) throw new Error('No required-quiz check registered (QuizzesModule not loaded)');
    if (!(await this.requiredQuizCheck(quizId, classId, m))) throw ClassErrors.requiredQuizInvalid(quizId);
  }

  /** Each trainer an active trainer of the class's county (`countyPath`). */
  private async assertTrainers(countyPath: string, ids: string[], m: EntityManager): Promise<void> {
    const found = await this.users.activeTrainerIdsUnder(countyPath, ids, m);
    const missing = ids.filter((id) => !found.includes(id));
    if (missing.length) throw ClassErrors.trainerNotFound(missing);
  }

  /** Rules across fields, checked on create and on every update. */
  private assertConsistent(c: TrainingClass, planYear: number): void {
    if (pointsPossible(pointsOf(c)) < 1) throw ClassErrors.attendancePointsInvalid();
    if (!isIsoDate(c.startDate)) throw ClassErrors.invalidDate('startDate');
    if (!isIsoDate(c.endDate)) throw ClassErrors.invalidDate('endDate');
    // A class begins in its quarter of the plan's year; it may run on into the next quarter
    // (a class starting late in March ends in April), never further.
    const startsInQuarter = Number(c.startDate.slice(0, 4)) === planYear && quarterOf(c.startDate) === c.quarter;
    if (!startsInQuarter || c.startDate > c.endDate || c.endDate > lastDayOfNextQuarter(planYear, c.quarter)) {
      throw ClassErrors.datesOutsideQuarter(planYear, c.quarter);
    }
    if (!(c.minPerTownship <= c.maxPerTownship && c.maxPerTownship <= c.capacity)) throw ClassErrors.limitsInvalid();
    const lastMoment = localDayBounds(c.endDate, this.env.TZ_DEFAULT).end;
    if (!(c.enrolmentOpensAt < c.enrolmentClosesAt) || c.enrolmentClosesAt > lastMoment) {
      throw ClassErrors.enrolmentWindowInvalid();
    }
  }
}

/** The last local date of the quarter after `quarter` of `year` (`YYYY-MM-DD`). */
function lastDayOfNextQuarter(year: number, quarter: number): string {
  const next = quarter === 4 ? { year: year + 1, quarter: 1 } : { year, quarter: quarter + 1 };
  const month = next.quarter * 3;
  const day = new Date(Date.UTC(next.year, month, 0)).getUTCDate();
  return `${next.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
