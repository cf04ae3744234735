import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AttendanceModule } from './attendance/attendance.module';
import { AuthModule } from './auth/auth.module';
import { CertificatesModule } from './certificates/certificates.module';
import { ClassesModule } from './classes/classes.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { RolesGuard } from './common/auth/roles.guard';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { PdfModule } from './common/pdf/pdf.module';
import { createValidationPipe } from './common/validation/validation';
import { CoreModule } from './core.module';
import { Env } from './config/env';
import { EnvModule } from './config/env.module';
import { CoursesModule } from './courses/courses.module';
import { EnrolmentsModule } from './enrolments/enrolments.module';
import { EventsModule } from './events/events.module';
import { ReportsModule } from './reports/reports.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OrgUnitsModule } from './org-units/org-units.module';
import { PlansModule } from './plans/plans.module';
import { QuizzesModule } from './quizzes/quizzes.module';
import { RemindersModule } from './reminders/reminders.module';
import { SurveysModule } from './surveys/surveys.module';
import { UsersModule } from './users/users.module';
import { VenuesModule } from './venues/venues.module';
import { VisitsModule } from './visits/visits.module';
import { ConsoleModule } from './web/console/console.module';
import { WebModule } from './web/web.module';

@Module({
  imports: [
    CoreModule.forRoot('producer'),
    PdfModule,
    HealthModule,
    AuthModule,
    OrgUnitsModule,
    UsersModule,
    SurveysModule,
    CoursesModule,
    VenuesModule,
    PlansModule,
    ClassesModule,
    EnrolmentsModule,
    AttendanceModule,
    ReportsModule,
    NotificationsModule,
    RemindersModule,
    VisitsModule,
    ImportsModule,
    QuizzesModule,
    CertificatesModule,
    EventsModule,
    // Pages for trainees and trainers (API process only: the worker serves nothing).
    WebModule,
    ConsoleModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {
  /** The API's root module, for one validated environment (tests boot several side by side). */
  static forRoot(env: Env): DynamicModule {
    return { module: AppModule, imports: [EnvModule.forRoot(env)] };
  }
}
