import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { ClassesModule } from '../classes/classes.module';
import { CoursesModule } from '../courses/courses.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { UsersModule } from '../users/users.module';
import { CertificateEligibilityService } from './certificate-eligibility.service';
import { CertificateIssuingService } from './certificate-issuing.service';
import { CertificatePdfsController } from './certificate-pdfs.controller';
import { CertificatePdfsService } from './certificate-pdfs.service';
import { CertificateTemplatesController } from './certificate-templates.controller';
import { CertificateTemplatesService } from './certificate-templates.service';
import { CertificateVerifyPage } from './certificate-verify.page';
import { CertificateVerifyThrottleService } from './certificate-verify-throttle.service';
import { CertificateVerifyController } from './certificate-verify.controller';
import { CertificateVerifyService } from './certificate-verify.service';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { ClassCertificatesController } from './class-certificates.controller';

/**
 * Certificates: who may have one (eligibility), issuing them to a class as a background run
 * with progress, revocation, and the lists and answers that show them.
 */
@Module({
  imports: [
    ClassesModule,
    CoursesModule,
    EnrolmentsModule,
    AttendanceModule,
    QuizzesModule,
    NotificationsModule,
    OrgUnitsModule,
    UsersModule,
  ],
  controllers: [
    CertificatesController,
    ClassCertificatesController,
    CertificateVerifyController,
    // Designs and PDFs (certificate-templates.*, certificate-pdfs.*)
    CertificateTemplatesController,
    CertificatePdfsController,
  ],
  providers: [
    CertificateEligibilityService,
    CertificateIssuingService,
    CertificatesService,
    // Public verification (certificate-verify.*)
    CertificateVerifyService,
    CertificateVerifyThrottleService,
    CertificateVerifyPage,
    // Designs and PDFs
    CertificateTemplatesService,
    CertificatePdfsService,
  ],
  exports: [CertificatesService, CertificateIssuingService, CertificatePdfsService, CertificateEligibilityService],
})
export class CertificatesModule {}
