import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type { CreateVenueDto, ListVenuesQueryDto, UpdateVenueDto } from './dto/venue.dto';
import { Venue } from './venue.entity';
import { VenueErrors } from './venues.errors';

/** What a screen shows of a venue beside a class or session. */
export interface VenueRef {
  id: string;
  name: string;
  address: string | null;
}

@Injectable()
export class VenuesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  /** A venue with the path of its unit, or undefined. */
  private async load(id: string, m: EntityManager): Promise<{ venue: Venue; path: string } | undefined> {
    const venue = await m.getRepository(Venue).findOne({ where: { id }, relations: { orgUnit: true } });
    if (!venue?.orgUnit) return undefined;
    const path = venue.orgUnit.path;
    delete venue.orgUnit;
    return { venue, path };
  }

  /** A venue whose unit lies inside the admin's subtree, or 404 VENUE_NOT_FOUND. */
  async getInScope(actor: AuthUser, id: string, m: EntityManager = this.tx.manager): Promise<Venue> {
    return this.getUnder(actor.orgPath, id, m);
  }

  /**
   * A venue whose unit lies under the unit with `path`, or 404 VENUE_NOT_FOUND. Classes and
   * sessions check theirs against the class's own county (the plan's unit), not merely the
   * admin's scope: a province admin cannot hold county A's class in county B's room.
   */
  async getUnder(path: string, id: string, m: EntityManager = this.tx.manager): Promise<Venue> {
    const found = await this.load(id, m);
    if (!found || !isWithin(found.path, path)) throw VenueErrors.notFound();
    return found.venue;
  }

  /**
   * A venue the caller may read: admins, those in their subtree; trainees, those of the
   * units above them (the library's rooms they are taught in); trainers both.
   */
  async getVisible(actor: AuthUser, id: string): Promise<Venue> {
    const found = await this.load(id, this.tx.manager);
    const below = found !== undefined && isWithin(found.path, actor.orgPath);
    const above = found !== undefined && isWithin(actor.orgPath, found.path);
    // Trainers list the venues of their subtree (GET /api/venues) and teach in those above them.
    const visible = actor.role === 'admin' ? below : actor.role === 'trainer' ? below || above : above;
    if (!found || !visible) throw VenueErrors.notFound();
    return found.venue;
  }

  /** Name and address of each venue, by id, in one query (for lists of classes and sessions). */
  async refs(ids: readonly (string | null)[]): Promise<Map<string, VenueRef>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await this.tx.manager.query<VenueRef[]>(
      `SELECT id, name, address FROM venues WHERE id = ANY($1::uuid[])`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Venues in the caller's subtree (admins and trainers), optionally under one unit of it. */
  async list(actor: AuthUser, query: ListVenuesQueryDto): Promise<Page<Venue>> {
    let scopePath = actor.orgPath;
    if (query.orgUnitId) scopePath = (await this.orgUnits.getInScope(actor, query.orgUnitId)).path;
    const qb = this.tx.manager
      .getRepository(Venue)
      .createQueryBuilder('v')
      .innerJoin('org_units', 'o', 'o.id = v.org_unit_id')
      .where('o.path LIKE :scope', { scope: subtreePattern(scopePath) })
      .orderBy('v.name')
      .addOrderBy('v.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.q) qb.andWhere('(v.name ILIKE :q OR v.address ILIKE :q)', { q: `%${escapeLike(query.q)}%` });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  async create(actor: AuthUser, dto: CreateVenueDto): Promise<Venue> {
    return this.saving(dto.name, () =>
      this.tx.run(async (m) => {
        await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
        const repo = m.getRepository(Venue);
        return repo.save(
          repo.create({
            name: dto.name,
            orgUnitId: dto.orgUnitId,
            capacity: dto.capacity ?? null,
            address: dto.address ?? null,
          }),
        );
      }),
    );
  }

  /**
   * Renames, re-addresses or resizes a venue. Its unit stays: classes of that county use
   * the room, and moving it would put them in another county's.
   */
  async update(actor: AuthUser, id: string, dto: UpdateVenueDto): Promise<Venue> {
    return this.saving(dto.name, () =>
      this.tx.run(async (m) => {
        const venue = await this.getInScope(actor, id, m);
        if (dto.name !== undefined) venue.name = dto.name;
        if (dto.capacity !== undefined) venue.capacity = dto.capacity;
        if (dto.address !== undefined) venue.address = dto.address;
        return m.getRepository(Venue).save(venue);
      }),
    );
  }

  /** uq_venues_org_unit_name, also when a concurrent request took the name first. */
  private saving(name: string | undefined, work: () => Promise<Venue>): Promise<Venue> {
    return this.tx.mapViolations(work, (v) =>
      v.constraint === 'uq_venues_org_unit_name' ? VenueErrors.nameTaken(name) : undefined,
    );
  }
}
