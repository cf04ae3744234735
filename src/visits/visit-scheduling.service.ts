import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer, type NewJob } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { localDate, zonedInstant } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { ClassEvents, type ClassStatusChangedEvent } from '../classes/classes.events';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { assignVisits, type VisitCandidate } from './visit-assignment';
import { OPEN_VISIT_STATUSES, Visit } from './visit.entity';
import { type AssignVisitsPayload, assignJobId, noticeJobId, type VisitNoticePayload, VisitJobs } from './visits.jobs';

/** Assignment jobs of one county run one at a time (pg_advisory_xact_lock(key, hashtext(county path))). */
const ASSIGN_LOCK_KEY = 0x766973; // 'vis'
/** Notices go out at this local time. */
const NOTICE_TIME = '09:00';

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/**
 * The visits' background work: the assignment job when a class completes (one visit per
 * township, spread fairly), the due and overdue notices, and what the reconciler re-creates.
 */
@Injectable()
export class VisitSchedulingService implements OnModuleInit {
  private readonly logger = new Logger(VisitSchedulingService.name);

  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly notifications: NotificationsService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.visits) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('visits', () => this.reconcile());
  }

  /** Today in the centre's zone: what "past due" is measured against. */
  private today(): string {
    return localDate(this.clock.now(), this.env.TZ_DEFAULT);
  }

  /** A completed class gets its visits from the worker (the job is added after the completion committed). */
  @OnEvent(ClassEvents.statusChanged)
  async onClassStatusChanged(event: ClassStatusChangedEvent): Promise<void> {
    if (event.to !== 'completed') return;
    await this.producer.add(this.queue, [this.assignJob(event.classId)]);
  }

  /** A visit's due date moved: its notices follow (after commit). */
  replanNotices(visit: Pick<Visit, 'id' | 'dueOn'>, oldDueOn: string): void {
    this.tx.afterCommit(async () => {
      await this.dropNotices({ id: visit.id, dueOn: oldDueOn });
      await this.producer.add(this.queue, this.noticeJobs(visit));
    });
  }

  /**
   * The assignment job: one visit per township with completed enrolments of the class,
   * spread fairly (visit-assignment.ts) over the class's trainers and the county's other
   * active trainers and admins, due VISIT_DUE_DAYS after the class completed. Assignment
   * jobs of one county take turns (advisory lock), so each reads the loads the other left;
   * the unique (class, township) key makes a re-run or a second worker add nothing.
   * Answers how many visits it created.
   */
  async assignForClass(classId: string): Promise<number> {
    const created = await this.tx.run(async (m) => {
      const c = await this.classes.find(classId, m);
      if (!c || c.entity.status !== 'completed') return [];
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ASSIGN_LOCK_KEY, c.planPath]);
      const existing = new Set(
        (await m.getRepository(Visit).find({ where: { classId }, select: { townshipId: true } })).map(
          (v) => v.townshipId,
        ),
      );
      const townshipIds = [
        ...new Set(
          (await this.enrolments.seated(classId, m)).filter((e) => e.status === 'completed').map((e) => e.townshipId),
        ),
      ].filter((t) => !existing.has(t));
      if (townshipIds.length === 0) return [];
      const candidates = await this.candidates(c, m);
      if (candidates.length === 0) {
        this.logger.warn(`Class ${classId} completed, but its county has no active trainer or admin to visit`);
        return [];
      }
      const dueOn = plusDays(await this.completedOn(classId, m), this.env.VISIT_DUE_DAYS);
      const plan = assignVisits(townshipIds, candidates);
      const rows = await m.query<{ id: string }[]>(
        `INSERT INTO visits (class_id, township_id, assignee_id, due_on)
         SELECT $1, x.township_id, x.assignee_id, $4::date
           FROM unnest($2::uuid[], $3::uuid[]) AS x(township_id, assignee_id)
         ON CONFLICT ON CONSTRAINT uq_visits_class_township DO NOTHING
         RETURNING id`,
        [classId, plan.map((p) => p.townshipId), plan.map((p) => p.assigneeId), dueOn],
      );
      if (rows.length === 0) return [];
      const visits = await m.getRepository(Visit).findBy(rows.map((r) => ({ id: r.id })));
      await this.notifyAssigned(visits, c, m);
      this.tx.afterCommit(() =>
        this.producer.add(
          this.queue,
          visits.flatMap((v) => this.noticeJobs(v)),
        ),
      );
      return visits;
    });
    return created.length;
  }

  /** The due notice: to the assignee, if the visit is still open with this due date and not yet past it. */
  async sendDueNotice({ visitId, dueOn }: VisitNoticePayload): Promise<boolean> {
    return this.tx.run(async (m) => {
      const visit = await m.getRepository(Visit).findOneBy({ id: visitId });
      if (!visit || visit.status !== 'assigned' || visit.dueOn !== dueOn || dueOn < this.today()) return false;
      const c = await this.classes.find(visit.classId, m);
      if (!c) return false;
      await this.notifications.notify(
        [visit.assigneeId],
        {
          template: 'visit-due',
          payload: await this.payload(visit, c, m),
          key: `visit-due:${visit.id}:${dueOn}`,
          aboutId: visit.id,
        },
        m,
      );
      return true;
    });
  }

  /**
   * The overdue job: a visit still `assigned` with this due date, now past, turns `overdue`
   * (reads showed it so already), and its assignee and the class's admins are told.
   */
  async markOverdue({ visitId, dueOn }: VisitNoticePayload): Promise<boolean> {
    return this.tx.run(async (m) => {
      // An UPDATE answers [rows, affected] through TypeORM.
      const [flipped] = await m.query<[{ id: string }[], number]>(
        `UPDATE visits SET status = 'overdue', updated_at = now()
          WHERE id = $1 AND status = 'assigned' AND due_on = $2::date AND due_on < $3::date
          RETURNING id`,
        [visitId, dueOn, this.today()],
      );
      if (flipped.length === 0) return false;
      const visit = await m.getRepository(Visit).findOneByOrFail({ id: visitId });
      const c = await this.classes.find(visit.classId, m);
      if (!c) return false;
      const [assignee] = await m.query<{ display_name: string }[]>(`SELECT display_name FROM users WHERE id = $1`, [
        visit.assigneeId,
      ]);
      const admins = await this.orgUnits.adminsOver(c.planPath, m);
      await this.notifications.notify(
        [visit.assigneeId, ...admins],
        {
          template: 'visit-overdue',
          payload: { ...(await this.payload(visit, c, m)), assignee: assignee?.display_name ?? '' },
          key: `visit-overdue:${visit.id}:${dueOn}`,
          aboutId: visit.id,
        },
        m,
      );
      return true;
    });
  }

  /**
   * For the reconciler: the assignment job of every class completed within VISIT_DUE_DAYS
   * that has a township without its visit (older classes predate visits, or were settled),
   * and the notice jobs of every visit still `assigned`. Answers how many jobs it (re)added.
   */
  async reconcile(): Promise<number> {
    const m = this.tx.manager;
    const classes = await m.query<{ class_id: string }[]>(
      `SELECT DISTINCT e.class_id
         FROM enrolments e
         JOIN classes c ON c.id = e.class_id AND c.status = 'completed'
        WHERE e.status = 'completed'
          AND EXISTS (SELECT 1 FROM class_transitions ct
                       WHERE ct.class_id = c.id AND ct.to_status = 'completed' AND ct.at > $1)
          AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.class_id = e.class_id AND v.township_id = e.township_id)`,
      [new Date(this.clock.now().getTime() - this.env.VISIT_DUE_DAYS * 86_400_000)],
    );
    const open = await m.getRepository(Visit).find({ where: { status: 'assigned' } });
    const jobs = [...classes.map((r) => this.assignJob(r.class_id)), ...open.flatMap((v) => this.noticeJobs(v))];
    await this.producer.add(this.queue, jobs);
    return jobs.length;
  }

  private assignJob(classId: string): NewJob<AssignVisitsPayload> {
    return { name: VisitJobs.assign, data: { classId }, opts: { jobId: assignJobId(classId) } };
  }

  /** The due notice (unless its day is past) and the overdue check of an open visit, at 09:00 local. */
  noticeJobs(visit: Pick<Visit, 'id' | 'dueOn'>): NewJob<VisitNoticePayload>[] {
    const now = this.clock.now().getTime();
    const zone = this.env.TZ_DEFAULT;
    const data = { visitId: visit.id, dueOn: visit.dueOn };
    const delay = (date: string) => Math.max(0, zonedInstant(date, NOTICE_TIME, zone).getTime() - now);
    const jobs: NewJob<VisitNoticePayload>[] = [];
    if (visit.dueOn >= this.today()) {
      const noticeOn = plusDays(visit.dueOn, -this.env.VISIT_DUE_NOTICE_DAYS);
      jobs.push({
        name: VisitJobs.due,
        data,
        opts: { jobId: noticeJobId('due', visit.id, visit.dueOn), delay: delay(noticeOn) },
      });
    }
    jobs.push({
      name: VisitJobs.overdue,
      data,
      opts: { jobId: noticeJobId('overdue', visit.id, visit.dueOn), delay: delay(plusDays(visit.dueOn, 1)) },
    });
    return jobs;
  }

  async dropNotices(visit: Pick<Visit, 'id' | 'dueOn'>): Promise<void> {
    await this.producer.remove(this.queue, [
      noticeJobId('due', visit.id, visit.dueOn),
      noticeJobId('overdue', visit.id, visit.dueOn),
    ]);
  }

  /**
   * Who may be given the class's visits, with the open visits each holds: the class's
   * trainers first, then the county's other active trainers and admins (by name).
   */
  private async candidates(c: ScopedClass, m: EntityManager): Promise<VisitCandidate[]> {
    const rows = await m.query<{ id: string; open_visits: number }[]>(
      `SELECT u.id,
              (SELECT count(*) FROM visits v WHERE v.assignee_id = u.id AND v.status = ANY($3::visit_status[]))::int
                AS open_visits
         FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.active AND u.role IN ('trainer', 'admin') AND (o.path LIKE $1 OR u.id = ANY($2::uuid[]))
        ORDER BY (u.role = 'trainer') DESC, u.display_name, u.id`,
      [subtreePattern(c.planPath), c.trainerIds, OPEN_VISIT_STATUSES],
    );
    const trainers = new Set(c.trainerIds);
    const candidates = rows.map((r) => ({ id: r.id, openVisits: r.open_visits, isClassTrainer: trainers.has(r.id) }));
    const order = (x: VisitCandidate) => (x.isClassTrainer ? c.trainerIds.indexOf(x.id) : c.trainerIds.length);
    return candidates.sort((a, b) => order(a) - order(b)); // stable: the others keep their order
  }

  /** The local date the class completed (its recorded step), or today if none was recorded. */
  private async completedOn(classId: string, m: EntityManager): Promise<string> {
    const [row] = await m.query<{ at: Date | null }[]>(
      `SELECT max(at) AS at FROM class_transitions WHERE class_id = $1 AND to_status = 'completed'`,
      [classId],
    );
    return localDate(row?.at ? new Date(row.at) : this.clock.now(), this.env.TZ_DEFAULT);
  }

  private async payload(visit: Visit, c: ScopedClass, m: EntityManager): Promise<Record<string, unknown>> {
    const [township] = await m.query<{ name: string }[]>(`SELECT name FROM org_units WHERE id = $1`, [
      visit.townshipId,
    ]);
    return {
      centre: await this.orgUnits.centreName(c.planPath, m),
      township: township?.name ?? '',
      classTitle: c.entity.title,
      dueOn: visit.dueOn,
    };
  }

  /** `visit-assigned` to each visit's assignee; `generation` tells a reassignment from the first assignment. */
  async notifyAssigned(visits: Visit[], c: ScopedClass, m: EntityManager, generation = '0'): Promise<void> {
    for (const v of visits) {
      await this.notifications.notify(
        [v.assigneeId],
        {
          template: 'visit-assigned',
          payload: await this.payload(v, c, m),
          key: `visit-assigned:${v.id}:${generation}`,
          aboutId: v.id,
        },
        m,
      );
    }
  }
}
