import { Injectable } from '@nestjs/common';
import { Brackets, type EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { isWithin } from '../org-units/org-units.service';
import { Course } from './course.entity';
import { CourseErrors } from './courses.errors';
import type { CreateCourseDto, ListCoursesQueryDto, UpdateCourseDto } from './dto/course.dto';

/** Ids of the caller's unit and every unit above it, read off the materialised path. */
function ownAndAncestorIds(actor: AuthUser): string[] {
  return actor.orgPath.split('/').filter(Boolean);
}

/**
 * A course is visible to a user when its owner unit is the user's own unit or an
 * ancestor of it (a province-wide catalogue reaches down the tree), and, for admins,
 * also when the owner lies inside the admin's subtree.
 */
function isVisible(actor: AuthUser, ownerPath: string): boolean {
  return isWithin(actor.orgPath, ownerPath) || (actor.role === 'admin' && isWithin(ownerPath, actor.orgPath));
}

/** What a screen shows of a course beside a class or session. */
export interface CourseRef {
  id: string;
  title: string;
}

@Injectable()
export class CoursesService {
  constructor(private readonly tx: TransactionService) {}

  /** Titles by id, in one query (for lists of classes and sessions). */
  async refs(ids: readonly string[]): Promise<Map<string, CourseRef>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const rows = await this.tx.manager.query<CourseRef[]>(`SELECT id, title FROM courses WHERE id = ANY($1::uuid[])`, [
      wanted,
    ]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * A course a class of the county at `countyPath` may be built on: one of that county's
   * catalogue, or one from above it (a province-wide catalogue), never another county's;
   * else 404 COURSE_NOT_FOUND. Called by the classes module inside its own transaction.
   */
  async getUsableFor(countyPath: string, id: string, manager?: EntityManager): Promise<Course> {
    return this.find(id, manager, (ownerPath) => isWithin(countyPath, ownerPath) || isWithin(ownerPath, countyPath));
  }

  /** A course visible to the caller, or 404 COURSE_NOT_FOUND. */
  async getVisible(actor: AuthUser, id: string, manager?: EntityManager): Promise<Course> {
    return this.find(id, manager, (ownerPath) => isVisible(actor, ownerPath));
  }

  private async find(id: string, manager: EntityManager | undefined, allowed: (ownerPath: string) => boolean) {
    const m = manager ?? this.tx.manager;
    const course = await m.getRepository(Course).findOne({ where: { id }, relations: { orgUnit: true } });
    if (!course || !course.orgUnit || !allowed(course.orgUnit.path)) throw CourseErrors.notFound();
    delete course.orgUnit;
    return course;
  }

  /** Whether an admin may edit the course (as `update` decides: owned inside the admin's subtree). */
  async isEditableBy(actor: AuthUser, id: string): Promise<boolean> {
    if (actor.role !== 'admin') return false;
    const rows = await this.tx.manager.query<unknown[]>(
      `SELECT 1 FROM courses c JOIN org_units o ON o.id = c.org_unit_id WHERE c.id = $1 AND o.path LIKE $2`,
      [id, subtreePattern(actor.orgPath)],
    );
    return rows.length > 0;
  }

  /** Ids of the courses an admin may edit (owned inside the admin's subtree); none for other roles. */
  async idsEditableBy(actor: AuthUser): Promise<string[]> {
    if (actor.role !== 'admin') return [];
    const rows = await this.tx.manager.query<{ id: string }[]>(
      `SELECT c.id FROM courses c JOIN org_units o ON o.id = c.org_unit_id WHERE o.path LIKE $1`,
      [subtreePattern(actor.orgPath)],
    );
    return rows.map((r) => r.id);
  }

  async list(actor: AuthUser, query: ListCoursesQueryDto): Promise<Page<Course>> {
    const qb = this.tx.manager
      .getRepository(Course)
      .createQueryBuilder('c')
      .innerJoin('org_units', 'o', 'o.id = c.org_unit_id')
      .where(
        new Brackets((w) => {
          w.where('c.org_unit_id IN (:...own)', { own: ownAndAncestorIds(actor) });
          if (actor.role === 'admin') w.orWhere('o.path LIKE :scope', { scope: `${actor.orgPath}%` });
        }),
      )
      .orderBy('c.title')
      .addOrderBy('c.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.level) qb.andWhere('c.level = :level', { level: query.level });
    if (query.q) {
      qb.andWhere('(c.title ILIKE :q OR EXISTS (SELECT 1 FROM unnest(c.topics) AS t(topic) WHERE t.topic ILIKE :q))', {
        q: `%${escapeLike(query.q)}%`,
      });
    }
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /** A new course owned by the admin's own unit, so its admins (and those above) maintain it. */
  async create(actor: AuthUser, dto: CreateCourseDto): Promise<Course> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Course);
      return repo.save(
        repo.create({
          orgUnitId: actor.orgUnitId,
          title: dto.title,
          level: dto.level,
          hours: dto.hours,
          description: dto.description ?? null,
          topics: dto.topics ?? [],
        }),
      );
    });
  }

  /** Admins edit only courses owned inside their subtree; a catalogue from above is read-only (404). */
  async update(actor: AuthUser, id: string, dto: UpdateCourseDto): Promise<Course> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Course);
      const course = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!course) throw CourseErrors.notFound();
      const [owner] = await m.query<{ path: string }[]>('SELECT path FROM org_units WHERE id = $1', [course.orgUnitId]);
      if (!owner || !isWithin(owner.path, actor.orgPath)) throw CourseErrors.notFound();
      if (dto.title !== undefined) course.title = dto.title;
      if (dto.level !== undefined) course.level = dto.level;
      if (dto.hours !== undefined) course.hours = dto.hours;
      if (dto.description !== undefined) course.description = dto.description;
      if (dto.topics !== undefined) course.topics = dto.topics;
      return repo.save(course);
    });
  }
}
