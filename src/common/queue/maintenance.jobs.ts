import { QUEUES } from './queues';

export const MaintenanceJobs = {
  queue: QUEUES.maintenance,
  /** Re-creates from PostgreSQL every job Redis should hold (job-reconciler.ts); on a job scheduler. */
  reconcile: 'reconcile',
  /** The scheduler's id: upserting it again changes nothing. */
  reconcileSchedulerId: 'reconcile',
} as const;
