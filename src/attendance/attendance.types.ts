export const ATTENDANCE_STATUSES = ['present', 'late', 'excused', 'absent'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** Who wrote a record: a trainer or admin marking it, or the trainee checking in with a code. */
export const ATTENDANCE_SOURCES = ['trainer', 'self'] as const;
export type AttendanceSource = (typeof ATTENDANCE_SOURCES)[number];

/** Attendance (marks and check-in) may be taken from this many minutes before a session starts. */
export const ATTENDANCE_OPENS_BEFORE_MINUTES = 30;

/** Statuses that count as a person-time: the trainee was there. */
export const ATTENDED: readonly AttendanceStatus[] = ['present', 'late'];

/** The attendance score rule, for other modules (certificates check `meetsThreshold`). */
export { score, type Score } from './attendance-score';

/** The address a check-in QR code holds, for the pages that answer it. */
export { checkInLinkPath, parseCheckInLink } from './check-in-link';
