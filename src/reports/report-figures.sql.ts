import { PERSON_TIME_MARK } from '../attendance/person-times.service';
import { inSubtree } from '../common/database/subtree';

/**
 * The SQL of the summary, township and trend reports. Every figure is counted from the
 * records at the moment of the request (attendance, enrolments, attempts, certificates,
 * visits, events): there is no counter to drift and no cache to go stale, so a figure read
 * right after a write includes it. docs/reports.md defines each figure in words; the tests in
 * test/e2e/reports.e2e-spec.ts check them against a year worked out by hand.
 *
 * The township, attendance and trend statements name their parameters (`$townships`,
 * `$start`, …: see `bindNamed`); what each holds:
 *   $townships      the ids of the townships in scope (SCOPE_TOWNSHIPS_SQL; a village's scope is its township)
 *   $village        null, or for a village's scope the LIKE pattern of the village: only its trainees count
 *   $start, $end    the instant the period starts and the instant after it ends (local midnights)
 *   $now            the reading time: only sessions that have started by then are held
 *   $from, $until   the period's first local date and the local date after its last (`date` columns)
 *   $today          today's local date (a visit due before it and not done is overdue)
 *   $year, $lastDay the year and, for a quarter, its last local date (annual rotation, cumulative
 *                   to it; null for the whole year)
 *   $classes        the classes the scope's trainees enrolled in (SCOPE_CLASSES_SQL)
 *   $inPeriod, $outside, $counted   SCOPE_SESSIONS_SQL's three lists
 *   $unitTownships, $units          SCOPE_UNITS_SQL's two columns
 *   $zone, $owner, $eventsUnder     (trends) the centre's time zone, the LIKE pattern of the plans
 *                   owned by a county or above (null for a township or village), of the events
 *
 * Reading the reports needs no lock and takes one snapshot per statement.
 */

/**
 * The ids the statements below start from, looked up first so PostgreSQL plans with real
 * numbers (a county has 10 townships and 20 classes, a province 500 and 1,000): the
 * townships in scope (`$1`: the LIKE pattern of the unit) and every class their trainees
 * enrolled in.
 */
export const SCOPE_TOWNSHIPS_SQL = `SELECT id FROM org_units WHERE kind = 'township' AND path LIKE $1`;
export const SCOPE_CLASSES_SQL = `SELECT DISTINCT class_id AS id FROM enrolments WHERE township_id = ANY($townships::uuid[])`;

/**
 * Every unit in the townships in scope (the townships and their villages; for a village's
 * scope, the village only), with its township: looked up first, like the ids above.
 */
export const SCOPE_UNITS_SQL = `
  SELECT t.id AS "townshipId", u.id AS "unitId"
    FROM org_units t JOIN org_units u ON ${inSubtree('u.path', 't.path')}
   WHERE t.id = ANY($townships::uuid[]) AND ($village::text IS NULL OR u.path LIKE $village)`;

/**
 * The townships in scope, every unit in them, and the enrolments of the scope's trainees
 * (`$village` narrows them to a village's): the base of every per-township figure.
 */
const SCOPE_CTES = `
  t AS MATERIALIZED (
    SELECT o.id, o.name, o.path, o.parent_id FROM org_units o WHERE o.id = ANY($townships::uuid[])),
  tu AS MATERIALIZED (
    SELECT * FROM unnest($unitTownships::uuid[], $units::uuid[]) AS tu(township_id, unit_id)),
  e AS MATERIALIZED (
    SELECT e.id, e.class_id, e.trainee_id, e.township_id
      FROM enrolments e
     WHERE e.township_id = ANY($townships::uuid[])
       AND ($village::text IS NULL OR e.trainee_id IN (
             SELECT u.id FROM users u WHERE u.org_unit_id = ANY($units::uuid[]))))`;

/** A session that took place: not cancelled, already started. `s` is the session. */
const HELD = `s.status = 'scheduled' AND s.starts_at <= $now`;

/**
 * The sessions the township figures read, looked up before them for the same reason as the
 * ids above: the held sessions (of `$classes`, as of `$now`) that started in the period
 * (`$start` to `$end`), the held sessions outside the period of the classes counted in it
 * (`counted`: their first held session falls in the period; their township's coverage counts
 * every session), and those classes.
 */
