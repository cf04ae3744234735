import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { Env } from '../../config/env';
import { bullConnection, bullPrefix } from './queue-connection';
import type { QueueName } from './queues';

/** Runs the jobs of one queue. Thin (STYLE 11): it reads the payload and calls a service. */
export interface JobProcessor {
  readonly queueName: QueueName;
  process(job: Job, token?: string): Promise<unknown>;
  /**
   * Called when a job has failed for good (its last try, an unrecoverable error, or stalled
   * too often), so the record it acts on can say so instead of waiting for ever.
   */
  failedForGood?(job: Job, error: Error): Promise<void>;
  /** Jobs of this queue one worker runs at once; WORKER_CONCURRENCY when absent. */
  readonly concurrency?: number;
}

/** True when BullMQ will not try `job` again after this failure. */
export function isFinalFailure(job: Job, error: Error): boolean {
  return (
    job.attemptsMade >= (job.opts.attempts ?? 1) ||
    error.name === 'UnrecoverableError' ||
    /stalled more than/.test(error.message)
  );
}

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');

/** Worker settings a deployment (or a test) tunes without code: see the JOB_* and WORKER_* variables. */
export interface WorkerTuning {
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after about this long. */
  lockMs: number;
}

export const WORKER_TUNING = Symbol('WORKER_TUNING');

/**
 * One BullMQ worker per processor, started once the whole application context is up. On
 * shutdown (SIGTERM) each stops taking jobs and waits for its running ones up to
 * WORKER_SHUTDOWN_GRACE_SECONDS; after that it lets go of them, and their locks lapse so
 * another worker takes them over (BullMQ's stalled-job check). Several workers share
 * one Redis: BullMQ hands each job to exactly one of them.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];
  /** Failures being recorded (`failedForGood`): shutdown waits for them before the pool closes. */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    @Inject(WORKER_TUNING) private readonly tuning: WorkerTuning,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    for (const processor of this.processors) {
      const worker = new Worker(processor.queueName, (job, token) => processor.process(job, token), {
        connection: bullConnection(this.env, 'worker'),
        prefix: bullPrefix(this.env),
        concurrency: processor.concurrency ?? this.env.WORKER_CONCURRENCY,
        lockDuration: this.tuning.lockMs,
        stalledInterval: Math.max(500, Math.floor(this.tuning.lockMs / 2)),
        maxStalledCount: 2,
      });
      worker.on('failed', (job, err) => {
        const last = !!job && isFinalFailure(job, err);
        this.logger.warn(
          `${processor.queueName} job ${job?.id ?? '?'} failed${last ? ' for good' : ', will retry'}: ${err.message}`,
        );
        if (job && last && processor.failedForGood) {
          const recorded: Promise<void> = processor
            .failedForGood(job, err)
            .catch((e: unknown) =>
              this.logger.error({
                err: e,
                msg: `Recording the failure of ${processor.queueName} job ${job.id} failed`,
              }),
            )
            .finally(() => this.recording.delete(recorded));
          this.recording.add(recorded);
        }
      });
      worker.on('error', (err) => this.logger.warn(`${processor.queueName} worker: ${err.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`Processing queues ${this.processors.map((p) => p.queueName).join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const graceMs = this.env.WORKER_SHUTDOWN_GRACE_SECONDS * 1000;
    await Promise.all(
      this.workers.map(async (worker) => {
        let timer: NodeJS.Timeout | undefined;
        const closing = worker.close();
        const finished = await Promise.race([
          closing.then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
        ]);
        clearTimeout(timer);
        await Promise.all(this.recording);
        if (!finished) {
          // BullMQ ignores close(true) once close() is under way (it answers the same promise, which waits
          // for the running jobs): stop waiting instead. The process exits (worker.ts) without them; their
          // locks lapse and another worker takes them over.
          closing.catch(() => undefined);
          this.logger.warn(`${worker.name}: running jobs did not finish in time; handing them back`);
        }
      }),
    );
  }

  /** Resolves once every worker is connected and waiting for jobs (tests and benchmarks await it). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }
}
