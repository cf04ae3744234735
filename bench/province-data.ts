import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { hashPassword } from '../src/common/auth/passwords';
import { dataSourceOptions } from '../src/database/data-source';
import { benchDatabaseTarget } from './database';

/**
 * A province-sized data set for the reports benchmark, built in SQL (set-based
 * `INSERT ... SELECT ... generate_series`, no row-by-row round trips) into an already migrated,
 * empty database. Deterministic: ids are md5 of readable keys (made v4-shaped, so DTO checks
 * accept them) and every variation is drawn from md5 of a key, never random(); only the
 * reference instant ("now", kept in the marker's `built_at`) decides which sessions are held.
 *
 * Shape: 1 province, 5 cities, 50 counties, 500 townships, 1,000 villages; 40 trainees per
 * township (20,000); per county a plan and 4 classes a year over the 5 years ending with the
 * current year in Asia/Shanghai; 50 seats a class; ~1,000,000 attendance records; 10,000
 * outreach events; quizzes, attempts, certificates and follow-up visits of the held classes.
 */

/** Bump when the data changes shape: a marker of another version reads as "no data" and is rebuilt. */
export const GENERATOR_VERSION = 1;

export const PROVINCE_ADMIN_USERNAME = 'bench-province-admin';

/** `bench-county-admin-01` … `-50`: the admin of county n (1-based). */
export function countyAdminUsername(n: number): string {
  return `bench-county-admin-${String(n).padStart(2, '0')}`;
}

const TZ = 'Asia/Shanghai';
const DEFAULT_DATABASE = 'lms_bench_province';
const MARKER_TABLE = 'bench_province_info';

const CITIES = 5;
const COUNTIES_PER_CITY = 10;
const COUNTIES = CITIES * COUNTIES_PER_CITY;
const TOWNSHIPS_PER_COUNTY = 10;
const TOWNSHIPS = COUNTIES * TOWNSHIPS_PER_COUNTY;
const VILLAGES_PER_TOWNSHIP = 2;
const VILLAGES = TOWNSHIPS * VILLAGES_PER_TOWNSHIP;
/** Per township: 20 in the township unit, then 10 in each of its villages. */
const TRAINEES_PER_TOWNSHIP = 40;
const TRAINEES_AT_TOWNSHIP = 20;
const TRAINEES_PER_VILLAGE = 10;
const TRAINEES = TOWNSHIPS * TRAINEES_PER_TOWNSHIP;
const YEARS = 5;
/** One class a quarter per county and year. */
const CLASSES_PER_YEAR = 4;
const SEATS_PER_TOWNSHIP = 5;
/** What a township below the minimum (3) sends. */
const SHORT_SEATS = 2;
/**
 * Sessions per class, twice a week (Mon+Thu or Tue+Fri) from the class's first day: 24 take
 * 80 days, so a class fits in its quarter. Chosen so that the held ones give ~1,000,000
 * attendance records (about 47 seats less 4% withdrawn, 3% of sessions cancelled).
 */
const SESSIONS_PER_CLASS = 24;
const OUTREACH_EVENTS = 10_000;

/** Day offset of session n (0-based) from the class's first day: 0, 3, 7, 10, 14, … */
const sessionOffset = (n: string) => `(7 * (${n} / 2) + 3 * (${n} % 2))`;
const LAST_SESSION_OFFSET = 7 * Math.floor((SESSIONS_PER_CLASS - 1) / 2) + 3 * ((SESSIONS_PER_CLASS - 1) % 2);

/** The instant at local `time` on local `date` (a SQL date expression) in Asia/Shanghai. */
const local = (date: string, time: string) => `((${date}) + time '${time}') AT TIME ZONE '${TZ}'`;

/** When the tree, the people, courses and venues were set up: 1 December before the first plan year. */
const SET_UP = local('make_date(gen.first_year - 1, 12, 1)', '09:00');

const COURSES: { title: string; level: 'beginner' | 'intermediate' | 'advanced'; hours: number }[] = [
  { title: '计算机基础', level: 'beginner', hours: 24 },
  { title: '智能手机应用', level: 'beginner', hours: 24 },
  { title: '网络信息检索', level: 'beginner', hours: 18 },
  { title: '办公软件应用', level: 'intermediate', hours: 30 },
  { title: '数字资源利用', level: 'intermediate', hours: 24 },
  { title: '网络安全与防骗', level: 'beginner', hours: 12 },
  { title: '短视频拍摄与制作', level: 'intermediate', hours: 30 },
  { title: '电子政务与便民服务', level: 'beginner', hours: 18 },
  { title: '图书馆自动化系统', level: 'advanced', hours: 36 },
  { title: '新媒体阅读推广', level: 'advanced', hours: 30 },
];

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'.split('');
// prettier-ignore
const GIVEN_NAMES = [
  '伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞',
  '平', '刚', '桂英', '建华', '文', '华', '红', '玉兰', '建国', '志强', '海燕', '丽娟', '晓红', '国庆', '春梅', '秋菊',
  '德明', '小龙', '俊', '慧',
];

export interface ProvinceDataInfo {
  generatorVersion: number;
  /** The instant the data is "as of": sessions before it are held, classes ended before it completed. */
  builtAt: Date;
  /** The plan years, oldest first; the last is `builtAt`'s year in Asia/Shanghai. */
  years: number[];
  /**
   * Rows per table (by table name), and figures of the shape under dotted keys:
   * `org_units.<kind>`, `users.<role>`, `users.inactive`, `plans.years`, `classes.<status>`,
   * `classes.crossing_quarter`, `sessions.held`, `sessions.cancelled`, `enrolments.<status>`,
   * `attendance_records.<status>`, `visits.<status>`, `visits.past_due` (assigned, due before
   * today), `certificates.revoked`.
   */
  counts: Record<string, number>;
}

/**
 * Where the province database lives: BENCH_PROVINCE_DATABASE_URL (a server, optionally with a
 * database name) or the local default `lms_bench_province`. It is dropped on every build, so a
 * name without "bench" in it is refused.
 */
