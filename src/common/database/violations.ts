import { QueryFailedError } from 'typeorm';

/** A constraint PostgreSQL refused a write for: the one way a lost race shows itself. */
export interface Violation {
  kind: 'unique' | 'foreign_key' | 'exclusion';
  /** The constraint's name (ours are all named: uq_…, fk_…, xc_…). */
  constraint: string;
  /** The table of the row that was refused (for a delete refused by a foreign key: the referencing table). */
  table: string;
  /** PostgreSQL's detail line, e.g. `Key (trainer_id, …)=(…) conflicts with existing key (…)`. */
  detail: string;
}

const KINDS: Record<string, Violation['kind']> = { '23505': 'unique', '23503': 'foreign_key', '23P01': 'exclusion' };

/** The violation behind a failed query, or undefined for any other error. */
export function violationOf(e: unknown): Violation | undefined {
  if (!(e instanceof QueryFailedError)) return undefined;
  const d = e.driverError as { code?: string; constraint?: string; table?: string; detail?: string };
  const kind = d.code === undefined ? undefined : KINDS[d.code];
  if (!kind) return undefined;
  return { kind, constraint: d.constraint ?? '', table: d.table ?? '', detail: d.detail ?? '' };
}
