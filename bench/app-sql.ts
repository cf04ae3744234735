/**
 * Statements the API sends that the app does not (yet) export: some TypeORM builds from
 * the entities, some are inline strings in a service. The baseline sends these copies
 * verbatim (whitespace aside). They can drift, so every scenario traces the statements
 * both sides send for one probe request (bench/server-probe.ts) and fails its `sameSql`
 * invariant at the first difference. Where the app exports a statement (AUTH_ROW_SQL,
 * WRITE_ATTENDANCE_SQL) the baseline imports it instead; the README lists which of these
 * should move into the app.
 */

// ---- TypeORM: the transaction around `TransactionService.run` -------------------------------

export const START_TRANSACTION = 'START TRANSACTION';
export const COMMIT = 'COMMIT';
export const ROLLBACK = 'ROLLBACK';

// ---- TypeORM, ClassesService.load: a class with its plan's county path (FOR UPDATE OF c when locked)

const CLASS_COLUMNS = [
  'id',
  'plan_id',
  'course_id',
  'title',
  'quarter',
  'start_date',
  'end_date',
  'venue_id',
  'capacity',
  'min_per_township',
  'max_per_township',
  'enrolment_opens_at',
  'enrolment_closes_at',
  'attendance_threshold',
  'points_present',
  'points_late',
  'points_excused',
  'points_absent',
  'status',
  'created_at',
  'updated_at',
];

/** Row: `c_<column>` for each class column, `plan_path`, `o_id`. */
export const CLASS_SCOPED_SQL = `SELECT ${CLASS_COLUMNS.map((c) => `"c"."${c}" AS "c_${c}"`).join(', ')},
  "o"."path" AS "plan_path", "o"."id" AS "o_id"
  FROM "classes" "c" INNER JOIN "plans" "p" ON "p"."id" = "c"."plan_id"
  INNER JOIN "org_units" "o" ON "o"."id" = "p"."org_unit_id" WHERE "c"."id" = $1`;

export const CLASS_SCOPED_FOR_UPDATE_SQL = `${CLASS_SCOPED_SQL} FOR UPDATE OF c`;

/** TypeORM, ClassesService.load: the class's trainers. */
export const CLASS_TRAINERS_SQL = `SELECT "ClassTrainer"."class_id" AS "ClassTrainer_class_id",
  "ClassTrainer"."trainer_id" AS "ClassTrainer_trainer_id" FROM "class_trainers" "ClassTrainer"
  WHERE (("ClassTrainer"."class_id" = $1)) ORDER BY "ClassTrainer"."trainer_id" ASC`;

// ---- TypeORM, SessionsService.getWithClass: the session (FOR UPDATE when locked) ------------

const SESSION_COLUMNS = [
  'id',
  'class_id',
  'starts_at',
  'ends_at',
  'trainer_id',
  'venue_id',
  'topic',
  'status',
  'sequence',
  'cancelled_at',
  'created_at',
  'updated_at',
];

/** Row: `ClassSession_<column>` for each session column. */
export const SESSION_SQL = `SELECT ${SESSION_COLUMNS.map((c) => `"ClassSession"."${c}" AS "ClassSession_${c}"`).join(', ')}
  FROM "sessions" "ClassSession" WHERE (("ClassSession"."id" = $1)) LIMIT 1`;

export const SESSION_FOR_UPDATE_SQL = `${SESSION_SQL} FOR UPDATE`;

// ---- TypeORM, PlansService.getScoped: a plan with its county's path --------------------------

const PLAN_COLUMNS = [
  'id',
  'org_unit_id',
  'year',
  'title',
  'target_classes',
  'target_person_times',
  'created_at',
  'updated_at',
];

