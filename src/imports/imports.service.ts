import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Env } from '../config/env';
import { Import } from './import.entity';
import { ImportErrors } from './imports.errors';
import { ImportJobs, importJobId, type RunImportPayload } from './imports.jobs';
import type {
  ImportBatchOutcome,
  ImportCredential,
  ImportHandler,
  ImportInput,
  ImportRowProblem,
  ImportStatus,
} from './imports.types';

/** Generated passwords of a finished import are erased after this long, read or not. */
const CREDENTIALS_TTL_HOURS = 24;

/** A started background import, as the request that started it answers. */
export interface ImportStarted {
  importId: string;
  status: ImportStatus;
  total: number;
}

/** An import as its starter sees it; row errors still codes (the controller words them). */
export interface ImportView {
  id: string;
  kind: string;
  status: ImportStatus;
  total: number;
  done: number;
  created: number;
  updated: number;
  failed: number;
  errors: ImportRowProblem[];
  /** Generated passwords: only in the first read of a finished import. */
  credentials?: ImportCredential[];
  /** The passwords were answered once already and are erased. */
  credentialsShown: boolean;
  /** The passwords were erased unread, 24 hours after the import finished. */
  credentialsExpired: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Long bulk work as background jobs with progress. A module that owns the rows registers a
 * handler for its kind; `start()` stores the validated rows and queues a job after commit;
 * the job (`run()`) writes them batch by batch, each batch and the cursor in one
 * transaction, so a retried or duplicated job never writes a row twice. PostgreSQL is the
 * truth: the reconciler re-queues imports Redis lost.
 */
@Injectable()
export class ImportsService implements OnModuleInit {
  private readonly logger = new Logger(ImportsService.name);
  private readonly handlers = new Map<string, ImportHandler>();

  constructor(
    private readonly tx: TransactionService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.imports) private readonly queue: Queue,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('imports', () => this.reconcile());
  }

