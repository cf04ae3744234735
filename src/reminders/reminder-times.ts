/**
 * When a session's reminders go out. `offsetsMs` are the configured offsets before the
 * start (REMINDER_OFFSETS_MINUTES), largest first.
 *
 * A reminder is due from its moment (start − offset) until halfway to the next smaller
 * offset's moment; the last (smallest) one until the session starts. So a job that runs a
 * little late still sends, one that is very late (an outage) gives way to the next
 * reminder instead of sending two at once, a session planned 30 minutes ahead gets its
 * "2 hours before" reminder at once, and one planned 3 hours ahead gets no late "24 hours
 * before" (the 2-hour one follows).
 */
export interface PlannedReminder {
  offsetMs: number;
  at: Date;
}

export function plannedReminders(startsAt: Date, offsetsMs: number[], now: Date): PlannedReminder[] {
  const start = startsAt.getTime();
  const t = now.getTime();
  return offsetsMs
    .filter((offsetMs) => start - offsetMs > t || isReminderDue(startsAt, offsetMs, offsetsMs, now))
    .map((offsetMs) => ({ offsetMs, at: new Date(Math.max(start - offsetMs, t)) }));
}

/** True when the reminder at `offsetMs` should go out at `now` (see above). */
export function isReminderDue(startsAt: Date, offsetsMs: number, offsets: number[], now: Date): boolean {
  const start = startsAt.getTime();
  const t = now.getTime();
  const moment = start - offsetsMs;
  if (t < moment || t >= start) return false;
  const smaller = offsets.filter((o) => o < offsetsMs);
  if (smaller.length === 0) return true;
  const next = Math.max(...smaller);
  return t < moment + (offsetsMs - next) / 2;
}

/**
 * When the enrolment-gap notice goes out: `leadMs` before enrolment closes, but never before
 * half the enrolment window has passed (townships first get a fair chance to enrol).
 */
export function gapNoticeAt(opensAt: Date, closesAt: Date, leadMs: number): Date {
  const halfway = opensAt.getTime() + (closesAt.getTime() - opensAt.getTime()) / 2;
  return new Date(Math.round(Math.max(closesAt.getTime() - leadMs, halfway)));
}
