import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { createPinoLogger, NestPinoLogger } from './common/logging/logging';
import { JobReconciler } from './common/queue/job-reconciler';
import { JobWorkers } from './common/queue/job-workers';
import { ReconcileProcessor } from './common/queue/reconcile.processor';
import { assertNoEviction, RedisPolicyError } from './common/queue/redis-policy';
import { type Env, EnvValidationError, loadWorkerEnv } from './config/env';
import { WorkerModule } from './worker.module';

/** How long closing may go on past WORKER_SHUTDOWN_GRACE_SECONDS (connections, pool) before the process just exits. */
const CLOSE_AFTER_GRACE_MS = 3000;

export interface WorkerApp {
  context: INestApplicationContext;
  workers: JobWorkers;
  close(): Promise<void>;
}

/**
 * The worker process: a Nest application context with the job processors and the services
 * they call, no HTTP. Refuses a Redis that may evict job keys; then re-creates from
 * PostgreSQL every job that should exist (the reconciler) and keeps the reconciler's schedule.
 */
export async function createWorker(
  env: Env = loadWorkerEnv(),
  options: { logDestination?: DestinationStream } = {},
): Promise<WorkerApp> {
  await assertNoEviction(env);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), {
    logger: new NestPinoLogger(createPinoLogger(env, options.logDestination)),
  });
  const workers = app.get(JobWorkers);
  await workers.ready();
  const reconcile = app.get(ReconcileProcessor);
  await reconcile.schedule();
  await app.get(JobReconciler).reconcile();
  // Redis can lose the schedule itself (FLUSHALL, a restart without persistence): put it back when missing.
  const keepSchedule = setInterval(
    () => void reconcile.ensureScheduled().catch(() => undefined),
    Math.min(env.RECONCILE_INTERVAL_SECONDS * 1000, 60_000),
  );
  keepSchedule.unref();
  return {
    context: app,
    workers,
    close: async () => {
      clearInterval(keepSchedule);
      const closing = app.close();
      // Past the grace period the running jobs are handed back (job-workers.ts), but closing the
      // database pool still waits for their open transactions: give that a short while, no more.
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, env.WORKER_SHUTDOWN_GRACE_SECONDS * 1000 + CLOSE_AFTER_GRACE_MS);
        timer.unref();
      });
      await Promise.race([closing, overdue]);
      clearTimeout(timer);
      closing.catch(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  const logger = new Logger('Worker');
  const worker = await createWorker();
  logger.log('Worker started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing running jobs, then exiting`);
    worker.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`Shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    // Configuration problems are for people: the message, not a stack.
    if (e instanceof EnvValidationError || e instanceof RedisPolicyError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  });
}