/** Row: `p_<column>` for each plan column, `unit_path`, `o_id`. */
export const PLAN_SCOPED_SQL = `SELECT ${PLAN_COLUMNS.map((c) => `"p"."${c}" AS "p_${c}"`).join(', ')},
  "o"."path" AS "unit_path", "o"."id" AS "o_id"
  FROM "plans" "p" INNER JOIN "org_units" "o" ON "o"."id" = "p"."org_unit_id" WHERE "p"."id" = $1`;

// ---- Inline, SessionsService.listForPlan: one page of a plan's sessions with the total ------

/** $1 plan, $2 include cancelled, $3 limit, $4 offset. */
export const PLAN_SESSIONS_PAGE_SQL = `SELECT s.id, s.class_id AS "classId", s.starts_at AS "startsAt", s.ends_at AS "endsAt",
         s.trainer_id AS "trainerId", s.venue_id AS "venueId", s.topic, s.status, s.sequence,
         s.cancelled_at AS "cancelledAt", count(*) OVER ()::int AS total
    FROM sessions s JOIN classes c ON c.id = s.class_id
   WHERE c.plan_id = $1 AND ($2 OR s.status = 'scheduled')
   ORDER BY s.starts_at, s.id
   LIMIT $3 OFFSET $4`;

// ---- ClassViewsService.sessions: the names a session list shows beside its ids -------------

/** Inline, ClassViewsService.sessions: classes $1 (uuid[]). */
export const CLASS_REFS_SQL = `SELECT id, title, course_id AS "courseId" FROM classes WHERE id = ANY($1::uuid[])`;

/** Inline, CoursesService.refs: courses $1 (uuid[]). */
export const COURSE_REFS_SQL = `SELECT id, title FROM courses WHERE id = ANY($1::uuid[])`;

/** Inline, VenuesService.refs: venues $1 (uuid[]). */
export const VENUE_REFS_SQL = `SELECT id, name, address FROM venues WHERE id = ANY($1::uuid[])`;

/** Inline, UsersService.refs: people $1 (uuid[]). */
export const PERSON_REFS_SQL = `SELECT id, display_name AS "displayName" FROM users WHERE id = ANY($1::uuid[])`;

// ---- EnrolmentsService.enrol -----------------------------------------------------------------

/** Inline, EnrolmentsService.loadTrainee. */
export const ENROL_TRAINEE_SQL = `SELECT u.id, u.org_unit_id, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id
  WHERE u.id = $1 AND u.role = 'trainee' AND u.active`;

const ORG_UNIT_COLUMNS = ['id', 'kind', 'name', 'code', 'parent_id', 'path', 'depth', 'created_at', 'updated_at'];

/** TypeORM findOneBy, OrgUnitsService.townshipOf (once for a township, twice for a village). Row: `OrgUnit_<column>`. */
export const ORG_UNIT_SQL = `SELECT ${ORG_UNIT_COLUMNS.map((c) => `"OrgUnit"."${c}" AS "OrgUnit_${c}"`).join(', ')}
  FROM "org_units" "OrgUnit" WHERE (("OrgUnit"."id" = $1)) LIMIT 1`;

const ENROLMENT_COLUMNS = [
  'id',
  'class_id',
  'trainee_id',
  'township_id',
  'status',
  'waitlist_position',
  'enrolled_by',
  'confirmed_at',
  'withdrawn_at',
  'withdrawal_reason',
  'created_at',
  'updated_at',
];

/** TypeORM findOneBy, EnrolmentsService.enrol: the trainee's existing enrolment in the class. */
export const ENROLMENT_OF_TRAINEE_SQL = `SELECT ${ENROLMENT_COLUMNS.map((c) => `"Enrolment"."${c}" AS "Enrolment_${c}"`).join(', ')}
  FROM "enrolments" "Enrolment" WHERE (("Enrolment"."class_id" = $1) AND ("Enrolment"."trainee_id" = $2)) LIMIT 1`;

