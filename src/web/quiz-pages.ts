import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import type { Language } from '../common/i18n/i18n.loader';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { AttemptsService } from '../quizzes/attempts.service';
import { type AttemptSummaryDto, MyAttemptsQueryDto } from '../quizzes/dto/attempt.dto';
import { ListQuizzesQueryDto, type QuizDto } from '../quizzes/dto/quiz.dto';
import { QuizzesService } from '../quizzes/quizzes.service';

/** How many of a trainee's quizzes and attempts the pages read (a trainee has a handful). */
const LIST_SIZE = 100;

/** A quiz as the trainee's list shows it: what is left for me, and what to tap. */
export interface MyQuiz {
  id: string;
  title: string;
  contest: boolean;
  questionCount: number;
  timeLimitMinutes: number | null;
  /** When it closes for me (my override's close, else the quiz's), written out locally. */
  closes: string;
  opens: string;
  open: boolean;
  upcoming: boolean;
  attemptsLeft: number;
  /** My attempt in progress, if any: the list offers to go on with it. */
  inProgressId: string | null;
  closesAt: Date;
}

/** An override as a trainee's own list needs it (the service applies it when starting). */
interface MyOverride {
  quiz_id: string;
  closes_at: Date | null;
  extra_attempts: number;
}

/**
 * The trainee's quizzes for the 测验 pages and the home page: the quizzes of the classes where
 * she holds a seat (QuizzesService.list, as `GET /api/quizzes` answers a trainee), her attempts
 * (AttemptsService.mine, `GET /api/me/attempts`, which closes overdue ones first) and her own
 * overrides (a later close, more attempts) to say what is still open for her. Starting an
 * attempt applies every rule again in AttemptsService.start.
 */
@Injectable()
export class QuizPages {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly attempts: AttemptsService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** Open and coming quizzes (soonest close first), and my finished attempts (newest first). */
  async mine(actor: AuthUser, lang: Language): Promise<{ quizzes: MyQuiz[]; finished: AttemptSummaryDto[] }> {
    const { quizzes, finished } = await this.all(actor, lang);
    return { quizzes: quizzes.filter((q) => q.open || q.upcoming), finished };
  }

  /** Every quiz of my classes as it stands for me (closed ones too), and my finished attempts. */
  async all(actor: AuthUser, lang: Language): Promise<{ quizzes: MyQuiz[]; finished: AttemptSummaryDto[] }> {
    const now = this.clock.now();
    const [quizzes, attempts, overrides] = await Promise.all([
      this.quizzes.list(actor, Object.assign(new ListQuizzesQueryDto(), { page: 1, pageSize: LIST_SIZE })),
      this.attempts.mine(actor, Object.assign(new MyAttemptsQueryDto(), { page: 1, pageSize: LIST_SIZE })),
      this.tx.manager.query<MyOverride[]>(
        `SELECT quiz_id, closes_at, extra_attempts FROM quiz_overrides WHERE trainee_id = $1`,
        [actor.id],
      ),
    ]);
    const byQuiz = new Map(overrides.map((o) => [o.quiz_id, o]));
    const list = quizzes.items
      .map((q) => this.myQuiz(q, attempts.items, byQuiz.get(q.id), now, lang))
      .sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime());
    return { quizzes: list, finished: attempts.items.filter((a) => a.status === 'finished') };
  }

  /** The quiz to offer on the home page: one I can take now (an attempt in progress first), or none. */
  async openQuiz(actor: AuthUser, lang: Language): Promise<MyQuiz | undefined> {
    const { quizzes } = await this.mine(actor, lang);
    return quizzes.find((q) => q.inProgressId) ?? quizzes.find((q) => q.open);
  }

  private myQuiz(
    q: QuizDto,
    attempts: AttemptSummaryDto[],
    override: MyOverride | undefined,
    now: Date,
    lang: Language,
  ): MyQuiz {
    const own = attempts.filter((a) => a.quizId === q.id);
    const inProgress = own.find((a) => a.status === 'in_progress');
    const closesAt = override?.closes_at ?? q.closesAt;
    const attemptsLeft = Math.max(0, q.attemptsAllowed + (override?.extra_attempts ?? 0) - own.length);
    const window = now >= q.opensAt && now < closesAt;
    return {
      id: q.id,
      title: q.title,
      contest: q.mode === 'contest',
      questionCount: q.questionCount,
      timeLimitMinutes: q.timeLimitSeconds === null ? null : Math.ceil(q.timeLimitSeconds / 60),
      closes: this.when(closesAt, lang),
      opens: this.when(q.opensAt, lang),
      open: !!inProgress || (window && attemptsLeft > 0),
      upcoming: now < q.opensAt,
      attemptsLeft,
      inProgressId: inProgress?.id ?? null,
      closesAt,
    };
  }

  /** `12月1日 14:30` or `1 Dec 14:30`, in the centre's time zone. */
  when(instant: Date, lang: Language): string {
    const t = DateTime.fromJSDate(instant, { zone: this.env.TZ_DEFAULT });
    return lang === 'zh-CN'
      ? `${t.month}月${t.day}日 ${t.toFormat('HH:mm')}`
      : t.setLocale('en-GB').toFormat('d LLL HH:mm');
  }
}
