import type { DataSource } from 'typeorm';
import type { Measurement } from './harness';

/** One check that the measurement means what it claims (e.g. no request failed). */
export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a scenario aims for: value / baseline at least `ratio`. Reported, never asserted. */
export interface Target {
  ratio: number;
}

export type Side = 'api' | 'baseline';

/** What the runner hands each scenario: a fresh, migrated database and the run's settings. */
export interface ScenarioContext {
  /** Connected to `databaseUrl`; use it to create the data the scenario needs. Closed by the runner. */
  dataSource: DataSource;
  databaseUrl: string;
  durationSeconds: number;
  warmupSeconds: number;
  /** Which side runs first (BENCH_ORDER); pass it to `bothSides`. */
  order: Side[];
}

export interface ScenarioOutcome {
  /** What `value` counts, e.g. "GET /api/auth/me req/s". */
  metric: string;
  connections: number;
  app: Measurement;
  baseline: Measurement;
  invariants: Invariant[];
  /** The statements each side sent PostgreSQL for one probe request (compared by an invariant). */
  sql: Record<Side, string[]>;
  /** Further figures of the scenario (beside req/s), stored in the result as they are. */
  figures?: Record<string, number | string>;
  /** Lines printed under the table with what each figure measures (e.g. a second measurement, why the ratio is what it is). */
  notes?: string[];
}

/** A benchmark: one file under scenarios/ plus one line in scenarios/index.ts. */
export interface Scenario {
  name: string;
  description: string;
  /** What the baseline does, and what it leaves out: printed with the figures and stored in the result. */
  baseline: string;
  /**
   * `throughput`: value / baseline req/s is the ratio (autocannon keeps the server busy).
   * `latency`: the load paces requests (an arrival rate), so both sides answer at that rate
   * by construction; only the latency ratios (API / baseline) mean something.
   */
  compare: 'throughput' | 'latency';
  target?: Target;
  /** Drop the bench database once the scenario is done (its data is large), instead of leaving it for a look. */
  dropDatabaseAfter?: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
