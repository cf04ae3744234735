import { CreateOrgUnits1795840000000 } from '../../migrations/1795840000000-CreateOrgUnits';
import { CreateUsers1795840001000 } from '../../migrations/1795840001000-CreateUsers';
import { CreateIdempotencyKeys1795840002000 } from '../../migrations/1795840002000-CreateIdempotencyKeys';
import { CreateSurveysCoursesVenues1795850000000 } from '../../migrations/1795850000000-CreateSurveysCoursesVenues';
import { CreatePlansAndClasses1795850001000 } from '../../migrations/1795850001000-CreatePlansAndClasses';
import { CreateSessions1795850002000 } from '../../migrations/1795850002000-CreateSessions';
import { AddCalendarFeedTokens1795850003000 } from '../../migrations/1795850003000-AddCalendarFeedTokens';
import { CreateEnrolmentsAndNotifications1795860000000 } from '../../migrations/1795860000000-CreateEnrolmentsAndNotifications';
import { AddAttendancePointsToClasses1795870000000 } from '../../migrations/1795870000000-AddAttendancePointsToClasses';
import { CreateAttendance1795870001000 } from '../../migrations/1795870001000-CreateAttendance';
import { RequireSessionTrainer1795880000000 } from '../../migrations/1795880000000-RequireSessionTrainer';
import { IndexForeignKeysAndOrgPaths1795880001000 } from '../../migrations/1795880001000-IndexForeignKeysAndOrgPaths';

/**
 * Every migration, in order. Listed as classes (not a glob) so the same list works
 * compiled, under Jest and from the CLI. `npm run migration:generate` writes a new
 * file into migrations/; add its class here.
 */
export const migrations = [
  CreateOrgUnits1795840000000,
  CreateUsers1795840001000,
  CreateIdempotencyKeys1795840002000,
  CreateSurveysCoursesVenues1795850000000,
  CreatePlansAndClasses1795850001000,
  CreateSessions1795850002000,
  AddCalendarFeedTokens1795850003000,
  CreateEnrolmentsAndNotifications1795860000000,
  AddAttendancePointsToClasses1795870000000,
  CreateAttendance1795870001000,
  RequireSessionTrainer1795880000000,
  IndexForeignKeysAndOrgPaths1795880001000,
];
