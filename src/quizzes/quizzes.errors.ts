import { DomainError } from '../common/errors/domain-error';

export const QuizErrors = {
  questionNotFound: () => new DomainError('QUESTION_NOT_FOUND', 'not_found'),
  /** The question's fields do not make a gradable question of its type (which field, and why, in `field`). */
  questionInvalid: (field: string, reason: string) =>
    new DomainError('QUESTION_INVALID', 'invalid', {
      key: `QUESTION_INVALID#${reason}`,
      args: { field },
      details: { field, reason },
    }),
  /** A question in the fixed list of a quiz that has not closed cannot be deleted. */
  questionInUse: (quizIds: string[]) => new DomainError('QUESTION_IN_USE', 'conflict', { details: { quizIds } }),
  imageInvalid: () => new DomainError('QUESTION_IMAGE_INVALID', 'invalid'),
  imageTooLarge: (maxBytes: number) =>
    new DomainError('QUESTION_IMAGE_TOO_LARGE', 'payload_too_large', { args: { maxBytes }, details: { maxBytes } }),
  imageNotFound: () => new DomainError('QUESTION_IMAGE_NOT_FOUND', 'not_found'),
  quizNotFound: () => new DomainError('QUIZ_NOT_FOUND', 'not_found'),
  /** Neither or both of `questionIds` and `draw`, a category drawn twice, or more than 200 questions. */
  quizSourceInvalid: () => new DomainError('QUIZ_SOURCE_INVALID', 'invalid'),
  quizWindowInvalid: (field: string) =>
    new DomainError('QUIZ_WINDOW_INVALID', 'invalid', { args: { field }, details: { field } }),
  /** Fixed questions that are not (undeleted) questions of the class's course. */
  quizQuestionsInvalid: (questionIds: string[]) =>
    new DomainError('QUIZ_QUESTIONS_INVALID', 'unprocessable', { details: { questionIds } }),
  /** A draw asks for more questions than a category has. */
  quizDrawTooLarge: (category: string, available: number) =>
    new DomainError('QUIZ_DRAW_TOO_LARGE', 'unprocessable', {
      args: { category, available },
      details: { category, available },
    }),
  quizClassNotActive: (status: string) =>
    new DomainError('QUIZ_CLASS_NOT_ACTIVE', 'conflict', { args: { status }, details: { status } }),
  /** Questions, draw and mode are fixed once someone has started the quiz. */
  quizHasAttempts: (fields: string[]) =>
    new DomainError('QUIZ_HAS_ATTEMPTS', 'conflict', { args: { fields }, details: { fields } }),
  quizNotOpen: (opensAt: Date) =>
    new DomainError('QUIZ_NOT_OPEN', 'conflict', { args: { opensAt }, details: { opensAt } }),
  quizClosed: (closesAt: Date) =>
    new DomainError('QUIZ_CLOSED', 'conflict', { args: { closesAt }, details: { closesAt } }),
  noAttemptsLeft: (allowed: number) =>
    new DomainError('QUIZ_NO_ATTEMPTS_LEFT', 'conflict', { args: { allowed }, details: { allowed } }),
  overrideTraineeInvalid: () => new DomainError('QUIZ_OVERRIDE_TRAINEE_INVALID', 'unprocessable'),
  attemptNotFound: () => new DomainError('ATTEMPT_NOT_FOUND', 'not_found'),
  /** Past the deadline (and its grace), or, with `handedIn`, already handed in by the trainee. */
  attemptClosed: (deadline: Date, handedIn = false) =>
    new DomainError('ATTEMPT_CLOSED', 'conflict', {
      key: handedIn ? 'ATTEMPT_CLOSED#handedIn' : undefined,
      args: { deadline },
      details: { deadline },
    }),
  /** Answers that are not for a question of the attempt, or not of its type's shape. */
  answersInvalid: (questionIds: string[]) =>
    new DomainError('ATTEMPT_ANSWERS_INVALID', 'invalid', { details: { questionIds } }),
};
