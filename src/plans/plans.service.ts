import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { PersonTimesService } from '../attendance/person-times.service';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type { CreatePlanDto, ListPlansQueryDto, PlanProgressDto, UpdatePlanDto } from './dto/plan.dto';
import { Plan } from './plan.entity';
import { PlanErrors } from './plans.errors';

interface ProgressRow {
  quarter: number;
  classes_planned: number;
  classes_held: number;
  classes_completed: number;
  sessions_planned: number;
  sessions_held: number;
}

const ratio = (part: number, target: number | null): number | null =>
  target ? Math.round((part / target) * 1000) / 1000 : null;

@Injectable()
export class PlansService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
    private readonly personTimes: PersonTimesService,
  ) {}

  /** A plan of a unit inside the admin's subtree, or 404. */
  async getInScope(actor: AuthUser, id: string, manager: EntityManager = this.tx.manager): Promise<Plan> {
    return (await this.getScoped(actor, id, manager)).plan;
  }

  /** A plan in the admin's subtree with the path of its county: what the plan's classes are scoped to. */
  async getScoped(
    actor: AuthUser,
    id: string,
    manager: EntityManager = this.tx.manager,
  ): Promise<{ plan: Plan; unitPath: string }> {
    const { entities, raw } = await manager
      .getRepository(Plan)
      .createQueryBuilder('p')
      .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
      .addSelect('o.path', 'unit_path')
      .where('p.id = :id', { id })
      .getRawAndEntities<{ unit_path: string }>();
    if (!entities[0] || !isWithin(raw[0].unit_path, actor.orgPath)) throw PlanErrors.notFound();
    return { plan: entities[0], unitPath: raw[0].unit_path };
  }

  async list(actor: AuthUser, query: ListPlansQueryDto): Promise<Page<Plan>> {
    const qb = this.tx.manager
      .getRepository(Plan)
      .createQueryBuilder('p')
      .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
      .where('o.path LIKE :scope', { scope: `${actor.orgPath}%` })
      .orderBy('p.year', 'DESC')
      .addOrderBy('p.title')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.year) qb.andWhere('p.year = :year', { year: query.year });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  async create(actor: AuthUser, dto: CreatePlanDto): Promise<Plan> {
    return this.tx.mapViolations(
      () =>
        this.tx.run(async (m) => {
          const unit = await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
          if (unit.kind !== 'county') throw PlanErrors.unitNotCounty();
          const existing = await m.getRepository(Plan).findOneBy({ orgUnitId: unit.id, year: dto.year });
          if (existing) throw PlanErrors.exists(existing.id);
          return m.getRepository(Plan).save(
            m.getRepository(Plan).create({
              orgUnitId: unit.id,
              year: dto.year,
              title: dto.title,
              targetClasses: dto.targetClasses ?? null,
              targetPersonTimes: dto.targetPersonTimes ?? null,
            }),
          );
        }),
      // A concurrent request created it first: name the winner.
      async (v, fresh) => {
        if (v.constraint !== 'uq_plans_org_unit_year') return undefined;
        const winner = await fresh.getRepository(Plan).findOneByOrFail({ orgUnitId: dto.orgUnitId, year: dto.year });
        return PlanErrors.exists(winner.id);
      },
    );
  }

  async update(actor: AuthUser, id: string, dto: UpdatePlanDto): Promise<Plan> {
    return this.tx.run(async (m) => {
      const plan = await this.getInScope(actor, id, m);
      if (dto.title !== undefined) plan.title = dto.title;
      if (dto.targetClasses !== undefined) plan.targetClasses = dto.targetClasses;
      if (dto.targetPersonTimes !== undefined) plan.targetPersonTimes = dto.targetPersonTimes;
      return m.getRepository(Plan).save(plan);
    });
  }

  /**
   * Plan against actual, counted live (never a stored counter): classes per state,
   * sessions planned and held, and person-times (PersonTimesService), per quarter.
   */
  async progress(plan: Plan, now: Date = new Date()): Promise<PlanProgressDto> {
    const rows = await this.tx.manager.query<ProgressRow[]>(
      `SELECT q.quarter,
              count(DISTINCT c.id) FILTER (WHERE c.status <> 'cancelled')::int AS classes_planned,
              count(DISTINCT c.id) FILTER (WHERE c.status IN ('running', 'completed'))::int AS classes_held,
              count(DISTINCT c.id) FILTER (WHERE c.status = 'completed')::int AS classes_completed,
              count(s.id) FILTER (WHERE c.status <> 'cancelled')::int AS sessions_planned,
              count(s.id) FILTER (WHERE c.status <> 'cancelled' AND s.starts_at <= $2)::int AS sessions_held
         FROM generate_series(1, 4) AS q(quarter)
         LEFT JOIN classes c ON c.plan_id = $1 AND c.quarter = q.quarter
         LEFT JOIN sessions s ON s.class_id = c.id AND s.status = 'scheduled'
        GROUP BY q.quarter
        ORDER BY q.quarter`,
      [plan.id, now],
    );
    const attended = await this.personTimes.byQuarterOfPlan(plan.id);
    const personTimesIn = (quarter: number) => attended.get(quarter) ?? 0;
    const personTimes = [...attended.values()].reduce((acc, n) => acc + n, 0);
    const sum = (k: keyof ProgressRow) => rows.reduce((acc, r) => acc + r[k], 0);
    const classesHeld = sum('classes_held');
    return {
      classesPlanned: sum('classes_planned'),
      classesHeld,
      classesCompleted: sum('classes_completed'),
      sessionsPlanned: sum('sessions_planned'),
      sessionsHeld: sum('sessions_held'),
      classesRate: ratio(classesHeld, plan.targetClasses),
      personTimes,
      personTimesRate: ratio(personTimes, plan.targetPersonTimes),
      byQuarter: rows.map((r) => ({
        quarter: r.quarter,
        classes: r.classes_planned,
        sessionsPlanned: r.sessions_planned,
        sessionsHeld: r.sessions_held,
        personTimes: personTimesIn(r.quarter),
      })),
    };
  }
}
