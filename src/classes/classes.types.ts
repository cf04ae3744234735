/**
 * What other modules may use of the classes module besides its services: the types of its
 * records and the pure rules about them. (Its entities stay private: see eslint.config.mjs.)
 */
export type { ClassSession } from './class-session.entity';
export type { TrainingClass } from './training-class.entity';
export {
  CLASS_ACTIONS,
  CLASS_STATUSES,
  type ClassAction,
  type ClassStatus,
  isEditable,
  TRANSITIONS,
} from './class-status';
export { type AttendancePoints, DEFAULT_ATTENDANCE_POINTS, pointsOf, pointsPossible } from './attendance-points';
export { MAX_OCCURRENCES, type Occurrence } from './recurrence';
