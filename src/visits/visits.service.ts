import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { Clock } from '../common/time/clock';
import { isIsoDate, localDate } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { isWithin } from '../org-units/org-units.service';
import type { CancelVisitDto, ListVisitsQueryDto, ReportVisitDto, UpdateVisitDto, VisitDto } from './dto/visit.dto';
import { Visit, type VisitStatus } from './visit.entity';
import { VisitSchedulingService } from './visit-scheduling.service';
import { VisitErrors } from './visits.errors';

/** Rows an xlsx export holds at most. */
const EXPORT_LIMIT = 10_000;

/**
 * The list's filters as the services take them: the API's query, and for the console
 * `openOnly` (assigned or overdue: the visits still to make), which the API's DTO does not
 * offer (its `status` is one status).
 */
export type VisitFilters = ListVisitsQueryDto & { openOnly?: boolean };

/** Someone who holds visits in the admin's part of the tree, and how many of each status. */
export interface VisitAssigneeCounts {
  id: string;
  displayName: string;
  assigned: number;
  overdue: number;
  done: number;
  cancelled: number;
}

/** Someone a visit may be given to: an active trainer or admin of the class's county (or one of its trainers). */
export interface VisitCandidate {
  id: string;
  displayName: string;
  role: 'trainer' | 'admin';
}

