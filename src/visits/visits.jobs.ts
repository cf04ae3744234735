import { QUEUES } from '../common/queue/queues';

export const VisitJobs = {
  queue: QUEUES.visits,
  /** Creates and assigns a completed class's visits, one per township that had trainees. */
  assign: 'assign',
  /** Tells the assignee a visit is due soon (VISIT_DUE_NOTICE_DAYS before, 09:00 local). */
  due: 'due',
  /** Marks a visit still open after its due date `overdue` and tells the assignee and the class's admins. */
  overdue: 'overdue',
} as const;

export interface AssignVisitsPayload {
  classId: string;
}

/** The due date the job was scheduled for: once the date changes, the job no longer applies and does nothing. */
export interface VisitNoticePayload {
  visitId: string;
  dueOn: string;
}

/** One assignment job per class: adding it again (event and reconciler, two APIs) is harmless. */
export function assignJobId(classId: string): string {
  return `visits.assign.${classId}`;
}

/** Per visit and due date: a new due date gives new jobs, and the old ones skip. */
export function noticeJobId(kind: 'due' | 'overdue', visitId: string, dueOn: string): string {
  return `visits.${kind}.${visitId}.${dueOn}`;
}
