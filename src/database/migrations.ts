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
import { AddNotificationDelivery1795890000000 } from '../../migrations/1795890000000-AddNotificationDelivery';
import { CreateOrgUnitContacts1795890001000 } from '../../migrations/1795890001000-CreateOrgUnitContacts';
import { AddEnrolmentWithdrawalReason1795890002000 } from '../../migrations/1795890002000-AddEnrolmentWithdrawalReason';
import { CreateVisits1795890003000 } from '../../migrations/1795890003000-CreateVisits';
import { CreateImports1795890004000 } from '../../migrations/1795890004000-CreateImports';
import { IndexScheduledSessionsByStart1795890005000 } from '../../migrations/1795890005000-IndexScheduledSessionsByStart';
import { CreateQuestionBankAndQuizzes1795900000000 } from '../../migrations/1795900000000-CreateQuestionBankAndQuizzes';
import { CreateCertificates1795910000000 } from '../../migrations/1795910000000-CreateCertificates';
import { CreateCertificateRuns1795910001000 } from '../../migrations/1795910001000-CreateCertificateRuns';
import { CreateOutreachEvents1795920000000 } from '../../migrations/1795920000000-CreateOutreachEvents';
import { IndexPersonTimeMarksBySession1795930000000 } from '../../migrations/1795930000000-IndexPersonTimeMarksBySession';
import { CreateWebSessions1795940000000 } from '../../migrations/1795940000000-CreateWebSessions';
import { CreatePasswordResetCodes1795950000000 } from '../../migrations/1795950000000-CreatePasswordResetCodes';
import { AddWhatToBringToSessions1795960000000 } from '../../migrations/1795960000000-AddWhatToBringToSessions';

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
  AddNotificationDelivery1795890000000,
  CreateOrgUnitContacts1795890001000,
  AddEnrolmentWithdrawalReason1795890002000,
  CreateVisits1795890003000,
  CreateImports1795890004000,
  IndexScheduledSessionsByStart1795890005000,
  CreateQuestionBankAndQuizzes1795900000000,
  CreateCertificates1795910000000,
  CreateCertificateRuns1795910001000,
  CreateOutreachEvents1795920000000,
  IndexPersonTimeMarksBySession1795930000000,
  CreateWebSessions1795940000000,
  CreatePasswordResetCodes1795950000000,
  AddWhatToBringToSessions1795960000000,
];
