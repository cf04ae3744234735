import { personTimeAt } from '../attendance/person-times.service';

/**
 * The lists of the annual workbook (annual-report.export.ts): the classes held, the outreach
 * events and the follow-up visits of a year, for the same scopes and with the same definitions
 * as report-figures.sql.ts (docs/reports.md). Each list is cut at its LIMIT parameter and
 * every row carries `total`, the length of the whole list (a window count, taken before the
 * LIMIT), so a cut list can say so.
 */

/**
 * At most this many rows on a sheet: a province holds about 1,000 classes and 2,000 events a
 * year. The workbook is built in memory (3 sheets of 50,000 rows took 1.8 GB and 23 s), so a
 * list that long is cut rather than allowed to stall the process.
 */
export const ANNUAL_LIST_LIMIT = 10_000;

/** A class counted in `classesHeld` of the year, with its counts. */
export interface AnnualClassRow {
  id: string;
  title: string;
  courseTitle: string;
  status: string;
  /** The quarter the class is counted in: that of its first held session (local). */
  quarter: number;
  /** Local dates of its first and last held sessions. */
  firstDate: string;
  lastDate: string;
  sessionsHeld: number;
  trainees: number;
  personTimes: number;
  townships: number;
  /** Of the whole list: classes, sessions held, person-times. */
  total: number;
  totalSessions: number;
  totalPersonTimes: number;
}

export interface AnnualEventRow {
  date: string;
  kind: string;
  title: string;
  unitName: string;
  headCount: number;
  books: number;
  discs: number;
  leaflets: number;
  notes: string | null;
  total: number;
  totalHeadCount: number;
  totalBooks: number;
  totalDiscs: number;
  totalLeaflets: number;
}

export interface AnnualVisitRow {
  township: string;
  classTitle: string;
  assignee: string;
  dueOn: string;
  /** As it reads on the reading day: an open visit past its due date is `overdue`. */
  status: string;
  visitedOn: string | null;
  problems: string | null;
  notes: string | null;
  total: number;
}

/**
 * The class lines, once `held` (class_id, first_at, last_at, sessions) and `came` (class_id,
 * person_times, trainees, townships) are defined, with the totals of the whole list. $5 the
 * centre's zone, $6 the limit.
 */
const CLASS_LINES = `
  SELECT c.id, c.title, co.title AS "courseTitle", c.status::text AS status,
         extract(quarter FROM h.first_at AT TIME ZONE $5)::int AS quarter,
         to_char(h.first_at AT TIME ZONE $5, 'YYYY-MM-DD') AS "firstDate",
         to_char(h.last_at AT TIME ZONE $5, 'YYYY-MM-DD') AS "lastDate",
         h.sessions AS "sessionsHeld",
         coalesce(came.trainees, 0) AS trainees,
         coalesce(came.person_times, 0) AS "personTimes",
         coalesce(came.townships, 0) AS townships,
         count(*) OVER ()::int AS total,
         sum(h.sessions) OVER ()::float8 AS "totalSessions",
         coalesce(sum(came.person_times) OVER (), 0)::float8 AS "totalPersonTimes"
    FROM held h
    JOIN classes c ON c.id = h.class_id
    JOIN courses co ON co.id = c.course_id
    LEFT JOIN came ON came.class_id = h.class_id
   ORDER BY h.first_at, c.title, c.id
   LIMIT $6`;

/**
 * County and above: the classes of the scope's plans ($1, the LIKE pattern of the scope) whose
 * first held session (not cancelled, started by now $4) falls in [$2, $3); each with every
 * session it has held, and the trainees who came (a person-time at one of them), their
 * person-times and their townships.
 */
export const ANNUAL_CLASSES_OWNED_SQL = `
  WITH held AS (
    SELECT s.class_id, min(s.starts_at) AS first_at, max(s.starts_at) AS last_at, count(*)::int AS sessions
      FROM org_units o
      JOIN plans p ON p.org_unit_id = o.id
      JOIN classes c ON c.plan_id = p.id
      JOIN sessions s ON s.class_id = c.id
     WHERE o.path LIKE $1 AND s.status = 'scheduled' AND s.starts_at <= $4
     GROUP BY s.class_id
    HAVING min(s.starts_at) >= $2 AND min(s.starts_at) < $3),
  came AS (
    SELECT s.class_id, count(*)::int AS person_times, count(DISTINCT e.trainee_id)::int AS trainees,
           count(DISTINCT e.township_id)::int AS townships
      FROM sessions s
      JOIN attendance_records r ON r.session_id = s.id
      JOIN enrolments e ON e.id = r.enrolment_id
     WHERE s.class_id IN (SELECT class_id FROM held) AND ${personTimeAt('$4')}
     GROUP BY s.class_id)
  ${CLASS_LINES}`;

