import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import { type CreateUserDto, type ListUsersQueryDto, SELF_EDITABLE, type UpdateUserDto } from './dto/user.dto';
import { hashPassword } from '../common/auth/passwords';
import { User } from './user.entity';
import { UserErrors } from './users.errors';

/** What a screen shows of a person beside a class or session. */
export interface PersonRef {
  id: string;
  displayName: string;
}

/** The row the JWT strategy loads on every request: the caller and its scope, in one indexed read. */
export interface AuthRow extends AuthUser {
  tokenVersion: number;
}

export const AUTH_ROW_SQL = `
  SELECT u.id, u.username, u.display_name AS "displayName", u.role, u.org_unit_id AS "orgUnitId",
         o.path AS "orgPath", u.phone, u.email, u.education, u.proficiency, u.active,
         u.token_version AS "tokenVersion", u.created_at AS "createdAt", u.updated_at AS "updatedAt"
    FROM users u JOIN org_units o ON o.id = u.org_unit_id
   WHERE u.id = $1`;

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(User);
  }

  /**
   * Runs on every authenticated request, so it goes straight to TypeORM's pg pool:
   * a QueryRunner per call costs about a tenth of the throughput of a cheap read (bench/).
   */
  async findAuthRow(id: string): Promise<AuthRow | undefined> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const { rows } = await pool.query<AuthRow>(AUTH_ROW_SQL, [id]);
    return rows[0];
  }

  /** For login only: the user with its password hash. */
  async findByUsernameWithHash(username: string): Promise<User | null> {
    return this.repo
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username: username.trim().toLowerCase() })
      .getOne();
  }

  /** A user the caller may read: admins, anyone in their subtree; others, only themselves. 404 otherwise. */
  async getVisible(actor: AuthUser, id: string): Promise<User> {
    if (actor.role !== 'admin' && actor.id !== id) throw UserErrors.notFound();
    const user = await this.repo.findOneBy({ id });
    if (!user) throw UserErrors.notFound();
    if (actor.id !== id) await this.assertInScope(actor, user);
    return user;
  }

  async list(actor: AuthUser, query: ListUsersQueryDto): Promise<Page<User>> {
    let scopePath = actor.orgPath;
    if (query.orgUnitId) scopePath = (await this.orgUnits.getInScope(actor, query.orgUnitId)).path;
    const qb = this.repo
      .createQueryBuilder('u')
      .innerJoin('org_units', 'o', 'o.id = u.org_unit_id')
      .where('o.path LIKE :scope', { scope: `${scopePath}%` })
      .orderBy('u.display_name')
      .addOrderBy('u.username')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    if (query.q) {
      qb.andWhere('(u.display_name ILIKE :q OR u.username ILIKE :q OR u.phone ILIKE :q)', {
        q: `%${escapeLike(query.q)}%`,
      });
    }
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /** How many users (active or not) belong to each unit of the subtree at `path`; units without any are left out. */
  async countByUnit(path: string): Promise<Map<string, number>> {
    const rows = await this.tx.manager.query<{ id: string; count: number }[]>(
      `SELECT u.org_unit_id AS id, count(*)::int AS count
         FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE o.path LIKE $1
        GROUP BY u.org_unit_id`,
      [subtreePattern(path)],
    );
    return new Map(rows.map((r) => [r.id, r.count]));
  }

  async create(actor: AuthUser, dto: CreateUserDto): Promise<User> {
    const passwordHash = await hashPassword(dto.password);
    return this.tx.run(async (m) => {
      await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
      const user = m.getRepository(User).create({
        username: dto.username,
        passwordHash,
        displayName: dto.displayName,
        role: dto.role,
        orgUnitId: dto.orgUnitId,
        phone: dto.phone ?? null,
        email: dto.email ?? null,
        education: dto.education ?? null,
        proficiency: dto.proficiency ?? null,
      });
      return this.save(m, user);
    });
  }

  async update(actor: AuthUser, id: string, dto: UpdateUserDto): Promise<User> {
    if (actor.id === id) {
      const forbidden = (Object.keys(dto) as (keyof UpdateUserDto)[]).find(
        (k) => dto[k] !== undefined && !SELF_EDITABLE.includes(k),
      );
      if (forbidden) throw UserErrors.selfChange(forbidden);
    } else if (actor.role !== 'admin') {
      throw UserErrors.notFound();
    }
    const passwordHash = dto.password ? await hashPassword(dto.password) : undefined;
    return this.tx.run(async (m) => {
      const repo = m.getRepository(User);
      const user = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw UserErrors.notFound();
      if (actor.id !== id) await this.assertInScope(actor, user, m);
      if (dto.orgUnitId !== undefined && dto.orgUnitId !== user.orgUnitId) {
        await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
        user.orgUnitId = dto.orgUnitId;
      }
      const revokes =
        (dto.role !== undefined && dto.role !== user.role) ||
        (dto.active === false && user.active) ||
        passwordHash !== undefined;
      if (dto.displayName !== undefined) user.displayName = dto.displayName;
      if (dto.phone !== undefined) user.phone = dto.phone;
      if (dto.email !== undefined) user.email = dto.email;
      if (dto.education !== undefined) user.education = dto.education;
      if (dto.proficiency !== undefined) user.proficiency = dto.proficiency;
      if (dto.role !== undefined) user.role = dto.role;
      if (dto.active !== undefined) user.active = dto.active;
      if (passwordHash) user.passwordHash = passwordHash;
      if (revokes) user.revokeAccess();
      return this.save(m, user);
    });
  }

  /** Of the given ids, those that are active trainers of a unit under the one at `path` (a class's county). */
  async activeTrainerIdsUnder(path: string, ids: string[], m: EntityManager = this.tx.manager): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await m.query<{ id: string }[]>(
      `SELECT u.id FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.id = ANY($1::uuid[]) AND u.role = 'trainer' AND u.active AND o.path LIKE $2`,
      [ids, subtreePattern(path)],
    );
    return rows.map((r) => r.id);
  }

  /** Display names by id, in one query (for the trainers beside classes and sessions). */
  async refs(ids: readonly (string | null)[]): Promise<Map<string, PersonRef>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await this.tx.manager.query<PersonRef[]>(
      `SELECT id, display_name AS "displayName" FROM users WHERE id = ANY($1::uuid[])`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Stores the hash of a user's calendar feed secret (null revokes the feed). */
  async setCalendarTokenHash(userId: string, hash: string | null): Promise<void> {
    await this.tx.manager.update(User, { id: userId }, { calendarTokenHash: hash });
  }

  /** The active user whose calendar feed secret hashes to `hash`. */
  async findByCalendarTokenHash(hash: string): Promise<AuthUser | undefined> {
    const rows = await this.tx.manager.query<AuthRow[]>(
      `${AUTH_ROW_SQL.replace('WHERE u.id = $1', 'WHERE u.calendar_token_hash = $1 AND u.active')}`,
      [hash],
    );
    if (!rows[0]) return undefined;
    const { tokenVersion: _v, ...user } = rows[0];
    return user;
  }

  /**
   * Sets a user's own new password (self-service change, or a reset by SMS code): stores the
   * hash and ends every other way in, as an admin's password change does (`revokeAccess`:
   * older tokens and sessions stop at their next request). Answers the new token version, for
   * the one session the caller starts after it. 404 when the user is gone or deactivated.
   */
  async setOwnPassword(id: string, passwordHash: string): Promise<{ tokenVersion: number }> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(User);
      const user = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user?.active) throw UserErrors.notFound();
      user.passwordHash = passwordHash;
      user.revokeAccess();
      await repo.save(user);
      return { tokenVersion: user.tokenVersion };
    });
  }

  /**
   * The active user a phone number (digits only, as typed) belongs to: the one whose username
   * is that number, else the only one with it on file (none when several share it).
   */
  async findActiveByPhone(digits: string): Promise<{ id: string } | undefined> {
    const rows = await this.tx.manager.query<{ id: string; byUsername: boolean }[]>(
      `SELECT id, username = $1 AS "byUsername" FROM users
        WHERE active AND (username = $1 OR regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') IN ($1, '86' || $1))
        ORDER BY username = $1 DESC
        LIMIT 2`,
      [digits],
    );
    if (rows[0]?.byUsername) return { id: rows[0].id };
    return rows.length === 1 ? { id: rows[0].id } : undefined;
  }

  private async assertInScope(actor: AuthUser, user: User, m: EntityManager = this.tx.manager): Promise<void> {
    const rows = await m.query<{ path: string }[]>('SELECT path FROM org_units WHERE id = $1', [user.orgUnitId]);
    if (!rows[0] || !isWithin(rows[0].path, actor.orgPath)) throw UserErrors.notFound();
  }

  private async save(m: EntityManager, user: User): Promise<User> {
    const saved = await this.tx.mapViolations(
      () => m.getRepository(User).save(user),
      (v) => (v.constraint === 'uq_users_username' ? UserErrors.usernameTaken(user.username) : undefined),
    );
    delete (saved as Partial<User>).passwordHash;
    return saved;
  }
}
