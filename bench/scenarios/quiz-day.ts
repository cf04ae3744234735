import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ClassTrainer } from '../../src/classes/class-trainer.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import { bullConnection, bullPrefix } from '../../src/common/queue/queue-connection';
import { QUEUES } from '../../src/common/queue/queues';
import { validateEnv } from '../../src/config/env';
import { Course } from '../../src/courses/course.entity';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { Plan } from '../../src/plans/plan.entity';
import type { AttemptQuestion, StoredResponse } from '../../src/quizzes/attempt-snapshot';
import { grade, type QuestionType } from '../../src/quizzes/grading';
import { checkQuestion, type QuestionInput } from '../../src/quizzes/question-rules';
import { Question } from '../../src/quizzes/question.entity';
import { Quiz, QuizQuestion } from '../../src/quizzes/quiz.entity';
import { User } from '../../src/users/user.entity';
import { percentile, round } from '../burst';
import {
  BENCH_REDIS_PREFIX,
  bearer,
  bothSides,
  log,
  loggingInvariant,
  type Measurement,
  measured,
  sameAnswer,
  sameSql,
  type ServerProcess,
  startApi,
  startBaseline,
} from '../harness';
import type { Invariant, Scenario } from '../scenario';

const TOWNSHIPS = 100;
const DEFAULT_TRAINEES = 2000;
/** Each trainee's start falls at an even step within this time. */
const SPREAD_SECONDS = 10;
/** Reading a question on a phone and tapping an answer, ms (BENCH_QUIZ_THINK_MS=min,max). */
const DEFAULT_THINK_MS: Think = { min: 2000, max: 6000 };
/** Trainees who take the whole quiz one after another, no thinking, before the measured run: JIT and pools warm. The first is the probe. */
const WARMUP = 10;
const AIM_P95_MS = 300;
const REQUEST_TIMEOUT_MS = 60_000;
/** The tables a side writes (truncated before each side). */
const QUIZ_TABLES = ['attempt_answers', 'quiz_attempts'];

/** The 16 questions of the quiz, by type: every type the bank has. */
const QUIZ_MIX: Record<QuestionType, number> = { single: 4, multiple: 3, truefalse: 3, short: 3, numerical: 3 };
const QUESTIONS = Object.values(QUIZ_MIX).reduce((a, n) => a + n, 0);
/** The bank holds this many of each type (the quiz uses the first QUIZ_MIX of each). */
const BANK_PER_TYPE = 8;
const CATEGORIES = ['基础操作', '办公软件', '网络与安全', '手机应用'];

interface Think {
  min: number;
  max: number;
}

interface Trainee {
  id: string;
}

interface World {
  quizId: string;
  trainees: Trainee[];
  warmers: Trainee[];
}

/** BENCH_QUIZ_TRAINEES: how many trainees take the quiz (default 2,000). */
export function traineeCount(raw = process.env.BENCH_QUIZ_TRAINEES): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_TRAINEES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 20_000) {
    throw new Error(`BENCH_QUIZ_TRAINEES must be a whole number from 1 to 20000 (got "${raw}")`);
  }
  return n;
}

/** BENCH_QUIZ_THINK_MS=min,max: each pause before an answer is uniform in [min, max] ms (default 2000,6000). */
export function thinkTime(raw = process.env.BENCH_QUIZ_THINK_MS): Think {
  if (raw === undefined || raw.trim() === '') return DEFAULT_THINK_MS;
  const parts = raw.split(',').map((p) => Number(p.trim()));
  const [min, max] = parts;
  if (parts.length !== 2 || !parts.every((p) => Number.isInteger(p) && p >= 0) || min > max) {
    throw new Error(`BENCH_QUIZ_THINK_MS must be "min,max" in whole ms with 0 <= min <= max (got "${raw}")`);
  }
  return { min, max };
}

// ---- The world: a running class of trainees and a quiz of 16 fixed questions ------------------