export function provinceDatabaseTarget(raw = process.env.BENCH_PROVINCE_DATABASE_URL): {
  name: string;
  url: string;
  adminUrl: string;
} {
  return benchDatabaseTarget(raw, { variable: 'BENCH_PROVINCE_DATABASE_URL', database: DEFAULT_DATABASE });
}

/** Runs the migrations the province database lacks (one added after it was built, e.g. an index). */
export async function migrateProvinceDatabase(url: string): Promise<string[]> {
  const dataSource = await new DataSource({ ...dataSourceOptions(url, 2), logging: false }).initialize();
  try {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Drops and recreates the province database and runs every migration (TypeORM, as the app does). */
export async function recreateProvinceDatabase(): Promise<{ name: string; url: string }> {
  const { name, url, adminUrl } = provinceDatabaseTarget();
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    // FORCE ends sessions left over from an interrupted build (or a bench still connected).
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const dataSource = await new DataSource({ ...dataSourceOptions(url, 2), logging: false }).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  return { name, url };
}

/** The marker of a built database; null when there is no database, no marker, or one of another version. */
export async function readProvinceDataInfo(url: string): Promise<ProvinceDataInfo | null> {
  const db = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await db.connect();
  } catch (e) {
    // 3D000: the database does not exist.
    if ((e as { code?: string }).code === '3D000') return null;
    throw e;
  }
  try {
    const { rows: found } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [MARKER_TABLE]);
    if (!found[0].t) return null;
    const { rows } = await db.query<{
      generator_version: number;
      built_at: Date;
      last_year: number;
      counts: Record<string, number>;
    }>(
      `SELECT generator_version, built_at, extract(year FROM built_at AT TIME ZONE '${TZ}')::int AS last_year, counts
         FROM ${MARKER_TABLE} LIMIT 1`,
    );
    const row = rows[0];
    if (!row || row.generator_version !== GENERATOR_VERSION) return null;
    return infoOf(row.generator_version, row.built_at, row.last_year, row.counts);
  } finally {
    await db.end();
  }
}

function infoOf(version: number, builtAt: Date, lastYear: number, counts: Record<string, number>): ProvinceDataInfo {
  return {
    generatorVersion: version,
    builtAt,
    years: Array.from({ length: YEARS }, (_, i) => lastYear - YEARS + 1 + i),
    counts,
  };
}

/**
 * Fills the (migrated, empty) database at `url` with the province data set, runs ANALYZE and
 * writes the marker table. One connection; each step is one statement, committed on its own.
 */
