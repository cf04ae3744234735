import { QUEUES } from '../common/queue/queues';

export const ImportJobs = {
  queue: QUEUES.imports,
  /** Writes the rows of one background import, batch by batch, from where it stopped. */
  run: 'run',
} as const;

export interface RunImportPayload {
  importId: string;
}

/** One job per import: adding it again (the reconciler) is harmless. */
export function importJobId(importId: string): string {
  return `import.${importId}`;
}
