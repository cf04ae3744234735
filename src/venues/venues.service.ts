import { Injectable } from '@nestjs/common';
import { type EntityManager, QueryFailedError } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { OrgUnit } from '../org-units/org-unit.entity';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type { CreateVenueDto, ListVenuesQueryDto } from './dto/venue.dto';
import { Venue } from './venue.entity';
import { VenueErrors } from './venues.errors';

@Injectable()
export class VenuesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  /**
   * A venue whose unit lies inside the caller's subtree, or 404 VENUE_NOT_FOUND.
   * Other modules (classes, sessions) call this to check a venue they are given.
   */
  async getInScope(actor: AuthUser, id: string, manager?: EntityManager): Promise<Venue> {
    const m = manager ?? this.tx.manager;
    const venue = await m.getRepository(Venue).findOne({ where: { id }, relations: { orgUnit: true } });
    if (!venue || !venue.orgUnit || !isWithin(venue.orgUnit.path, actor.orgPath)) throw VenueErrors.notFound();
    delete venue.orgUnit;
    return venue;
  }

  /** Venues in the caller's subtree (admins and trainers), optionally under one unit of it. */
  async list(actor: AuthUser, query: ListVenuesQueryDto): Promise<Page<Venue>> {
    let scopePath = actor.orgPath;
    if (query.orgUnitId) scopePath = (await this.orgUnits.getInScope(actor, query.orgUnitId)).path;
    const qb = this.tx.manager
      .getRepository(Venue)
      .createQueryBuilder('v')
      .innerJoin(OrgUnit, 'o', 'o.id = v.org_unit_id')
      .where('o.path LIKE :scope', { scope: `${scopePath}%` })
      .orderBy('v.name')
      .addOrderBy('v.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.q) qb.andWhere('(v.name ILIKE :q OR v.address ILIKE :q)', { q: `%${escapeLike(query.q)}%` });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  async create(actor: AuthUser, dto: CreateVenueDto): Promise<Venue> {
    return this.tx.run(async (m) => {
      await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
      const venue = m.getRepository(Venue).create({
        name: dto.name,
        orgUnitId: dto.orgUnitId,
        capacity: dto.capacity ?? null,
        address: dto.address ?? null,
      });
      try {
        return await m.getRepository(Venue).save(venue);
      } catch (e) {
        // uq_venues_org_unit_name: also catches a concurrent request that inserted the same name first.
        if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
          throw VenueErrors.nameTaken(dto.name);
        }
        throw e;
      }
    });
  }
}
