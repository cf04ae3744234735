import { Injectable, Logger } from '@nestjs/common';

/** Re-creates one kind of job from PostgreSQL; answers how many jobs it (re)added. */
export type ReconcileTask = () => Promise<number>;

/**
 * PostgreSQL is the truth, Redis only holds the jobs that act on it. Each module that
 * schedules jobs registers a task here that adds (with their deterministic ids) every job
 * that should exist; adding one that exists does nothing. The worker runs every task at
 * start and then on a schedule (maintenance.jobs.ts), so jobs lost with Redis's data come back.
 */
@Injectable()
export class JobReconciler {
  private readonly logger = new Logger(JobReconciler.name);
  private readonly tasks = new Map<string, ReconcileTask>();

  register(name: string, task: ReconcileTask): void {
    this.tasks.set(name, task);
  }

  /** Runs every task; one failing does not stop the others. Answers the jobs added per task. */
  async reconcile(): Promise<Record<string, number>> {
    const added: Record<string, number> = {};
    for (const [name, task] of this.tasks) {
      try {
        added[name] = await task();
      } catch (e) {
        this.logger.error({ err: e, msg: `Reconciling ${name} failed` });
        added[name] = -1;
      }
    }
    const total = Object.values(added).reduce((a, n) => a + Math.max(n, 0), 0);
    if (total > 0) this.logger.log(`Reconciled jobs: ${JSON.stringify(added)}`);
    return added;
  }
}
