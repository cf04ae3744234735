import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { escapeLike } from '../common/database/like';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { Clock } from '../common/time/clock';
import { ClassesService } from '../classes/classes.service';
import { CoursesService } from '../courses/courses.service';
import type { CreateQuestionDto, ListQuestionsQueryDto, UpdateQuestionDto } from './dto/question.dto';
import { type ImageType, MAX_IMAGE_BYTES, QuestionImage } from './question-image.entity';
import { applyEdit, checkQuestion, type QuestionContent, type QuestionInput } from './question-rules';
import { Question } from './question.entity';
import { QuizErrors } from './quizzes.errors';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_END = Buffer.from('0000000049454e44ae426082', 'hex');

/**
 * The picture types we keep, told by their structure (what a file claims to be is not
 * trusted): a PNG starts with its signature and an IHDR chunk and ends with IEND; a JPEG
 * starts with SOI and a marker and ends with EOI.
 */
export function imageTypeOf(bytes: Buffer): ImageType | undefined {
  if (
    bytes.length >= 8 + 25 + 12 &&
    bytes.subarray(0, 8).equals(PNG_SIGNATURE) &&
    bytes.readUInt32BE(8) === 13 &&
    bytes.toString('latin1', 12, 16) === 'IHDR' &&
    bytes.subarray(bytes.length - 12).equals(PNG_END)
  ) {
    return 'image/png';
  }
  if (
    bytes.length >= 8 &&
    bytes[0] === 0xff &&
    bytes[1] === 0xd8 &&
    bytes[2] === 0xff &&
    bytes[bytes.length - 2] === 0xff &&
    bytes[bytes.length - 1] === 0xd9
  ) {
    return 'image/jpeg';
  }
  return undefined;
}

/** A stored picture, as served. */
export interface ImageFile {
  mediaType: ImageType;
  content: Buffer;
  sha256: string;
}

/**
 * The question bank: questions per course and category, kept by the course's admins (those
 * who may edit the course) and the trainers of its classes. Edits bump `version` and deletes
 * only mark the question: attempts keep their own snapshot, so neither changes them.
 */
