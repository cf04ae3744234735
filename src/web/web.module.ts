import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { PersonTimesModule } from '../attendance/person-times.module';
import { AuthModule } from '../auth/auth.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { ClassesModule } from '../classes/classes.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { VisitsModule } from '../visits/visits.module';
import { CheckInController } from './check-in.controller';
import { CheckInQrController } from './check-in-qr.controller';
import { ContestLiveController } from './contest-live.controller';
import { CoursesController } from './courses.controller';
import { HomeController } from './home.controller';
import { LoginController } from './login.controller';
import { MeController } from './me.controller';
import { MessagesController } from './messages.controller';
import { PageRenderer } from './page-renderer';
import { PasswordController } from './password.controller';
import { QuizController } from './quiz.controller';
import { QuizPages } from './quiz-pages';
import { RecordsController } from './records.controller';
import { RollCallController } from './roll-call.controller';
import { StaticAssets } from './static-assets';
import { TrainerSessions } from './trainer-sessions';
import { VisitPagesController } from './visit-pages.controller';
import { WebCookies } from './web-cookies';
import { WebPageFilter } from './web-page.filter';
import { WebRoutes } from './web-routes';
import { WebSessionGuard } from './web-session.guard';
import { WebSessionsService } from './web-sessions.service';
import { LocalWords } from './local-words';

/**
 * Pages for trainees and trainers, server-rendered beside the API in the API process (not the
 * worker): cookie sessions the server can revoke, form tokens, a strict CSP, Handlebars
 * templates with Chinese and English words from the message catalogues, and static files
 * with hashed names. Pages call the services the API calls; this module owns only
 * `web_sessions`.
 */
@Module({
  imports: [
    AuthModule,
    ClassesModule,
    AttendanceModule,
    NotificationsModule,
    EnrolmentsModule,
    QuizzesModule,
    VisitsModule,
    CertificatesModule,
    OrgUnitsModule,
    PersonTimesModule,
  ],
  controllers: [
    LoginController,
    HomeController,
    CheckInController,
    RollCallController,
    CheckInQrController,
    ContestLiveController,
    VisitPagesController,
    CoursesController,
    RecordsController,
    MessagesController,
    QuizController,
    MeController,
    PasswordController,
  ],
  providers: [
    TrainerSessions,
    QuizPages,
    LocalWords,
    WebSessionsService,
    WebCookies,
    WebSessionGuard,
    WebPageFilter,
    PageRenderer,
    StaticAssets,
    WebRoutes,
  ],
  // The console (console/console.module.ts) renders with the same foundation.
  exports: [
    WebSessionsService,
    WebCookies,
    WebSessionGuard,
    WebPageFilter,
    PageRenderer,
    StaticAssets,
    LocalWords,
    AuthModule,
    ClassesModule,
    AttendanceModule,
    NotificationsModule,
    EnrolmentsModule,
    QuizzesModule,
    VisitsModule,
    CertificatesModule,
    OrgUnitsModule,
    PersonTimesModule,
  ],
})
export class WebModule {}
