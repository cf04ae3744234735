import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every session has its trainer. A session stored without one escaped the trainer overlap
 * constraint (its predicate skipped NULL), so a trainer could be double-booked through it.
 *
 * Existing sessions without a trainer get one of their class's trainers: in time order,
 * the first (active ones first, then by id) who is free at that time, so the constraint
 * holds; cancelled sessions get the class's first trainer. A live session for which every trainer of its class is
 * busy stops the migration with the sessions named: give them a trainer by hand (or cancel
 * them) and run it again. Nothing is cancelled or moved behind anyone's back.
 */
export class RequireSessionTrainer1795880000000 implements MigrationInterface {
  name = 'RequireSessionTrainer1795880000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE
        s record;
        chosen uuid;
        stuck text[] := '{}';
      BEGIN
        FOR s IN SELECT id, class_id, starts_at, ends_at, status FROM sessions
                  WHERE trainer_id IS NULL ORDER BY starts_at, id FOR UPDATE LOOP
          SELECT ct.trainer_id INTO chosen
            FROM class_trainers ct JOIN users u ON u.id = ct.trainer_id
           WHERE ct.class_id = s.class_id
             AND (s.status = 'cancelled' OR NOT EXISTS (
                   SELECT 1 FROM sessions o
                    WHERE o.trainer_id = ct.trainer_id AND o.status = 'scheduled'
                      AND tstzrange(o.starts_at, o.ends_at) && tstzrange(s.starts_at, s.ends_at)))
           ORDER BY u.active DESC, ct.trainer_id
           LIMIT 1;
          IF chosen IS NULL THEN
            stuck := stuck || s.id::text;
          ELSE
            UPDATE sessions SET trainer_id = chosen WHERE id = s.id;
          END IF;
        END LOOP;
        IF array_length(stuck, 1) > 0 THEN
          RAISE EXCEPTION 'Sessions without a trainer whose class has no trainer free at that time: %. '
            'Give each a trainer (PATCH /api/sessions/:id with trainerId; for a completed class, '
            'UPDATE sessions SET trainer_id = ... in SQL) or cancel it, then migrate again.',
            array_to_string(stuck, ', ');
        END IF;
      END $$`);
    await q.query(`ALTER TABLE sessions ALTER COLUMN trainer_id SET NOT NULL`);
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT xc_sessions_trainer_overlap`);
    await q.query(`
      ALTER TABLE sessions ADD CONSTRAINT xc_sessions_trainer_overlap
        EXCLUDE USING gist ("trainer_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // The trainers given to sessions that had none stay: they were free, and keep the rule true.
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT xc_sessions_trainer_overlap`);
    await q.query(`
      ALTER TABLE sessions ADD CONSTRAINT xc_sessions_trainer_overlap
        EXCLUDE USING gist ("trainer_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled' AND trainer_id IS NOT NULL)`);
    await q.query(`ALTER TABLE sessions ALTER COLUMN trainer_id DROP NOT NULL`);
  }
}