  /** Makes `kind` runnable; the module owning those rows calls it once at start-up. */
  registerHandler<Row, Prepared>(kind: string, handler: ImportHandler<Row, Prepared>): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Stores a validated import and queues its job once the caller's transaction commits.
   * `total` counts every row of the file; rows already in `errors` count as done.
   */
  async start(
    kind: string,
    actor: AuthUser,
    input: ImportInput,
    total: number,
    errors: ImportRowProblem[],
  ): Promise<ImportStarted> {
    const failed = new Set(errors.map((e) => e.row)).size;
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Import);
      const saved = await repo.save(
        repo.create({ kind, startedBy: actor.id, total, done: failed, failed, errors, input, status: 'queued' }),
      );
      this.tx.afterCommit(() => this.enqueue([saved.id]));
      return { importId: saved.id, status: saved.status, total };
    });
  }

  /**
   * An import for the admin who started it (404 for anyone else). Once it has finished, the
   * first read answers the generated passwords and erases them in the same statement.
   * `takeCredentials: false` (a page's progress poll) leaves them for the read that shows them.
   */
  async progress(actor: AuthUser, id: string, options: { takeCredentials?: boolean } = {}): Promise<ImportView> {
    return this.tx.run(async (m) => {
      const found = await m.getRepository(Import).findOneBy({ id, startedBy: actor.id });
      if (!found) throw ImportErrors.notFound();
      let credentials: ImportCredential[] | undefined;
      let shown = found.result.credentialsShown ?? false;
      if (isFinished(found.status) && found.result.credentials && options.takeCredentials !== false) {
        // The row lock (FOR UPDATE, quals re-checked after a wait) lets exactly one of two racing reads have them.
        // An UPDATE through TypeORM answers [rows, count].
        const [rows] = await m.query<[{ credentials: ImportCredential[] }[], number]>(
          `WITH taken AS (
             SELECT id, result->'credentials' AS credentials FROM imports
              WHERE id = $1 AND result ? 'credentials' FOR UPDATE)
           UPDATE imports i SET result = '{"credentialsShown": true}'::jsonb
             FROM taken WHERE i.id = taken.id
           RETURNING taken.credentials`,
          [id],
        );
        credentials = rows[0]?.credentials;
        // Without them, a concurrent read took them first.
        shown = !credentials;
      }
      return {
        id: found.id,
        kind: found.kind,
        status: found.status,
        total: found.total,
        done: found.done,
        created: found.created,
        updated: found.updated,
        failed: found.failed,
        errors: [...found.errors].sort((a, b) => a.row - b.row),
        ...(credentials ? { credentials } : {}),
        credentialsShown: shown,
        credentialsExpired: found.result.credentialsExpired ?? false,
        createdAt: found.createdAt,
        startedAt: found.startedAt,
        finishedAt: found.finishedAt,
      };
    });
  }

  /**
   * The job: writes the rows from the stored cursor on, a batch per transaction. The cursor
   * is re-read under the row lock before each batch, so two runners of one import (a worker
   * thought dead that is still going) take turns instead of writing a row twice.
   * `lastAttempt`: an error marks the import `failed` instead of leaving it to a retry.
   */
  async run(importId: string, lastAttempt: boolean): Promise<ImportStatus | 'missing'> {
    const found = await this.tx.manager
      .getRepository(Import)
      .createQueryBuilder('i')
      .addSelect('i.input')
      .where('i.id = :importId', { importId })
      .getOne();
    if (!found) return 'missing';
    if (isFinished(found.status)) return found.status;
    try {
      const handler = this.handlers.get(found.kind);
      if (!handler) throw new Error(`No handler for ${found.kind} imports`);
      await this.tx.manager.query(
        `UPDATE imports SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
          WHERE id = $1 AND status = 'queued'`,
        [importId],
      );
      const { rows, params } = found.input ?? { rows: [], params: {} };
      const size = this.env.IMPORT_BATCH_ROWS;
      for (let cursor = found.nextIndex; cursor < rows.length;) {
        const batch = rows.slice(cursor, cursor + size);
        const prepared = await handler.prepare(batch, params);
        const next = await this.tx.run(async (m) => {
          const [current] = await m.query<{ next_index: number; status: ImportStatus }[]>(
            `SELECT next_index, status FROM imports WHERE id = $1 FOR UPDATE`,
            [importId],
          );
          if (!current || isFinished(current.status)) return rows.length;
          // Another runner moved on meanwhile: nothing written here, carry on from where it is.
          if (current.next_index !== cursor) return current.next_index;
          const outcome = await handler.write(batch, prepared, params);
          await this.recordBatch(importId, cursor + batch.length, batch.length, outcome);
          return cursor + batch.length;
        });
        cursor = next;
      }
      await this.tx.manager.query(
        `UPDATE imports SET status = 'done', finished_at = now(), updated_at = now(), input = NULL,
                result = jsonb_set(result, '{credentials}', coalesce(result->'credentials', '[]'::jsonb))
          WHERE id = $1 AND status IN ('queued', 'running')`,
        [importId],
      );
      return 'done';
    } catch (e) {
      if (lastAttempt) await this.fail(importId, e);
      throw e;
    }
  }

  /** Re-queues every unfinished import whose job Redis lost (or ended without finishing it); erases old passwords. */
  async reconcile(): Promise<number> {
    await this.tx.manager.query(
      `UPDATE imports SET result = '{"credentialsExpired": true}'::jsonb
        WHERE result ? 'credentials' AND finished_at < now() - make_interval(hours => $1)`,
      [CREDENTIALS_TTL_HOURS],
    );
    const unfinished = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM imports WHERE status IN ('queued', 'running') ORDER BY created_at`,
    );
    const missing: string[] = [];
    for (const { id } of unfinished) {
      const state = await this.queue.getJobState(importJobId(id));
      // A finished twin would swallow the new job (same id): clear it first.
      if (state === 'completed' || state === 'failed') await this.producer.remove(this.queue, [importJobId(id)]);
      if (state === 'unknown' || state === 'completed' || state === 'failed') missing.push(id);
    }
    if (missing.length && !(await this.enqueue(missing))) return 0;
    return missing.length;
  }

  private enqueue(importIds: string[]): Promise<boolean> {
    return this.producer.add(
      this.queue,
      importIds.map((importId) => ({
        name: ImportJobs.run,
        data: { importId } satisfies RunImportPayload,
        opts: { jobId: importJobId(importId) },
      })),
    );
  }

  private async recordBatch(id: string, nextIndex: number, rows: number, outcome: ImportBatchOutcome): Promise<void> {
    await this.tx.manager.query(
      `UPDATE imports
          SET next_index = $2, done = done + $3, created = created + $4, updated = updated + $5,
              failed = failed + $6, errors = errors || $7::jsonb,
              result = jsonb_set(result, '{credentials}', coalesce(result->'credentials', '[]'::jsonb) || $8::jsonb),
              updated_at = now()
        WHERE id = $1`,
      [
        id,
        nextIndex,
        rows,
        outcome.created,
        outcome.updated,
        new Set(outcome.errors.map((e) => e.row)).size,
        JSON.stringify(outcome.errors),
        JSON.stringify(outcome.credentials),
      ],
    );
  }

  private async fail(id: string, e: unknown): Promise<void> {
    const reason = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
    this.logger.error({ err: e, msg: `Import ${id} failed for good` });
    try {
      // Passwords of rows already written stay in `result`: those accounts exist, their starter needs them.
      await this.tx.manager.query(
        `UPDATE imports SET status = 'failed', error = $2, finished_at = now(), updated_at = now(), input = NULL,
                result = jsonb_set(result, '{credentials}', coalesce(result->'credentials', '[]'::jsonb))
          WHERE id = $1 AND status IN ('queued', 'running')`,
        [id, reason],
      );
    } catch (err) {
      this.logger.warn({ err, msg: `Could not mark import ${id} failed; the reconciler will run it again` });
    }
  }
}

function isFinished(status: ImportStatus): boolean {
  return status === 'done' || status === 'failed';
}