export const SCOPE_SESSIONS_SQL = `
  WITH held AS (
    SELECT s.id, s.class_id, s.starts_at >= $start AND s.starts_at < $end AS in_period, s.starts_at
      FROM sessions s
     WHERE s.class_id = ANY($classes::uuid[]) AND ${HELD}),
  counted AS (
    SELECT class_id FROM held GROUP BY class_id HAVING min(starts_at) >= $start AND min(starts_at) < $end)
  SELECT ARRAY(SELECT id FROM held WHERE in_period) AS "inPeriod",
         ARRAY(SELECT id FROM held WHERE NOT in_period AND class_id IN (SELECT class_id FROM counted)) AS "outside",
         ARRAY(SELECT class_id FROM counted) AS counted`;

/**
 * The person-times of the scope's trainees that the township figures read, in one pass: at
 * the sessions in the period ($inPeriod) and at the other sessions of the classes counted in the
 * period ($outside; the classes are $counted), for coverage. Read from the partial index of person-time
 * marks by session (ix_attendance_records_person_times).
 */
const ATTENDANCE_CTES = `
  att AS MATERIALIZED (
    SELECT e.township_id, e.trainee_id, e.class_id, r.session_id, true AS in_period
      FROM attendance_records r JOIN e ON e.id = r.enrolment_id
     WHERE r.session_id = ANY($inPeriod::uuid[]) AND ${PERSON_TIME_MARK}
    UNION ALL
    SELECT e.township_id, e.trainee_id, e.class_id, r.session_id, false
      FROM attendance_records r JOIN e ON e.id = r.enrolment_id
     WHERE r.session_id = ANY($outside::uuid[]) AND ${PERSON_TIME_MARK})`;

/**
 * The attendance figures, one row per township its trainees came for (townships without any
 * are left out), and one more with township null holding the distinct trainees of the whole
 * scope (a trainee who came for two townships, one who moved, is one trainee of the scope).
 * Person-times, trainees and sessions attended count the person-times at sessions that started
 * in the period. A class counts in the period of its first held session (so a class spanning
 * two quarters is counted once); the township took part in it when at least one of its
 * trainees came, and was covered by it when at least the class's minimum (and at least one) came.
 */
export const ATTENDANCE_FIGURES_SQL = `
  WITH ${SCOPE_CTES}, ${ATTENDANCE_CTES},
  by_trainee AS (
    SELECT township_id, trainee_id, count(*)::int AS n FROM att WHERE in_period GROUP BY township_id, trainee_id),
  pt AS (
    SELECT township_id, sum(n)::int AS person_times, count(*)::int AS trainees FROM by_trainee GROUP BY township_id),
  pts AS (
    SELECT township_id, count(*)::int AS sessions
      FROM (SELECT DISTINCT township_id, session_id FROM att WHERE in_period) x
     GROUP BY township_id),
  came AS (
    SELECT township_id, class_id, count(*)::int AS trainees
      FROM (SELECT DISTINCT township_id, class_id, trainee_id FROM att WHERE class_id = ANY($counted::uuid[])) x
     GROUP BY township_id, class_id),
  cov AS (
    SELECT came.township_id, count(*)::int AS classes,
           bool_or(came.trainees >= greatest(c.min_per_township, 1)) AS covered
      FROM came JOIN classes c ON c.id = came.class_id
     GROUP BY came.township_id)
  SELECT t.id AS "townshipId",
         coalesce(cov.classes, 0) AS "classesHeld",
         coalesce(pts.sessions, 0) AS "sessionsHeld",
         coalesce(pt.person_times, 0) AS "personTimesFromAttendance",
         coalesce(pt.trainees, 0) AS "uniqueTrainees",
         coalesce(cov.covered, false) AS covered
    FROM t
    LEFT JOIN pt ON pt.township_id = t.id
    LEFT JOIN pts ON pts.township_id = t.id
    LEFT JOIN cov ON cov.township_id = t.id
   WHERE pt.township_id IS NOT NULL OR cov.township_id IS NOT NULL
  UNION ALL
  SELECT NULL, 0, 0, 0, (SELECT count(DISTINCT trainee_id) FROM by_trainee)::int, false`;

/**
 * Every township in scope (by county and name) with its other figures: events, rotation,
 * grades, certificates and visits. Run beside ATTENDANCE_FIGURES_SQL, on another connection:
 * a province's report then uses both cores.
 */
