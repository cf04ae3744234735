import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import type { Language } from '../common/i18n/i18n.loader';
import { AttemptsService } from '../quizzes/attempts.service';
import { type AttemptSummaryDto, MyAttemptsQueryDto } from '../quizzes/dto/attempt.dto';
import type { MyQuizDto } from '../quizzes/dto/my-quiz.dto';
import { LocalWords } from './local-words';

/** How many of a trainee's finished attempts the list shows (newest first). */
const FINISHED_SHOWN = 100;

/** A quiz as the trainee's list shows it: what is left for me, and what to tap. */
export interface MyQuiz {
  id: string;
  title: string;
  contest: boolean;
  questionCount: number;
  timeLimitMinutes: number | null;
  passPercent: number;
  /** When it closes for me (my override's close, else the quiz's), written out locally. */
  closes: string;
  opens: string;
  /** I can start an attempt now, or go on with mine in progress. */
  open: boolean;
  upcoming: boolean;
  /** Why I cannot start one (AttemptsService's standing): `open` when I can. */
  state: MyQuizDto['state'];
  attemptsLeft: number;
  /** My attempt in progress, if any: the list offers to go on with it. */
  inProgressId: string | null;
  closesAt: Date;
}

/**
 * The trainee's quizzes for the 测验 pages and the home page, as AttemptsService says they
 * stand for her (her override, her attempts, by the rule a start enforces), written out for a
 * page in her language.
 */
@Injectable()
export class QuizPages {
  constructor(
    private readonly attempts: AttemptsService,
    private readonly words: LocalWords,
  ) {}

  /** Open and coming quizzes (soonest close first), and my finished attempts (newest first). */
  async mine(actor: AuthUser, lang: Language): Promise<{ quizzes: MyQuiz[]; finished: AttemptSummaryDto[] }> {
    const mine = await this.attempts.myQuizzes(actor);
    const quizzes = mine
      .map((q) => this.myQuiz(q, lang))
      .filter((q) => q.open || q.upcoming)
      .sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime());
    const attempts = await this.attempts.mine(
      actor,
      Object.assign(new MyAttemptsQueryDto(), { page: 1, pageSize: FINISHED_SHOWN }),
    );
    return { quizzes, finished: attempts.items.filter((a) => a.status === 'finished') };
  }

  /** One quiz as it stands for me; 404 QUIZ_NOT_FOUND where the API answers it. */
  async one(actor: AuthUser, quizId: string, lang: Language): Promise<MyQuiz> {
    return this.myQuiz(await this.attempts.myQuiz(actor, quizId), lang);
  }

  /** The quiz to offer on the home page: one I can take now (an attempt in progress first), or none. */
  async openQuiz(actor: AuthUser, lang: Language): Promise<MyQuiz | undefined> {
    const quizzes = (await this.attempts.myQuizzes(actor))
      .map((q) => this.myQuiz(q, lang))
      .filter((q) => q.open)
      .sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime());
    return quizzes.find((q) => q.inProgressId) ?? quizzes[0];
  }

  private myQuiz(mine: MyQuizDto, lang: Language): MyQuiz {
    const q = mine.quiz;
    return {
      id: q.id,
      title: q.title,
      contest: q.mode === 'contest',
      questionCount: q.questionCount,
      timeLimitMinutes: q.timeLimitSeconds === null ? null : Math.ceil(q.timeLimitSeconds / 60),
      passPercent: q.passPercent,
      closes: this.words.dayTime(mine.closesAt, lang),
      opens: this.words.dayTime(q.opensAt, lang),
      open: !!mine.inProgressId || mine.state === 'open',
      upcoming: mine.state === 'upcoming',
      state: mine.state,
      attemptsLeft: mine.attemptsLeft,
      inProgressId: mine.inProgressId,
      closesAt: mine.closesAt,
    };
  }
}