/** A bank question of `type`, number `n`, as an author would write it (a key the trainees can hit or miss). */
function bankQuestion(type: QuestionType, n: number): QuestionInput {
  const base = { type, category: CATEGORIES[n % CATEGORIES.length], points: type === 'multiple' ? 2 : 1 };
  switch (type) {
    case 'single':
      return {
        ...base,
        prompt: `第${n + 1}题：复制选中文字的快捷键是哪一个？`,
        options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }, { text: 'Ctrl+Z' }],
      };
    case 'multiple':
      return {
        ...base,
        prompt: `第${n + 1}题：以下哪些是浏览器？`,
        options: [
          { text: 'Chrome', correct: true },
          { text: 'Firefox', correct: true },
          { text: 'Edge', correct: true },
          { text: 'Excel' },
          { text: '微信' },
        ],
      };
    case 'truefalse':
      return { ...base, prompt: `第${n + 1}题：关机前应先保存正在编辑的文档。`, correct: n % 2 === 0 };
    case 'short':
      return { ...base, prompt: `第${n + 1}题：写出保存文件的快捷键。`, answers: ['Ctrl+S', 'Ctrl + S'] };
    case 'numerical':
      return {
        ...base,
        prompt: `第${n + 1}题：1 KB 等于多少字节？`,
        answer: '1024',
        tolerance: n % 2 ? '0.01' : '0',
        toleranceType: n % 2 ? 'relative' : 'absolute',
      };
  }
}

/** The question as the app stores it (question-rules' `checkQuestion`, as the routes and the import do). */
function stored(courseId: string, input: QuestionInput, createdBy: string): Partial<Question> {
  const checked = checkQuestion(input, randomUUID);
  if (!checked.ok) throw new Error(`bench question refused: ${JSON.stringify(checked.problems)}`);
  return { ...checked.content, courseId, createdBy, imageId: null };
}

/**
 * A county of 100 townships; `count + WARMUP` trainees with confirmed seats in one running
 * class; the class's course with a bank of 40 questions (8 of each type in 4 categories);
 * a quiz of 16 of them (4 single, 3 multiple, 3 true/false, 3 short, 3 numerical) that
 * opened a minute ago, closes in an hour and gives each attempt 30 minutes, shuffled.
 */
async function seed(ds: DataSource, count: number): Promise<World> {
  return ds.transaction(async (m) => {
    const county = await m
      .getRepository(OrgUnit)
      .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
    const trainer = await m.getRepository(User).save({
      username: 'bench.trainer',
      passwordHash: 'x',
      displayName: 'Trainer',
      role: 'trainer' as const,
      orgUnitId: county.id,
    });
    const year = new Date().getUTCFullYear();
    const course = await m
      .getRepository(Course)
      .save({ orgUnitId: county.id, title: '计算机基础', level: 'beginner' as const, hours: 27, topics: [] });
    const plan = await m.getRepository(Plan).save({ orgUnitId: county.id, year, title: 'Plan' });
    const total = count + WARMUP;
    const c = await m.getRepository(TrainingClass).save({
      planId: plan.id,
      courseId: course.id,
      title: 'Bench class',
      quarter: 4,
      startDate: `${year}-01-01`,
      endDate: `${year}-12-31`,
      capacity: total,
      maxPerTownship: total,
      minPerTownship: 1,
      enrolmentOpensAt: new Date(Date.now() - 2 * 86_400_000),
      enrolmentClosesAt: new Date(Date.now() - 86_400_000),
      status: 'running' as const,
    });
    await m.getRepository(ClassTrainer).insert({ classId: c.id, trainerId: trainer.id });

    const bank: Question[] = [];
    for (const type of Object.keys(QUIZ_MIX) as QuestionType[]) {
      for (let n = 0; n < BANK_PER_TYPE; n++) {
        bank.push(await m.getRepository(Question).save(stored(course.id, bankQuestion(type, n), trainer.id)));
      }
    }
    const chosen = (Object.entries(QUIZ_MIX) as [QuestionType, number][]).flatMap(([type, n]) =>
      bank.filter((q) => q.type === type).slice(0, n),
    );
    const quiz = await m.getRepository(Quiz).save({
      classId: c.id,
      title: '计算机基础测验',
      draw: null,
      timeLimitSeconds: 30 * 60,
      opensAt: new Date(Date.now() - 60_000),
      closesAt: new Date(Date.now() + 60 * 60_000),
      attemptsAllowed: 1,
      gradingMethod: 'highest' as const,
      passPercent: 60,
      shuffle: true,
      reviewPolicy: 'score_only' as const,
      mode: 'quiz' as const,
      createdBy: trainer.id,
    });
    await m
      .getRepository(QuizQuestion)
      .insert(chosen.map((q, position) => ({ quizId: quiz.id, questionId: q.id, position })));

    const trainees: Trainee[] = [];
    const perTownship = Math.ceil(total / TOWNSHIPS);
    for (let k = 0; k < TOWNSHIPS && trainees.length < total; k++) {
      const township = await m
        .getRepository(OrgUnit)
        .save({ ...placeUnder(county), kind: 'township' as const, name: `Township ${k}`, code: null });
      const n = Math.min(perTownship, total - trainees.length);
      const users = await m.getRepository(User).save(
        Array.from({ length: n }, (_, j) => ({
          username: `bench.t${k}.${j}`,
          passwordHash: 'x',
          displayName: `学员${k}.${j}`,
          role: 'trainee' as const,
          orgUnitId: township.id,
        })),
      );
      await m.query(
        `INSERT INTO enrolments (class_id, trainee_id, township_id, status, enrolled_by, confirmed_at)
         SELECT $1, u, $2, 'confirmed', u, now() FROM unnest($3::uuid[]) AS u`,
        [c.id, township.id, users.map((u) => u.id)],
      );
      for (const u of users) trainees.push({ id: u.id });
    }
    // Warm-up trainees come from every township, not all from the first.
    const warmers = trainees.filter((_, i) => i % Math.floor(total / WARMUP) === 0).slice(0, WARMUP);
    const warm = new Set(warmers);
    return { quizId: quiz.id, warmers, trainees: trainees.filter((t) => !warm.has(t)) };
  });
}