export const TOWNSHIP_FIGURES_SQL = `
  WITH ${SCOPE_CTES},
  ev AS (
    SELECT tu.township_id, sum(v.head_count)::float8 AS head_count
      FROM outreach_events v JOIN tu ON tu.unit_id = v.org_unit_id
     WHERE v.org_unit_id = ANY($units::uuid[]) AND v.date >= $from AND v.date < $until
     GROUP BY tu.township_id),
  vis AS (
    SELECT v.township_id,
           count(*) FILTER (WHERE v.status = 'done' AND v.visited_on >= $from AND v.visited_on < $until)::int AS done,
           count(*) FILTER (WHERE v.status IN ('assigned', 'overdue') AND v.due_on < $today
                              AND v.due_on >= $from AND v.due_on < $until)::int AS overdue
      FROM visits v
     WHERE v.township_id = ANY($townships::uuid[]) AND $village::text IS NULL
     GROUP BY v.township_id),
  cert AS (
    SELECT e.township_id, count(*)::int AS issued
      FROM certificates c JOIN e ON e.class_id = c.class_id AND e.trainee_id = c.trainee_id
     WHERE c.class_id = ANY($classes::uuid[]) AND c.revoked_at IS NULL AND c.issued_at >= $start AND c.issued_at < $end
     GROUP BY e.township_id),
  grade AS (
    SELECT e.township_id, q.pass_percent,
           CASE q.grading_method
             WHEN 'highest' THEN max(a.percent)
             WHEN 'average' THEN round(avg(a.percent), 7)
             WHEN 'first' THEN (array_agg(a.percent ORDER BY a.finished_at, a.number))[1]
             ELSE (array_agg(a.percent ORDER BY a.finished_at DESC, a.number DESC))[1]
           END AS grade
      FROM quizzes q
      JOIN quiz_attempts a ON a.quiz_id = q.id AND a.status = 'finished'
      JOIN e ON e.class_id = q.class_id AND e.trainee_id = a.trainee_id
     WHERE q.class_id = ANY($classes::uuid[]) AND q.mode = 'quiz'
       AND q.closes_at >= $start AND q.closes_at < $end AND q.closes_at <= $now
     GROUP BY e.township_id, q.id, a.trainee_id),
  quiz AS (
    SELECT township_id, count(*)::int AS graded, count(*) FILTER (WHERE grade >= pass_percent)::int AS passed
      FROM grade GROUP BY township_id),
  staff AS (
    SELECT u.id, u.org_unit_id FROM users u
     WHERE u.org_unit_id = ANY($units::uuid[]) AND u.role = 'trainee' AND u.active),
  trained AS (
    SELECT DISTINCT d.trainee_id
      FROM enrolments d
      JOIN classes c ON c.id = d.class_id
      JOIN plans p ON p.id = c.plan_id
     WHERE d.trainee_id IN (SELECT id FROM staff) AND d.status = 'completed'
       AND p.year = $year AND ($lastDay::date IS NULL OR c.end_date <= $lastDay)),
  rot AS (
    SELECT tu.township_id, count(*)::int AS staff, count(tr.trainee_id)::int AS trained
      FROM staff u
      JOIN tu ON tu.unit_id = u.org_unit_id
      LEFT JOIN trained tr ON tr.trainee_id = u.id
     GROUP BY tu.township_id)
  SELECT t.id AS "townshipId", t.name, t.parent_id AS "parentId", p.name AS "parentName",
         coalesce(ev.head_count, 0) AS "personTimesFromEvents",
         coalesce(rot.staff, 0) AS "rotationStaff", coalesce(rot.trained, 0) AS "rotationTrained",
         coalesce(quiz.graded, 0) AS "quizGraded", coalesce(quiz.passed, 0) AS "quizPassed",
         coalesce(cert.issued, 0) AS "certificatesIssued",
         coalesce(vis.done, 0) AS "visitsDone", coalesce(vis.overdue, 0) AS "visitsOverdue"
    FROM t
    LEFT JOIN org_units p ON p.id = t.parent_id
    LEFT JOIN ev ON ev.township_id = t.id
    LEFT JOIN rot ON rot.township_id = t.id
    LEFT JOIN quiz ON quiz.township_id = t.id
    LEFT JOIN cert ON cert.township_id = t.id
    LEFT JOIN vis ON vis.township_id = t.id
   ORDER BY p.name, t.name, t.id`;