@Injectable()
export class QuestionsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly courses: CoursesService,
    private readonly classes: ClassesService,
    private readonly clock: Clock,
  ) {}

  /** The courses whose bank the caller keeps: admins, courses they may edit; trainers, courses they teach. */
  async courseIdsKeptBy(actor: AuthUser): Promise<string[]> {
    switch (actor.role) {
      case 'admin':
        return this.courses.idsEditableBy(actor);
      case 'trainer':
        return this.classes.courseIdsTaughtBy(actor.id);
      case 'trainee':
        return [];
    }
  }

  async keepsCourse(actor: AuthUser, courseId: string): Promise<boolean> {
    switch (actor.role) {
      case 'admin':
        return this.courses.isEditableBy(actor, courseId);
      case 'trainer':
        return (await this.classes.courseIdsTaughtBy(actor.id)).includes(courseId);
      case 'trainee':
        return false;
    }
  }

  async list(actor: AuthUser, query: ListQuestionsQueryDto): Promise<Page<Question>> {
    const courseIds = await this.courseIdsKeptBy(actor);
    const qb = this.tx.manager
      .getRepository(Question)
      .createQueryBuilder('q')
      .where('q.deleted_at IS NULL')
      .andWhere('q.course_id = ANY(:courseIds)', { courseIds })
      .orderBy('q.category')
      .addOrderBy('q.created_at')
      .addOrderBy('q.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.courseId) qb.andWhere('q.course_id = :courseId', { courseId: query.courseId });
    if (query.category) qb.andWhere('q.category = :category', { category: query.category });
    if (query.type) qb.andWhere('q.type = :type', { type: query.type });
    if (query.q) qb.andWhere('q.prompt ILIKE :q', { q: `%${escapeLike(query.q)}%` });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items, total, query);
  }

  /** Each category of a course's bank with its number of questions; none for a course the caller does not keep. */
  async categories(actor: AuthUser, courseId: string): Promise<{ category: string; count: number }[]> {
    if (!(await this.keepsCourse(actor, courseId))) return [];
    const rows = await this.tx.manager.query<{ category: string; count: string }[]>(
      `SELECT category, count(*) AS count FROM questions
        WHERE course_id = $1 AND deleted_at IS NULL GROUP BY category ORDER BY category`,
      [courseId],
    );
    return rows.map((r) => ({ category: r.category, count: Number(r.count) }));
  }

  /** A question the caller keeps, not deleted; else 404 QUESTION_NOT_FOUND. */
  async get(actor: AuthUser, id: string, m: EntityManager = this.tx.manager, lock = false): Promise<Question> {
    const question = await m
      .getRepository(Question)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!question || question.deletedAt || !(await this.keepsCourse(actor, question.courseId))) {
      throw QuizErrors.questionNotFound();
    }
    return question;
  }

  async create(actor: AuthUser, dto: CreateQuestionDto): Promise<Question> {
    const { courseId, ...input } = dto;
    if (!(await this.keepsCourse(actor, courseId))) throw QuizErrors.questionInvalid('courseId', 'course');
    const content = checked(input);
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Question);
      return repo.save(repo.create({ ...content, courseId, createdBy: actor.id, imageId: null, deletedAt: null }));
    });
  }

  /** Applies the fields given, checks the whole question again and bumps its version. */
  async update(actor: AuthUser, id: string, dto: UpdateQuestionDto): Promise<Question> {
    return this.tx.run(async (m) => {
      const question = await this.get(actor, id, m, true);
      const content = checked(applyEdit(question, dto), question);
      if (content.category !== question.category) await this.assertNotNeeded(m, question, content.category);
      Object.assign(question, content, { version: question.version + 1 });
      return m.getRepository(Question).save(question);
    });
  }

  /**
   * Marks the question deleted, unless a quiz still open for someone (overrides included) lists
   * it, or draws from its category and would then find too few (409 QUESTION_IN_USE).
   */
  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.tx.run(async (m) => {
      const question = await this.get(actor, id, m, true);
      await this.assertNotNeeded(m, question, null);
      await m.getRepository(Question).update({ id: question.id }, { deletedAt: this.clock.now() });
    });
  }

  /**
   * The quizzes still open for someone that need the question where it is: listing it, or
   * drawing from its category a count its category would no longer hold once it leaves
   * (deleted, `newCategory` null, or moved to `newCategory`).
   */
  private async assertNotNeeded(m: EntityManager, question: Question, newCategory: string | null): Promise<void> {
    const rows = await m.query<{ id: string }[]>(
      `WITH open AS (
         SELECT z.id, z.draw FROM quizzes z JOIN classes c ON c.id = z.class_id
          WHERE c.course_id = $2
            AND greatest(z.closes_at, (SELECT max(o.closes_at) FROM quiz_overrides o WHERE o.quiz_id = z.id)) > $3)
       SELECT DISTINCT open.id FROM open
        WHERE ($4::text IS NULL AND EXISTS (SELECT 1 FROM quiz_questions qq
                                            WHERE qq.quiz_id = open.id AND qq.question_id = $1))
           OR EXISTS (SELECT 1 FROM jsonb_to_recordset(coalesce(open.draw, '[]')) AS d(category text, count int)
                       WHERE d.category = $5 AND $5 IS DISTINCT FROM $4
                         AND d.count > (SELECT count(*) FROM questions x
                                         WHERE x.course_id = $2 AND x.category = $5 AND x.deleted_at IS NULL) - 1)
        ORDER BY open.id`,
      [question.id, question.courseId, this.clock.now(), newCategory, question.category],
    );
    if (rows.length > 0) throw QuizErrors.questionInUse(rows.map((r) => r.id));
  }

  /**
   * Gives the question a new picture: always a new row (attempts refer to the old one, which
   * stays), and a new version of the question.
   */
  async setImage(actor: AuthUser, id: string, file: Buffer): Promise<Question> {
    if (file.length > MAX_IMAGE_BYTES) throw QuizErrors.imageTooLarge(MAX_IMAGE_BYTES);
    const mediaType = imageTypeOf(file);
    if (!mediaType) throw QuizErrors.imageInvalid();
    return this.tx.run(async (m) => {
      const question = await this.get(actor, id, m, true);
      const images = m.getRepository(QuestionImage);
      const image = await images.save(
        images.create({
          courseId: question.courseId,
          mediaType,
          content: file,
          byteSize: file.length,
          sha256: createHash('sha256').update(file).digest('hex'),
        }),
      );
      question.imageId = image.id;
      question.version += 1;
      return m.getRepository(Question).save(question);
    });
  }

  /** Takes the picture off the question (the picture itself stays for the attempts that showed it). */
  async removeImage(actor: AuthUser, id: string): Promise<Question> {
    return this.tx.run(async (m) => {
      const question = await this.get(actor, id, m, true);
      if (question.imageId === null) return question;
      question.imageId = null;
      question.version += 1;
      return m.getRepository(Question).save(question);
    });
  }

  /**
   * A picture by id, for those who keep its course's bank and for trainees whose attempt
   * showed it; else 404 QUESTION_IMAGE_NOT_FOUND (another county's pictures are not there).
   */
  async image(actor: AuthUser, id: string): Promise<ImageFile> {
    const [row] = await this.tx.manager.query<
      { course_id: string; media_type: ImageType; content: Buffer; sha256: string }[]
    >(`SELECT course_id, media_type, content, sha256 FROM question_images WHERE id = $1`, [id]);
    if (!row) throw QuizErrors.imageNotFound();
    const allowed =
      actor.role === 'trainee'
        ? (
            await this.tx.manager.query<unknown[]>(
              `SELECT 1 FROM quiz_attempts
                WHERE trainee_id = $1 AND questions @> jsonb_build_array(jsonb_build_object('imageId', $2::text))
                LIMIT 1`,
              [actor.id, id],
            )
          ).length > 0
        : await this.keepsCourse(actor, row.course_id);
    if (!allowed) throw QuizErrors.imageNotFound();
    return { mediaType: row.media_type, content: row.content, sha256: row.sha256 };
  }

  /** Writes checked questions of one course at once (the import); joins the open transaction. */
  async insertMany(actor: AuthUser, courseId: string, contents: QuestionContent[]): Promise<void> {
    await this.tx.run(async (m) => {
      const repo = m.getRepository(Question);
      for (let i = 0; i < contents.length; i += 500) {
        await repo.insert(
          contents
            .slice(i, i + 500)
            .map((c) => repo.create({ ...c, courseId, createdBy: actor.id, imageId: null, deletedAt: null })),
        );
      }
    });
  }
}

/** The question as stored, or 400 QUESTION_INVALID naming its first problem. */
function checked(input: QuestionInput, previous?: Question): QuestionContent {
  const result = checkQuestion(input, randomUUID, previous?.options ?? null);
  if (!result.ok) throw QuizErrors.questionInvalid(result.problems[0].field, result.problems[0].reason);
  return result.content;
}
