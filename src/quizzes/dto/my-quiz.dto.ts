import type { StandingState } from '../quiz-standing';
import type { QuizDto } from './quiz.dto';

/**
 * A quiz as it stands for one trainee (AttemptsService.myQuizzes/myQuiz): the quiz as
 * `GET /api/quizzes/:id` answers her, and what the start rules give her now, with her override
 * applied. For the trainee's pages; not an API answer.
 */
export interface MyQuizDto {
  quiz: QuizDto;
  /** Whether a new attempt can start now (`open`), or why not, in the order a start refuses. */
  state: StandingState;
  /** When it closes for her: her override's close, else the quiz's. */
  closesAt: Date;
  /** The quiz's attempts plus her override's extra ones. */
  attemptsAllowed: number;
  /** Every attempt she has started, finished or not. */
  attemptsUsed: number;
  attemptsLeft: number;
  /** Her attempt in progress, if any: it is resumed whatever the state says. */
  inProgressId: string | null;
}