export async function buildProvinceData(opts: {
  url: string;
  log?: (line: string) => void;
}): Promise<ProvinceDataInfo> {
  const log = opts.log ?? (() => undefined);
  const db = new Client({ connectionString: opts.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    // Everyone shares one argon2id hash of a password nobody keeps: the bench sets its own later.
    const passwordHash = await hashPassword(randomBytes(24).toString('base64url'));
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET work_mem = '64MB'`);
    for (const sql of HELPERS) await db.query(sql);

    const run = async (label: string, sql: string, params: unknown[] = []): Promise<void> => {
      const t0 = performance.now();
      const r = await db.query(sql, params);
      const rows = r.rowCount === null ? '' : `${r.rowCount} rows, `;
      log(`${label}: ${rows}${((performance.now() - t0) / 1000).toFixed(1)} s`);
    };

    for (const s of orgSteps()) await run(s.label, s.sql);
    await run('users: admins', ADMINS_SQL, [passwordHash]);
    await run('users: trainers', TRAINERS_SQL, [passwordHash]);
    await run('users: trainees', TRAINEES_SQL, [passwordHash, SURNAMES, GIVEN_NAMES]);
    await run('courses', COURSES_SQL, [
      COURSES.map((c) => c.title),
      COURSES.map((c) => c.level),
      COURSES.map((c) => c.hours),
    ]);
    await run('venues', VENUES_SQL);
    await run('surveys', SURVEYS_SQL);
    await run('plans', PLANS_SQL);
    await run('calendar', CALENDAR_SQL);
    await db.query(`ANALYZE cal`);
    await run('classes', CLASSES_SQL);
    await run('class_trainers', CLASS_TRAINERS_SQL);
    await run('sessions', SESSIONS_SQL);
    await run('enrolments', ENROLMENTS_SQL);
    await db.query(`ANALYZE sessions, enrolments`);
    for (let yi = 0; yi < YEARS; yi++)
      await run(`attendance_records: year ${yi + 1} of ${YEARS}`, ATTENDANCE_SQL, [yi]);
    await db.query(`ANALYZE attendance_records`);
    await run('quizzes', QUIZZES_SQL);
    await run('classes: required quiz', REQUIRED_QUIZ_SQL);
    await run('quiz_attempts: first', FIRST_ATTEMPTS_SQL);
    await run('quiz_attempts: second', SECOND_ATTEMPTS_SQL);
    await db.query(`ANALYZE quiz_attempts`);
    await run('certificates', CERTIFICATES_SQL);
    await run('certificate_serials', CERTIFICATE_SERIALS_SQL);
    await run('certificate_events', CERTIFICATE_EVENTS_SQL);
    await run('visits', VISITS_SQL);
    await run('outreach_events', OUTREACH_SQL);
    await run('analyze', 'ANALYZE');

    const counts = await countRows(db);
    const { rows } = await db.query<{ as_of: Date; last_year: number }>(
      `SELECT as_of, first_year + ${YEARS - 1} AS last_year FROM gen`,
    );
    const { as_of: builtAt, last_year: lastYear } = rows[0];
    await db.query(`DROP TABLE IF EXISTS ${MARKER_TABLE}`);
    await db.query(
      `CREATE TABLE ${MARKER_TABLE} (generator_version int NOT NULL, built_at timestamptz NOT NULL, counts jsonb NOT NULL)`,
    );
    await db.query(`INSERT INTO ${MARKER_TABLE} VALUES ($1, $2, $3)`, [
      GENERATOR_VERSION,
      builtAt,
      JSON.stringify(counts),
    ]);
    return infoOf(GENERATOR_VERSION, builtAt, lastYear, counts);
  } finally {
    await db.end();
  }
}

/** Rows per table of the schema (the marker and TypeORM's `migrations` aside), then the shape's figures. */
async function countRows(db: Client): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('migrations', $1)
      ORDER BY table_name`,
    [MARKER_TABLE],
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
    counts[name] = rows[0].n;
  }
  const { rows: shape } = await db.query<{ key: string; n: number }>(SHAPE_SQL);
  for (const { key, n } of shape) counts[key] = n;
  return counts;
}

const SHAPE_SQL = `
  SELECT 'org_units.' || kind AS key, count(*)::int AS n FROM org_units GROUP BY kind
  UNION ALL SELECT 'users.' || role, count(*)::int FROM users GROUP BY role
  UNION ALL SELECT 'users.inactive', count(*)::int FROM users WHERE NOT active
  UNION ALL SELECT 'plans.years', count(DISTINCT year)::int FROM plans
  UNION ALL SELECT 'classes.' || status, count(*)::int FROM classes GROUP BY status
  UNION ALL SELECT 'classes.crossing_quarter', count(*)::int FROM classes
             WHERE (extract(month FROM start_date)::int + 2) / 3 <> (extract(month FROM end_date)::int + 2) / 3
  UNION ALL SELECT 'sessions.held', count(*)::int FROM sessions, gen WHERE status = 'scheduled' AND starts_at <= gen.as_of
  UNION ALL SELECT 'sessions.cancelled', count(*)::int FROM sessions WHERE status = 'cancelled'
  UNION ALL SELECT 'enrolments.' || status, count(*)::int FROM enrolments GROUP BY status
  UNION ALL SELECT 'attendance_records.' || status, count(*)::int FROM attendance_records GROUP BY status
  UNION ALL SELECT 'visits.' || status, count(*)::int FROM visits GROUP BY status
  UNION ALL SELECT 'visits.past_due', count(*)::int FROM visits, gen WHERE status = 'assigned' AND due_on < gen.today
  UNION ALL SELECT 'certificates.revoked', count(*)::int FROM certificates WHERE revoked_at IS NOT NULL
  ORDER BY 1`;

/**
 * Per-connection helpers: `gen`, the reference instant (one "now" for every step, which
 * `now()` would not be across statements) with its local date and the first plan year;
 * `pg_temp.uid(key)`, a v4-shaped uuid from md5 of the key; `pg_temp.roll(key, n)`, 0..n-1
 * from md5 of the key.
 */
const HELPERS = [
  `CREATE TEMP TABLE gen AS
     SELECT now() AS as_of, (now() AT TIME ZONE '${TZ}')::date AS today,
            extract(year FROM now() AT TIME ZONE '${TZ}')::int - ${YEARS - 1} AS first_year`,
  `ANALYZE gen`,
  `CREATE FUNCTION pg_temp.uid(key text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT overlay(overlay(md5(key) PLACING '4' FROM 13) PLACING 'a' FROM 17)::uuid $$`,
  `CREATE FUNCTION pg_temp.roll(key text, n int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT ('x' || substr(md5(key), 1, 7))::bit(28)::int % n $$`,
];

/** The org tree, level by level: names like 第3县, paths `/<province>/<city>/…/<own id>/`. */
function orgSteps(): { label: string; sql: string }[] {
  const level = (
    kind: string,
    count: number,
    name: string,
    codePrefix: string,
    codeDigits: number,
    parentKey: string | null,
    depth: number,
  ) => {
    const id = `pg_temp.uid('org:${kind}:' || i)`;
    const code = `'${codePrefix}' || lpad((i + 1)::text, ${codeDigits}, '0')`;
    return parentKey === null
      ? `INSERT INTO org_units (id, kind, name, code, parent_id, path, depth, created_at, updated_at)
         SELECT ${id}, '${kind}', ${name}, ${code}, NULL, '/' || ${id} || '/', 0, ${SET_UP}, ${SET_UP}
           FROM generate_series(0, ${count - 1}) i, gen`
      : `INSERT INTO org_units (id, kind, name, code, parent_id, path, depth, created_at, updated_at)
         SELECT ${id}, '${kind}', ${name}, ${code}, p.id, p.path || ${id} || '/', ${depth}, ${SET_UP}, ${SET_UP}
           FROM generate_series(0, ${count - 1}) i JOIN org_units p ON p.id = pg_temp.uid(${parentKey}) CROSS JOIN gen`;
  };
  return [
    { label: 'org_units: province', sql: level('province', 1, `'示例省'`, 'P', 2, null, 0) },
    {
      label: 'org_units: cities',
      sql: level('city', CITIES, `'第' || (i + 1) || '市'`, 'C', 2, `'org:province:0'`, 1),
    },
    {
      label: 'org_units: counties',
      sql: level('county', COUNTIES, `'第' || (i + 1) || '县'`, 'X', 2, `'org:city:' || i / ${COUNTIES_PER_CITY}`, 2),
    },
    {
      label: 'org_units: townships',
      sql: level(
        'township',
        TOWNSHIPS,
        `'第' || (i + 1) || '镇'`,
        'T',
        3,
        `'org:county:' || i / ${TOWNSHIPS_PER_COUNTY}`,
        3,
      ),
    },
    {
      label: 'org_units: villages',
      sql: level(
        'village',
        VILLAGES,
        `'第' || (i + 1) || '村'`,
        'V',
        4,
        `'org:township:' || i / ${VILLAGES_PER_TOWNSHIP}`,
        4,
      ),
    },
  ];
}

const ADMINS_SQL = `
  INSERT INTO users (id, username, password_hash, display_name, role, org_unit_id, created_at, updated_at)
  SELECT a.*, ${SET_UP}, ${SET_UP}
    FROM gen, (
      SELECT pg_temp.uid('user:province-admin'), '${PROVINCE_ADMIN_USERNAME}', $1, '省中心管理员', 'admin'::user_role,
             pg_temp.uid('org:province:0')
      UNION ALL
      SELECT pg_temp.uid('user:county-admin:' || c), 'bench-county-admin-' || lpad((c + 1)::text, 2, '0'), $1,
             '第' || (c + 1) || '县管理员', 'admin', pg_temp.uid('org:county:' || c)
        FROM generate_series(0, ${COUNTIES - 1}) c) a`;

/** Two trainers per county: `bench-county-07-trainer-1`, `-2`. */
const TRAINERS_SQL = `
  INSERT INTO users (id, username, password_hash, display_name, role, org_unit_id, created_at, updated_at)
  SELECT pg_temp.uid('user:trainer:' || c || ':' || k),
         'bench-county-' || lpad((c + 1)::text, 2, '0') || '-trainer-' || (k + 1), $1,
         substr('${SURNAMES.join('')}', (c * 2 + k) % ${SURNAMES.length} + 1, 1) || '老师', 'trainer',
         pg_temp.uid('org:county:' || c), ${SET_UP}, ${SET_UP}
    FROM generate_series(0, ${COUNTIES - 1}) c, generate_series(0, 1) k, gen`;

/**
 * Trainee u (0-based) belongs to township u / 40: the first 20 to the township unit, the next
 * 10 to its first village, the last 10 to its second. About 2% are inactive.
 */
const TRAINEES_SQL = `
  INSERT INTO users (id, username, password_hash, display_name, role, org_unit_id, education, proficiency, active,
                     created_at, updated_at)
  SELECT pg_temp.uid('user:trainee:' || u), 'bench-trainee-' || lpad((u + 1)::text, 5, '0'), $1,
         ($2::text[])[u % ${SURNAMES.length} + 1] || ($3::text[])[(u / ${SURNAMES.length}) % ${GIVEN_NAMES.length} + 1],
         'trainee',
         CASE WHEN u % ${TRAINEES_PER_TOWNSHIP} < ${TRAINEES_AT_TOWNSHIP}
              THEN pg_temp.uid('org:township:' || u / ${TRAINEES_PER_TOWNSHIP})
              ELSE pg_temp.uid('org:village:' || (u / ${TRAINEES_PER_TOWNSHIP} * ${VILLAGES_PER_TOWNSHIP}
                     + (u % ${TRAINEES_PER_TOWNSHIP} - ${TRAINEES_AT_TOWNSHIP}) / ${TRAINEES_PER_VILLAGE}))
         END,
         (ARRAY['primary', 'secondary', 'secondary', 'tertiary'])[pg_temp.roll('education:' || u, 4) + 1]::education_level,
         (ARRAY['none', 'basic', 'basic', 'intermediate', 'advanced'])[pg_temp.roll('proficiency:' || u, 5) + 1]::computer_proficiency,
         pg_temp.roll('active:' || u, 50) <> 0, ${SET_UP}, ${SET_UP}
    FROM generate_series(0, ${TRAINEES - 1}) u, gen`;

/** The province's courses (usable by every county below it). */
const COURSES_SQL = `
  INSERT INTO courses (id, org_unit_id, title, level, hours, topics, created_at, updated_at)
  SELECT pg_temp.uid('course:' || t.i), pg_temp.uid('org:province:0'), t.title, t.level::course_level, t.hours,
         ARRAY[t.title], ${SET_UP}, ${SET_UP}
    FROM unnest($1::text[], $2::text[], $3::numeric[]) WITH ORDINALITY AS t(title, level, hours, i), gen`;

const VENUES_SQL = `
  INSERT INTO venues (id, org_unit_id, name, capacity, address, created_at, updated_at)
  SELECT pg_temp.uid('venue:' || c), pg_temp.uid('org:county:' || c), '第' || (c + 1) || '县图书馆培训室', 60,
         '第' || (c + 1) || '县文化路' || (c + 1) || '号', ${SET_UP}, ${SET_UP}
    FROM generate_series(0, ${COUNTIES - 1}) c, gen`;

/** A staff survey per township and year, one in twenty missing. */
const SURVEYS_SQL = `
  INSERT INTO surveys (id, org_unit_id, year, service_points, staff_count, proficiency_none, proficiency_basic,
                       proficiency_intermediate, proficiency_advanced, created_at, updated_at)
  SELECT pg_temp.uid(k), pg_temp.uid('org:township:' || t), gen.first_year + yi, 1 + pg_temp.roll('points:' || k, 4),
         staff, staff / 5, staff / 2, staff - staff / 5 - staff / 2 - staff / 10, staff / 10,
         ${local('make_date(gen.first_year + yi, 3, 1)', '09:00')}, ${local('make_date(gen.first_year + yi, 3, 1)', '09:00')}
    FROM generate_series(0, ${TOWNSHIPS - 1}) t, generate_series(0, ${YEARS - 1}) yi, gen,
         LATERAL (SELECT 'survey:' || t || ':' || yi AS k) key,
         LATERAL (SELECT 34 + pg_temp.roll('staff:' || k, 12) AS staff) s
   WHERE pg_temp.roll(k, 20) <> 0`;

const PLANS_SQL = `
  INSERT INTO plans (id, org_unit_id, year, title, target_classes, target_person_times, created_at, updated_at)
  SELECT pg_temp.uid('plan:' || c || ':' || yi), pg_temp.uid('org:county:' || c), gen.first_year + yi,
         (gen.first_year + yi) || '年第' || (c + 1) || '县基层数字技能培训计划', ${CLASSES_PER_YEAR},
         2600 + 10 * pg_temp.roll('target:' || c || ':' || yi, 80),
         ${local('make_date(gen.first_year + yi - 1, 12, 1)', '10:00')}, ${local('make_date(gen.first_year + yi - 1, 12, 1)', '10:00')}
    FROM generate_series(0, ${COUNTIES - 1}) c, generate_series(0, ${YEARS - 1}) yi, gen`;

/**
 * Every class's calendar (a temporary table the later steps read): county c, year index yi,
 * quarter q, k = its number in the county (0..19). A class starts on the first Monday of its
 * quarter (a Tuesday in odd counties) and meets twice a week; the class of quarter 1 + c % 3
 * starts 45 days later instead and ends in the next quarter. Trainers alternate by quarter, so
 * that class and the next, which overlap, have different trainers. Status as of `gen.as_of`.
 */
const CALENDAR_SQL = `
  CREATE TEMP TABLE cal AS
  WITH base AS (
    SELECT c, yi, q, gen.first_year + yi AS year, yi * ${CLASSES_PER_YEAR} + q - 1 AS k, q = 1 + c % 3 AS crossing,
           make_date(gen.first_year + yi, 3 * q - 2, 1) + CASE WHEN q = 1 + c % 3 THEN 45 ELSE 0 END AS anchor
      FROM generate_series(0, ${COUNTIES - 1}) c, generate_series(0, ${YEARS - 1}) yi,
           generate_series(1, ${CLASSES_PER_YEAR}) q, gen
  ), dated AS (
    SELECT *, anchor + (8 - extract(isodow FROM anchor)::int) % 7 + c % 2 AS d0 FROM base
  ), timed AS (
    SELECT *, d0 + ${LAST_SESSION_OFFSET} AS d_last,
           ${local('d0 - 30', '09:00')} AS enrol_opens, ${local('d0 - 3', '18:00')} AS enrol_closes,
           ${local('d0', '09:00')} AS first_start, ${local(`d0 + ${LAST_SESSION_OFFSET}`, '11:00')} AS last_end
      FROM dated
  )
  SELECT pg_temp.uid('class:' || c || ':' || yi || ':' || q) AS id, c, yi, q, year, k, crossing, d0, d_last,
         enrol_opens, enrol_closes, first_start, last_end,
         pg_temp.uid('plan:' || c || ':' || yi) AS plan_id,
         pg_temp.uid('course:' || ((c + k) % ${COURSES.length} + 1)) AS course_id,
         pg_temp.uid('org:county:' || c) AS county_id,
         pg_temp.uid('user:county-admin:' || c) AS admin_id,
         pg_temp.uid('user:trainer:' || c || ':' || (q - 1) % 2) AS trainer_id,
         CASE WHEN last_end <= gen.as_of THEN 'completed'
              WHEN first_start <= gen.as_of THEN 'running'
              WHEN enrol_opens <= gen.as_of THEN 'open'
              ELSE 'draft' END::class_status AS status
    FROM timed, gen`;

const CLASSES_SQL = `
  INSERT INTO classes (id, plan_id, course_id, title, quarter, start_date, end_date, venue_id, capacity,
                       min_per_township, max_per_township, enrolment_opens_at, enrolment_closes_at, status,
                       created_at, updated_at)
  SELECT cal.id, cal.plan_id, cal.course_id, cal.year || '年第' || cal.q || '季度' || co.title || '培训班', cal.q,
         cal.d0, cal.d_last, pg_temp.uid('venue:' || cal.c), 60, 3, ${SEATS_PER_TOWNSHIP}, cal.enrol_opens,
         cal.enrol_closes, cal.status, cal.enrol_opens - interval '7 days',
         CASE WHEN cal.status = 'completed' THEN cal.last_end ELSE cal.enrol_opens - interval '7 days' END
    FROM cal JOIN courses co ON co.id = cal.course_id`;

const CLASS_TRAINERS_SQL = `INSERT INTO class_trainers (class_id, trainer_id) SELECT id, trainer_id FROM cal`;

/**
 * Sessions 09:00–11:00 local; about 3% cancelled (never a class's first or last, nor one more
 * than three days ahead, which nobody has cancelled yet).
 */
const SESSIONS_SQL = `
  INSERT INTO sessions (id, class_id, starts_at, ends_at, trainer_id, topic, status, cancelled_at, created_at, updated_at)
  SELECT pg_temp.uid('session:' || cal.id || ':' || n), cal.id, t.starts_at, t.starts_at + interval '2 hours',
         cal.trainer_id, '第' || (n + 1) || '课',
         CASE WHEN x.cancelled THEN 'cancelled' ELSE 'scheduled' END::session_status,
         CASE WHEN x.cancelled THEN t.starts_at - interval '3 days' END,
         cal.enrol_opens - interval '7 days',
         CASE WHEN x.cancelled THEN t.starts_at - interval '3 days' ELSE cal.enrol_opens - interval '7 days' END
    FROM cal CROSS JOIN generate_series(0, ${SESSIONS_PER_CLASS - 1}) n CROSS JOIN gen
   CROSS JOIN LATERAL (SELECT ${local(`cal.d0 + ${sessionOffset('n')}`, '09:00')} AS starts_at) t
   CROSS JOIN LATERAL (
     SELECT n > 0 AND n < ${SESSIONS_PER_CLASS - 1} AND t.starts_at - interval '3 days' <= gen.as_of
            AND pg_temp.roll('cancel:' || cal.id || ':' || n, 100) < 3 AS cancelled) x`;

/**
 * Seats: each class takes 5 trainees from each of its county's 10 townships, township
 * positions (5k .. 5k+4) mod 40, so 8 classes in a row never share a trainee. One township a
 * class (two in every third class) sends only 2, below the minimum. About 4% withdraw (by
 * themselves, two days after enrolling, before the class starts). Draft classes have no seats,
 * an open class only those made by now.
 */
const ENROLMENTS_SQL = `
  INSERT INTO enrolments (id, class_id, trainee_id, township_id, status, enrolled_by, confirmed_at, withdrawn_at,
                          withdrawal_reason, created_at, updated_at)
  SELECT s.id, cal.id, s.trainee_id, pg_temp.uid('org:township:' || s.tw),
         CASE WHEN s.withdrawn THEN 'withdrawn' WHEN cal.status = 'completed' THEN 'completed' ELSE 'confirmed' END::enrolment_status,
         cal.admin_id, s.at, CASE WHEN s.withdrawn THEN s.at + interval '2 days' END,
         CASE WHEN s.withdrawn THEN 'self' END::enrolment_withdrawal_reason, s.at,
         CASE WHEN s.withdrawn THEN s.at + interval '2 days' WHEN cal.status = 'completed' THEN cal.last_end ELSE s.at END
    FROM cal CROSS JOIN generate_series(0, ${TOWNSHIPS_PER_COUNTY - 1}) t CROSS JOIN generate_series(0, ${SEATS_PER_TOWNSHIP - 1}) j
   CROSS JOIN gen
   CROSS JOIN LATERAL (SELECT cal.c * ${TOWNSHIPS_PER_COUNTY} + t AS tw) w
   CROSS JOIN LATERAL (
     SELECT pg_temp.uid('enrolment:' || cal.id || ':' || u) AS id, pg_temp.uid('user:trainee:' || u) AS trainee_id, w.tw,
            cal.enrol_opens + (t * ${SEATS_PER_TOWNSHIP} + j) * interval '1 hour' AS at,
            pg_temp.roll('withdraw:' || cal.id || ':' || u, 100) < 4
              AND cal.enrol_opens + (t * ${SEATS_PER_TOWNSHIP} + j) * interval '1 hour' + interval '2 days' <= gen.as_of
              AS withdrawn
       FROM (SELECT w.tw * ${TRAINEES_PER_TOWNSHIP} + (cal.k * ${SEATS_PER_TOWNSHIP} + j) % ${TRAINEES_PER_TOWNSHIP} AS u) p) s
   WHERE cal.status <> 'draft' AND s.at <= gen.as_of
     AND (j < ${SHORT_SEATS} OR NOT (t = (cal.c * 7 + cal.k * 3) % 10
                                     OR ((cal.c + cal.k) % 3 = 0 AND t = (cal.c * 7 + cal.k * 3 + 5) % 10)))`;

/**
 * One record per held session (scheduled, started by now) and seat not withdrawn, for the
 * classes of year index $1. One trainee in ten attends poorly (present 50%, late, excused 10%
 * each, absent 30%), the rest well (83/8/4/4), so ~80/8/5/7 overall and some miss the 80%
 * threshold. A quarter of the present or late marks are self check-ins, recorded by the trainee
 * (late ones after CHECK_IN_LATE_AFTER_MINUTES, 10), the rest marked by the session's trainer.
 */
const ATTENDANCE_SQL = `
  INSERT INTO attendance_records (id, session_id, enrolment_id, status, source, recorded_by, recorded_at)
  SELECT overlay(overlay(r.m PLACING '4' FROM 13) PLACING 'a' FROM 17)::uuid, r.session_id, r.enrolment_id, r.status,
         CASE WHEN r.self THEN 'self' ELSE 'trainer' END::attendance_source,
         CASE WHEN r.self THEN r.trainee_id ELSE r.trainer_id END,
         CASE WHEN NOT r.self THEN r.starts_at + interval '10 minutes'
              WHEN r.status = 'present' THEN r.starts_at + (r.r2 % 15 - 5) * interval '1 minute'
              ELSE r.starts_at + (11 + r.r2 % 20) * interval '1 minute' END
    FROM (
      SELECT x.*, x.status IN ('present', 'late') AND x.r2 < 64 AS self
        FROM (
          SELECT s.id AS session_id, e.id AS enrolment_id, e.trainee_id, s.trainer_id, s.starts_at, h.m,
                 ('x' || substr(h.m, 8, 2))::bit(8)::int AS r2,
                 CASE WHEN ('x' || substr(e.id::text, 1, 7))::bit(28)::int % 10 = 0
                      THEN CASE WHEN h.r < 500 THEN 'present' WHEN h.r < 600 THEN 'late'
                                WHEN h.r < 700 THEN 'excused' ELSE 'absent' END
                      ELSE CASE WHEN h.r < 833 THEN 'present' WHEN h.r < 911 THEN 'late'
                                WHEN h.r < 955 THEN 'excused' ELSE 'absent' END
                 END::attendance_status AS status
            FROM cal
            JOIN sessions s ON s.class_id = cal.id
            JOIN enrolments e ON e.class_id = cal.id
           CROSS JOIN gen
           CROSS JOIN LATERAL (
             SELECT m, ('x' || substr(m, 1, 7))::bit(28)::int % 1000 AS r
               FROM md5(s.id::text || e.id::text) AS m OFFSET 0) h
           WHERE cal.yi = $1 AND s.status = 'scheduled' AND s.starts_at <= gen.as_of AND e.status <> 'withdrawn'
        ) x
    ) r
   ORDER BY r.session_id, r.enrolment_id`;

/** One quiz per class with a held session: open the last three weeks of the class, two attempts, pass at 60%. */
const QUIZZES_SQL = `
  INSERT INTO quizzes (id, class_id, title, time_limit_seconds, opens_at, closes_at, attempts_allowed, grading_method,
                       pass_percent, shuffle, review_policy, mode, created_by, created_at, updated_at)
  SELECT pg_temp.uid('quiz:' || cal.id), cal.id, cal.year || '年第' || cal.q || '季度结业测验', 1800,
         ${local('cal.d_last - 21', '08:00')}, ${local('cal.d_last', '23:00')}, 2, 'highest', 60, true, 'score_only',
         'quiz', cal.trainer_id, ${local('cal.d_last - 28', '10:00')}, ${local('cal.d_last - 28', '10:00')}
    FROM cal WHERE cal.status IN ('running', 'completed')`;

/** The class's certificates require its quiz. */
const REQUIRED_QUIZ_SQL = `UPDATE classes c SET required_quiz_id = q.id FROM quizzes q WHERE q.class_id = c.id`;

/**
 * A finished first attempt for ~90% of the seats not withdrawn of completed classes: 30-minute
 * limit, score = percent (max 100) in steps of 5, about 12% below the pass mark.
 */
const FIRST_ATTEMPTS_SQL = `
  INSERT INTO quiz_attempts (id, quiz_id, trainee_id, township_id, number, status, started_at, deadline, finished_at,
                             finished_by, questions, max_score, score, percent, passed)
  SELECT pg_temp.uid('attempt:' || e.id || ':1'), q.id, e.trainee_id, e.township_id, 1, 'finished', a.started_at,
         a.started_at + interval '30 minutes', a.started_at + (10 + r.h % 19) * interval '1 minute', 'trainee', '[]', 100,
         a.pct, a.pct, a.pct >= 60
    FROM cal
    JOIN quizzes q ON q.class_id = cal.id
    JOIN enrolments e ON e.class_id = cal.id AND e.status = 'completed'
   CROSS JOIN LATERAL (SELECT ('x' || substr(md5('attempt:' || e.id), 1, 7))::bit(28)::int AS h) r
   CROSS JOIN LATERAL (
     SELECT q.opens_at + (r.h % 500) * interval '1 hour' + (r.h % 60) * interval '1 minute' AS started_at,
            CASE WHEN r.h % 100 < 12 THEN 30 + 5 * (r.h / 100 % 6) ELSE 60 + 5 * (r.h / 100 % 9) END AS pct) a
   WHERE cal.status = 'completed' AND r.h % 1000 < 900`;

/** Half of those who failed try again an hour later (45–95%). */
const SECOND_ATTEMPTS_SQL = `
  INSERT INTO quiz_attempts (id, quiz_id, trainee_id, township_id, number, status, started_at, deadline, finished_at,
                             finished_by, questions, max_score, score, percent, passed)
  SELECT pg_temp.uid('attempt:' || a.quiz_id || ':' || a.trainee_id || ':2'), a.quiz_id, a.trainee_id, a.township_id,
         2, 'finished', a.finished_at + interval '1 hour', a.finished_at + interval '90 minutes',
         a.finished_at + interval '80 minutes', 'trainee', '[]', 100, p.pct, p.pct, p.pct >= 60
    FROM quiz_attempts a
   CROSS JOIN LATERAL (SELECT 45 + 5 * pg_temp.roll('retry:' || a.id, 11) AS pct) p
   WHERE a.number = 1 AND NOT a.passed AND pg_temp.roll('retry?' || a.id, 2) = 0`;

/**
 * A live certificate for every seat of a completed class that meets the attendance threshold
 * (points 2/1/1/0 over held sessions, ≥ 80%, as attendance-score.ts) and passed the quiz
 * (best attempt), issued by the county's admin a week after the class ended (if that is past);
 * serials `YYYY-Qn-NNNN` per county and class; about 1% revoked ten days later.
 */
const CERTIFICATES_SQL = `
  INSERT INTO certificates (id, class_id, trainee_id, centre_id, serial, code, snapshot, issued_at, issued_by,
                            revoked_at, revoked_by, revoke_reason)
  WITH held AS (
    SELECT s.class_id, count(*)::int AS n FROM sessions s, gen
     WHERE s.status = 'scheduled' AND s.starts_at <= gen.as_of GROUP BY s.class_id
  ), points AS (
    SELECT enrolment_id,
           sum(CASE status WHEN 'present' THEN 2 WHEN 'absent' THEN 0 ELSE 1 END)::int AS earned,
           count(*) FILTER (WHERE status IN ('present', 'late'))::int AS attended
      FROM attendance_records GROUP BY enrolment_id
  ), best AS (
    SELECT quiz_id, trainee_id, max(percent) AS pct FROM quiz_attempts WHERE status = 'finished' GROUP BY 1, 2
  ), due AS (
    SELECT cal.*, e.id AS enrolment_id, e.trainee_id, e.township_id, h.n AS held, p.earned, p.attended, b.pct,
           ${local('cal.d_last + 7', '10:00')} AS issued_at,
           row_number() OVER (PARTITION BY cal.id ORDER BY e.township_id, e.trainee_id) AS number
      FROM cal
      JOIN enrolments e ON e.class_id = cal.id AND e.status = 'completed'
      JOIN held h ON h.class_id = cal.id
      JOIN points p ON p.enrolment_id = e.id
      JOIN best b ON b.quiz_id = pg_temp.uid('quiz:' || cal.id) AND b.trainee_id = e.trainee_id
     CROSS JOIN gen
     WHERE cal.status = 'completed' AND p.earned * 1000 >= 800 * 2 * h.n AND b.pct >= 60
       AND ${local('cal.d_last + 7', '10:00')} <= gen.as_of
  )
  SELECT x.id, d.id, d.trainee_id, d.county_id, d.year || '-Q' || d.q || '-' || lpad(d.number::text, 4, '0'),
         upper(substr(md5('code:' || x.id), 1, 20)),
         jsonb_build_object('name', u.display_name, 'township', t.name, 'course', co.title, 'classTitle', cl.title,
                            'startDate', cl.start_date::text, 'endDate', cl.end_date::text, 'hours', co.hours::float8,
                            'sessionsAttended', d.attended, 'sessionsHeld', d.held,
                            'attendanceRate', round(d.earned::numeric / (2 * d.held), 4)::float8,
                            'score', d.pct::float8, 'centre', county.name),
         d.issued_at, d.admin_id,
         CASE WHEN x.revoked THEN d.issued_at + interval '10 days' END,
         CASE WHEN x.revoked THEN d.admin_id END,
         CASE WHEN x.revoked THEN '信息有误，已核实撤销' END
    FROM due d CROSS JOIN gen
    JOIN classes cl ON cl.id = d.id
    JOIN courses co ON co.id = d.course_id
    JOIN users u ON u.id = d.trainee_id
    JOIN org_units t ON t.id = d.township_id
    JOIN org_units county ON county.id = d.county_id
   CROSS JOIN LATERAL (
     SELECT pg_temp.uid('certificate:' || d.enrolment_id) AS id,
            pg_temp.roll('revoke:' || d.enrolment_id, 100) = 0 AND d.issued_at + interval '10 days' <= gen.as_of
              AS revoked) x`;

/** The per-centre counters the app numbers serials from: the last number handed out per prefix. */
const CERTIFICATE_SERIALS_SQL = `
  INSERT INTO certificate_serials (centre_id, prefix, last)
  SELECT centre_id, left(serial, 7), max(substr(serial, 9)::int) FROM certificates GROUP BY 1, 2`;

const CERTIFICATE_EVENTS_SQL = `
  INSERT INTO certificate_events (id, certificate_id, kind, actor_id, at, reason)
  SELECT pg_temp.uid('certificate-issued:' || id), id, 'issued'::certificate_event_kind, issued_by, issued_at, NULL
    FROM certificates
  UNION ALL
  SELECT pg_temp.uid('certificate-revoked:' || id), id, 'revoked', revoked_by, revoked_at, revoke_reason
    FROM certificates WHERE revoked_at IS NOT NULL`;

/**
 * A follow-up visit per completed class and township that kept a seat, due 30 days after the
 * class, assigned to one of the county's trainers: ~85% done (visited 5–29 days after the
 * class, if that is past), ~3% cancelled, the rest still `assigned` (those past due read overdue).
 */
const VISITS_SQL = `
  INSERT INTO visits (id, class_id, township_id, assignee_id, due_on, status, visited_on, notes, trainee_ids, problems,
                      follow_up_needed, reported_at, reported_by, cancelled_at, cancel_reason, created_at, updated_at)
  SELECT pg_temp.uid('visit:' || v.class_id || ':' || v.township_id), v.class_id, v.township_id, v.assignee_id,
         v.d_last + 30, v.status::visit_status,
         CASE WHEN v.status = 'done' THEN v.visited_on END,
         CASE WHEN v.status = 'done' THEN '回访完成，学员能独立使用所学技能' END,
         CASE WHEN v.status = 'done' THEN v.trainee_ids ELSE '{}' END,
         CASE WHEN v.status = 'done' AND v.r % 10 = 0 THEN '部分学员需要进一步辅导' END,
         v.status = 'done' AND v.r % 10 = 0,
         CASE WHEN v.status = 'done' THEN v.reported_at END,
         CASE WHEN v.status = 'done' THEN v.assignee_id END,
         CASE WHEN v.status = 'cancelled' THEN v.cancelled_at END,
         CASE WHEN v.status = 'cancelled' THEN '乡镇服务点暂停开放' END,
         v.last_end,
         CASE v.status WHEN 'done' THEN v.reported_at WHEN 'cancelled' THEN v.cancelled_at ELSE v.last_end END
    FROM (
      SELECT w.*,
             CASE WHEN w.r < 85 AND w.reported_at <= gen.as_of THEN 'done'
                  WHEN w.r BETWEEN 85 AND 87 AND w.cancelled_at <= gen.as_of THEN 'cancelled'
                  ELSE 'assigned' END AS status
        FROM (
          SELECT cal.id AS class_id, e.township_id, cal.d_last, cal.last_end,
                 pg_temp.uid('user:trainer:' || cal.c || ':' || (k.r / 100) % 2) AS assignee_id,
                 k.r % 100 AS r, cal.d_last + 5 + k.r % 25 AS visited_on,
                 ${local('cal.d_last + 5 + k.r % 25', '17:00')} AS reported_at,
                 ${local('cal.d_last + 3', '10:00')} AS cancelled_at,
                 array_agg(e.trainee_id ORDER BY e.trainee_id) AS trainee_ids
            FROM cal
            JOIN enrolments e ON e.class_id = cal.id AND e.status = 'completed'
           CROSS JOIN LATERAL (SELECT pg_temp.roll('visit:' || cal.id || ':' || e.township_id, 100000) AS r) k
           WHERE cal.status = 'completed'
           GROUP BY cal.id, e.township_id, cal.c, cal.d_last, cal.last_end, k.r
        ) w, gen
    ) v`;

/**
 * 10,000 outreach events, 200 per county, evenly over the days from 1 January of the first year
 * to yesterday: 20% at the county, 50% at a township, 30% at a village.
 */
const OUTREACH_SQL = `
  INSERT INTO outreach_events (id, kind, title, date, org_unit_id, head_count, books, discs, leaflets, notes,
                               created_by, created_at, updated_at)
  SELECT pg_temp.uid('event:' || n), k.kind::outreach_event_kind, k.title || '（第' || (n / ${COUNTIES} + 1) || '场）', d.date,
         CASE WHEN lvl < 2 THEN pg_temp.uid('org:county:' || c)
              WHEN lvl < 7 THEN pg_temp.uid('org:township:' || tw)
              ELSE pg_temp.uid('org:village:' || (tw * ${VILLAGES_PER_TOWNSHIP} + pg_temp.roll('event-village:' || n, 2))) END,
         10 + pg_temp.roll('event-heads:' || n, 291),
         CASE WHEN k.kind IN ('outreach', 'guidance') THEN 20 + pg_temp.roll('event-books:' || n, 480) ELSE 0 END,
         CASE WHEN k.kind = 'screening' THEN 1 + pg_temp.roll('event-discs:' || n, 20) ELSE 0 END,
         pg_temp.roll('event-leaflets:' || n, 500),
         NULL, pg_temp.uid('user:county-admin:' || c), ${local('d.date', '18:00')}, ${local('d.date', '18:00')}
    FROM generate_series(0, ${OUTREACH_EVENTS - 1}) n CROSS JOIN gen
   CROSS JOIN LATERAL (
     SELECT n % ${COUNTIES} AS c, (n / ${COUNTIES}) % 10 AS lvl,
            (n % ${COUNTIES}) * ${TOWNSHIPS_PER_COUNTY} + pg_temp.roll('event-township:' || n, ${TOWNSHIPS_PER_COUNTY}) AS tw,
            pg_temp.roll('event-kind:' || n, 100) AS kr) p
   CROSS JOIN LATERAL (
     SELECT make_date(gen.first_year, 1, 1)
              + (n::bigint * (gen.today - make_date(gen.first_year, 1, 1)) / ${OUTREACH_EVENTS})::int AS date) d
   CROSS JOIN LATERAL (
     SELECT CASE WHEN p.kr < 30 THEN 'lecture' WHEN p.kr < 50 THEN 'screening' WHEN p.kr < 75 THEN 'outreach'
                 WHEN p.kr < 95 THEN 'guidance' ELSE 'other' END AS kind,
            CASE WHEN p.kr < 30 THEN '数字素养公益讲座' WHEN p.kr < 50 THEN '公益电影放映'
                 WHEN p.kr < 75 THEN '文化下乡' WHEN p.kr < 95 THEN '基层服务点上门辅导' ELSE '读书分享会' END AS title) k`;
