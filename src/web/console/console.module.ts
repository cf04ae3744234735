import { Module } from '@nestjs/common';
import { ReportsModule } from '../../reports/reports.module';
import { SurveysModule } from '../../surveys/surveys.module';
import { WebModule } from '../web.module';
import { PlansModule } from '../../plans/plans.module';
import { CoursesModule } from '../../courses/courses.module';
import { VenuesModule } from '../../venues/venues.module';
import { RemindersModule } from '../../reminders/reminders.module';
import { ConsoleClassesController } from './console-classes.controller';
import { ConsoleClassEditController } from './console-class-edit.controller';
import { ConsoleClassRosterController } from './console-class-roster.controller';
import { ImportsModule } from '../../imports/imports.module';
import { UsersModule } from '../../users/users.module';
import { PeopleImportController } from './people-import.controller';
import { PeopleUnitsController } from './people-units.controller';
import { PeopleUsersController } from './people-users.controller';
import { StagedUploads } from './staged-uploads';
import { DashboardController } from './dashboard.controller';
import { SurveysPagesController } from './surveys-pages.controller';
import { ConsoleQuestionsController } from './console-questions.controller';
import { ConsoleQuizzesController } from './console-quizzes.controller';
import { ConsoleCertificatesController } from './console-certificates.controller';
import { EventsModule } from '../../events/events.module';
import { HealthModule } from '../../health/health.module';
import { ConsoleVisitsController } from './console-visits.controller';
import { ConsoleReportsController } from './console-reports.controller';
import { ConsoleOperationsController } from './console-operations.controller';
import { PlanClassesController } from './plan-classes.controller';
import { PlanPagesController } from './plan-pages.controller';
import { PlanSessionsController } from './plan-sessions.controller';

/**
 * The admins' console: pages under `/console` for library staff at a desktop or tablet, on
 * the pages' foundation (WebModule: cookie sessions, CSRF, PageRenderer with the console
 * layout, LocalWords, static files). One controller per section of the menu
 * (CONSOLE_SECTIONS); each calls the services the API calls, so scope and rules are the API's.
 */
@Module({
  imports: [
    WebModule,
    ReportsModule,
    SurveysModule,
    UsersModule,
    ImportsModule,
    PlansModule,
    CoursesModule,
    VenuesModule,
    EventsModule,
    HealthModule,
    RemindersModule,
  ],
  controllers: [
    DashboardController,
    SurveysPagesController,
    PeopleUnitsController,
    PeopleUsersController,
    PeopleImportController,
    ConsoleClassesController,
    ConsoleClassEditController,
    ConsoleClassRosterController,
    ConsoleQuestionsController,
    ConsoleQuizzesController,
    ConsoleCertificatesController,
    ConsoleVisitsController,
    ConsoleReportsController,
    ConsoleOperationsController,
    PlanPagesController,
    PlanClassesController,
    PlanSessionsController,
  ],
  providers: [StagedUploads],
})
export class ConsoleModule {}