/** Inline, EnrolmentsService.enrol: $1 class, $2 township. */
export const ENROL_COUNTS_SQL = `SELECT count(*) FILTER (WHERE status = 'confirmed' AND township_id = $2)::int AS township_confirmed,
         count(*) FILTER (WHERE status = 'confirmed')::int AS class_confirmed,
         coalesce(max(waitlist_position), 0)::int AS last_position
    FROM enrolments WHERE class_id = $1`;

/** TypeORM save of a new Enrolment: $1 class .. $8 withdrawn_at, $9 withdrawal_reason. */
export const INSERT_ENROLMENT_SQL = `INSERT INTO "enrolments"("id", "class_id", "trainee_id", "township_id", "status",
  "waitlist_position", "enrolled_by", "confirmed_at", "withdrawn_at", "withdrawal_reason", "created_at", "updated_at")
  VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, DEFAULT, DEFAULT) RETURNING "id", "created_at", "updated_at"`;

// ---- EnrolmentsService, as attendance reads it ----------------------------------------------

/** Inline, EnrolmentsService PEOPLE_SQL: an enrolment with its trainee and township. */
const PEOPLE_SQL = `SELECT e.id, e.trainee_id AS "traineeId", u.display_name AS "displayName", u.username, u.phone,
        e.township_id AS "townshipId", t.name AS "townshipName", e.status::text AS status
   FROM enrolments e
   JOIN users u ON u.id = e.trainee_id
   JOIN org_units t ON t.id = e.township_id`;

/** EnrolmentsService.seated: who holds a seat in class $1. */
export const SEATED_SQL = `${PEOPLE_SQL}
  WHERE e.class_id = $1 AND e.status IN ('confirmed', 'completed')
  ORDER BY t.name, t.id, u.display_name, e.id`;

/** EnrolmentsService.seated with `lock`: the seats share-locked, so a withdrawal waits. */
export const SEATED_FOR_SHARE_SQL = `${SEATED_SQL} FOR SHARE OF e`;

/** EnrolmentsService.describe: enrolments $1 (uuid[]). */
export const DESCRIBE_ENROLMENTS_SQL = `${PEOPLE_SQL}
  WHERE e.id = ANY($1::uuid[])
  ORDER BY t.name, t.id, u.display_name, e.id`;

/** TypeORM query builder, EnrolmentsService.seatOf: the trainee's ($2) seat in class $1 (FOR SHARE when locked). */
export const SEAT_OF_SQL = `SELECT ${ENROLMENT_COLUMNS.map((c) => `"e"."${c}" AS "e_${c}"`).join(', ')}
  FROM "enrolments" "e" WHERE "e"."class_id" = $1 AND "e"."trainee_id" = $2 AND "e"."status" IN ('confirmed', 'completed')`;

export const SEAT_OF_FOR_SHARE_SQL = `${SEAT_OF_SQL} FOR SHARE`;

// ---- AttendanceService -----------------------------------------------------------------------

/** Inline, AttendanceService.recordsOf: a session's ($1) records, of enrolments $2 (uuid[] or null for all). */
export const RECORDS_OF_SQL = `SELECT id, enrolment_id, status, note, source, recorded_by, recorded_at, version
  FROM attendance_records WHERE session_id = $1 AND ($2::uuid[] IS NULL OR enrolment_id = ANY($2::uuid[]))`;

/** TypeORM findOneBy, AttendanceService.checkIn: the session's check-in window. Row: `CheckInWindow_<column>`. */
export const CHECK_IN_WINDOW_SQL = `SELECT "CheckInWindow"."session_id" AS "CheckInWindow_session_id",
  "CheckInWindow"."opened_by" AS "CheckInWindow_opened_by", "CheckInWindow"."opened_at" AS "CheckInWindow_opened_at",
  "CheckInWindow"."closes_at" AS "CheckInWindow_closes_at"
  FROM "check_in_windows" "CheckInWindow" WHERE (("CheckInWindow"."session_id" = $1)) LIMIT 1`;