/**
 * A township or village: the classes whose first held session falls in [$2, $3) that the
 * scope's trainees came to (those enrolled for a township matching $1 and, for a village, $7
 * the LIKE pattern of the village their account belongs to), with the sessions they came to,
 * how many of them came, and their person-times. The dates are the class's own.
 */
export const ANNUAL_CLASSES_ATTENDED_SQL = `
  WITH e AS MATERIALIZED (
    SELECT e.id, e.class_id, e.trainee_id, e.township_id
      FROM org_units t
      JOIN enrolments e ON e.township_id = t.id
     WHERE t.kind = 'township' AND t.path LIKE $1
       AND ($7::text IS NULL OR e.trainee_id IN (
             SELECT u.id FROM users u JOIN org_units uo ON uo.id = u.org_unit_id WHERE uo.path LIKE $7))),
  cls AS (
    SELECT s.class_id, min(s.starts_at) AS first_at, max(s.starts_at) AS last_at
      FROM sessions s
     WHERE s.class_id IN (SELECT class_id FROM e) AND s.status = 'scheduled' AND s.starts_at <= $4
     GROUP BY s.class_id
    HAVING min(s.starts_at) >= $2 AND min(s.starts_at) < $3),
  came AS (
    SELECT s.class_id, count(*)::int AS person_times, count(DISTINCT e.trainee_id)::int AS trainees,
           count(DISTINCT e.township_id)::int AS townships, count(DISTINCT s.id)::int AS sessions
      FROM cls
      JOIN sessions s ON s.class_id = cls.class_id
      JOIN attendance_records r ON r.session_id = s.id
      JOIN e ON e.id = r.enrolment_id
     WHERE ${personTimeAt('$4')}
     GROUP BY s.class_id),
  held AS (
    SELECT cls.class_id, cls.first_at, cls.last_at, came.sessions FROM cls JOIN came ON came.class_id = cls.class_id)
  ${CLASS_LINES}`;

/**
 * The outreach events dated in [$2, $3) (local dates) held by a unit matching $1, by date,
 * with the totals of the whole list. $4 the limit. The sums are float8: exact for any count
 * these columns can hold, where an int could overflow on a province's leaflets.
 */
export const ANNUAL_EVENTS_SQL = `
  SELECT to_char(v.date, 'YYYY-MM-DD') AS date, v.kind::text AS kind, v.title, o.name AS "unitName",
         v.head_count AS "headCount", v.books, v.discs, v.leaflets, v.notes,
         count(*) OVER ()::int AS total,
         sum(v.head_count) OVER ()::float8 AS "totalHeadCount",
         sum(v.books) OVER ()::float8 AS "totalBooks",
         sum(v.discs) OVER ()::float8 AS "totalDiscs",
         sum(v.leaflets) OVER ()::float8 AS "totalLeaflets"
    FROM org_units o
    JOIN outreach_events v ON v.org_unit_id = o.id AND v.date >= $2 AND v.date < $3
   WHERE o.path LIKE $1
   ORDER BY v.date, o.name, v.title, v.id
   LIMIT $4`;

/**
 * The follow-up visits to the townships matching $1 due in [$2, $3) or made in it (local
 * dates), by county and township, with their status as it reads on $4 (today): an open visit past its due date is
 * overdue, as the visits list shows it. $5 the limit. A village's scope ($6 not null) has no
 * visits: they belong to a township (as in the figures).
 */
export const ANNUAL_VISITS_SQL = `
  SELECT t.name AS township, c.title AS "classTitle", u.display_name AS assignee,
         to_char(v.due_on, 'YYYY-MM-DD') AS "dueOn",
         CASE WHEN v.status = 'assigned' AND v.due_on < $4::date THEN 'overdue' ELSE v.status::text END AS status,
         to_char(v.visited_on, 'YYYY-MM-DD') AS "visitedOn", v.problems, v.notes,
         count(*) OVER ()::int AS total
    FROM org_units t
    JOIN visits v ON v.township_id = t.id
    JOIN classes c ON c.id = v.class_id
    JOIN users u ON u.id = v.assignee_id
    LEFT JOIN org_units p ON p.id = t.parent_id
   WHERE t.kind = 'township' AND t.path LIKE $1 AND $6::text IS NULL
     AND ((v.due_on >= $2 AND v.due_on < $3) OR (v.visited_on >= $2 AND v.visited_on < $3))
   ORDER BY p.name, t.name, v.due_on, c.title, v.id
   LIMIT $5`;
