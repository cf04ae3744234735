import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { Clock } from '../common/time/clock';
import { ClassErrors } from '../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { isWithin } from '../org-units/org-units.service';
import type {
  CreateQuizDto,
  DrawRuleDto,
  ListQuizzesQueryDto,
  OverrideDto,
  QuizDto,
  QuizOverrideDto,
  UpdateQuizDto,
} from './dto/quiz.dto';
import { MAX_QUIZ_QUESTIONS } from './dto/quiz.dto';
import { Quiz, QuizOverride, QuizQuestion } from './quiz.entity';
import { QuizErrors } from './quizzes.errors';
import { QuizSchedulingService } from './quiz-scheduling.service';
import { deadlineOf } from './quiz-timing';

/** A quiz with the class it belongs to (its scope and trainers). */
export interface ScopedQuiz {
  quiz: Quiz;
  cls: ScopedClass;
  /** For a trainee: the township their seat in the class counts for. */
  townshipId?: string;
}

/** Classes that may hold quizzes. */
const ACTIVE_CLASS = ['draft', 'open', 'running', 'completed'];

/**
 * Quizzes of a class: who may see and set them up, their fixed questions or draws, and the
 * per-trainee overrides. Attempts live in AttemptsService; both move deadlines only here and there.
 */
/** A quiz closing soon, as the console's dashboard lists it (`closingSoon`). */
export interface ClosingQuiz {
  id: string;
  title: string;
  mode: string;
  closesAt: Date;
  classId: string;
  classTitle: string;
}

