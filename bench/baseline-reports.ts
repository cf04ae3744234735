import type { Client } from 'pg';
import { gradeOf, passes } from '../src/quizzes/quiz-grades';
import type { GradingMethod } from '../src/quizzes/quiz.entity';
import { reportPeriod } from '../src/reports/report-period';

/**
 * The reports' figures worked out a second way, for the bench's baseline: plain SQL through
 * `pg`, one simple statement per kind of record (no CTEs shared between figures), with the
 * joins and sums an engineer would write by hand, and the rest (attributing events to
 * townships, grades by grading method, coverage) done in JavaScript. It follows the
 * definitions in docs/reports.md, not the app's SQL, so the bench also checks that the two
 * agree on a province's data. Only county-and-above scopes (what the bench asks for).
 */

export interface BaselineRow {
  townshipId: string;
  classesHeld: number;
  sessionsHeld: number;
  personTimesFromAttendance: number;
  personTimesFromEvents: number;
  uniqueTrainees: number;
  covered: boolean;
  rotationStaff: number;
  rotationTrained: number;
  quizGraded: number;
  quizPassed: number;
  certificatesIssued: number;
  visitsDone: number;
  visitsOverdue: number;
}

export interface BaselineReport {
  rows: BaselineRow[];
  totals: {
    classesHeld: number;
    sessionsHeld: number;
    personTimesFromAttendance: number;
    personTimesFromEvents: number;
    uniqueTrainees: number;
    townshipsCovered: number;
    townshipsTotal: number;
    rotationStaff: number;
    rotationTrained: number;
    quizGraded: number;
    quizPassed: number;
    certificatesIssued: number;
    visitsDone: number;
    visitsOverdue: number;
    targetClasses: number | null;
    targetPersonTimes: number | null;
  };
}

const ZONE = 'Asia/Shanghai';
const HELD = `s.status = 'scheduled' AND s.starts_at <= $NOW`;

