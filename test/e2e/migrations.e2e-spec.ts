import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { migrations } from '../../src/database/migrations';
import { dbUrl, runId, withAdminClient, dropDatabase } from '../support/test-db';

/** Every migration goes up and comes back down cleanly on an empty database, and up again. */
describe('migrations (e2e)', () => {
  const name = `lms_t${runId()}_migrations`;
  let ds: DataSource;

  beforeAll(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    ds = await new DataSource(dataSourceOptions(dbUrl(name))).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await withAdminClient((c) => dropDatabase(c, name));
  });

  const tables = async () =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).map((r) => r.table_name);
  const types = async () =>
    (
      await ds.query<{ typname: string }[]>(
        `SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = 'public' AND t.typtype = 'e' ORDER BY t.typname`,
      )
    ).map((r) => r.typname);

  it('runs every migration up, then down to an empty schema, then up again', async () => {
    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
    expect(await tables()).toEqual(expect.arrayContaining(['org_units', 'users', 'idempotency_keys', 'migrations']));

    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    expect(await types()).toEqual([]);

    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(expect.arrayContaining(['org_units', 'users', 'idempotency_keys']));
  });

  it('indexes every foreign key, but the audit columns naming who did something (users are never deleted)', async () => {
    // A foreign key is covered when an index (not partial) starts with exactly its columns.
    const uncovered = await ds.query<{ name: string }[]>(
      `SELECT c.conrelid::regclass || '.' || c.conname AS name
         FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (
            SELECT 1 FROM pg_index i
             WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
               AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
               AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey)
        ORDER BY 1`,
    );
    expect(uncovered.map((r) => r.name).sort()).toEqual(
      [
        'attendance_changes.fk_attendance_changes_changed_by',
        // Records are never deleted, and the trail is read by session.
        'attendance_changes.fk_attendance_changes_record',
        'attendance_records.fk_attendance_records_recorded_by',
        'certificate_events.fk_certificate_events_actor',
        'certificate_templates.fk_certificate_templates_updated_by',
        'certificates.fk_certificates_issued_by',
        'certificates.fk_certificates_revoked_by',
        'check_in_windows.fk_check_in_windows_opened_by',
        'class_transitions.fk_class_transitions_actor',
        'enrolments.fk_enrolments_enrolled_by',
        'outreach_events.fk_outreach_events_created_by',
      ].sort(),
    );
  });

  it('leaves nothing for the entities that the migrations did not create (schema matches the code)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});

/** RequireSessionTrainer gives sessions stored without a trainer one of their class's free trainers. */
describe('migration RequireSessionTrainer (e2e)', () => {
  const name = `lms_t${runId()}_trainer_migration`;
  const index = migrations.findIndex((m) => m.name === 'RequireSessionTrainer1795880000000');
  let before: DataSource;

  beforeEach(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    before = new DataSource({ ...dataSourceOptions(dbUrl(name)), migrations: migrations.slice(0, index) });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
  });
  afterEach(async () => {
    await before.destroy();
    await withAdminClient((c) => dropDatabase(c, name));
  });

  /** A class with trainers A and B, and what the old schema allowed: sessions without a trainer. */
  async function world() {
    const q = (sql: string, params: unknown[] = []) => before.query<{ id: string }[]>(sql, params);
    const [unit] = await q(
      `INSERT INTO org_units (kind, name, path, depth) VALUES ('county', '县', '/' || gen_random_uuid() || '/', 0) RETURNING id`,
    );
    const trainer = async (username: string) =>
      (
        await q(
          `INSERT INTO users (username, password_hash, display_name, role, org_unit_id)
           VALUES ($1, 'x', $1, 'trainer', $2) RETURNING id`,
          [username, unit.id],
        )
      )[0].id;
    const [a, b] = [await trainer('a'), await trainer('b')].sort();
    const [plan] = await q(`INSERT INTO plans (org_unit_id, year, title) VALUES ($1, 2026, '计划') RETURNING id`, [
      unit.id,
    ]);
    const [course] = await q(
      `INSERT INTO courses (org_unit_id, title, level, hours) VALUES ($1, '课程', 'beginner', 2) RETURNING id`,
      [unit.id],
    );
    const [cls] = await q(
      `INSERT INTO classes (plan_id, course_id, title, quarter, start_date, end_date, capacity, enrolment_opens_at,
                            enrolment_closes_at)
       VALUES ($1, $2, '班', 4, '2026-10-01', '2026-12-31', 40, '2026-09-01', '2026-09-30') RETURNING id`,
      [plan.id, course.id],
    );
    await q(`INSERT INTO class_trainers (class_id, trainer_id) VALUES ($1, $2), ($1, $3)`, [cls.id, a, b]);
    const session = async (start: string, trainerId: string | null, status = 'scheduled') =>
      (
        await q(
          `INSERT INTO sessions (class_id, starts_at, ends_at, trainer_id, status)
           VALUES ($1, $2::timestamptz, $2::timestamptz + interval '2 hours', $3, $4) RETURNING id`,
          [cls.id, start, trainerId, status],
        )
      )[0].id;
    return { a, b, session };
  }

  const trainerOf = async (id: string) =>
    (await before.query<{ trainer_id: string }[]>(`SELECT trainer_id FROM sessions WHERE id = $1`, [id]))[0].trainer_id;

  it('gives each session without a trainer the first trainer free at its time, and then requires one', async () => {
    const { a, b, session } = await world();
    await session('2026-10-05T01:00:00Z', a); // A is busy at 09:00 on the 5th
    const busyA = await session('2026-10-05T01:30:00Z', null);
    const free = await session('2026-10-06T01:00:00Z', null);
    const cancelled = await session('2026-10-05T01:00:00Z', null, 'cancelled');
    const after = new DataSource({ ...dataSourceOptions(dbUrl(name)), migrations: migrations.slice(0, index + 1) });
    await after.initialize();
    try {
      await after.runMigrations({ transaction: 'each' });
      expect(await trainerOf(busyA)).toBe(b);
      expect(await trainerOf(free)).toBe(a);
      expect(await trainerOf(cancelled)).toBe(a);
      await expect(session('2026-10-07T01:00:00Z', null)).rejects.toThrow(/trainer_id/);
      // And down again: the schema allows no trainer once more, the given trainers stay.
      await after.undoLastMigration({ transaction: 'each' });
      expect(await trainerOf(busyA)).toBe(b);
      await expect(session('2026-10-08T01:00:00Z', null)).resolves.toEqual(expect.any(String));
    } finally {
      await after.destroy();
    }
  });

  it('stops, naming the sessions, when every trainer of the class is busy at that time', async () => {
    const { a, b, session } = await world();
    await session('2026-10-05T01:00:00Z', a);
    await session('2026-10-05T01:00:00Z', b);
    const stuck = await session('2026-10-05T02:00:00Z', null);
    const after = new DataSource(dataSourceOptions(dbUrl(name)));
    await after.initialize();
    try {
      await expect(after.runMigrations({ transaction: 'each' })).rejects.toThrow(stuck);
      expect(await trainerOf(stuck)).toBeNull();
    } finally {
      await after.destroy();
    }
  });
});