// ---- What a trainee sends -------------------------------------------------------------------

/** A question as the start answers it: never its key. */
interface ShownQuestion {
  id: string;
  type: QuestionType;
  options?: { id: string; text: string }[];
}

interface StartBody {
  id: string;
  questions: ShownQuestion[];
}

/** One answer of PUT /api/attempts/:id/answers. */
interface AnswerInput {
  questionId: string;
  optionIds?: string[];
  text?: string;
  value?: number | boolean;
  answeredAt: string;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * A valid answer of the question's type, right or wrong at random (so scores spread and each
 * saved value is the trainee's own), with the response the server must then hold for it.
 */
export function answerFor(q: ShownQuestion, at: Date): { input: AnswerInput; stored: StoredResponse } {
  const answeredAt = at.toISOString();
  const options = q.options ?? [];
  switch (q.type) {
    case 'single': {
      const id = pick(options).id;
      return { input: { questionId: q.id, optionIds: [id], answeredAt }, stored: { type: 'single', optionId: id } };
    }
    case 'multiple': {
      const ticked = options.filter(() => Math.random() < 0.5);
      const ids = (ticked.length > 0 ? ticked : [pick(options)]).map((o) => o.id);
      return {
        input: { questionId: q.id, optionIds: ids, answeredAt },
        stored: { type: 'multiple', optionIds: [...ids].sort() },
      };
    }
    case 'truefalse': {
      const id = pick(options).id;
      return {
        input: { questionId: q.id, optionIds: [id], answeredAt },
        stored: { type: 'truefalse', value: id === 'true' },
      };
    }
    case 'short': {
      const text = pick(['Ctrl+S', 'ｃｔｒｌ＋ｓ', 'Ctrl  +  S', 'Ctrl+C', '不知道']);
      return { input: { questionId: q.id, text, answeredAt }, stored: { type: 'short', text } };
    }
    case 'numerical': {
      const text = pick(['1024', '１０２４', '1024,0', '1000', '1 024']);
      return { input: { questionId: q.id, text, answeredAt }, stored: { type: 'numerical', text } };
    }
  }
}

// ---- The load: closed-loop trainees ----------------------------------------------------------

type Route = 'start' | 'save' | 'submit';
const ROUTES: Route[] = ['start', 'save', 'submit'];

/** How one side's routes are called: the API's paths and bearer tokens, or the baseline's `?as=`. */
interface Endpoints {
  server: ServerProcess;
  start(t: Trainee): RequestSpec;
  save(t: Trainee, attemptId: string, answers: AnswerInput[]): RequestSpec;
  submit(t: Trainee, attemptId: string): RequestSpec;
}

interface RequestSpec {
  method: 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Reply {
  status: number;
  body: string;
  ms: number;
  /** A connection error or time-out (no status). */
  error: boolean;
}

/** Keep-alive, sockets as needed (each trainee holds one while a request is out), reused between trainees. */
function newAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096 });
}

/** node:http rather than fetch: the load generator shares the 2 cores with both servers and PostgreSQL, so it must be cheap. */
function send(agent: Agent, baseUrl: string, spec: RequestSpec): Promise<Reply> {
  const url = new URL(spec.path, baseUrl);
  const body = Buffer.from(spec.body);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: spec.method,
        headers: { ...spec.headers, 'content-type': 'application/json', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
            error: false,
          }),
        );
        res.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0, error: true }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0, error: true }));
    req.end(body);
  });
}