@Injectable()
export class QuizzesService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly scheduling: QuizSchedulingService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // The classes module checks a class's `requiredQuizId` through this (it cannot import this module).
    this.classes.registerRequiredQuizCheck((quizId, classId, m) => this.belongsToClass(quizId, classId, m));
  }

  /** Whether the quiz is one of the class's. No access check. */
  async belongsToClass(quizId: string, classId: string, m: EntityManager = this.tx.manager): Promise<boolean> {
    return m.getRepository(Quiz).existsBy({ id: quizId, classId });
  }

  /** Admins whose part of the tree holds the class, and the class's trainers. */
  isStaff(actor: AuthUser, cls: ScopedClass): boolean {
    if (actor.role === 'admin') return isWithin(cls.planPath, actor.orgPath);
    return actor.role === 'trainer' && cls.trainerIds.includes(actor.id);
  }

  private async load(id: string, m: EntityManager, lock?: 'update' | 'share'): Promise<ScopedQuiz | undefined> {
    const qb = m.getRepository(Quiz).createQueryBuilder('q').where('q.id = :id', { id });
    if (lock) qb.setLock(lock === 'update' ? 'pessimistic_write' : 'pessimistic_read');
    const quiz = await qb.getOne();
    if (!quiz) return undefined;
    const cls = await this.classes.find(quiz.classId, m);
    return cls && { quiz, cls };
  }

  /** A quiz the caller sets up or watches (admins in scope, the class's trainers), else 404 QUIZ_NOT_FOUND. */
  async getForStaff(
    actor: AuthUser,
    id: string,
    m: EntityManager = this.tx.manager,
    lock?: 'update',
  ): Promise<ScopedQuiz> {
    const found = await this.load(id, m, lock);
    if (!found || !this.isStaff(actor, found.cls)) throw QuizErrors.quizNotFound();
    return found;
  }

  /** As getForStaff, and for trainees holding a seat in the class. */
  async getVisible(
    actor: AuthUser,
    id: string,
    m: EntityManager = this.tx.manager,
    lock?: 'share',
  ): Promise<ScopedQuiz> {
    const found = await this.load(id, m, lock);
    if (!found) throw QuizErrors.quizNotFound();
    if (this.isStaff(actor, found.cls)) return found;
    if (actor.role === 'trainee' && this.classes.canRead(actor, found.cls)) {
      const seat = await this.enrolments.seatOf(found.quiz.classId, actor.id, m);
      if (seat) return { ...found, townshipId: seat.townshipId };
    }
    throw QuizErrors.quizNotFound();
  }

  async get(actor: AuthUser, id: string): Promise<QuizDto> {
    const { quiz, cls } = await this.getVisible(actor, id);
    const [dto] = await this.toDtos([quiz], this.isStaff(actor, cls));
    return dto;
  }

  async list(actor: AuthUser, query: ListQuizzesQueryDto): Promise<Page<QuizDto>> {
    const qb = this.tx.manager
      .getRepository(Quiz)
      .createQueryBuilder('q')
      .innerJoin('classes', 'c', 'c.id = q.class_id')
      .orderBy('q.opens_at', 'DESC')
      .addOrderBy('q.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    switch (actor.role) {
      case 'admin':
        qb.innerJoin('plans', 'p', 'p.id = c.plan_id')
          .innerJoin('org_units', 'o', 'o.id = p.org_unit_id')
          .andWhere('o.path LIKE :pattern', { pattern: subtreePattern(actor.orgPath) });
        break;
      case 'trainer':
        qb.andWhere('EXISTS (SELECT 1 FROM class_trainers t WHERE t.class_id = c.id AND t.trainer_id = :me)', {
          me: actor.id,
        });
        break;
      case 'trainee':
        qb.andWhere(
          `c.status IN ('open', 'running', 'completed') AND EXISTS (SELECT 1 FROM enrolments e
             WHERE e.class_id = c.id AND e.trainee_id = :me AND e.status IN ('confirmed', 'completed'))`,
          { me: actor.id },
        );
        break;
    }
    if (query.classId) qb.andWhere('q.class_id = :classId', { classId: query.classId });
    if (query.mode) qb.andWhere('q.mode = :mode', { mode: query.mode });
    const [quizzes, total] = await qb.getManyAndCount();
    return pageOf(await this.toDtos(quizzes, actor.role !== 'trainee'), total, query);
  }

  async create(actor: AuthUser, dto: CreateQuizDto): Promise<QuizDto> {
    const quiz = await this.tx.run(async (m) => {
      const cls = await this.classes.find(dto.classId, m);
      if (!cls || !this.isStaff(actor, cls)) throw ClassErrors.notFound();
      if (!ACTIVE_CLASS.includes(cls.entity.status)) throw QuizErrors.quizClassNotActive(cls.entity.status);
      const opensAt = new Date(dto.opensAt);
      const closesAt = new Date(dto.closesAt);
      this.assertWindow(opensAt, closesAt);
      const source = this.sourceOf(dto.questionIds, dto.draw);
      await this.assertSource(m, cls.entity.courseId, source);
      const saved = await m.getRepository(Quiz).save(
        m.getRepository(Quiz).create({
          classId: cls.entity.id,
          title: dto.title,
          draw: source.draw ?? null,
          timeLimitSeconds: dto.timeLimitSeconds ?? null,
          opensAt,
          closesAt,
          attemptsAllowed: dto.attemptsAllowed,
          gradingMethod: dto.gradingMethod,
          passPercent: dto.passPercent,
          shuffle: dto.shuffle ?? true,
          reviewPolicy: dto.reviewPolicy ?? 'score_only',
          mode: dto.mode ?? 'quiz',
          createdBy: actor.id,
        }),
      );
      if (source.questionIds) await this.writeQuestions(m, saved.id, source.questionIds);
      this.scheduling.planClosingReminder(saved);
      return saved;
    });
    const [answer] = await this.toDtos([quiz], true);
    return answer;
  }

  async update(actor: AuthUser, id: string, dto: UpdateQuizDto): Promise<QuizDto> {
    const quiz = await this.tx.run(async (m) => {
      const { quiz, cls } = await this.getForStaff(actor, id, m, 'update');
      const started = await this.hasAttempts(m, quiz.id);
      const frozen = (['questionIds', 'draw', 'mode'] as const).filter(
        (f) => dto[f] !== undefined && (f !== 'mode' || dto.mode !== quiz.mode),
      );
      if (started && frozen.length) throw QuizErrors.quizHasAttempts(frozen);
      if (dto.questionIds !== undefined || dto.draw !== undefined) {
        const source = this.sourceOf(dto.questionIds, dto.draw);
        await this.assertSource(m, cls.entity.courseId, source);
        quiz.draw = source.draw ?? null;
        await m.delete(QuizQuestion, { quizId: quiz.id });
        if (source.questionIds) await this.writeQuestions(m, quiz.id, source.questionIds);
      }
      const opensAt = dto.opensAt ? new Date(dto.opensAt) : quiz.opensAt;
      const closesAt = dto.closesAt ? new Date(dto.closesAt) : quiz.closesAt;
      this.assertWindow(opensAt, closesAt);
      Object.assign(quiz, {
        title: dto.title ?? quiz.title,
        timeLimitSeconds: dto.timeLimitSeconds === undefined ? quiz.timeLimitSeconds : dto.timeLimitSeconds,
        opensAt,
        closesAt,
        attemptsAllowed: dto.attemptsAllowed ?? quiz.attemptsAllowed,
        gradingMethod: dto.gradingMethod ?? quiz.gradingMethod,
        passPercent: dto.passPercent ?? quiz.passPercent,
        shuffle: dto.shuffle ?? quiz.shuffle,
        reviewPolicy: dto.reviewPolicy ?? quiz.reviewPolicy,
        mode: dto.mode ?? quiz.mode,
      });
      const saved = await m.getRepository(Quiz).save(quiz);
      if (dto.passPercent !== undefined) {
        // A finished attempt's `passed` follows the pass mark it is now judged by.
        await m.query(`UPDATE quiz_attempts SET passed = percent >= $2 WHERE quiz_id = $1 AND status = 'finished'`, [
          saved.id,
          saved.passPercent,
        ]);
      }
      await this.moveDeadlines(m, saved);
      this.scheduling.planClosingReminder(saved);
      return saved;
    });
    const [answer] = await this.toDtos([quiz], true);
    return answer;
  }

  /**
   * Starts a contest now (the trainer's 测验实况 page): its opening time becomes now, only while
   * it has not opened. The same rules as PATCH `opensAt` (staff of the class; the window still
   * closes after it opens), under the quiz's row lock and with the condition kept in the UPDATE:
   * of two trainers tapping at once, one starts it and the other is answered null. Null too when
   * it is open or over already. A plain quiz is no contest: 404 QUIZ_NOT_FOUND.
   */
  async startContestNow(actor: AuthUser, id: string): Promise<QuizDto | null> {
    return this.moveContestEdge(actor, id, 'start');
  }

  /**
   * Ends a contest now: its closing time becomes now (a millisecond after its opening at least),
   * only while it is open; attempts in progress get their deadline moved to it, as PATCH
   * `closesAt` does. Locked and conditional as `startContestNow`; null when it is not open.
   */
  async endContestNow(actor: AuthUser, id: string): Promise<QuizDto | null> {
    return this.moveContestEdge(actor, id, 'end');
  }

  private async moveContestEdge(actor: AuthUser, id: string, edge: 'start' | 'end'): Promise<QuizDto | null> {
    const quiz = await this.tx.run(async (m) => {
      const { quiz } = await this.getForStaff(actor, id, m, 'update');
      if (quiz.mode !== 'contest') throw QuizErrors.quizNotFound();
      const now = this.clock.now();
      const update = m.createQueryBuilder().update(Quiz).where('id = :id', { id: quiz.id });
      if (edge === 'start') {
        if (!(now < quiz.opensAt)) return null;
        this.assertWindow(now, quiz.closesAt);
        update.set({ opensAt: now }).andWhere('opens_at > :now', { now });
      } else {
        if (!(quiz.opensAt <= now && now < quiz.closesAt)) return null;
        const closesAt = new Date(Math.max(now.getTime(), quiz.opensAt.getTime() + 1));
        this.assertWindow(quiz.opensAt, closesAt);
        update.set({ closesAt }).andWhere('opens_at <= :now AND closes_at > :now', { now });
      }
      const { affected } = await update.execute();
      if (!affected) return null;
      const saved = await m.getRepository(Quiz).findOneByOrFail({ id: quiz.id });
      await this.moveDeadlines(m, saved);
      this.scheduling.planClosingReminder(saved);
      return saved;
    });
    if (!quiz) return null;
    const [answer] = await this.toDtos([quiz], true);
    return answer;
  }

  /**
   * Quizzes and contests of the admin's part of the tree open at `now` and closing by `until`
   * (soonest first, at most `limit`, with how many there are), with their class's title: what
   * the console's dashboard lists as closing soon. Cancelled classes' quizzes are left out.
   */
  async closingSoon(
    actor: AuthUser,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<{ total: number; items: ClosingQuiz[] }> {
    const rows = await this.tx.manager.query<(ClosingQuiz & { total: number })[]>(
      `SELECT q.id, q.title, q.mode::text AS mode, q.closes_at AS "closesAt", c.id AS "classId",
              c.title AS "classTitle", count(*) OVER ()::int AS total
         FROM quizzes q
         JOIN classes c ON c.id = q.class_id
         JOIN plans p ON p.id = c.plan_id
         JOIN org_units o ON o.id = p.org_unit_id
        WHERE o.path LIKE $1 AND c.status <> 'cancelled' AND q.opens_at <= $2 AND q.closes_at > $2 AND q.closes_at <= $3
        ORDER BY q.closes_at, q.title, q.id
        LIMIT $4`,
      [subtreePattern(actor.orgPath), now, until, limit],
    );
    return { total: rows[0]?.total ?? 0, items: rows.map(({ total: _total, ...q }) => q) };
  }

  /**
   * The titles of the quizzes' classes by class id, in one query (as `list` joins them), for a
   * list of quizzes that names their classes. No access check: for quizzes the caller was given.
   */
  async classTitles(quizIds: string[]): Promise<Map<string, string>> {
    if (quizIds.length === 0) return new Map();
    const rows = await this.tx.manager.query<{ id: string; title: string }[]>(
      `SELECT DISTINCT c.id, c.title FROM quizzes q JOIN classes c ON c.id = q.class_id WHERE q.id = ANY($1::uuid[])`,
      [quizIds],
    );
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  async overrides(actor: AuthUser, id: string): Promise<QuizOverrideDto[]> {
    const { quiz } = await this.getForStaff(actor, id);
    const rows = await this.tx.manager
      .getRepository(QuizOverride)
      .find({ where: { quizId: quiz.id }, order: { updatedAt: 'ASC' } });
    return rows.map(toOverrideDto);
  }

  /** Sets one trainee's override (replacing any), and moves their attempt in progress to its new deadline. */
  async setOverride(actor: AuthUser, id: string, traineeId: string, dto: OverrideDto): Promise<QuizOverrideDto> {
    return this.tx.run(async (m) => {
      const { quiz } = await this.getForStaff(actor, id, m, 'update');
      const seat = await this.enrolments.seatOf(quiz.classId, traineeId, m);
      if (!seat) throw QuizErrors.overrideTraineeInvalid();
      const closesAt = dto.closesAt ? new Date(dto.closesAt) : null;
      if (closesAt) this.assertWindow(quiz.opensAt, closesAt, 'closesAt');
      const repo = m.getRepository(QuizOverride);
      const saved = await repo.save(
        repo.create({
          quizId: quiz.id,
          traineeId,
          extraTimeSeconds: dto.extraTimeSeconds ?? 0,
          closesAt,
          extraAttempts: dto.extraAttempts ?? 0,
          updatedBy: actor.id,
        }),
      );
      await this.moveDeadlines(m, quiz, traineeId);
      return toOverrideDto(saved);
    });
  }

  async removeOverride(actor: AuthUser, id: string, traineeId: string): Promise<void> {
    await this.tx.run(async (m) => {
      const { quiz } = await this.getForStaff(actor, id, m, 'update');
      await m.delete(QuizOverride, { quizId: quiz.id, traineeId });
      await this.moveDeadlines(m, quiz, traineeId);
    });
  }

  /**
   * Attempts in progress get the deadline the quiz (and their trainee's override) now gives
   * them, and a closing job for it; an attempt whose new deadline has passed is closed by that
   * job at once, dated at the deadline.
   */
  private async moveDeadlines(m: EntityManager, quiz: Quiz, traineeId?: string): Promise<void> {
    const rows = await m.query<
      { id: string; started_at: Date; deadline: Date; extra_time_seconds: number | null; closes_at: Date | null }[]
    >(
      `SELECT a.id, a.started_at, a.deadline, o.extra_time_seconds, o.closes_at
         FROM quiz_attempts a LEFT JOIN quiz_overrides o ON o.quiz_id = a.quiz_id AND o.trainee_id = a.trainee_id
        WHERE a.quiz_id = $1 AND a.status = 'in_progress' AND ($2::uuid IS NULL OR a.trainee_id = $2)
        FOR UPDATE OF a`,
      [quiz.id, traineeId ?? null],
    );
    const moved: { id: string; deadline: Date }[] = [];
    const now = this.clock.now();
    for (const r of rows) {
      const override =
        r.extra_time_seconds === null ? null : { extraTimeSeconds: r.extra_time_seconds, closesAt: r.closes_at };
      // Never before now: an attempt is not closed in the past, over answers given since.
      const deadline = new Date(Math.max(deadlineOf(r.started_at, quiz, override).getTime(), now.getTime()));
      if (deadline.getTime() === r.deadline.getTime()) continue;
      await m.query(`UPDATE quiz_attempts SET deadline = $2 WHERE id = $1`, [r.id, deadline]);
      moved.push({ id: r.id, deadline });
    }
    this.scheduling.planDeadlines(moved);
  }

  private assertWindow(opensAt: Date, closesAt: Date, field = 'closesAt'): void {
    if (closesAt.getTime() <= opensAt.getTime()) throw QuizErrors.quizWindowInvalid(field);
  }

  private sourceOf(questionIds: string[] | undefined, draw: DrawRuleDto[] | undefined) {
    if ((questionIds === undefined) === (draw === undefined)) throw QuizErrors.quizSourceInvalid();
    if (draw) {
      const categories = draw.map((d) => d.category);
      if (new Set(categories).size !== categories.length) throw QuizErrors.quizSourceInvalid();
      if (draw.reduce((s, d) => s + d.count, 0) > MAX_QUIZ_QUESTIONS) throw QuizErrors.quizSourceInvalid();
    }
    return { questionIds, draw };
  }

  /** Fixed questions must be live questions of the course; a draw must find enough in each category. */
  private async assertSource(
    m: EntityManager,
    courseId: string,
    source: { questionIds?: string[]; draw?: DrawRuleDto[] },
  ): Promise<void> {
    if (source.questionIds) {
      const found = await m.query<{ id: string }[]>(
        `SELECT id FROM questions WHERE id = ANY($1::uuid[]) AND course_id = $2 AND deleted_at IS NULL`,
        [source.questionIds, courseId],
      );
      const ok = new Set(found.map((r) => r.id));
      const bad = source.questionIds.filter((q) => !ok.has(q));
      if (bad.length) throw QuizErrors.quizQuestionsInvalid(bad);
    }
    for (const rule of source.draw ?? []) {
      const [{ n }] = await m.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM questions WHERE course_id = $1 AND category = $2 AND deleted_at IS NULL`,
        [courseId, rule.category],
      );
      if (n < rule.count) throw QuizErrors.quizDrawTooLarge(rule.category, n);
    }
  }

  private async writeQuestions(m: EntityManager, quizId: string, questionIds: string[]): Promise<void> {
    await m
      .getRepository(QuizQuestion)
      .insert(questionIds.map((questionId, position) => ({ quizId, questionId, position })));
  }

  private async hasAttempts(m: EntityManager, quizId: string): Promise<boolean> {
    const rows = await m.query<unknown[]>(`SELECT 1 FROM quiz_attempts WHERE quiz_id = $1 LIMIT 1`, [quizId]);
    return rows.length > 0;
  }

  private async toDtos(quizzes: Quiz[], staff: boolean): Promise<QuizDto[]> {
    if (quizzes.length === 0) return [];
    const rows = await this.tx.manager.query<{ quiz_id: string; question_id: string }[]>(
      `SELECT quiz_id, question_id FROM quiz_questions WHERE quiz_id = ANY($1::uuid[]) ORDER BY quiz_id, position`,
      [quizzes.map((q) => q.id)],
    );
    const fixed = new Map<string, string[]>();
    for (const r of rows) fixed.set(r.quiz_id, [...(fixed.get(r.quiz_id) ?? []), r.question_id]);
    return quizzes.map((q) => {
      const questionIds = q.draw ? null : (fixed.get(q.id) ?? []);
      return {
        id: q.id,
        classId: q.classId,
        title: q.title,
        questionIds: staff ? questionIds : null,
        draw: q.draw,
        questionCount: q.draw ? q.draw.reduce((s, d) => s + d.count, 0) : (questionIds?.length ?? 0),
        timeLimitSeconds: q.timeLimitSeconds,
        opensAt: q.opensAt,
        closesAt: q.closesAt,
        attemptsAllowed: q.attemptsAllowed,
        gradingMethod: q.gradingMethod,
        passPercent: q.passPercent,
        shuffle: q.shuffle,
        reviewPolicy: q.reviewPolicy,
        mode: q.mode,
        createdAt: q.createdAt,
        updatedAt: q.updatedAt,
      };
    });
  }

  /** Now, by the service's clock (for callers that compare against a quiz's window). */
  now(): Date {
    return this.clock.now();
  }
}

function toOverrideDto(o: QuizOverride): QuizOverrideDto {
  return {
    quizId: o.quizId,
    traineeId: o.traineeId,
    extraTimeSeconds: o.extraTimeSeconds,
    closesAt: o.closesAt,
    extraAttempts: o.extraAttempts,
    updatedAt: o.updatedAt,
  };
}
