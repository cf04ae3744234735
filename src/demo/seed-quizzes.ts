import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { localDate, zonedInstant } from '../common/time/zoned-time';

/** The demo course's question bank: computer skills a service-point clerk uses every day. */
const DEMO_QUESTIONS: {
  category: string;
  type: 'single' | 'multiple' | 'truefalse' | 'short' | 'numerical';
  prompt: string;
  points: number;
  options?: [string, boolean][];
  answers?: string[];
  answer?: string;
  tolerance?: string;
  feedback?: string;
}[] = [
  {
    category: '文字处理',
    type: 'single',
    prompt: '在 WPS 文字里，复制选中的文字用哪个快捷键？',
    points: 2,
    options: [
      ['Ctrl+C', true],
      ['Ctrl+V', false],
      ['Ctrl+X', false],
      ['Ctrl+Z', false],
    ],
    feedback: 'C 是“复制”（Copy），V 是粘贴，X 是剪切，Z 是撤销。',
  },
  {
    category: '文字处理',
    type: 'truefalse',
    prompt: '文档没有保存就关机，刚写的内容可能会丢失。',
    points: 1,
    answer: 'true',
    feedback: '写一段就按 Ctrl+S 保存一次。',
  },
  {
    category: '文字处理',
    type: 'multiple',
    prompt: '下面哪些是常见的文档格式？',
    points: 3,
    options: [
      ['.docx', true],
      ['.wps', true],
      ['.mp3', false],
      ['.jpg', false],
    ],
  },
  {
    category: '文字处理',
    type: 'short',
    prompt: '撤销上一步操作的快捷键是 Ctrl 加哪个字母？',
    points: 2,
    answers: ['Z'],
  },
  {
    category: '网络与安全',
    type: 'single',
    prompt: '收到陌生短信说“您的账户异常，请点击链接”，应该怎么做？',
    points: 2,
    options: [
      ['马上点开链接', false],
      ['不点链接，打官方电话核实', true],
      ['转发给亲友', false],
    ],
    feedback: '陌生链接可能是诈骗，要通过官方渠道核实。',
  },
  {
    category: '网络与安全',
    type: 'truefalse',
    prompt: '同一个密码用在所有网站上更安全。',
    points: 1,
    answer: 'false',
  },
  {
    category: '网络与安全',
    type: 'multiple',
    prompt: '哪些做法能保护个人信息？',
    points: 3,
    options: [
      ['设置较长的密码', true],
      ['不在公共电脑上保存密码', true],
      ['把身份证照片发到群里', false],
    ],
  },
  {
    category: '网络与安全',
    type: 'numerical',
    prompt: '一张 1.5 GB 的电影和一张 0.8 GB 的电影，一共多少 GB？',
    points: 2,
    answer: '2.3',
    tolerance: '0.05',
  },
];

/**
 * The demo course's question bank and, for the class running now, a closing quiz (open until
 * the class ends, two attempts, answers shown after it closes) and a skills contest between
 * townships this week. Idempotent: a course that has questions, or a class that has quizzes, is left as it is.
 */
export async function seedQuizzes(m: EntityManager, courseId: string, adminId: string, zone: string, now: Date) {
  const [{ n }] = await m.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM questions WHERE course_id = $1`, [
    courseId,
  ]);
  const ids: string[] = [];
  if (n === 0) {
    for (const q of DEMO_QUESTIONS) {
      const options =
        q.options?.map(([text, correct]) => ({ id: randomUUID(), text, correct, fraction: null })) ?? null;
      const [{ id }] = await m.query<{ id: string }[]>(
        `INSERT INTO questions (course_id, category, type, prompt, points, feedback, options, answers, answer,
                                tolerance, tolerance_type, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [
          courseId,
          q.category,
          q.type,
          q.prompt,
          q.points,
          q.feedback ?? null,
          options && JSON.stringify(options),
          q.answers ?? null,
          q.answer ?? null,
          q.tolerance ?? null,
          q.type === 'numerical' ? 'absolute' : null,
          adminId,
        ],
      );
      ids.push(id);
    }
  }
  const [running] = await m.query<{ id: string; end_date: string }[]>(
    `SELECT c.id, to_char(c.end_date, 'YYYY-MM-DD') AS end_date FROM classes c
      WHERE c.course_id = $1 AND c.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM quizzes q WHERE q.class_id = c.id)
      ORDER BY c.start_date LIMIT 1`,
    [courseId],
  );
  if (!running || ids.length === 0) return;
  const today = localDate(now, zone);
  const [quiz] = await m.query<{ id: string }[]>(
    `INSERT INTO quizzes (class_id, title, time_limit_seconds, opens_at, closes_at, attempts_allowed, grading_method,
                          pass_percent, shuffle, review_policy, mode, created_by)
     VALUES ($1, '本期结业测验', 1200, $2, $3, 2, 'highest', 60, true, 'answers_after_close', 'quiz', $4) RETURNING id`,
    [running.id, zonedInstant(today, '00:00', zone), zonedInstant(running.end_date, '18:00', zone), adminId],
  );
  await m.query(
    `INSERT INTO quiz_questions (quiz_id, question_id, position) SELECT $1, id, n - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)`,
    [quiz.id, ids],
  );
  await m.query(
    `INSERT INTO quizzes (class_id, title, draw, time_limit_seconds, opens_at, closes_at, attempts_allowed,
                          grading_method, pass_percent, shuffle, review_policy, mode, created_by)
     VALUES ($1, '乡镇电脑技能竞赛', $2, 600, $3, $4, 1, 'first', 60, true, 'score_only', 'contest', $5)`,
    [
      running.id,
      JSON.stringify([
        { category: '文字处理', count: 3 },
        { category: '网络与安全', count: 3 },
      ]),
      zonedInstant(today, '00:00', zone),
      new Date(zonedInstant(today, '00:00', zone).getTime() + 7 * 86_400_000),
      adminId,
    ],
  );
}
