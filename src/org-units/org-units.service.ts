import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { ancestorPaths, subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { maskDigits } from '../common/logging/logging';
import { type Page, pageOf } from '../common/pagination/page.dto';
import type { CreateOrgUnitDto, ListOrgUnitsQueryDto, UpdateOrgUnitDto } from './dto/org-unit.dto';
import { canBeChildOf, kindRank, ORG_UNIT_KINDS, type OrgUnitKind } from './org-unit-kind';
import { OrgUnitContact } from './org-unit-contact.entity';
import { OrgUnit } from './org-unit.entity';
import { OrgUnitErrors } from './org-units.errors';
import type { OrgUnitWithContacts, UnitContact } from './org-units.types';

/** True when a unit with materialised path `path` lies in the subtree whose root has `scopePath`. */
export function isWithin(path: string, scopePath: string): boolean {
  return path.startsWith(scopePath);
}

/** Id, parent, path and depth of a new unit under `parent` (or a new root). */
export function placeUnder(parent: Pick<OrgUnit, 'id' | 'path' | 'depth'> | null) {
  const id = randomUUID();
  return parent
    ? { id, parentId: parent.id, path: `${parent.path}${id}/`, depth: parent.depth + 1 }
    : { id, parentId: null, path: `/${id}/`, depth: 0 };
}

/**
 * Every change to the tree's shape (create, move, re-kind, delete) takes this
 * transaction-level advisory lock first, so paths are computed from a parent that cannot
 * move underneath: without it, a unit created while its parent moves keeps the old path
 * and lands in the wrong admin's scope. Tree edits are rare; reads never take it.
 */
const TREE_LOCK_KEY = 0x6f7267; // 'org'

function lockTree(m: EntityManager): Promise<unknown> {
  return m.query('SELECT pg_advisory_xact_lock($1)', [TREE_LOCK_KEY]);
}

/** What a table's rows are called when they keep a unit from being deleted (`usedBy`). */
const RECORD_KINDS: Record<string, string> = {
  plans: 'plan',
  surveys: 'survey',
  venues: 'venue',
  courses: 'course',
  enrolments: 'enrolment',
};

@Injectable()
export class OrgUnitsService {
  constructor(private readonly tx: TransactionService) {}

  private get repo() {
    return this.tx.manager.getRepository(OrgUnit);
  }

  /** A unit the caller may read: admins their subtree; others their own unit and its ancestors. 404 otherwise. */
  async getVisible(actor: AuthUser, id: string): Promise<OrgUnit> {
    const unit = await this.repo.findOneBy({ id });
    if (!unit) throw OrgUnitErrors.notFound();
    const visible = actor.role === 'admin' ? isWithin(unit.path, actor.orgPath) : actor.orgPath.startsWith(unit.path);
    if (!visible) throw OrgUnitErrors.notFound();
    return unit;
  }

  /**
   * A unit the caller may read (as `getVisible`), with its contact people. Admins see their
   * phone numbers; trainers and trainees (reading their own unit or one above it) see them masked.
   */
  async getVisibleWithContacts(actor: AuthUser, id: string): Promise<OrgUnitWithContacts> {
    const unit = await this.getVisible(actor, id);
    const contacts = (await this.contactsOf([unit.id])).get(unit.id) ?? [];
    const shown =
      actor.role === 'admin' ? contacts : contacts.map((c) => ({ ...c, phone: c.phone && maskDigits(c.phone) }));
    return Object.assign(unit, { contacts: shown });
  }

  /** A unit inside the admin's subtree, or 404. */
  async getInScope(actor: AuthUser, id: string, manager: EntityManager = this.tx.manager): Promise<OrgUnit> {
    const unit = await manager.getRepository(OrgUnit).findOneBy({ id });
    if (!unit || !isWithin(unit.path, actor.orgPath)) throw OrgUnitErrors.notFound();
    return unit;
  }

  async list(actor: AuthUser, query: ListOrgUnitsQueryDto): Promise<Page<OrgUnit>> {
    const qb = this.repo
      .createQueryBuilder('u')
      .where('u.path LIKE :scope', { scope: subtreePattern(actor.orgPath) })
      .orderBy('u.depth')
      .addOrderBy('u.name')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.kind) qb.andWhere('u.kind = :kind', { kind: query.kind });
    if (query.parentId) qb.andWhere('u.parent_id = :parentId', { parentId: query.parentId });
    if (query.q) qb.andWhere('(u.name ILIKE :q OR u.code ILIKE :q)', { q: `%${escapeLike(query.q)}%` });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /** The township a unit belongs to: itself if a township, its parent if a village under one. */
  async townshipOf(unitId: string, m: EntityManager = this.tx.manager): Promise<OrgUnit | undefined> {
    const unit = await m.getRepository(OrgUnit).findOneBy({ id: unitId });
    if (unit?.kind === 'township') return unit;
    if (unit?.kind !== 'village' || !unit.parentId) return undefined;
    const parent = await m.getRepository(OrgUnit).findOneBy({ id: unit.parentId });
    return parent?.kind === 'township' ? parent : undefined;
  }

  /**
   * The name of the training centre for a unit: its county (the library's branch), found
   * among the unit and those above it; the unit's own name when none of them is a county.
   * Every message states it, so people know who writes to them.
   */
  async centreName(path: string, m: EntityManager = this.tx.manager): Promise<string> {
    return (await this.centreOf(path, m))?.name ?? '';
  }

  /** The centre (county unit) at or above `path`, else the nearest unit: its id and name (as centreName). */
  async centreOf(path: string, m: EntityManager = this.tx.manager): Promise<{ id: string; name: string } | undefined> {
    const rows = await m.query<{ id: string; name: string; kind: OrgUnitKind }[]>(
      `SELECT id, name, kind FROM org_units WHERE path = ANY($1::text[]) ORDER BY depth DESC`,
      [ancestorPaths(path)],
    );
    const found = rows.find((r) => r.kind === 'county') ?? rows[0];
    return found && { id: found.id, name: found.name };
  }

  /**
   * Admins responsible for the unit at `path`: the active admins of the nearest unit at or
   * above it that has any (the county's own staff before the city's).
   */
  async adminsOver(path: string, m: EntityManager = this.tx.manager): Promise<string[]> {
    const rows = await m.query<{ id: string; depth: number }[]>(
      `SELECT u.id, o.depth FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE o.path = ANY($1::text[]) AND u.role = 'admin' AND u.active
        ORDER BY o.depth DESC`,
      [ancestorPaths(path)],
    );
    const nearest = rows[0]?.depth;
    return rows.filter((r) => r.depth === nearest).map((r) => r.id);
  }

  /**
   * The contact people of each unit, in call order: an entry for every id asked for (empty when
   * it has none). Only active users still belonging to that very unit count: a contact who is
   * deactivated or moved elsewhere keeps the row but drops out here (and comes back with a
   * reactivation), so users need not touch this table.
   */
  async contactsOf(unitIds: string[], m: EntityManager = this.tx.manager): Promise<Map<string, UnitContact[]>> {
    const result = new Map<string, UnitContact[]>(unitIds.map((id) => [id, []]));
    if (unitIds.length === 0) return result;
    const rows = await m.query<(UnitContact & { unitId: string })[]>(
      `SELECT c.org_unit_id AS "unitId", u.id AS "userId", u.display_name AS "displayName", u.phone
         FROM org_unit_contacts c
         JOIN users u ON u.id = c.user_id AND u.org_unit_id = c.org_unit_id AND u.active
        WHERE c.org_unit_id = ANY($1::uuid[])
        ORDER BY c.org_unit_id, c.position`,
      [unitIds],
    );
    for (const { unitId, ...contact } of rows) result.get(unitId)?.push(contact);
    return result;
  }

  /**
   * Replaces a township's or village's contact people with `userIds`, in that order: active
   * users of that very unit. The unit row is locked first (FOR NO KEY UPDATE, which leaves
   * foreign-key checks of other tables alone), so of two replacements at once one runs after
   * the other and its list is the one kept whole.
   */
  async setContacts(actor: AuthUser, id: string, userIds: string[]): Promise<OrgUnitWithContacts> {
    return this.tx.run(async (m) => {
      const [locked] = await m.query<{ id: string }[]>(`SELECT id FROM org_units WHERE id = $1 FOR NO KEY UPDATE`, [
        id,
      ]);
      if (!locked) throw OrgUnitErrors.notFound();
      const unit = await this.getInScope(actor, id, m);
      if (unit.kind !== 'township' && unit.kind !== 'village') throw OrgUnitErrors.contactsKind(unit.kind);
      const members = await m.query<{ id: string }[]>(
        `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND org_unit_id = $2 AND active`,
        [userIds, id],
      );
      const known = new Set(members.map((r) => r.id));
      const strangers = userIds.filter((u) => !known.has(u));
      if (strangers.length) throw OrgUnitErrors.contactNotInUnit(strangers);
      await m.delete(OrgUnitContact, { orgUnitId: id });
      if (userIds.length) {
        await m.insert(
          OrgUnitContact,
          userIds.map((userId, i) => ({ orgUnitId: id, userId, position: i + 1 })),
        );
      }
      return Object.assign(unit, { contacts: (await this.contactsOf([id], m)).get(id) ?? [] });
    });
  }

  /** Every unit of the given kinds under (and including) the unit with `path`, in name order. */
  async listSubtree(path: string, kinds: readonly OrgUnitKind[] = ORG_UNIT_KINDS): Promise<OrgUnit[]> {
    return this.repo
      .createQueryBuilder('u')
      .where('u.path LIKE :scope', { scope: subtreePattern(path) })
      .andWhere('u.kind IN (:...kinds)', { kinds })
      .orderBy('u.name')
      .getMany();
  }

  /** A new unit has no contact people yet. */
  async create(actor: AuthUser, dto: CreateOrgUnitDto): Promise<OrgUnitWithContacts> {
    return this.tx.run(async (m) => {
      await lockTree(m);
      const parent = await this.getInScope(actor, dto.parentId, m);
      if (!canBeChildOf(dto.kind, parent.kind)) throw OrgUnitErrors.kindOrder(dto.kind, parent.kind);
      const unit = m.getRepository(OrgUnit).create({
        ...placeUnder(parent),
        kind: dto.kind,
        name: dto.name,
        code: dto.code ?? null,
      });
      return Object.assign(await this.saveMappingErrors(m, unit, dto.code), { contacts: [] });
    });
  }

  async update(actor: AuthUser, id: string, dto: UpdateOrgUnitDto): Promise<OrgUnitWithContacts> {
    return this.tx.run(async (m) => {
      await lockTree(m);
      const repo = m.getRepository(OrgUnit);
      const unit = await this.getInScope(actor, id, m);
      const moving = dto.parentId !== undefined && dto.parentId !== unit.parentId;
      const rekinding = dto.kind !== undefined && dto.kind !== unit.kind;
      // An admin may rename its own unit, but never move it (that would move the admin up the tree).
      if ((moving || rekinding) && unit.id === actor.orgUnitId) throw OrgUnitErrors.ownUnit();

      const kind = dto.kind ?? unit.kind;
      let parent = unit.parentId ? await repo.findOneByOrFail({ id: unit.parentId }) : null;
      if (moving) {
        parent = await this.getInScope(actor, dto.parentId!, m);
        if (isWithin(parent.path, unit.path)) throw OrgUnitErrors.cycle();
      }
      if (parent && !canBeChildOf(kind, parent.kind)) throw OrgUnitErrors.kindOrder(kind, parent.kind);
      if (rekinding) {
        const highestChild = await repo
          .createQueryBuilder('c')
          .select('c.kind', 'kind')
          .where('c.parent_id = :id', { id: unit.id })
          .orderBy('c.kind', 'ASC')
          .limit(1)
          .getRawOne<{ kind: OrgUnitKind }>();
        if (highestChild && kindRank(highestChild.kind) <= kindRank(kind)) throw OrgUnitErrors.kindAboveChildren(kind);
      }

      if (moving && parent) {
        const oldPath = unit.path;
        const newPath = `${parent.path}${unit.id}/`;
        const depthDelta = parent.depth + 1 - unit.depth;
        // Re-root the whole subtree in one statement; rows are locked by the UPDATE itself.
        await m.query(
          `UPDATE org_units
              SET path = $2 || substr(path, length($1) + 1), depth = depth + $3, updated_at = now()
            WHERE path LIKE $1 || '%'`,
          [oldPath, newPath, depthDelta],
        );
        unit.path = newPath;
        unit.depth += depthDelta;
        unit.parentId = parent.id;
      }
      if (dto.name !== undefined) unit.name = dto.name;
      if (dto.code !== undefined) unit.code = dto.code;
      unit.kind = kind;
      // Only townships and villages have contact people.
      if (rekinding && kind !== 'township' && kind !== 'village') await m.delete(OrgUnitContact, { orgUnitId: id });
      const saved = await this.saveMappingErrors(m, unit, dto.code);
      return Object.assign(saved, { contacts: (await this.contactsOf([saved.id], m)).get(saved.id) ?? [] });
    });
  }

  /**
   * Deletes a unit nothing refers to. What still refers to it is named: units under it
   * (ORG_UNIT_HAS_CHILDREN), users (ORG_UNIT_HAS_USERS), or any other record, such as a
   * plan, survey or venue (ORG_UNIT_IN_USE with `usedBy`). The foreign keys decide, so a
   * record added meanwhile by another request is caught too.
   */
  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.tx.mapViolations(
      () =>
        this.tx.run(async (m) => {
          await lockTree(m);
          const unit = await this.getInScope(actor, id, m);
          if (unit.id === actor.orgUnitId) throw OrgUnitErrors.ownUnit();
          await m.delete(OrgUnit, { id });
        }),
      (v) => {
        if (v.kind !== 'foreign_key') return undefined;
        if (v.table === 'org_units') return OrgUnitErrors.hasChildren();
        if (v.table === 'users') return OrgUnitErrors.hasUsers();
        return OrgUnitErrors.inUse(RECORD_KINDS[v.table] ?? v.table);
      },
    );
  }

  private async saveMappingErrors(m: EntityManager, unit: OrgUnit, code?: string): Promise<OrgUnit> {
    return this.tx.mapViolations(
      () => m.getRepository(OrgUnit).save(unit),
      (v) => (v.constraint === 'uq_org_units_code' && code ? OrgUnitErrors.codeTaken(code) : undefined),
    );
  }
}
