/** What the API's `GET /api/plans/:id/sessions` page costs in SQL (one query), for the bare baseline. */
export const PLAN_SESSIONS_PAGE_SQL = `
  SELECT s.id, s.class_id AS "classId", s.starts_at AS "startsAt", s.ends_at AS "endsAt",
         s.trainer_id AS "trainerId", s.venue_id AS "venueId", s.topic, s.status, s.sequence,
         s.cancelled_at AS "cancelledAt", count(*) OVER ()::int AS total
    FROM sessions s JOIN classes c ON c.id = s.class_id
   WHERE c.plan_id = $1 AND s.status = 'scheduled'
   ORDER BY s.starts_at, s.id
   LIMIT $2 OFFSET $3`;
