import { type DynamicModule, Module } from '@nestjs/common';
import { CertificatesModule } from './certificates/certificates.module';
import { CertificatesProcessor } from './certificates/certificates.processor';
import { JOB_PROCESSORS, JobWorkers, WORKER_TUNING, type WorkerTuning } from './common/queue/job-workers';
import { PdfModule } from './common/pdf/pdf.module';
import { ReconcileProcessor } from './common/queue/reconcile.processor';
import { CoreModule } from './core.module';
import { Env } from './config/env';
import { EnvModule } from './config/env.module';
import { ImportsModule } from './imports/imports.module';
import { QuizzesModule } from './quizzes/quizzes.module';
import { QuizzesProcessor } from './quizzes/quizzes.processor';
import { ImportsProcessor } from './imports/imports.processor';
import { DeliveryProcessor } from './notifications/delivery.processor';
import { NotificationsModule } from './notifications/notifications.module';
import { RemindersProcessor } from './reminders/reminders.processor';
import { RemindersModule } from './reminders/reminders.module';
import { UsersModule } from './users/users.module';
import { VisitsProcessor } from './visits/visits.processor';
import { VisitsModule } from './visits/visits.module';

/** Every processor the worker runs, one per queue. */
const PROCESSORS = [
  ReconcileProcessor,
  DeliveryProcessor,
  RemindersProcessor,
  VisitsProcessor,
  ImportsProcessor,
  QuizzesProcessor,
  CertificatesProcessor,
];

/**
 * The worker process's root module: the domain services the jobs call and the processors,
 * no HTTP. See worker.ts.
 */
@Module({
  imports: [
    CoreModule.forRoot('worker'),
    NotificationsModule,
    RemindersModule,
    VisitsModule,
    // Background imports, and the users module that registers the handler writing their rows.
    ImportsModule,
    QuizzesModule,
    // Certificates read attendance, whose module also draws sign-in sheets (PdfService: no threads until used).
    PdfModule,
    CertificatesModule,
    UsersModule,
  ],
  providers: [
    ...PROCESSORS,
    { provide: JOB_PROCESSORS, inject: PROCESSORS, useFactory: (...processors: unknown[]) => processors },
    JobWorkers,
  ],
})
export class WorkerModule {
  static forRoot(env: Env): DynamicModule {
    const tuning: WorkerTuning = { lockMs: env.JOB_LOCK_MS };
    return {
      module: WorkerModule,
      imports: [EnvModule.forRoot(env)],
      providers: [{ provide: WORKER_TUNING, useValue: tuning }],
    };
  }
}
