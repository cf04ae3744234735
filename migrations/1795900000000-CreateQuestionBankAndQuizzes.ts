import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The question bank (questions per course and category, images in PostgreSQL), quizzes of a
 * class with their fixed questions and per-trainee overrides, and attempts with their answers.
 * An attempt keeps a snapshot of the questions it drew (prompt, options, answer key), so
 * editing or deleting a question never changes an attempt already made. One attempt in
 * progress per trainee and quiz is a partial unique index, so simultaneous starts cannot make two.
 */
export class CreateQuestionBankAndQuizzes1795900000000 implements MigrationInterface {
  name = 'CreateQuestionBankAndQuizzes1795900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE question_type AS ENUM ('single', 'multiple', 'truefalse', 'short', 'numerical')`);
    await q.query(`CREATE TYPE quiz_grading_method AS ENUM ('highest', 'last', 'first', 'average')`);
    await q.query(`CREATE TYPE quiz_review_policy AS ENUM ('score_only', 'answers_after_close')`);
    await q.query(`CREATE TYPE quiz_mode AS ENUM ('quiz', 'contest')`);
    await q.query(`CREATE TYPE attempt_status AS ENUM ('in_progress', 'finished')`);
    await q.query(`
      CREATE TABLE question_images (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        course_id uuid NOT NULL,
        media_type text NOT NULL,
        content bytea NOT NULL,
        byte_size integer NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_question_images PRIMARY KEY (id),
        CONSTRAINT ck_question_images_media_type CHECK (media_type IN ('image/png', 'image/jpeg')),
        CONSTRAINT ck_question_images_size CHECK (byte_size > 0 AND byte_size <= 1048576),
        CONSTRAINT fk_question_images_course FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_question_images_course_id ON question_images (course_id)`);
    await q.query(`
      CREATE TABLE questions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        course_id uuid NOT NULL,
        category text NOT NULL,
        type question_type NOT NULL,
        prompt text NOT NULL,
        points numeric(8,2) NOT NULL,
        feedback text,
        options jsonb,
        answers text[],
        answer text,
        tolerance text,
        tolerance_type text,
        image_id uuid,
        version integer NOT NULL DEFAULT 1,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT pk_questions PRIMARY KEY (id),
        CONSTRAINT ck_questions_points CHECK (points > 0),
        CONSTRAINT ck_questions_tolerance_type CHECK (tolerance_type IN ('absolute', 'relative')),
        CONSTRAINT fk_questions_course FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE RESTRICT,
        CONSTRAINT fk_questions_image FOREIGN KEY (image_id) REFERENCES question_images (id) ON DELETE RESTRICT,
        CONSTRAINT fk_questions_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX ix_questions_course_category ON questions (course_id, category)`);
    await q.query(`CREATE INDEX ix_questions_image_id ON questions (image_id)`);
    await q.query(`CREATE INDEX ix_questions_created_by ON questions (created_by)`);
    await q.query(`
      CREATE TABLE quizzes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        title text NOT NULL,
        draw jsonb,
        time_limit_seconds integer,
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        attempts_allowed integer NOT NULL,
        grading_method quiz_grading_method NOT NULL,
        pass_percent numeric(5,2) NOT NULL,
        shuffle boolean NOT NULL DEFAULT true,
        review_policy quiz_review_policy NOT NULL DEFAULT 'score_only',
        mode quiz_mode NOT NULL DEFAULT 'quiz',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_quizzes PRIMARY KEY (id),
        CONSTRAINT ck_quizzes_window CHECK (closes_at > opens_at),
        CONSTRAINT ck_quizzes_time_limit CHECK (time_limit_seconds IS NULL OR time_limit_seconds > 0),
        CONSTRAINT ck_quizzes_attempts CHECK (attempts_allowed >= 1),
        CONSTRAINT ck_quizzes_pass_percent CHECK (pass_percent >= 0 AND pass_percent <= 100),
        CONSTRAINT fk_quizzes_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_quizzes_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX ix_quizzes_class_id ON quizzes (class_id)`);
    await q.query(`CREATE INDEX ix_quizzes_closes_at ON quizzes (closes_at)`);
    await q.query(`CREATE INDEX ix_quizzes_created_by ON quizzes (created_by)`);
    await q.query(`
      CREATE TABLE quiz_questions (
        quiz_id uuid NOT NULL,
        question_id uuid NOT NULL,
        position integer NOT NULL,
        CONSTRAINT pk_quiz_questions PRIMARY KEY (quiz_id, question_id),
        CONSTRAINT fk_quiz_questions_quiz FOREIGN KEY (quiz_id) REFERENCES quizzes (id) ON DELETE CASCADE,
        CONSTRAINT fk_quiz_questions_question FOREIGN KEY (question_id) REFERENCES questions (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_quiz_questions_question_id ON quiz_questions (question_id)`);
    await q.query(`
      CREATE TABLE quiz_overrides (
        quiz_id uuid NOT NULL,
        trainee_id uuid NOT NULL,
        extra_time_seconds integer NOT NULL DEFAULT 0,
        closes_at timestamptz,
        extra_attempts integer NOT NULL DEFAULT 0,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_quiz_overrides PRIMARY KEY (quiz_id, trainee_id),
        CONSTRAINT ck_quiz_overrides_values CHECK (extra_time_seconds >= 0 AND extra_attempts >= 0),
        CONSTRAINT fk_quiz_overrides_quiz FOREIGN KEY (quiz_id) REFERENCES quizzes (id) ON DELETE CASCADE,
        CONSTRAINT fk_quiz_overrides_trainee FOREIGN KEY (trainee_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_quiz_overrides_updated_by FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX ix_quiz_overrides_trainee_id ON quiz_overrides (trainee_id)`);
    await q.query(`CREATE INDEX ix_quiz_overrides_updated_by ON quiz_overrides (updated_by)`);
    await q.query(`
      CREATE TABLE quiz_attempts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        quiz_id uuid NOT NULL,
        trainee_id uuid NOT NULL,
        township_id uuid,
        number integer NOT NULL,
        status attempt_status NOT NULL DEFAULT 'in_progress',
        started_at timestamptz NOT NULL,
        deadline timestamptz NOT NULL,
        finished_at timestamptz,
        finished_by text,
        questions jsonb NOT NULL,
        max_score numeric(10,2) NOT NULL,
        score numeric(12,7),
        percent numeric(10,7),
        passed boolean,
        CONSTRAINT pk_quiz_attempts PRIMARY KEY (id),
        CONSTRAINT uq_quiz_attempts_number UNIQUE (quiz_id, trainee_id, number),
        CONSTRAINT ck_quiz_attempts_finished CHECK (
          (status = 'finished') = (finished_at IS NOT NULL AND score IS NOT NULL AND percent IS NOT NULL AND passed IS NOT NULL)),
        CONSTRAINT ck_quiz_attempts_finished_by CHECK (finished_by IN ('trainee', 'deadline')),
        CONSTRAINT fk_quiz_attempts_quiz FOREIGN KEY (quiz_id) REFERENCES quizzes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_quiz_attempts_trainee FOREIGN KEY (trainee_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_quiz_attempts_township FOREIGN KEY (township_id) REFERENCES org_units (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_quiz_attempts_in_progress ON quiz_attempts (quiz_id, trainee_id) WHERE status = 'in_progress'`,
    );
    await q.query(`CREATE INDEX ix_quiz_attempts_deadline ON quiz_attempts (deadline) WHERE status = 'in_progress'`);
    await q.query(`CREATE INDEX ix_quiz_attempts_trainee_id ON quiz_attempts (trainee_id)`);
    await q.query(`CREATE INDEX ix_quiz_attempts_township_id ON quiz_attempts (township_id)`);
    await q.query(`
      CREATE TABLE attempt_answers (
        attempt_id uuid NOT NULL,
        question_id uuid NOT NULL,
        response jsonb,
        answered_at timestamptz NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now(),
        fraction numeric(10,7),
        CONSTRAINT pk_attempt_answers PRIMARY KEY (attempt_id, question_id),
        CONSTRAINT fk_attempt_answers_attempt FOREIGN KEY (attempt_id) REFERENCES quiz_attempts (id) ON DELETE CASCADE
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attempt_answers`);
    await q.query(`DROP TABLE quiz_attempts`);
    await q.query(`DROP TABLE quiz_overrides`);
    await q.query(`DROP TABLE quiz_questions`);
    await q.query(`DROP TABLE quizzes`);
    await q.query(`DROP TABLE questions`);
    await q.query(`DROP TABLE question_images`);
    await q.query(`DROP TYPE attempt_status`);
    await q.query(`DROP TYPE quiz_mode`);
    await q.query(`DROP TYPE quiz_review_policy`);
    await q.query(`DROP TYPE quiz_grading_method`);
    await q.query(`DROP TYPE question_type`);
  }
}
