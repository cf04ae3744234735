import { Module } from '@nestjs/common';
import { ClassesModule } from '../classes/classes.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { VisitsController } from './visits.controller';
import { VisitSchedulingService } from './visit-scheduling.service';
import { VisitsService } from './visits.service';

/** Follow-up visits after a class. VisitsProcessor runs in the worker only (listed in worker.module.ts). */
@Module({
  imports: [ClassesModule, EnrolmentsModule, OrgUnitsModule, NotificationsModule],
  controllers: [VisitsController],
  providers: [VisitsService, VisitSchedulingService],
  exports: [VisitsService, VisitSchedulingService],
})
export class VisitsModule {}
