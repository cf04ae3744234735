import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { Env } from '../../config/env';
import type { JobProcessor } from './job-workers';
import { JobReconciler } from './job-reconciler';
import { MaintenanceJobs } from './maintenance.jobs';
import { QUEUES } from './queues';

/** Runs the reconciler on its schedule; `schedule()` (re)creates that schedule, e.g. after Redis lost it. */
@Injectable()
export class ReconcileProcessor implements JobProcessor {
  readonly queueName = QUEUES.maintenance;
  /** One reconciler run at a time per worker (runs re-adding the same jobs would only add load). */
  readonly concurrency = 1;

  constructor(
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
    private readonly env: Env,
  ) {}

  async process(job: Job): Promise<unknown> {
    if (job.name !== MaintenanceJobs.reconcile) throw new Error(`Unknown maintenance job ${job.name}`);
    return this.reconciler.reconcile();
  }

  async schedule(): Promise<void> {
    await this.queue.upsertJobScheduler(
      MaintenanceJobs.reconcileSchedulerId,
      { every: this.env.RECONCILE_INTERVAL_SECONDS * 1000 },
      { name: MaintenanceJobs.reconcile, opts: { attempts: 1, removeOnComplete: { count: 10 } } },
    );
  }

  /** Puts the schedule back if Redis lost it; an existing one is left alone (re-upserting would move its next run). */
  async ensureScheduled(): Promise<void> {
    if (!(await this.queue.getJobScheduler(MaintenanceJobs.reconcileSchedulerId))) {
      await this.schedule();
      await this.reconciler.reconcile();
    }
  }
}
