/**
 * Every BullMQ queue, by name. Job names and payloads live beside their module
 * (`<domain>.jobs.ts`); the queues are listed here once so the API, the worker and the
 * admin view (`GET /api/admin/queues`) agree on them.
 */
export const QUEUES = {
  /** Message delivery over e-mail and SMS (the inbox needs none). */
  notifications: 'notifications',
  /** Session reminders, enrolment-gap notices, annual-rotation reminders. */
  reminders: 'reminders',
  /** Follow-up visits: assignment when a class completes, due and overdue notices. */
  visits: 'visits',
  /** Quizzes: closing attempts at their deadline, reminders before a quiz closes. */
  quizzes: 'quizzes',
  /** Issuing a class's certificates, run in the background with progress. */
  certificates: 'certificates',
  /** Long imports, run in the background with progress. */
  imports: 'imports',
  /** The reconciler (job-reconciler.ts), on a schedule. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES = Object.values(QUEUES);

/** Injection token of every queue (`Queue[]`, in QUEUE_NAMES order): `@Inject(ALL_QUEUES)`. */
export const ALL_QUEUES = Symbol('ALL_QUEUES');
