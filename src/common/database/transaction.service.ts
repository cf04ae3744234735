import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { DomainError } from '../errors/domain-error';
import { type Violation, violationOf } from './violations';

type Hook = () => unknown;

/** What one business step's transaction carries through the async calls inside it. */
interface TxContext {
  /** The open transaction's manager; undefined while a deferred transaction has not begun. */
  manager?: EntityManager;
  /** Run once the outermost transaction has committed; dropped on rollback. */
  afterCommit: Hook[];
  /** For a deferred transaction: opens it (at the first `run`, or at `finish`). */
  begin?: () => Promise<EntityManager>;
}

/**
 * A transaction that its owner opens only when the work inside first needs one, and
 * commits itself (see `TransactionService.deferred`).
 */
export interface DeferredTransaction {
  /** Runs `work` inside this transaction's context: every `tx.run` in it joins (or opens) this transaction. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Opens the transaction if nothing has yet, runs `last` in it, commits, then runs the after-commit hooks. */
  finish(last: (manager: EntityManager) => Promise<void>): Promise<void>;
  /** Rolls back if open; the after-commit hooks are dropped. Safe to call more than once. */
  abort(): Promise<void>;
}

/**
 * One transaction for one business step (Vendure's `withTransaction`). `run` opens a
 * transaction, or joins the one already open in this async context, so everything a step
 * does commits or rolls back together.
 *
 * Events after commit, by construction: `afterCommit(fn)` queues `fn` until the
 * outermost transaction has committed (never after a rollback); outside a transaction it
 * runs at once, the change being committed already. Listeners that must act inside the
 * transaction are called directly instead.
 *
 * A deferred transaction (the Idempotency-Key interceptor's) opens at the first `run`
 * inside it, so the slow work a service does before its first write (hashing passwords)
 * holds no pooled connection, and then stays open for its owner to add its last write
 * (the stored answer) and commit.
 */
@Injectable()
export class TransactionService {
  private readonly storage = new AsyncLocalStorage<TxContext>();
  private readonly logger = new Logger(TransactionService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The manager of the open transaction, or the plain one outside a transaction. */
  get manager(): EntityManager {
    return this.storage.getStore()?.manager ?? this.dataSource.manager;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.storage.getStore();
    if (current?.manager) return work(current.manager);
    if (current?.begin) return work(await current.begin());
    const context: TxContext = { afterCommit: [] };
    const result = await this.dataSource.transaction((manager) => {
      context.manager = manager;
      return this.storage.run(context, () => work(manager));
    });
    await this.runHooks(context.afterCommit);
    return result;
  }

  /**
   * Runs `work` with `count` read-only connections that all see one snapshot of the database
   * (REPEATABLE READ, the first connection's snapshot exported to the others): statements run
   * at once on different connections then agree with each other as if they were one. For
   * reports that split a heavy read across cores.
   */
  async readInOneSnapshot<T>(count: number, work: (managers: EntityManager[]) => Promise<T>): Promise<T> {
    const runners: QueryRunner[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const runner = this.dataSource.createQueryRunner();
        runners.push(runner);
        await runner.connect();
      }
      await runners[0].query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ snapshot }] = (await runners[0].query('SELECT pg_export_snapshot() AS snapshot')) as {
        snapshot: string;
      }[];
      // The identifier comes from PostgreSQL (e.g. 00000003-0000001B-1); SET TRANSACTION SNAPSHOT takes no parameter.
      if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id ${snapshot}`);
      await Promise.all(
        runners.slice(1).map(async (r) => {
          await r.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          await r.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
        }),
      );
      return await work(runners.map((r) => r.manager));
    } finally {
      await Promise.all(
        runners.map(async (r) => {
          try {
            if (!r.isReleased) await r.query('ROLLBACK');
          } finally {
            await r.release();
          }
        }),
      );
    }
  }

  /**
   * Runs `work` (usually a `run`); a constraint violation it raises (a lost race: unique,
   * foreign key or exclusion) becomes the domain error `map` answers, or goes on as it was
   * when `map` answers undefined. The one place lost races are answered. `map` reads
   * through `fresh`, a connection outside the failed transaction (which can no longer
   * read), and sees the winner: PostgreSQL reports the violation once the winner committed.
   */
  async mapViolations<T>(
    work: () => Promise<T>,
    map: (v: Violation, fresh: EntityManager) => DomainError | undefined | Promise<DomainError | undefined>,
  ): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const violation = violationOf(e);
      const mapped = violation && (await map(violation, this.dataSource.manager));
      throw mapped ?? e;
    }
  }

  /** Runs `hook` once the outermost transaction commits; at once when none is open. */
  afterCommit(hook: Hook): void {
    const current = this.storage.getStore();
    if (current?.manager || current?.begin) current.afterCommit.push(hook);
    else void this.runHooks([hook]);
  }

  /**
   * A transaction opened by the first `run` inside it (or by `finish`), which calls
   * `onBegin` first thing in it (the idempotency interceptor claims its key there).
   */
  deferred(onBegin: (manager: EntityManager) => Promise<void>): DeferredTransaction {
    let runner: QueryRunner | undefined;
    let opening: Promise<EntityManager> | undefined;
    const context: TxContext = { afterCommit: [] };
    const open = async (): Promise<EntityManager> => {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await onBegin(runner.manager);
      context.manager = runner.manager;
      return runner.manager;
    };
    context.begin = () => (opening ??= open());
    const release = async (end: (r: QueryRunner) => Promise<void>) => {
      const r = runner;
      runner = undefined;
      if (!r) return;
      try {
        if (r.isTransactionActive) await end(r);
      } finally {
        await r.release();
      }
    };
    return {
      run: (work) => this.storage.run(context, work),
      finish: async (last) => {
        const manager = await this.storage.run(context, () => context.begin!());
        await last(manager);
        await release((r) => r.commitTransaction());
        await this.runHooks(context.afterCommit);
      },
      abort: async () => {
        context.afterCommit = [];
        // An opening still under way (e.g. waiting on a claimed key) is finished first, then rolled back.
        await opening?.catch(() => undefined);
        await release((r) => r.rollbackTransaction());
      },
    };
  }

  /** After commit the change stands: a failing listener is logged, never turned into an error of the step. */
  private async runHooks(hooks: Hook[]): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook();
      } catch (e) {
        this.logger.error({ err: e, msg: 'An after-commit listener failed' });
      }
    }
  }
}
