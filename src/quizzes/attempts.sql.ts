/**
 * The statements of an attempt's hot paths (a class of trainees saving answers at once), kept
 * here so the quiz-day benchmark's baseline sends exactly the same SQL.
 */

/** What a save needs of its attempt; the snapshot only when the process has not cached it ($2). */
export const ATTEMPT_FOR_SAVE_SQL = `SELECT trainee_id, status, finished_by, started_at, deadline, CASE WHEN $2::boolean THEN questions END AS questions
  FROM quiz_attempts WHERE id = $1`;

/**
 * Saves answers, each only if it was given no earlier than the one stored (an outbox replayed
 * late never overwrites a newer answer), and only while the attempt is in progress: the share
 * lock makes a save wait for a hand-in or close that is grading it, and then save nothing.
 * $1 attempt, $2 question ids, $3 responses (jsonb, null when cleared), $4 answered-at, $5 now.
 */
export const SAVE_ANSWERS_SQL = `WITH a AS (SELECT id FROM quiz_attempts WHERE id = $1 AND status = 'in_progress' FOR SHARE)
INSERT INTO attempt_answers (attempt_id, question_id, response, answered_at, saved_at)
SELECT a.id, x.q, x.r, x.t, $5 FROM a, unnest($2::uuid[], $3::jsonb[], $4::timestamptz[]) AS x(q, r, t)
ON CONFLICT (attempt_id, question_id) DO UPDATE
  SET response = EXCLUDED.response, answered_at = EXCLUDED.answered_at, saved_at = EXCLUDED.saved_at
  WHERE attempt_answers.answered_at <= EXCLUDED.answered_at
RETURNING question_id`;

const FINISH_COLUMNS = `a.id, a.quiz_id, a.trainee_id, a.number, a.status, a.started_at, a.deadline, a.finished_at,
       a.finished_by, a.questions, a.max_score, a.score, a.percent, a.passed, q.pass_percent`;

/** An attempt with what grading it needs, locked for the step that finishes it. */
export const ATTEMPT_FOR_FINISH_SQL = `SELECT ${FINISH_COLUMNS}
  FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
 WHERE a.id = $1 FOR UPDATE OF a`;

/** The same, skipping an attempt another step is finishing (a reader closing overdue attempts need not wait). */
export const ATTEMPT_FOR_FINISH_SKIP_LOCKED_SQL = `${ATTEMPT_FOR_FINISH_SQL} SKIP LOCKED`;

/** The answers an attempt finished at $2 is graded by: those given by then (never one given after it). */
export const ANSWERS_OF_ATTEMPT_SQL = `SELECT question_id, response FROM attempt_answers
 WHERE attempt_id = $1 AND answered_at <= $2`;

export const GRADE_ANSWERS_SQL = `UPDATE attempt_answers AS aa SET fraction = x.f
  FROM unnest($2::uuid[], $3::numeric[]) AS x(q, f)
 WHERE aa.attempt_id = $1 AND aa.question_id = x.q`;

export const FINISH_ATTEMPT_SQL = `UPDATE quiz_attempts
   SET status = 'finished', finished_at = $2, finished_by = $3, score = $4, percent = $5, passed = $6
 WHERE id = $1`;

/** Serialises the starts of one trainee's attempts at one quiz (two taps, two phones). */
export const START_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;

export const OPEN_ATTEMPT_SQL = `SELECT ${FINISH_COLUMNS}
  FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
 WHERE a.quiz_id = $1 AND a.trainee_id = $2 AND a.status = 'in_progress' FOR UPDATE OF a`;

export const ATTEMPT_COUNT_SQL = `SELECT count(*)::int AS n FROM quiz_attempts WHERE quiz_id = $1 AND trainee_id = $2`;

/**
 * Everything a start checks, in one statement (the hot path of a quiz day: a class of trainees
 * starting within seconds): the quiz, share-locked so an edit of it waits; its class's state and
 * scope; the trainee's seat ($2) and override. A read model across the classes and enrolments
 * tables, as their services would answer it, kept to one round trip.
 */
export const QUIZ_FOR_START_SQL = `SELECT q.id, q.class_id, q.draw, q.time_limit_seconds, q.opens_at, q.closes_at,
       q.attempts_allowed, q.pass_percent, q.shuffle, c.status AS class_status, c.course_id, o.path AS plan_path,
       e.township_id, ov.extra_time_seconds, ov.closes_at AS override_closes_at, ov.extra_attempts
  FROM quizzes q
  JOIN classes c ON c.id = q.class_id
  JOIN plans p ON p.id = c.plan_id
  JOIN org_units o ON o.id = p.org_unit_id
  LEFT JOIN enrolments e ON e.class_id = c.id AND e.trainee_id = $2 AND e.status IN ('confirmed', 'completed')
  LEFT JOIN quiz_overrides ov ON ov.quiz_id = q.id AND ov.trainee_id = $2
 WHERE q.id = $1
   FOR SHARE OF q`;

const QUESTION_COLUMNS = `id, version, type, category, prompt, points::float8 AS points, feedback, options, answers, answer,
       tolerance, tolerance_type AS "toleranceType", image_id AS "imageId"`;

/** A quiz's fixed questions, in order, as they are now (deleted ones left out). */
export const FIXED_QUESTIONS_SQL = `SELECT ${QUESTION_COLUMNS}
  FROM questions q JOIN quiz_questions qq ON qq.question_id = q.id
 WHERE qq.quiz_id = $1 AND q.deleted_at IS NULL ORDER BY qq.position`;

/** A random draw of $3 live questions from a category of a course. */
export const DRAWN_QUESTIONS_SQL = `SELECT ${QUESTION_COLUMNS}
  FROM questions q WHERE q.course_id = $1 AND q.category = $2 AND q.deleted_at IS NULL
 ORDER BY random() LIMIT $3`;

export const INSERT_ATTEMPT_SQL = `INSERT INTO quiz_attempts
  (quiz_id, trainee_id, township_id, number, status, started_at, deadline, questions, max_score)
  VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7, $8)
  RETURNING id`;

/** An attempt's saved answers, as a read shows them. */
export const ATTEMPT_ANSWERS_VIEW_SQL = `SELECT question_id, response, answered_at, fraction FROM attempt_answers
 WHERE attempt_id = $1`;