/** Wraps one request (the probe's SQL trace). */
type Hook = (work: () => Promise<Reply>) => Promise<Reply>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every reply of one side, by route, and what each trainee last sent for each question. */
interface Tally {
  latencies: Record<Route, number[]>;
  /** Answered, but not 2xx. */
  non2xx: Record<Route, number>;
  /** No answer: connection errors and time-outs. */
  errors: Record<Route, number>;
  /** A sample of what failed, for the log. */
  failures: string[];
  /** attempt id -> question id -> the response last sent. */
  sent: Map<string, Map<string, StoredResponse>>;
}

function newTally(): Tally {
  const per = () => ({ start: 0, save: 0, submit: 0 });
  return {
    latencies: { start: [], save: [], submit: [] },
    non2xx: per(),
    errors: per(),
    failures: [],
    sent: new Map(),
  };
}

function record(tally: Tally, route: Route, reply: Reply): boolean {
  tally.latencies[route].push(reply.ms);
  const ok = !reply.error && reply.status >= 200 && reply.status < 300;
  if (reply.error) tally.errors[route]++;
  else if (!ok) tally.non2xx[route]++;
  if (!ok && tally.failures.length < 10) {
    tally.failures.push(`${route}: ${reply.error ? 'no answer' : reply.status} ${reply.body.slice(0, 200)}`);
  }
  return ok;
}

/**
 * One trainee: start, then for each question (in the order the attempt shows them) think,
 * then save its answer alone; submit straight after the last. A failed start ends the
 * trainee; a failed save is counted and the trainee goes on, as a phone would.
 */
async function takeQuiz(
  agent: Agent,
  endpoints: Endpoints,
  t: Trainee,
  think: Think,
  tally: Tally,
  hooks: Partial<Record<'start' | 'firstSave' | 'submit', Hook>> = {},
): Promise<void> {
  const url = endpoints.server.url;
  const call = (spec: RequestSpec, hook?: Hook) => (hook ? hook(() => send(agent, url, spec)) : send(agent, url, spec));
  const started = await call(endpoints.start(t), hooks.start);
  if (!record(tally, 'start', started)) return;
  const attempt = JSON.parse(started.body) as StartBody;
  const sent = new Map<string, StoredResponse>();
  tally.sent.set(attempt.id, sent);
  for (const [i, q] of attempt.questions.entries()) {
    const pause = think.min + Math.random() * (think.max - think.min);
    if (pause > 0) await sleep(pause);
    const { input, stored } = answerFor(q, new Date());
    const saved = await call(endpoints.save(t, attempt.id, [input]), i === 0 ? hooks.firstSave : undefined);
    if (record(tally, 'save', saved)) sent.set(q.id, stored);
  }
  record(tally, 'submit', await call(endpoints.submit(t, attempt.id), hooks.submit));
}

function measurementOf(sortedMs: number[], seconds: number, non2xx: number, errors: number): Measurement {
  return {
    rps: sortedMs.length / Math.max(seconds, 1e-9),
    p50: round(percentile(sortedMs, 50)),
    p90: round(percentile(sortedMs, 90)),
    p95: round(percentile(sortedMs, 95)),
    p99: round(percentile(sortedMs, 99)),
    max: round(sortedMs[sortedMs.length - 1] ?? 0),
    requests: sortedMs.length,
    durationSeconds: seconds,
    non2xx,
    errors,
    timeouts: 0,
    mismatches: 0,
    // Filled in by `measured`, which knows the server.
    cpuMsPerRequest: 0,
  };
}

interface Run {
  measurement: Measurement;
  routes: Record<Route, Measurement>;
  tally: Tally;
  /** CPU time of this (the load-generating) process per request, ms. */
  clientCpuMsPerRequest: number;
}

