import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Env } from '../../config/env';
import { JobProducer } from './job-producer';
import { JobReconciler } from './job-reconciler';
import { QueueErrorLog } from './queue-error-log';
import { bullConnection, bullPrefix } from './queue-connection';
import { ALL_QUEUES, QUEUE_NAMES } from './queues';

const DAY_S = 24 * 60 * 60;

/**
 * BullMQ for the process: every queue injectable with `@InjectQueue(QUEUES.x)`, the
 * producer and the reconciler. `role` picks the connection (see queue-connection.ts); the
 * workers themselves run only in the worker process (job-workers.ts).
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(role: 'producer' | 'worker'): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [Env],
          useFactory: (env: Env) => ({
            connection: bullConnection(env, role),
            prefix: bullPrefix(env),
            defaultJobOptions: {
              attempts: env.JOB_ATTEMPTS,
              backoff: { type: 'exponential', delay: env.JOB_BACKOFF_MS },
              // Kept a while so a job re-added by the reconciler finds its finished twin and does nothing.
              removeOnComplete: { age: 7 * DAY_S, count: 50_000 },
              removeOnFail: { age: 30 * DAY_S },
            },
          }),
        }),
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
      ],
      providers: [
        JobProducer,
        JobReconciler,
        QueueErrorLog,
        // Every queue at once, for those that look at all of them (the admin view, /health, error logging).
        {
          provide: ALL_QUEUES,
          inject: QUEUE_NAMES.map((name) => getQueueToken(name)),
          useFactory: (...queues: unknown[]) => queues,
        },
      ],
      exports: [BullModule, JobProducer, JobReconciler, ALL_QUEUES],
    };
  }
}