/** A visit as read: its status as it is now (open past the due date reads overdue), with names. */
interface VisitRow {
  id: string;
  /** The path of the class's plan unit: its scope. */
  plan_path: string;
  status: VisitStatus;
  due_on: string;
  class_id: string;
  class_title: string;
  township_id: string;
  township_name: string;
  assignee_id: string;
  assignee_name: string;
  visited_on: string | null;
  notes: string | null;
  trainee_ids: string[];
  problems: string | null;
  follow_up_needed: boolean;
  reported_at: Date | null;
  reported_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The status a visit reads as on local date $1: the overdue flip is exact whenever the job runs. */
const EFFECTIVE_STATUS = `CASE WHEN v.status = 'assigned' AND v.due_on < $1::date THEN 'overdue' ELSE v.status::text END`;

const VIEW_SQL = `
  SELECT v.id, o.path AS plan_path, ${EFFECTIVE_STATUS} AS status, to_char(v.due_on, 'YYYY-MM-DD') AS due_on,
         v.class_id, c.title AS class_title, v.township_id, t.name AS township_name,
         v.assignee_id, u.display_name AS assignee_name,
         to_char(v.visited_on, 'YYYY-MM-DD') AS visited_on, v.notes, v.trainee_ids, v.problems,
         v.follow_up_needed, v.reported_at, v.reported_by, v.cancelled_at, v.cancel_reason,
         v.created_at, v.updated_at
    FROM visits v
    JOIN classes c ON c.id = v.class_id
    JOIN plans p ON p.id = c.plan_id
    JOIN org_units o ON o.id = p.org_unit_id
    JOIN org_units t ON t.id = v.township_id
    JOIN users u ON u.id = v.assignee_id`;

function toDto(r: VisitRow): VisitDto {
  return {
    id: r.id,
    status: r.status,
    dueOn: r.due_on,
    class: { id: r.class_id, title: r.class_title },
    township: { id: r.township_id, name: r.township_name },
    assignee: { id: r.assignee_id, displayName: r.assignee_name },
    report:
      r.status === 'done' && r.visited_on && r.reported_at && r.reported_by
        ? {
            visitedOn: r.visited_on,
            notes: r.notes ?? '',
            traineeIds: r.trainee_ids,
            problems: r.problems,
            followUpNeeded: r.follow_up_needed,
            reportedAt: r.reported_at,
            reportedBy: r.reported_by,
          }
        : null,
    cancelledAt: r.cancelled_at,
    cancelReason: r.cancel_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Follow-up visits after a class, as people use them: read with their status as it is now,
 * reassigned or moved by admins, reported by their assignee (or an admin), cancelled by
 * admins. Creating them and their notices is VisitSchedulingService's work.
 */
@Injectable()
export class VisitsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly scheduling: VisitSchedulingService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** Today in the centre's zone: what "past due" is measured against. */
  private today(): string {
    return localDate(this.clock.now(), this.env.TZ_DEFAULT);
  }

  // ---- reads ----

  /**
   * A page of the visits the caller may see. `order`: by due date (the default, as the API lists
   * them), or `latestVisit`: the latest visited first (then the latest reported), for a list of done visits.
   */
  async list(actor: AuthUser, query: VisitFilters, order: 'due' | 'latestVisit' = 'due'): Promise<Page<VisitDto>> {
    const { where, params } = this.filters(actor, query);
    const [{ total }] = await this.tx.manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM (${VIEW_SQL} WHERE ${where}) x`,
      params,
    );
    const orderBy =
      order === 'latestVisit'
        ? 'v.visited_on DESC NULLS LAST, v.reported_at DESC NULLS LAST, v.id'
        : 'v.due_on, t.name, v.id';
    const rows = await this.tx.manager.query<VisitRow[]>(
      `${VIEW_SQL} WHERE ${where} ORDER BY ${orderBy}
        LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
      params,
    );
    return pageOf(rows.map(toDto), total, query);
  }

  /** Every visit matching the filters (up to EXPORT_LIMIT), unpaginated, for the xlsx export. */
  async listAll(actor: AuthUser, query: VisitFilters): Promise<VisitDto[]> {
    const { where, params } = this.filters(actor, query);
    const rows = await this.tx.manager.query<VisitRow[]>(
      `${VIEW_SQL} WHERE ${where} ORDER BY v.due_on, t.name, v.id LIMIT ${EXPORT_LIMIT}`,
      params,
    );
    return rows.map(toDto);
  }

  /** A visit the caller may see: admins those of classes in their part of the tree, trainers their own. 404 otherwise. */
  async get(actor: AuthUser, id: string): Promise<VisitDto> {
    const [row] = await this.tx.manager.query<VisitRow[]>(`${VIEW_SQL} WHERE v.id = $2`, [this.today(), id]);
    if (!row || !this.mayAccess(actor, row.assignee_id, row.plan_path)) throw VisitErrors.notFound();
    return toDto(row);
  }

  private mayAccess(actor: AuthUser, assigneeId: string, planPath: string): boolean {
    if (actor.role === 'admin') return isWithin(planPath, actor.orgPath);
    return actor.role === 'trainer' && assigneeId === actor.id;
  }

  /**
   * Everyone holding visits the caller may see (an admin: of classes in its part of the tree), with their visits by
   * status as read now (open past the due date counts as overdue), the most overdue first.
   */
  async assigneeCounts(actor: AuthUser): Promise<VisitAssigneeCounts[]> {
    // The list's scope (admins their part of the tree, trainers their own), no other filter.
    const { where, params } = this.filters(actor, { page: 1, pageSize: 1 });
    return this.tx.manager.query<VisitAssigneeCounts[]>(
      `SELECT x.assignee_id AS id, x.assignee_name AS "displayName",
              count(*) FILTER (WHERE x.status = 'assigned')::int AS assigned,
              count(*) FILTER (WHERE x.status = 'overdue')::int AS overdue,
              count(*) FILTER (WHERE x.status = 'done')::int AS done,
              count(*) FILTER (WHERE x.status = 'cancelled')::int AS cancelled
         FROM (${VIEW_SQL} WHERE ${where}) x
        GROUP BY x.assignee_id, x.assignee_name
        ORDER BY overdue DESC, assigned DESC, x.assignee_name, x.assignee_id`,
      params,
    );
  }

  /**
   * Whom an open visit may be given to (the rule of `update`): the active trainers and admins of
   * its class's county and the class's own active trainers, by name. 404 when the caller may not see it.
   */
  async candidates(actor: AuthUser, id: string): Promise<VisitCandidate[]> {
    const visit = await this.get(actor, id);
    const c = await this.classes.find(visit.class.id, this.tx.manager);
    if (!c) throw VisitErrors.notFound();
    return this.tx.manager.query<VisitCandidate[]>(
      `SELECT u.id, u.display_name AS "displayName", u.role::text AS role
         FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.active AND u.role IN ('trainer', 'admin') AND (o.path LIKE $1 OR u.id = ANY($2::uuid[]))
        ORDER BY u.display_name, u.username`,
      [subtreePattern(c.planPath), c.trainerIds],
    );
  }

  private filters(actor: AuthUser, query: VisitFilters): { where: string; params: unknown[] } {
    const params: unknown[] = [this.today()];
    const where: string[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (actor.role === 'admin') add((n) => `o.path LIKE ${n}`, subtreePattern(actor.orgPath));
    else add((n) => `v.assignee_id = ${n}`, actor.id);
    if (query.status) add((n) => `${EFFECTIVE_STATUS} = ${n}`, query.status);
    if (query.openOnly) where.push(`${EFFECTIVE_STATUS} IN ('assigned', 'overdue')`);
    if (query.assigneeId) add((n) => `v.assignee_id = ${n}`, query.assigneeId);
    if (query.townshipId) add((n) => `v.township_id = ${n}`, query.townshipId);
    if (query.classId) add((n) => `v.class_id = ${n}`, query.classId);
    if (query.dueBefore) add((n) => `v.due_on < ${n}::date`, query.dueBefore);
    return { where: where.join(' AND '), params };
  }

  // ---- changes ----

  /** The visit row locked for this step, with its class; 404 when the caller may not see it. */
  private async lockInScope(actor: AuthUser, id: string, m: EntityManager): Promise<{ visit: Visit; c: ScopedClass }> {
    const visit = await m
      .getRepository(Visit)
      .createQueryBuilder('v')
      .where('v.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    const c = visit && (await this.classes.find(visit.classId, m));
    if (!visit || !c || !this.mayAccess(actor, visit.assigneeId, c.planPath)) throw VisitErrors.notFound();
    return { visit, c };
  }

  /** Admins: reassign (to an active trainer or admin of the class's county) and/or move the due date. */
  async update(actor: AuthUser, id: string, dto: UpdateVisitDto): Promise<VisitDto> {
    await this.tx.run(async (m) => {
      const { visit, c } = await this.lockInScope(actor, id, m);
      if (visit.status === 'done' || visit.status === 'cancelled') throw VisitErrors.closed(visit.status);
      const today = this.today();
      const reassigned = dto.assigneeId !== undefined && dto.assigneeId !== visit.assigneeId;
      if (reassigned && !(await this.isCandidate(dto.assigneeId!, c, m))) throw VisitErrors.assigneeInvalid();
      const oldDueOn = visit.dueOn;
      if (dto.dueOn !== undefined) {
        if (!isIsoDate(dto.dueOn) || dto.dueOn < today) throw VisitErrors.dueOnInvalid();
        visit.dueOn = dto.dueOn;
        // Moved to today or later: no longer overdue.
        if (visit.status === 'overdue') visit.status = 'assigned';
      }
      if (reassigned) visit.assigneeId = dto.assigneeId!;
      await m.getRepository(Visit).save(visit);
      if (reassigned) await this.scheduling.notifyAssigned([visit], c, m, `${this.clock.now().getTime()}`);
      if (visit.dueOn !== oldDueOn) this.scheduling.replanNotices(visit, oldDueOn);
    });
    return this.get(actor, id);
  }

  /**
   * The assignee (or an admin in scope) reports the visit: it is `done`. A second report is
   * refused (409 VISIT_ALREADY_REPORTED): a report is a record of what was seen, not a draft.
   */
  async report(actor: AuthUser, id: string, dto: ReportVisitDto): Promise<VisitDto> {
    await this.tx.run(async (m) => {
      const { visit } = await this.lockInScope(actor, id, m);
      if (visit.status === 'cancelled') throw VisitErrors.closed('cancelled');
      if (visit.status === 'done') throw VisitErrors.alreadyReported();
      if (!isIsoDate(dto.visitedOn) || dto.visitedOn > this.today()) throw VisitErrors.visitedOnInvalid();
      const traineeIds = dto.traineeIds ?? [];
      if (traineeIds.length) {
        const seated = await this.enrolments.seated(visit.classId, m);
        const fromTownship = new Set(seated.filter((e) => e.townshipId === visit.townshipId).map((e) => e.traineeId));
        const unknown = traineeIds.filter((t) => !fromTownship.has(t));
        if (unknown.length) throw VisitErrors.traineesInvalid(unknown);
      }
      Object.assign(visit, {
        status: 'done',
        visitedOn: dto.visitedOn,
        notes: dto.notes,
        traineeIds,
        problems: dto.problems ?? null,
        followUpNeeded: dto.followUpNeeded ?? false,
        reportedAt: this.clock.now(),
        reportedBy: actor.id,
      });
      await m.getRepository(Visit).save(visit);
      this.tx.afterCommit(() => this.scheduling.dropNotices(visit));
    });
    return this.get(actor, id);
  }

  /** Admins: cancel a visit not yet made (a done visit stays done: 409). */
  async cancel(actor: AuthUser, id: string, dto: CancelVisitDto): Promise<VisitDto> {
    await this.tx.run(async (m) => {
      const { visit } = await this.lockInScope(actor, id, m);
      if (visit.status === 'done' || visit.status === 'cancelled') throw VisitErrors.closed(visit.status);
      Object.assign(visit, { status: 'cancelled', cancelledAt: this.clock.now(), cancelReason: dto.reason ?? null });
      await m.getRepository(Visit).save(visit);
      this.tx.afterCommit(() => this.scheduling.dropNotices(visit));
    });
    return this.get(actor, id);
  }

  /** An active trainer or admin of the class's county (or one of the class's own active trainers). */
  private async isCandidate(userId: string, c: ScopedClass, m: EntityManager): Promise<boolean> {
    const rows = await m.query<{ id: string }[]>(
      `SELECT u.id FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.id = $1 AND u.active AND u.role IN ('trainer', 'admin') AND (o.path LIKE $2 OR u.id = ANY($3::uuid[]))`,
      [userId, subtreePattern(c.planPath), c.trainerIds],
    );
    return rows.length > 0;
  }
}
