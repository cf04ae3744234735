import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './harness';
import type { Invariant, Scenario, ScenarioOutcome, Target } from './scenario';

/** bench/results/ in the repository (git-ignored), from dist/bench/report.js. */
const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');

export type Verdict = 'PASS' | 'BELOW TARGET' | 'NO TARGET';

/** What bench/results/<scenario>.json holds. */
export interface BenchResult {
  scenario: string;
  description: string;
  metric: string;
  /** req/s of the app. */
  value: number;
  /** req/s of the baseline. */
  baseline: number;
  ratio: number;
  target: Target | null;
  verdict: Verdict;
  /** Latency of the app, ms. */
  p50: number;
  p99: number;
  /** Latency of the baseline, ms. */
  baselineP50: number;
  baselineP99: number;
  invariants: Invariant[];
  startedAt: string;
  finishedAt: string;
  /** Length of each measured run, s (warm-up excluded). */
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  app: Measurement;
  baselineRun: Measurement;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    platform: string;
    arch: string;
    totalMemoryMiB: number;
    /** 1-minute load average before and after the scenario: other work on the box skews the figures. */
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
}

function machine(loadAverageAtStart: number): BenchResult['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg()[0],
  };
}

export function buildResult(
  scenario: Scenario,
  outcome: ScenarioOutcome,
  run: { startedAt: Date; loadAverageAtStart: number; durationSeconds: number; warmupSeconds: number },
): BenchResult {
  const ratio = outcome.baseline.rps > 0 ? outcome.app.rps / outcome.baseline.rps : 0;
  const target = scenario.target ?? null;
  return {
    scenario: scenario.name,
    description: scenario.description,
    metric: outcome.metric,
    value: outcome.app.rps,
    baseline: outcome.baseline.rps,
    ratio,
    target,
    verdict: target ? (ratio >= target.ratio ? 'PASS' : 'BELOW TARGET') : 'NO TARGET',
    p50: outcome.app.p50,
    p99: outcome.app.p99,
    baselineP50: outcome.baseline.p50,
    baselineP99: outcome.baseline.p99,
    invariants: outcome.invariants,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: run.durationSeconds,
    warmupSeconds: run.warmupSeconds,
    connections: outcome.connections,
    app: outcome.app,
    baselineRun: outcome.baseline,
    machine: machine(run.loadAverageAtStart),
  };
}

export async function writeResult(result: BenchResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.scenario}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const rps = (n: number): string => n.toFixed(0);
const ms = (n: number): string => n.toFixed(1);

/** Prints one row per scenario, then any failed invariant. */
export function printTable(results: BenchResult[]): void {
  const header = [
    'scenario',
    'metric',
    'value req/s',
    'baseline req/s',
    'ratio',
    'p50 ms',
    'p99 ms',
    'base p50 ms',
    'base p99 ms',
    'target',
    'verdict',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.metric,
    rps(r.value),
    rps(r.baseline),
    r.ratio.toFixed(2),
    ms(r.p50),
    ms(r.p99),
    ms(r.baselineP50),
    ms(r.baselineP99),
    r.target ? `ratio >= ${r.target.ratio}` : '-',
    r.invariants.every((i) => i.ok) ? r.verdict : `INVALID (${r.verdict})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));

  for (const r of results) {
    const failed = r.invariants.filter((i) => !i.ok);
    for (const i of failed) console.log(`  ${r.scenario}: invariant failed: ${i.name} (${i.detail})`);
  }
  const m = results[0]?.machine;
  if (m) {
    const load = results.map((r) => r.machine.loadAverageAtStart.toFixed(1)).join(', ');
    console.log(`\n${m.cpus} × ${m.cpuModel}, node ${m.node}, load average at start ${load}.`);
    console.log('Runs drift between time windows: compare value and baseline within one run, not across runs.');
  }
}
