import { QUEUES } from '../common/queue/queues';

export const CertificateJobs = {
  queue: QUEUES.certificates,
  /** Issues the certificates of one run, batch by batch, skipping trainees who already hold one. */
  issue: 'issue',
} as const;

export interface IssueCertificatesPayload {
  runId: string;
}

/** One job per run: adding it again (the reconciler) is harmless. */
export function issueRunJobId(runId: string): string {
  return `certificates.issue.${runId}`;
}