/** `trainees` start evenly over SPREAD_SECONDS and each takes the quiz at its own pace. */
async function runQuizDay(agent: Agent, endpoints: Endpoints, trainees: Trainee[], think: Think): Promise<Run> {
  const tally = newTally();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    trainees.map(async (t, i) => {
      await sleep((i / trainees.length) * SPREAD_SECONDS * 1000);
      await takeQuiz(agent, endpoints, t, think, tally);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const routes = Object.fromEntries(
    ROUTES.map((r) => [
      r,
      measurementOf(
        [...tally.latencies[r]].sort((a, b) => a - b),
        seconds,
        tally.non2xx[r],
        tally.errors[r],
      ),
    ]),
  ) as Record<Route, Measurement>;
  const all = ROUTES.flatMap((r) => tally.latencies[r]).sort((a, b) => a - b);
  const sum = (f: (r: Route) => number) => ROUTES.reduce((a, r) => a + f(r), 0);
  return {
    tally,
    routes,
    measurement: measurementOf(
      all,
      seconds,
      sum((r) => tally.non2xx[r]),
      sum((r) => tally.errors[r]),
    ),
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, all.length),
  };
}

// ---- Checked in the database afterwards ------------------------------------------------------

interface AttemptRow {
  id: string;
  trainee_id: string;
  status: string;
  questions: AttemptQuestion[];
  score: string | null;
}

interface AnswerRow {
  attempt_id: string;
  question_id: string;
  response: StoredResponse | null;
}

/** Same JSON value, whatever the key order (jsonb keeps its own). */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, w]) => [k, canon(w)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * What the database holds after a side: one finished attempt per trainee, 16 answers each,
 * each the value the trainee last sent, and a score that is the grading rules' sum over the
 * attempt's own snapshot.
 */
async function checkDatabase(
  ds: DataSource,
  label: string,
  expected: Trainee[],
  tally: Tally,
): Promise<{ invariants: Invariant[]; lost: number }> {
  const attempts = await ds.query<AttemptRow[]>(
    `SELECT id, trainee_id, status::text AS status, questions, score::text AS score FROM quiz_attempts`,
  );
  const answers = await ds.query<AnswerRow[]>(`SELECT attempt_id, question_id, response FROM attempt_answers`);
  const byTrainee = new Map<string, AttemptRow[]>();
  for (const a of attempts) byTrainee.set(a.trainee_id, [...(byTrainee.get(a.trainee_id) ?? []), a]);
  const answersOf = new Map<string, AnswerRow[]>();
  for (const a of answers) answersOf.set(a.attempt_id, [...(answersOf.get(a.attempt_id) ?? []), a]);

  let oneFinished = 0;
  let fullAnswers = 0;
  let lost = 0;
  let wrongScores = 0;
  for (const t of expected) {
    const mine = byTrainee.get(t.id) ?? [];
    if (mine.length === 1 && mine[0].status === 'finished') oneFinished++;
    const attempt = mine[0];
    if (!attempt) {
      lost += QUESTIONS;
      continue;
    }
    const rows = answersOf.get(attempt.id) ?? [];
    if (rows.length === QUESTIONS) fullAnswers++;
    const sent = tally.sent.get(attempt.id) ?? new Map<string, StoredResponse>();
    const held = new Map(rows.map((r) => [r.question_id, r.response]));
    // Every question of the attempt was answered once; a save that failed or a row that differs is lost.
    for (const q of attempt.questions) {
      const want = sent.get(q.id);
      if (!want || !sameJson(held.get(q.id), want)) lost++;
    }
    const score = attempt.questions.reduce((s, q) => s + grade(q.key, held.get(q.id) ?? undefined, q.points), 0);
    if (attempt.score === null || Math.abs(Number(attempt.score) - score) > 1e-6) wrongScores++;
  }
  const n = expected.length;
  const invariants: Invariant[] = [
    {
      name: `${label}: every trainee has exactly one finished attempt`,
      ok: oneFinished === n && attempts.length === n,
      detail: `${oneFinished} of ${n} trainees; ${attempts.length} attempts in all`,
    },
    {
      name: `${label}: every attempt holds ${QUESTIONS} answers`,
      ok: fullAnswers === n && answers.length === n * QUESTIONS,
      detail: `${fullAnswers} of ${n} attempts; ${answers.length} answer rows in all`,
    },
    {
      name: `${label}: no answer lost (each row holds the value last sent)`,
      ok: lost === 0,
      detail: `${lost} of ${n * QUESTIONS} answers lost or different`,
    },
    {
      name: `${label}: every score is the grading rules' sum over the attempt's snapshot`,
      ok: wrongScores === 0,
      detail: `${wrongScores} of ${n} scores differ`,
    },
  ];
  return { invariants, lost };
}

/**
 * Deletes the quizzes queue's keys under the harness's prefix: each start queues a delayed
 * closing job, and neither side should inherit the other's (or leave them for a later run).
 */
async function dropQuizJobs(): Promise<number> {
  const env = validateEnv({ NODE_ENV: 'production', REDIS_URL: process.env.REDIS_URL?.trim() || undefined });
  const redis = new Redis({ ...bullConnection(env, 'worker'), lazyConnect: true });
  redis.on('error', () => undefined);
  let n = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${bullPrefix({ REDIS_PREFIX: BENCH_REDIS_PREFIX })}:${QUEUES.quizzes}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length) n += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

/** CPU time (user + system) of every PostgreSQL process on this machine so far, ms; null when /proc cannot tell (a remote server). */
function postgresCpuMs(): number | null {
  try {
    let ticks = 0;
    let found = false;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      // Fields after the command: state is field 3; utime, stime are 14, 15; cutime, cstime (the
      // postmaster's: backends that have exited, as pools close idle connections) 16, 17.
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      found = true;
    }
    // Linux reports in USER_HZ, 100 per second on every common build.
    return found ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** MultiXacts and their members PostgreSQL has created so far (read after a checkpoint): what many transactions share-locking one row cost. */
async function multiXacts(ds: DataSource): Promise<{ ids: number; members: number }> {
  await ds.query('CHECKPOINT');
  const [row] = await ds.query<{ ids: string; members: string }[]>(
    `SELECT next_multixact_id::text AS ids, next_multi_offset::text AS members FROM pg_control_checkpoint()`,
  );
  return { ids: Number(row.ids), members: Number(row.members) };
}

// ---- The scenario ----------------------------------------------------------------------------

/** The start answer with questions and options in id order: both sides shuffle, so positions differ. */
function sortedStart(body: string): string {
  try {
    const parsed = JSON.parse(body) as { questions?: { id: string; options?: { id: string }[] }[] };
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    parsed.questions?.sort(byId);
    for (const q of parsed.questions ?? []) q.options?.sort(byId);
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

const pgMs = (ms: number | null) => (ms === null ? 'n/a (remote server)' : `${ms.toFixed(2)} ms`);
const fmt = (m: Measurement) => `${m.p50} / ${m.p95} / ${m.p99} ms (max ${m.max})`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');

/**
 * Quiz day: `BENCH_QUIZ_TRAINEES` (2,000) trainees of one class each start a 16-question
 * attempt, their starts spread evenly over 10 s, save the 16 answers one PUT at a time with a
 * pause to read each question, and submit. Closed loop: a trainee sends its next request only
 * after the last one answered, as a phone does, so a slow server slows its own load.
 */
export const quizDay: Scenario = {
  name: 'quiz-day',
  description: `${DEFAULT_TRAINEES.toLocaleString('en')} trainees start a ${QUESTIONS}-question quiz within ${SPREAD_SECONDS} s, save each answer, submit`,
  baseline:
    'bare Fastify + pg (pool of 20) + the app’s JobProducer on BullMQ, the same statements as the API in the same ' +
    'transactions (src/quizzes/attempts.sql.ts imported, the TypeORM and inline reads copied in app-sql.ts): the ' +
    'caller’s AUTH_ROW_SQL; start: QUIZ_FOR_START_SQL (the quiz FOR SHARE with its class, scope, the seat and ' +
    'the override), the advisory lock, the open attempt, the count, the questions, the snapshot insert, after ' +
    'commit the closing job (not awaited); save: the attempt (its snapshot once per process), the upsert; submit: the attempt ' +
    'FOR UPDATE, its answers, the grades and the finish; the app’s snapshot, timing and grading rules, the same ' +
    'checks and answers; request logs as the API; no JWT verification, Nest or validation',
  compare: 'latency',
  async run(ctx) {
    const count = traineeCount();
    const think = thinkTime();
    log(`quiz-day: seeding ${count} trainees (+${WARMUP} warm-up), think time ${think.min}–${think.max} ms`);
    const world = await seed(ctx.dataSource, count);

    const side = async (endpoints: Endpoints) => {
      const { server } = endpoints;
      await dropQuizJobs();
      const agent = newAgent();
      // The probe: the first warm-up trainee, its start, first save and submit traced; then the rest, no pauses.
      const probeTally = newTally();
      const traced: Partial<Record<Route, { body: string; status: number; statements: string[] }>> = {};
      const trace =
        (route: Route): Hook =>
        async (work) => {
          const { result, statements } = await server.traceSql(work);
          traced[route] = { body: result.body, status: result.status, statements };
          return result;
        };
      await takeQuiz(agent, endpoints, world.warmers[0], { min: 0, max: 0 }, probeTally, {
        start: trace('start'),
        firstSave: trace('save'),
        submit: trace('submit'),
      });
      for (const t of world.warmers.slice(1)) await takeQuiz(agent, endpoints, t, { min: 0, max: 0 }, probeTally);

      log(`${server.name}: ${count} trainees start within ${SPREAD_SECONDS} s, think ${think.min}–${think.max} ms`);
      const mx0 = await multiXacts(ctx.dataSource);
      const pg0 = postgresCpuMs();
      const run = await measured(server, `quiz-day-${server.name}`, () =>
        runQuizDay(agent, endpoints, world.trainees, think),
      );
      const pg1 = postgresCpuMs();
      const mx1 = await multiXacts(ctx.dataSource);
      const database = {
        cpuMsPerRequest: pg0 === null || pg1 === null ? null : (pg1 - pg0) / run.measurement.requests,
        multiXacts: mx1.ids - mx0.ids,
        multiXactMembers: mx1.members - mx0.members,
      };
      agent.destroy();
      await server.stop();
      for (const f of [...probeTally.failures, ...run.tally.failures]) log(`${server.name}: failed ${f}`);
      const merged: Tally = {
        ...run.tally,
        sent: new Map([...probeTally.sent, ...run.tally.sent]),
      };
      const label = server.name;
      const r = run.routes;
      const requests = run.measurement.requests + ROUTES.reduce((a, k) => a + probeTally.latencies[k].length, 0);
      const checked = await checkDatabase(ctx.dataSource, label, [...world.warmers, ...world.trainees], merged);
      const invariants: Invariant[] = [
        {
          name: `${label}: every request answered 2xx`,
          ok: run.measurement.non2xx === 0 && ROUTES.every((k) => probeTally.non2xx[k] === 0),
          detail: ROUTES.map((k) => `${k} ${r[k].non2xx + probeTally.non2xx[k]}`).join(', ') + ' non-2xx',
        },
        {
          name: `${label}: no connection errors or time-outs`,
          ok: run.measurement.errors === 0 && ROUTES.every((k) => probeTally.errors[k] === 0),
          detail: ROUTES.map((k) => `${k} ${r[k].errors + probeTally.errors[k]}`).join(', ') + ' errors',
        },
        {
          name: `${label}: every trainee started, saved ${QUESTIONS} answers and submitted`,
          ok: r.start.requests === count && r.save.requests === count * QUESTIONS && r.submit.requests === count,
          detail: `${r.start.requests} starts, ${r.save.requests} saves, ${r.submit.requests} submits`,
        },
        ...checked.invariants,
        await loggingInvariant(server, requests),
      ];
      return { run, traced, invariants, database, lost: checked.lost };
    };

    const { api, baseline } = await bothSides(ctx.dataSource, ctx.order, QUIZ_TABLES, {
      api: async () => {
        const server = await startApi(ctx.databaseUrl, 'quiz-day');
        // Minted once per trainee, not per request: the load generator shares the machine.
        const tokens = new Map([...world.warmers, ...world.trainees].map((t) => [t.id, bearer(t.id)]));
        const auth = (t: Trainee) => ({ authorization: tokens.get(t.id) ?? '' });
        return side({
          server,
          start: (t) => ({
            method: 'POST',
            path: `/api/quizzes/${world.quizId}/attempts`,
            headers: auth(t),
            body: '{}',
          }),
          save: (t, id, answers) => ({
            method: 'PUT',
            path: `/api/attempts/${id}/answers`,
            headers: auth(t),
            body: JSON.stringify({ answers }),
          }),
          submit: (t, id) => ({ method: 'POST', path: `/api/attempts/${id}/submit`, headers: auth(t), body: '{}' }),
        });
      },
      baseline: async () => {
        const server = await startBaseline(ctx.databaseUrl, 'quiz-day');
        return side({
          server,
          start: (t) => ({ method: 'POST', path: `/quiz-start/${world.quizId}?as=${t.id}`, headers: {}, body: '{}' }),
          save: (t, id, answers) => ({
            method: 'PUT',
            path: `/quiz-answers/${id}?as=${t.id}`,
            headers: {},
            body: JSON.stringify({ answers }),
          }),
          submit: (t, id) => ({ method: 'POST', path: `/quiz-submit/${id}?as=${t.id}`, headers: {}, body: '{}' }),
        });
      },
    });

    log(`quiz-day: removed ${await dropQuizJobs()} Redis keys of the quizzes queue`);
    const probe = (route: Route) => ({ api: api.traced[route], baseline: baseline.traced[route] });
    const probeInvariants = ROUTES.flatMap((route) => {
      const { api: a, baseline: b } = probe(route);
      const shape = route === 'start' ? sortedStart : (s: string) => s;
      return [
        {
          name: `probe (${route}): both sides answered 2xx`,
          ok: !!a && !!b && a.status >= 200 && a.status < 300 && b.status >= 200 && b.status < 300,
          detail: `api ${a?.status}, baseline ${b?.status}`,
        },
        sameSql(`probe (${route})`, a?.statements ?? [], b?.statements ?? []),
        sameAnswer(`probe (${route})`, shape(a?.body ?? ''), shape(b?.body ?? ''), false),
      ];
    });

    const notes = [
      `Closed loop: each trainee waits for an answer before its next request and pauses ${think.min}–${think.max} ms ` +
        'before each answer (reading a question on a phone; BENCH_QUIZ_THINK_MS=min,max). With no pause, ' +
        `${count.toLocaleString('en')} sequential clients measure the queue in front of 2 cores, not the service.`,
      ...ROUTES.map(
        (k) =>
          `${k.padEnd(6)} api ${fmt(api.run.routes[k])}, baseline ${fmt(baseline.run.routes[k])}; ` +
          `latency × ${ratio(api.run.routes[k].p50, baseline.run.routes[k].p50)} / ` +
          `${ratio(api.run.routes[k].p95, baseline.run.routes[k].p95)} / ` +
          `${ratio(api.run.routes[k].p99, baseline.run.routes[k].p99)}; ` +
          `aim p95 < ${AIM_P95_MS} ms: api ${api.run.routes[k].p95 < AIM_P95_MS ? 'met' : 'MISSED'}`,
      ),
      `Errors (non-2xx or none): api ${api.run.measurement.non2xx + api.run.measurement.errors}, baseline ` +
        `${baseline.run.measurement.non2xx + baseline.run.measurement.errors}; answers lost (checked in the ` +
        `database): api ${api.lost}, baseline ${baseline.lost}.`,
      `PostgreSQL CPU per request (every postgres process on this machine, from /proc, so other work on the same server counts too): api side ${pgMs(api.database.cpuMsPerRequest)}, ` +
        `baseline side ${pgMs(baseline.database.cpuMsPerRequest)}. MultiXacts created (concurrent starts share-lock ` +
        `the quiz row): api ${api.database.multiXacts.toLocaleString('en')} with ` +
        `${api.database.multiXactMembers.toLocaleString('en')} members, baseline ` +
        `${baseline.database.multiXacts.toLocaleString('en')} with ${baseline.database.multiXactMembers.toLocaleString('en')}.`,
      `Load generator (this process) CPU per request: api side ${api.run.clientCpuMsPerRequest.toFixed(2)} ms, ` +
        `baseline side ${baseline.run.clientCpuMsPerRequest.toFixed(2)} ms; it shares the machine with both.`,
    ];
    for (const n of notes) log(`quiz-day: ${n}`);

    const figures: Record<string, number | string> = {
      trainees: count,
      questions: QUESTIONS,
      thinkMs: `${think.min}-${think.max}`,
      spreadSeconds: SPREAD_SECONDS,
      aimP95Ms: AIM_P95_MS,
    };
    for (const [s, run] of [
      ['api', api.run],
      ['baseline', baseline.run],
    ] as const) {
      for (const k of ROUTES) {
        const m = run.routes[k];
        figures[`${s}.${k}.p50`] = m.p50;
        figures[`${s}.${k}.p95`] = m.p95;
        figures[`${s}.${k}.p99`] = m.p99;
        figures[`${s}.${k}.max`] = m.max;
        figures[`${s}.${k}.requests`] = m.requests;
        figures[`${s}.${k}.non2xx`] = m.non2xx;
        figures[`${s}.${k}.errors`] = m.errors;
      }
      figures[`${s}.clientCpuMsPerRequest`] = round(run.clientCpuMsPerRequest);
      figures[`${s}.answersLost`] = s === 'api' ? api.lost : baseline.lost;
      const db = s === 'api' ? api.database : baseline.database;
      if (db.cpuMsPerRequest !== null) figures[`${s}.postgresCpuMsPerRequest`] = round(db.cpuMsPerRequest);
      figures[`${s}.multiXacts`] = db.multiXacts;
      figures[`${s}.multiXactMembers`] = db.multiXactMembers;
    }

    return {
      metric:
        `${count.toLocaleString('en')} trainees × (start + ${QUESTIONS} saves + submit), starts over ${SPREAD_SECONDS} s, ` +
        `${think.min}–${think.max} ms pauses (req/s paced; latency of all requests, per route below)`,
      connections: count,
      app: api.run.measurement,
      baseline: baseline.run.measurement,
      sql: {
        api: ROUTES.flatMap((k) => [`-- ${k}`, ...(api.traced[k]?.statements ?? [])]),
        baseline: ROUTES.flatMap((k) => [`-- ${k}`, ...(baseline.traced[k]?.statements ?? [])]),
      },
      invariants: [...probeInvariants, ...api.invariants, ...baseline.invariants],
      figures,
      notes,
    };
  },
};
