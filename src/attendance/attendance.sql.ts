/**
 * Upserts a session's records and appends one audit row per real change, in one
 * statement. $1 session, $2 enrolment ids, $3 statuses, $4 notes, $5 source, $6 who.
 * The caller must hold the session row lock: then `old` is exactly the state each
 * change replaces. Unchanged records (same status, note and source) are left alone.
 * Shared with the benchmark's baseline, so both run the same SQL.
 */
export const WRITE_ATTENDANCE_SQL = `WITH clock AS (
         -- The moment of the change (after waiting for the lock), not when the transaction began.
         SELECT clock_timestamp() AS at
       ),
       input AS (
         SELECT * FROM unnest($2::uuid[], $3::attendance_status[], $4::text[]) AS i(enrolment_id, status, note)
       ),
       old AS (
         SELECT r.enrolment_id, r.status, r.note FROM attendance_records r
          WHERE r.session_id = $1 AND r.enrolment_id = ANY($2::uuid[])
       ),
       upserted AS (
         INSERT INTO attendance_records AS r (session_id, enrolment_id, status, note, source, recorded_by, recorded_at)
         SELECT $1, i.enrolment_id, i.status, i.note, $5, $6, clock.at FROM input i, clock
         ON CONFLICT (session_id, enrolment_id) DO UPDATE
            SET status = excluded.status, note = excluded.note, source = excluded.source,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, version = r.version + 1
          WHERE (r.status, r.note, r.source) IS DISTINCT FROM (excluded.status, excluded.note, excluded.source)
         RETURNING r.id, r.enrolment_id, r.status, r.note, r.recorded_at
       )
       INSERT INTO attendance_changes
              (record_id, session_id, enrolment_id, old_status, new_status, old_note, new_note, source, changed_by, changed_at)
       SELECT u.id, $1, u.enrolment_id, o.status, u.status, o.note, u.note, $5, $6, u.recorded_at
         FROM upserted u LEFT JOIN old o ON o.enrolment_id = u.enrolment_id`;