/**
 * The figures of a scope that are more than the sum of its townships (county and above):
 * classes and sessions held by the classes of the scope's plans (each counted once, however
 * many townships came), the head counts of events held anywhere in the scope (the county's
 * own lectures included), and the plans' targets. Its own parameters: $1 the scope's LIKE
 * pattern, $2/$3 the period's instants, $4 now, $5/$6 its dates, $7 the year.
 */
export const SCOPE_FIGURES_SQL = `
  WITH held AS (
    SELECT s.class_id, min(s.starts_at) AS first_held,
           count(*) FILTER (WHERE s.starts_at >= $2 AND s.starts_at < $3)::int AS sessions
      FROM org_units o
      JOIN plans p ON p.org_unit_id = o.id
      JOIN classes c ON c.plan_id = p.id
      JOIN sessions s ON s.class_id = c.id
     WHERE o.path LIKE $1 AND s.status = 'scheduled' AND s.starts_at <= $4
     GROUP BY s.class_id)
  SELECT (SELECT count(*) FILTER (WHERE first_held >= $2 AND first_held < $3) FROM held)::int AS "classesHeld",
         (SELECT coalesce(sum(sessions), 0) FROM held)::int AS "sessionsHeld",
         -- float8: head counts of up to 100,000 an event can pass what an int holds.
         (SELECT coalesce(sum(v.head_count), 0)
            FROM org_units o JOIN outreach_events v ON v.org_unit_id = o.id AND v.date >= $5 AND v.date < $6
           WHERE o.path LIKE $1)::float8 AS "personTimesFromEvents",
         (SELECT count(*) FROM org_units o WHERE o.kind = 'township' AND o.path LIKE $1)::int AS "townshipsTotal",
         (SELECT sum(p.target_classes) FROM org_units o JOIN plans p ON p.org_unit_id = o.id
           WHERE o.path LIKE $1 AND p.year = $7)::int AS "targetClasses",
         (SELECT sum(p.target_person_times) FROM org_units o JOIN plans p ON p.org_unit_id = o.id
           WHERE o.path LIKE $1 AND p.year = $7)::int AS "targetPersonTimes"`;

/**
 * Month by month (1–12) in the centre's zone: sessions held, person-times from attendance and
 * from events. Sessions are those of the scope's classes (`$owner`, county and above) or, for a
 * township or village (`$owner` null), the sessions its trainees came to.
 */
export const TRENDS_SQL = `
  WITH ${SCOPE_CTES},
  att AS (
    SELECT extract(month FROM s.starts_at AT TIME ZONE $zone)::int AS month,
           count(*)::int AS person_times, count(DISTINCT s.id)::int AS sessions
      FROM sessions s
      JOIN attendance_records r ON r.session_id = s.id AND ${PERSON_TIME_MARK}
      JOIN e ON e.id = r.enrolment_id
     WHERE s.id = ANY($inPeriod::uuid[])
     GROUP BY 1),
  ses AS (
    SELECT extract(month FROM s.starts_at AT TIME ZONE $zone)::int AS month, count(*)::int AS sessions
      FROM org_units o
      JOIN plans p ON p.org_unit_id = o.id
      JOIN classes c ON c.plan_id = p.id
      JOIN sessions s ON s.class_id = c.id
     WHERE $owner::text IS NOT NULL AND o.path LIKE $owner AND ${HELD} AND s.starts_at >= $start AND s.starts_at < $end
     GROUP BY 1),
  ev AS (
    SELECT extract(month FROM v.date)::int AS month, sum(v.head_count)::float8 AS head_count
      FROM org_units o JOIN outreach_events v ON v.org_unit_id = o.id AND v.date >= $from AND v.date < $until
     WHERE o.path LIKE $eventsUnder
     GROUP BY 1)
  SELECT m.month,
         CASE WHEN $owner::text IS NULL THEN coalesce(att.sessions, 0) ELSE coalesce(ses.sessions, 0) END AS "sessionsHeld",
         coalesce(att.person_times, 0) AS "personTimesFromAttendance",
         coalesce(ev.head_count, 0) AS "personTimesFromEvents"
    FROM generate_series(1, 12) AS m(month)
    LEFT JOIN att ON att.month = m.month
    LEFT JOIN ses ON ses.month = m.month
    LEFT JOIN ev ON ev.month = m.month
   ORDER BY m.month`;
