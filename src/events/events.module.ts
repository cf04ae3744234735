import { Module } from '@nestjs/common';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { EventsController } from './events.controller';
import { EventsImportService } from './events-import.service';
import { EventsService } from './events.service';

/** Outreach events (lectures, screenings, outreach, guidance): person-times beside the classes. */
@Module({
  imports: [OrgUnitsModule],
  controllers: [EventsController],
  providers: [EventsService, EventsImportService],
  exports: [EventsService],
})
export class EventsModule {}
