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

/** What the runner hands each scenario: a fresh, migrated database and the run's settings. */
export interface ScenarioContext {
  /** Connected to `databaseUrl`; use it to create the data the scenario needs. Closed by the runner. */
  dataSource: DataSource;
  databaseUrl: string;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface ScenarioOutcome {
  /** What `value` counts, e.g. "GET /api/auth/me req/s". */
  metric: string;
  connections: number;
  app: Measurement;
  baseline: Measurement;
  invariants: Invariant[];
}

/** A benchmark: one file under scenarios/ plus one line in scenarios/index.ts. */
export interface Scenario {
  name: string;
  description: string;
  target?: Target;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
