import { Module } from '@nestjs/common';
import { ClassesModule } from '../classes/classes.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { AttendanceSummaryService } from './attendance-summary.service';
import { AttendanceController } from './attendance.controller';
import { AttendanceService } from './attendance.service';
import { CheckInThrottleService } from './check-in-throttle.service';
import { SignInSheetService } from './sign-in-sheet.service';

/** Attendance of sessions: marks, self check-in, the audit trail, summaries and sign-in sheets. */
@Module({
  imports: [ClassesModule, EnrolmentsModule],
  controllers: [AttendanceController],
  providers: [AttendanceService, AttendanceSummaryService, CheckInThrottleService, SignInSheetService],
  exports: [AttendanceService, AttendanceSummaryService, SignInSheetService],
})
export class AttendanceModule {}
