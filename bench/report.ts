import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Measurement, RESULTS_DIR } from './harness';
import type { Invariant, Scenario, ScenarioOutcome, Side, Target } from './scenario';

export type Verdict = 'PASS' | 'BELOW TARGET' | 'NO TARGET';

/** API latency over baseline latency at one percentile (1.5: the API takes half as long again). */
export interface LatencyRatios {
  p50: number;
  p95: number;
  p99: number;
}

/** What bench/results/<scenario>.json holds. */
export interface BenchResult {
  scenario: string;
  description: string;
  /** What the baseline does, and what it leaves out. */
  baseline: string;
  metric: string;
  /** Which side ran first (each on freshly truncated, vacuumed and analysed tables). */
  order: Side[];
  /** req/s of the app. */
  value: number;
  /** req/s of the baseline. */
  baselineValue: number;
  /** value / baselineValue; null when the load paces requests (see `compare`), which makes it 1 by construction. */
  ratio: number | null;
  compare: Scenario['compare'];
  latencyRatios: LatencyRatios;
  /** Server CPU time per request, ms (PostgreSQL not included), and baseline / API: steadier than req/s on a busy machine. */
  cpuMsPerRequest: Record<Side, number>;
  cpuRatio: number;
  target: Target | null;
  verdict: Verdict;
  /** Latency of the app, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** Latency of the baseline, ms. */
  baselineP50: number;
  baselineP95: number;
  baselineP99: number;
  invariants: Invariant[];
  /** The statements each side sent PostgreSQL for one probe request. */
  sql: Record<Side, string[]>;
  /** Further figures of the scenario, and the lines printed about them. */
  figures?: Record<string, number | string>;
  notes?: string[];
  logLevel: string;
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

const over = (a: number, b: number): number => (b > 0 ? a / b : 0);

export function buildResult(
  scenario: Scenario,
  outcome: ScenarioOutcome,
  run: {
    startedAt: Date;
    loadAverageAtStart: number;
    durationSeconds: number;
    warmupSeconds: number;
    order: Side[];
    logLevel: string;
  },
): BenchResult {
  const { app, baseline } = outcome;
  const ratio = scenario.compare === 'throughput' ? over(app.rps, baseline.rps) : null;
  const target = scenario.target ?? null;
  return {
    scenario: scenario.name,
    description: scenario.description,
    baseline: scenario.baseline,
    metric: outcome.metric,
    order: run.order,
    value: app.rps,
    baselineValue: baseline.rps,
    ratio,
    compare: scenario.compare,
    latencyRatios: {
      p50: over(app.p50, baseline.p50),
      p95: over(app.p95, baseline.p95),
      p99: over(app.p99, baseline.p99),
    },
    cpuMsPerRequest: { api: app.cpuMsPerRequest, baseline: baseline.cpuMsPerRequest },
    cpuRatio: over(baseline.cpuMsPerRequest, app.cpuMsPerRequest),
    target,
    verdict: target && ratio !== null ? (ratio >= target.ratio ? 'PASS' : 'BELOW TARGET') : 'NO TARGET',
    p50: app.p50,
    p95: app.p95,
    p99: app.p99,
    baselineP50: baseline.p50,
    baselineP95: baseline.p95,
    baselineP99: baseline.p99,
    invariants: outcome.invariants,
    sql: outcome.sql,
    ...(outcome.figures && { figures: outcome.figures }),
    ...(outcome.notes && { notes: outcome.notes }),
    logLevel: run.logLevel,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: run.durationSeconds,
    warmupSeconds: run.warmupSeconds,
    connections: outcome.connections,
    app,
    baselineRun: baseline,
    machine: machine(run.loadAverageAtStart),
  };
}

export async function writeResult(result: BenchResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.scenario}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const rps = (n: number): string => n.toFixed(n < 100 ? 1 : 0);
const ms = (n: number | null): string => (n === null ? '-' : n.toFixed(n < 100 ? 1 : 0));
const x = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
const cpu = (n: number): string => n.toFixed(n < 10 ? 2 : 0);

/** Prints one row per scenario, what each baseline does, then any failed invariant. */
export function printTable(results: BenchResult[]): void {
  const header = [
    'scenario',
    'api req/s',
    'base req/s',
    'ratio',
    'api p50/p95/p99 ms',
    'base p50/p95/p99 ms',
    'latency ×, p50/p95/p99',
    'CPU ms/req api / base (ratio)',
    'target',
    'verdict',
  ];
  const rows = results.map((r) => [
    r.scenario,
    rps(r.value),
    rps(r.baselineValue),
    r.ratio === null ? 'n/a (paced)' : x(r.ratio),
    `${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)}`,
    `${ms(r.baselineP50)} / ${ms(r.baselineP95)} / ${ms(r.baselineP99)}`,
    `${x(r.latencyRatios.p50)} / ${x(r.latencyRatios.p95)} / ${x(r.latencyRatios.p99)}`,
    `${cpu(r.cpuMsPerRequest.api)} / ${cpu(r.cpuMsPerRequest.baseline)} (${x(r.cpuRatio)})`,
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

  console.log('\nWhat each figure measures:');
  for (const r of results) {
    console.log(`  ${r.scenario}: ${r.metric}; ${r.order[0]} first.`);
    console.log(`    baseline: ${r.baseline}.`);
    for (const note of r.notes ?? []) console.log(`    ${note}`);
  }
  for (const r of results) {
    const failed = r.invariants.filter((i) => !i.ok);
    for (const i of failed) console.log(`  ${r.scenario}: invariant failed: ${i.name} (${i.detail})`);
  }
  const m = results[0]?.machine;
  if (m) {
    const load = results.map((r) => r.machine.loadAverageAtStart.toFixed(1)).join(', ');
    console.log(
      `\n${m.cpus} × ${m.cpuModel}, node ${m.node}, request logs at ${results[0].logLevel}, load average at start ${load}.`,
    );
    console.log('Runs drift between time windows: compare value and baseline within one run, not across runs.');
    console.log('latency ×: API latency / baseline latency (higher is slower).');
    console.log('CPU ms/req: server process CPU time per request; ratio = baseline / API (like the req/s ratio).');
  }
}
