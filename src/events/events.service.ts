import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import type { OrgUnit } from '../org-units/org-units.types';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type { CreateEventDto, EventMaterialsDto, ListEventsQueryDto, UpdateEventDto } from './dto/event.dto';
import type { EventRowInput } from './event-import.parser';
import { OutreachEvent } from './outreach-event.entity';
import { EventErrors } from './events.errors';

/** An event with its unit loaded (for the unit's name). */
export type EventWithUnit = OutreachEvent & { orgUnit: OrgUnit };

/** An imported row, its unit found. */
export type NewEvent = Omit<EventRowInput, 'unit'> & { orgUnitId: string };

function materialColumns(m: EventMaterialsDto | undefined) {
  return { books: m?.books ?? 0, discs: m?.discs ?? 0, leaflets: m?.leaflets ?? 0 };
}

/** Outreach events: recorded, corrected and read by admins of the holding unit's subtree. */
@Injectable()
export class EventsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  /** An event of a unit inside the admin's subtree, or 404 EVENT_NOT_FOUND. */
  async get(actor: AuthUser, id: string, manager?: EntityManager): Promise<EventWithUnit> {
    const m = manager ?? this.tx.manager;
    const event = await m.getRepository(OutreachEvent).findOne({ where: { id }, relations: { orgUnit: true } });
    if (!event?.orgUnit || !isWithin(event.orgUnit.path, actor.orgPath)) throw EventErrors.notFound();
    return event as EventWithUnit;
  }

  /** Newest first; `orgUnitId` keeps that unit and everything under it, `year` the local dates of that year. */
  async list(actor: AuthUser, query: ListEventsQueryDto): Promise<Page<EventWithUnit>> {
    let scopePath = actor.orgPath;
    if (query.orgUnitId) scopePath = (await this.orgUnits.getInScope(actor, query.orgUnitId)).path;
    const qb = this.tx.manager
      .getRepository(OutreachEvent)
      .createQueryBuilder('e')
      .innerJoinAndSelect('e.orgUnit', 'o')
      .where('o.path LIKE :scope', { scope: subtreePattern(scopePath) })
      .orderBy('e.date', 'DESC')
      .addOrderBy('e.createdAt', 'DESC')
      .addOrderBy('e.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.year !== undefined) {
      // A range on the date column, not extract(year ...), so an index on date can serve it.
      qb.andWhere('e.date >= :from AND e.date < :to', {
        from: `${query.year}-01-01`,
        to: `${query.year + 1}-01-01`,
      });
    }
    if (query.kind) qb.andWhere('e.kind = :kind', { kind: query.kind });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items as EventWithUnit[], total, query);
  }

  async create(actor: AuthUser, dto: CreateEventDto): Promise<EventWithUnit> {
    return this.tx.run(async (m) => {
      const unit = await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
      const repo = m.getRepository(OutreachEvent);
      const saved = await repo.save(
        repo.create({
          kind: dto.kind,
          title: dto.title,
          date: dto.date,
          orgUnitId: unit.id,
          headCount: dto.headCount,
          ...materialColumns(dto.materials),
          notes: dto.notes ?? null,
          createdBy: actor.id,
        }),
      );
      return this.get(actor, saved.id, m);
    });
  }

  /** Fields left out stay; `materials` replaces all three counts; moving to another unit needs it in scope too. */
  async update(actor: AuthUser, id: string, dto: UpdateEventDto): Promise<EventWithUnit> {
    return this.tx.run(async (m) => {
      const event = await this.get(actor, id, m);
      const repo = m.getRepository(OutreachEvent);
      if (dto.orgUnitId !== undefined) event.orgUnitId = (await this.orgUnits.getInScope(actor, dto.orgUnitId, m)).id;
      if (dto.kind !== undefined) event.kind = dto.kind;
      if (dto.title !== undefined) event.title = dto.title;
      if (dto.date !== undefined) event.date = dto.date;
      if (dto.headCount !== undefined) event.headCount = dto.headCount;
      if (dto.materials !== undefined) Object.assign(event, materialColumns(dto.materials));
      if (dto.notes !== undefined) event.notes = dto.notes;
      const { kind, title, date, orgUnitId, headCount, books, discs, leaflets, notes } = event;
      // The changed columns only: updated_at then moves by itself, and the loaded unit cannot override orgUnitId.
      await repo.update({ id }, { kind, title, date, orgUnitId, headCount, books, discs, leaflets, notes });
      return this.get(actor, id, m);
    });
  }

  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.tx.run(async (m) => {
      await this.get(actor, id, m);
      await m.getRepository(OutreachEvent).delete({ id });
    });
  }

  /** The units an import may name: the admin's subtree. */
  unitsInScope(actor: AuthUser): Promise<OrgUnit[]> {
    return this.orgUnits.listSubtree(actor.orgPath);
  }

  /** Writes imported events, all in one transaction. */
  async insertMany(actor: AuthUser, events: NewEvent[]): Promise<void> {
    await this.tx.run(async (m) => {
      const repo = m.getRepository(OutreachEvent);
      for (let i = 0; i < events.length; i += 500) {
        await repo.insert(events.slice(i, i + 500).map((e) => repo.create({ ...e, createdBy: actor.id })));
      }
    });
  }
}
