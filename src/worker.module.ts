import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from './common/database/database.module';
import { AppI18nModule } from './common/i18n/i18n.module';
import { JOB_PROCESSORS, JobWorkers, WORKER_TUNING, type WorkerTuning } from './common/queue/job-workers';
import { QueueModule } from './common/queue/queue.module';
import { ReconcileProcessor } from './common/queue/reconcile.processor';
import { RedisModule } from './common/redis/redis.module';
import { TimeModule } from './common/time/time.module';
import { Env } from './config/env';
import { EnvModule } from './config/env.module';
import { dataSourceOptions } from './database/data-source';
import { ImportsModule } from './imports/imports.module';
import { ImportsProcessor } from './imports/imports.processor';
import { DeliveryProcessor } from './notifications/delivery.processor';
import { NotificationsModule } from './notifications/notifications.module';
import { RemindersProcessor } from './reminders/reminders.processor';
import { RemindersModule } from './reminders/reminders.module';
import { UsersModule } from './users/users.module';
import { VisitsProcessor } from './visits/visits.processor';
import { VisitsModule } from './visits/visits.module';

/** Every processor the worker runs, one per queue. */
const PROCESSORS = [ReconcileProcessor, DeliveryProcessor, RemindersProcessor, VisitsProcessor, ImportsProcessor];

/**
 * The worker process's root module: the domain services the jobs call and the processors,
 * no HTTP. See worker.ts.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE),
    }),
    EventEmitterModule.forRoot(),
    DatabaseModule,
    TimeModule,
    AppI18nModule,
    RedisModule,
    QueueModule.forRoot('worker'),
    NotificationsModule,
    RemindersModule,
    VisitsModule,
    // Background imports, and the users module that registers the handler writing their rows.
    ImportsModule,
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
