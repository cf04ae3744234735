import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import type { QuestionType } from '../../src/quizzes/grading';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import { seat } from './attendance';
import { createClass, createCourse, createPlan } from './classes';
import { createOrgTree, createUser, signedIn } from './index';

/** A question straight into the bank (the routes of the bank have their own tests). */
export interface BankQuestionSpec {
  type: QuestionType;
  category?: string;
  points?: number;
  prompt?: string;
  feedback?: string | null;
  options?: { text: string; correct?: boolean; fraction?: number | null }[];
  answers?: string[];
  answer?: string;
  tolerance?: string;
  toleranceType?: 'absolute' | 'relative';
}

export interface BankQuestion {
  id: string;
  type: QuestionType;
  options: { id: string; text: string; correct: boolean }[];
}

export async function insertQuestion(ds: DataSource, courseId: string, spec: BankQuestionSpec): Promise<BankQuestion> {
  const options =
    spec.options?.map((o) => ({
      id: randomUUID(),
      text: o.text,
      correct: !!o.correct,
      fraction: o.fraction ?? null,
    })) ?? null;
  const [{ id }] = await ds.query<{ id: string }[]>(
    `INSERT INTO questions (course_id, category, type, prompt, points, feedback, options, answers, answer, tolerance, tolerance_type)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      courseId,
      spec.category ?? '基础',
      spec.type,
      spec.prompt ?? `题目 ${randomUUID().slice(0, 6)}`,
      spec.points ?? 1,
      spec.feedback ?? null,
      options ? JSON.stringify(options) : null,
      spec.answers ?? null,
      spec.answer ?? null,
      spec.tolerance ?? null,
      spec.toleranceType ?? null,
    ],
  );
  return { id, type: spec.type, options: options ?? [] };
}

/** One question of each type, with known right answers (see `rightAnswer`). */
export const FIVE_TYPES: BankQuestionSpec[] = [
  {
    type: 'single',
    points: 2,
    prompt: '复制的快捷键是？',
    options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }],
    feedback: '记住：C 是 Copy。',
  },
  {
    type: 'multiple',
    points: 3,
    prompt: '哪些是浏览器？',
    options: [{ text: 'Edge', correct: true }, { text: 'Chrome', correct: true }, { text: 'Word' }],
  },
  { type: 'truefalse', points: 1, prompt: '关机前要保存文件。', answer: 'true' },
  { type: 'short', points: 2, prompt: '图书馆的英文是？', answers: ['Library'] },
  { type: 'numerical', points: 2, prompt: '1.5 + 2 = ?', answer: '3.5', tolerance: '0.01' },
];

/**
 * County A with two townships: an admin and a trainer of the class, another county's admin, a
 * course with the five question types, and a running class of that course with three seated
 * trainees (two from township A1, one from A2) and one who withdrew, all signed in.
 */
export async function quizWorld(http: TestAgent, ds: DataSource) {
  const tree = await createOrgTree(ds);
  const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
  const otherAdmin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyB.id });
  const trainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  const otherTrainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  const year = new Date().getUTCFullYear();
  const plan = await createPlan(ds, tree.countyA, year);
  const course = await createCourse(ds, tree.countyA);
  const cls = await createClass(ds, plan, course, [trainer.user.id], {
    status: 'running',
    startDate: `${year}-01-01`,
    endDate: `${year}-12-31`,
  });
  const trainee = async (township: OrgUnit, status: 'confirmed' | 'withdrawn' = 'confirmed') => {
    const s = await signedIn(http, ds, { role: 'trainee', orgUnitId: township.id });
    await seat(ds, cls, s.user, township, status);
    return s;
  };
  const trainees = [await trainee(tree.townshipA1), await trainee(tree.townshipA1), await trainee(tree.townshipA2)];
  const withdrawn = await trainee(tree.townshipA2, 'withdrawn');
  const questions: BankQuestion[] = [];
  for (const spec of FIVE_TYPES) questions.push(await insertQuestion(ds, course.id, spec));
  return { tree, admin, otherAdmin, trainer, otherTrainer, plan, course, cls, trainees, withdrawn, questions };
}

/** A trainee of another county's class: must never reach county A's quizzes. */
export async function outsider(http: TestAgent, ds: DataSource, township: OrgUnit) {
  return signedIn(http, ds, { role: 'trainee', orgUnitId: township.id });
}

export { createUser };

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * Sets up a quiz through the API: every question of the world, open since an hour ago for two
 * hours, one attempt, `highest`, pass at 60 %, unless `fields` say otherwise.
 */
export async function postQuiz(
  http: TestAgent,
  auth: string,
  w: { cls: { id: string }; questions: BankQuestion[] },
  fields: Record<string, unknown> = {},
): Promise<{ id: string; closesAt: string }> {
  const res = await http
    .post('/api/quizzes')
    .set('Authorization', auth)
    .send({
      classId: w.cls.id,
      title: '单元测验',
      questionIds: w.questions.map((q) => q.id),
      opensAt: iso(Date.now() - HOUR),
      closesAt: iso(Date.now() + HOUR),
      attemptsAllowed: 1,
      gradingMethod: 'highest',
      passPercent: 60,
      ...fields,
    });
  if (res.status !== 201) throw new Error(`quiz not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; closesAt: string };
}
