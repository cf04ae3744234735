import { Module } from '@nestjs/common';
import { ClassesModule } from '../classes/classes.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ReportsModule } from '../reports/reports.module';
import { EnrolmentGapService } from './enrolment-gap.service';
import { RotationRemindersService } from './rotation-reminders.service';
import { SessionRemindersService } from './session-reminders.service';

/**
 * Timed messages about the training calendar: session reminders (and the notices when a
 * session moves or is cancelled), enrolment-gap notices, annual-rotation reminders. The
 * services plan jobs in both processes; RemindersProcessor (worker.module.ts) runs them.
 */
@Module({
  imports: [ClassesModule, EnrolmentsModule, NotificationsModule, OrgUnitsModule, ReportsModule],
  providers: [SessionRemindersService, EnrolmentGapService, RotationRemindersService],
  exports: [SessionRemindersService, EnrolmentGapService, RotationRemindersService],
})
export class RemindersModule {}
