import { Injectable } from '@nestjs/common';
import { TransactionService } from '../common/database/transaction.service';
import { Clock } from '../common/time/clock';
import { CoursesService } from '../courses/courses.service';
import { UsersService } from '../users/users.service';
import { VenuesService } from '../venues/venues.service';
import type { ClassSession } from './class-session.entity';
import type { ScopedClass } from './classes.service';
import { ClassDto, type ClassRefs } from './dto/class.dto';
import { SessionDto, type SessionRefs } from './dto/session.dto';

/**
 * Classes and sessions as screens show them: with the course, venue and trainers named
 * beside their ids. A list costs a fixed number of queries (one per kind of name), never
 * one per row. The lookups run one after another: inside a caller's transaction they
 * share its one connection.
 */
@Injectable()
export class ClassViewsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly courses: CoursesService,
    private readonly venues: VenuesService,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  async classes(items: ScopedClass[]): Promise<ClassDto[]> {
    const refs: ClassRefs = {
      courses: await this.courses.refs(items.map((c) => c.entity.courseId)),
      venues: await this.venues.refs(items.map((c) => c.entity.venueId)),
      people: await this.users.refs(items.flatMap((c) => c.trainerIds)),
    };
    return items.map((c) => ClassDto.from(c.entity, c.trainerIds, refs));
  }

  async class(item: ScopedClass): Promise<ClassDto> {
    return (await this.classes([item]))[0];
  }

  async sessions(items: ClassSession[]): Promise<SessionDto[]> {
    const classIds = [...new Set(items.map((s) => s.classId))];
    const classRows = classIds.length
      ? await this.tx.manager.query<{ id: string; title: string; courseId: string }[]>(
          `SELECT id, title, course_id AS "courseId" FROM classes WHERE id = ANY($1::uuid[])`,
          [classIds],
        )
      : [];
    const refs: SessionRefs = {
      classes: new Map(classRows.map((c) => [c.id, c])),
      courses: await this.courses.refs(classRows.map((c) => c.courseId)),
      venues: await this.venues.refs(items.map((s) => s.venueId)),
      people: await this.users.refs(items.map((s) => s.trainerId)),
    };
    const now = this.clock.now();
    return items.map((s) => SessionDto.from(s, refs, now));
  }
}
