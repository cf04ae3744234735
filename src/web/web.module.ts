import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { AuthModule } from '../auth/auth.module';
import { ClassesModule } from '../classes/classes.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { CheckInController } from './check-in.controller';
import { HomeController } from './home.controller';
import { LoginController } from './login.controller';
import { PageRenderer } from './page-renderer';
import { StaticAssets } from './static-assets';
import { WebCookies } from './web-cookies';
import { WebPageFilter } from './web-page.filter';
import { WebRoutes } from './web-routes';
import { WebSessionGuard } from './web-session.guard';
import { WebSessionsService } from './web-sessions.service';

/**
 * Pages for trainees and trainers, server-rendered beside the API in the API process (not the
 * worker): cookie sessions the server can revoke, form tokens, a strict CSP, Handlebars
 * templates with Chinese and English words from the message catalogues, and static files
 * with hashed names. Pages call the services the API calls; this module owns only
 * `web_sessions`.
 */
@Module({
  imports: [AuthModule, ClassesModule, AttendanceModule, NotificationsModule],
  controllers: [LoginController, HomeController, CheckInController],
  providers: [WebSessionsService, WebCookies, WebSessionGuard, WebPageFilter, PageRenderer, StaticAssets, WebRoutes],
  exports: [WebSessionsService],
})
export class WebModule {}
