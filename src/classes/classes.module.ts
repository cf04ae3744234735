import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { PlansModule } from '../plans/plans.module';
import { UsersModule } from '../users/users.module';
import { VenuesModule } from '../venues/venues.module';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { ClassViewsService } from './class-views.service';
import { ClassesController } from './classes.controller';
import { ClassesService } from './classes.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/** Classes (periods), their sessions and the calendar feeds built from them. */
@Module({
  imports: [PlansModule, CoursesModule, VenuesModule, UsersModule],
  controllers: [ClassesController, SessionsController, CalendarController],
  providers: [ClassesService, SessionsService, ClassViewsService, CalendarService],
  exports: [ClassesService, SessionsService, ClassViewsService],
})
export class ClassesModule {}