/** The township table (rows and totals) of the unit `unitId` (county or above) for `year`, as of `now`. */
export async function baselineTownshipReport(
  db: Client,
  unitId: string,
  year: number,
  now: Date,
  today: string,
): Promise<BaselineReport> {
  const p = reportPeriod(year, null, ZONE);
  const q = <T>(sql: string, params: unknown[]): Promise<T[]> =>
    sql.includes('$NOW')
      ? db.query(sql.replaceAll('$NOW', `$${params.length + 1}`), [...params, now]).then((r) => r.rows as T[])
      : db.query(sql, params).then((r) => r.rows as T[]);

  const [{ path }] = await q<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [unitId]);
  const scope = `${path}%`;
  const townships = await q<{ id: string; path: string }>(
    `SELECT id, path FROM org_units WHERE kind = 'township' AND path LIKE $1`,
    [scope],
  );
  const rows = new Map<string, BaselineRow>(
    townships.map((t) => [
      t.id,
      {
        townshipId: t.id,
        classesHeld: 0,
        sessionsHeld: 0,
        personTimesFromAttendance: 0,
        personTimesFromEvents: 0,
        uniqueTrainees: 0,
        covered: false,
        rotationStaff: 0,
        rotationTrained: 0,
        quizGraded: 0,
        quizPassed: 0,
        certificatesIssued: 0,
        visitsDone: 0,
        visitsOverdue: 0,
      },
    ]),
  );
  const byPath = new Map(townships.map((t) => [t.path, rows.get(t.id)!]));
  /** The township a unit lies in (the township itself or one of the unit's ancestors), if any. */
  const townshipOf = (unitPath: string): BaselineRow | undefined => {
    for (let end = unitPath.indexOf('/', 1); end > 0; end = unitPath.indexOf('/', end + 1)) {
      const row = byPath.get(unitPath.slice(0, end + 1));
      if (row) return row;
    }
    return undefined;
  };

  // Person-times, trainees and sessions attended in the year, per township.
  for (const r of await q<{ township_id: string; n: number; trainees: number; sessions: number }>(
    `SELECT e.township_id, count(*)::int AS n, count(DISTINCT e.trainee_id)::int AS trainees,
            count(DISTINCT s.id)::int AS sessions
       FROM attendance_records r
       JOIN sessions s ON s.id = r.session_id
       JOIN enrolments e ON e.id = r.enrolment_id
       JOIN org_units t ON t.id = e.township_id
      WHERE t.path LIKE $1 AND r.status IN ('present', 'late') AND ${HELD}
        AND s.starts_at >= $2 AND s.starts_at < $3
      GROUP BY e.township_id`,
    [scope, p.start, p.end],
  )) {
    const row = rows.get(r.township_id)!;
    row.personTimesFromAttendance = r.n;
    row.uniqueTrainees = r.trainees;
    row.sessionsHeld = r.sessions;
  }

  // The scope's trainees, each once (one who came for two townships is one trainee of the county).
  const [{ trainees: scopeTrainees }] = await q<{ trainees: number }>(
    `SELECT count(DISTINCT e.trainee_id)::int AS trainees
       FROM attendance_records r
       JOIN sessions s ON s.id = r.session_id
       JOIN enrolments e ON e.id = r.enrolment_id
       JOIN org_units t ON t.id = e.township_id
      WHERE t.path LIKE $1 AND r.status IN ('present', 'late') AND ${HELD}
        AND s.starts_at >= $2 AND s.starts_at < $3`,
    [scope, p.start, p.end],
  );

  // Classes of the scope's plans by their first held session; sessions held in the year.
  const classes = await q<{ id: string; min_per_township: number; first_held: Date; sessions: number }>(
    `SELECT c.id, c.min_per_township, min(s.starts_at) AS first_held,
            count(*) FILTER (WHERE s.starts_at >= $2 AND s.starts_at < $3)::int AS sessions
       FROM classes c
       JOIN plans pl ON pl.id = c.plan_id
       JOIN org_units o ON o.id = pl.org_unit_id
       JOIN sessions s ON s.class_id = c.id
      WHERE o.path LIKE $1 AND ${HELD}
      GROUP BY c.id`,
    [scope, p.start, p.end],
  );
  const inYear = classes.filter((c) => c.first_held >= p.start && c.first_held < p.end);
  const minOf = new Map(inYear.map((c) => [c.id, c.min_per_township]));

  // Who came to each of those classes, per township: classes taken part in and coverage.
  for (const r of await q<{ township_id: string; class_id: string; trainees: number }>(
    `SELECT e.township_id, e.class_id, count(DISTINCT e.trainee_id)::int AS trainees
       FROM attendance_records r
       JOIN sessions s ON s.id = r.session_id
       JOIN enrolments e ON e.id = r.enrolment_id
       JOIN org_units t ON t.id = e.township_id
      WHERE t.path LIKE $1 AND r.status IN ('present', 'late') AND ${HELD} AND e.class_id = ANY($2::uuid[])
      GROUP BY e.township_id, e.class_id`,
    [scope, inYear.map((c) => c.id)],
  )) {
    const row = rows.get(r.township_id)!;
    row.classesHeld += 1;
    if (r.trainees >= Math.max(1, minOf.get(r.class_id)!)) row.covered = true;
  }

  // Events, attributed to the township they were held in (or to none: the county's own).
  let eventsTotal = 0;
  for (const r of await q<{ path: string; n: number }>(
    `SELECT o.path, sum(v.head_count)::float8 AS n
       FROM outreach_events v JOIN org_units o ON o.id = v.org_unit_id
      WHERE o.path LIKE $1 AND v.date >= $2 AND v.date < $3
      GROUP BY o.path`,
    [scope, p.from, p.toExclusive],
  )) {
    eventsTotal += r.n;
    const row = townshipOf(r.path);
    if (row) row.personTimesFromEvents += r.n;
  }

  // Visits.
  for (const r of await q<{ township_id: string; done: number; overdue: number }>(
    `SELECT v.township_id,
            count(*) FILTER (WHERE v.status = 'done' AND v.visited_on >= $2 AND v.visited_on < $3)::int AS done,
            count(*) FILTER (WHERE v.status NOT IN ('done', 'cancelled') AND v.due_on < $4
                               AND v.due_on >= $2 AND v.due_on < $3)::int AS overdue
       FROM visits v JOIN org_units t ON t.id = v.township_id
      WHERE t.path LIKE $1
      GROUP BY v.township_id`,
    [scope, p.from, p.toExclusive, today],
  )) {
    const row = rows.get(r.township_id)!;
    row.visitsDone = r.done;
    row.visitsOverdue = r.overdue;
  }

  // Live certificates issued in the year.
  for (const r of await q<{ township_id: string; n: number }>(
    `SELECT e.township_id, count(*)::int AS n
       FROM certificates c
       JOIN enrolments e ON e.class_id = c.class_id AND e.trainee_id = c.trainee_id
       JOIN org_units t ON t.id = e.township_id
      WHERE t.path LIKE $1 AND c.revoked_at IS NULL AND c.issued_at >= $2 AND c.issued_at < $3
      GROUP BY e.township_id`,
    [scope, p.start, p.end],
  )) {
    rows.get(r.township_id)!.certificatesIssued = r.n;
  }

  // Grades of quizzes that closed in the year, by the quiz's grading method (in JavaScript).
  const attempts = await q<{
    quiz_id: string;
    method: GradingMethod;
    pass_percent: string;
    trainee_id: string;
    township_id: string;
    number: number;
    percent: string;
    finished_at: Date;
  }>(
    `SELECT q.id AS quiz_id, q.grading_method AS method, q.pass_percent, a.trainee_id, e.township_id,
            a.number, a.percent, a.finished_at
       FROM quizzes q
       JOIN quiz_attempts a ON a.quiz_id = q.id
       JOIN enrolments e ON e.class_id = q.class_id AND e.trainee_id = a.trainee_id
       JOIN org_units t ON t.id = e.township_id
      WHERE t.path LIKE $1 AND q.mode = 'quiz' AND a.status = 'finished'
        AND q.closes_at >= $2 AND q.closes_at < $3 AND q.closes_at <= $NOW`,
    [scope, p.start, p.end],
  );
  const grades = new Map<string, typeof attempts>();
  for (const a of attempts) {
    const key = `${a.quiz_id}/${a.trainee_id}`;
    grades.set(key, [...(grades.get(key) ?? []), a]);
  }
  for (const list of grades.values()) {
    const row = rows.get(list[0].township_id)!;
    const grade = gradeOf(
      list[0].method,
      list.map((a) => ({ number: a.number, percent: Number(a.percent), finishedAt: a.finished_at })),
    );
    row.quizGraded += 1;
    if (passes(grade, Number(list[0].pass_percent))) row.quizPassed += 1;
  }

  // Annual rotation: active trainee accounts, and those who completed a class of the year's plans.
  for (const r of await q<{ path: string; trained: boolean }>(
    `SELECT o.path, EXISTS (
              SELECT 1 FROM enrolments d JOIN classes c ON c.id = d.class_id JOIN plans pl ON pl.id = c.plan_id
               WHERE d.trainee_id = u.id AND d.status = 'completed' AND pl.year = $2) AS trained
       FROM users u JOIN org_units o ON o.id = u.org_unit_id
      WHERE o.path LIKE $1 AND u.role = 'trainee' AND u.active`,
    [scope, year],
  )) {
    const row = townshipOf(r.path);
    if (!row) continue;
    row.rotationStaff += 1;
    if (r.trained) row.rotationTrained += 1;
  }

  const [targets] = await q<{ classes: number | null; person_times: number | null }>(
    `SELECT sum(pl.target_classes)::int AS classes, sum(pl.target_person_times)::int AS person_times
       FROM plans pl JOIN org_units o ON o.id = pl.org_unit_id
      WHERE o.path LIKE $1 AND pl.year = $2`,
    [scope, year],
  );

  const list = [...rows.values()];
  const sum = (k: keyof BaselineRow) => list.reduce((acc, r) => acc + (r[k] as number), 0);
  return {
    rows: list,
    totals: {
      classesHeld: inYear.length,
      sessionsHeld: classes.reduce((acc, c) => acc + c.sessions, 0),
      personTimesFromAttendance: sum('personTimesFromAttendance'),
      personTimesFromEvents: eventsTotal,
      uniqueTrainees: scopeTrainees,
      townshipsCovered: list.filter((r) => r.covered).length,
      townshipsTotal: list.length,
      rotationStaff: sum('rotationStaff'),
      rotationTrained: sum('rotationTrained'),
      quizGraded: sum('quizGraded'),
      quizPassed: sum('quizPassed'),
      certificatesIssued: sum('certificatesIssued'),
      visitsDone: sum('visitsDone'),
      visitsOverdue: sum('visitsOverdue'),
      targetClasses: targets.classes,
      targetPersonTimes: targets.person_times,
    },
  };
}
