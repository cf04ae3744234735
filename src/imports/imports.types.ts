import type { Language } from '../common/i18n/i18n.loader';
import type { Translator } from '../common/i18n/translator';

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A row that cannot be imported: its code and what its message quotes (written in the caller's language later). */
export interface ImportRowProblem {
  row: number;
  field: string;
  code: string;
  args: Record<string, string | number>;
}

/** A generated initial password, shown once to the admin who ran the import. */
export interface ImportCredential {
  row: number;
  username: string;
  password: string;
}

/** What a background import stores to work on: the validated rows, and what its handler needs besides. */
export interface ImportInput<Row = unknown> {
  rows: Row[];
  params: Record<string, unknown>;
}

/** What one batch wrote. */
export interface ImportBatchOutcome {
  created: number;
  updated: number;
  /** Rows of the batch that could not be written after all (e.g. a username taken meanwhile). */
  errors: ImportRowProblem[];
  credentials: ImportCredential[];
}

/**
 * Writes one kind of import's rows, batch by batch, for the imports module's job. Registered
 * by the module that owns the rows (`ImportsService.registerHandler()`).
 */
export interface ImportHandler<Row = unknown, Prepared = unknown> {
  /** Slow work for a batch outside any transaction (hashing passwords); may run again on a retry. */
  prepare(rows: Row[], params: Record<string, unknown>): Promise<Prepared>;
  /**
   * Writes the batch. Runs inside the import's batch transaction (join it with
   * `TransactionService.run`), which also moves the import's cursor: all or nothing.
   */
  write(rows: Row[], prepared: Prepared, params: Record<string, unknown>): Promise<ImportBatchOutcome>;
}

/** A row error as answered: its message in the caller's language, its arguments left out. */
export interface ImportRowError {
  row: number;
  field: string;
  code: string;
  message: string;
}

/** Puts stored row errors into words (`importRows.CODE#field` messages), as every import answer shows them. */
export function rowErrorsInWords(translator: Translator, lang: Language, errors: ImportRowProblem[]): ImportRowError[] {
  return errors.map(({ args, ...e }) => ({
    ...e,
    message: translator.t(`importRows.${e.code}#${e.field}`, lang, args),
  }));
}
