import os from 'node:os';
import { dropBenchDatabase, recreateBenchDatabase } from './database';
import { log, logLevel, sideOrder, stopAllServers } from './harness';
import { type BenchResult, buildResult, printTable, writeResult } from './report';
import type { Scenario } from './scenario';
import { scenarios } from './scenarios';

const DEFAULT_DURATION_SECONDS = 10;
const WARMUP_SECONDS = 2;

const USAGE = `Usage: npm run bench [-- <scenario>...]

Runs every scenario, or only those named. Each measures the API against a baseline
in the same run and writes bench/results/<scenario>.json.

Environment:
  BENCH_DURATION      seconds per measured run (default ${DEFAULT_DURATION_SECONDS}), e.g. 3 for a smoke run
  BENCH_DATABASE_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432);
                      database lms_bench is dropped and recreated
  BENCH_ORDER         api-first (default) or baseline-first: which side each scenario runs first
  BENCH_LOG_LEVEL     request log level of both sides (default info, as in production)
  BENCH_PROFILE       1: write CPU profiles of both sides' measured runs to bench/results/profiles/
  BENCH_REMINDER_SESSIONS  reminders: sessions whose reminders are delivered (multiple of 10, default 1000)
  BENCH_QUIZ_TRAINEES quiz-day: trainees taking the quiz (default 2000)
  BENCH_QUIZ_THINK_MS quiz-day: each pause before an answer, uniform in min,max ms (default 2000,6000)
  BENCH_PROVINCE_DATABASE_URL  reports: where the province data set lives (default database
                      lms_bench_province; built by npm run bench:data -- --province, or by the
                      scenario when missing, and kept between runs)

Scenarios:
${scenarios.map((s) => `  ${s.name.padEnd(18)}${s.description}`).join('\n')}`;

class UsageError extends Error {}

function durationSeconds(raw = process.env.BENCH_DURATION): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_DURATION_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`BENCH_DURATION must be a whole number of seconds ≥ 1 (got "${raw}")`);
  return n;
}

function selectScenarios(names: string[]): Scenario[] {
  if (names.length === 0) return [...scenarios];
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown scenario${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. ` +
        `Known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  return scenarios.filter((s) => names.includes(s.name));
}

async function runScenario(scenario: Scenario, duration: number): Promise<BenchResult> {
  const order = sideOrder();
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg()[0];
  if (loadAverageAtStart > os.cpus().length / 2) {
    log(
      `machine is busy (load average ${loadAverageAtStart.toFixed(1)} on ${os.cpus().length} CPUs): expect noisy figures`,
    );
  }
  log(`${scenario.name}: recreating database and running migrations`);
  const db = await recreateBenchDatabase();
  try {
    const outcome = await scenario.run({
      dataSource: db.dataSource,
      databaseUrl: db.url,
      durationSeconds: duration,
      warmupSeconds: WARMUP_SECONDS,
      order,
    });
    return buildResult(scenario, outcome, {
      startedAt,
      loadAverageAtStart,
      durationSeconds: duration,
      warmupSeconds: WARMUP_SECONDS,
      order,
      logLevel: logLevel(),
    });
  } finally {
    await stopAllServers();
    await db.dataSource.destroy();
    if (scenario.dropDatabaseAfter) await dropBenchDatabase();
  }
}

/** Exit code: 0 when every scenario ran with valid figures (whatever its target), 1 otherwise, 2 on bad usage. */
async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    console.log(USAGE);
    return 0;
  }
  const selected = selectScenarios(args);
  const duration = durationSeconds();
  try {
    sideOrder();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const scenario of selected) {
    try {
      const result = await runScenario(scenario, duration);
      log(`${scenario.name}: wrote ${await writeResult(result)}`);
      results.push(result);
    } catch (e) {
      failed.push(scenario.name);
      log(`${scenario.name}: FAILED\n${(e as Error)?.stack ?? String(e)}`);
    }
  }

  if (results.length > 0) {
    console.log('');
    printTable(results);
  }
  const invalid = results.filter((r) => r.invariants.some((i) => !i.ok)).map((r) => r.scenario);
  if (failed.length > 0) log(`harness failed for: ${failed.join(', ')}`);
  // A failed invariant (errors, non-2xx, wrong bodies) makes the figures meaningless, unlike a missed target.
  if (invalid.length > 0) log(`invariants failed for: ${invalid.join(', ')}; their figures are not valid`);
  return failed.length > 0 || invalid.length > 0 ? 1 : 0;
}

function shutdown(code: number): void {
  void stopAllServers().finally(() => process.exit(code));
}

process.once('SIGINT', () => shutdown(130));
process.once('SIGTERM', () => shutdown(143));

main(process.argv.slice(2)).then(
  (code) => shutdown(code),
  (e: unknown) => {
    process.stderr.write(
      `${e instanceof UsageError ? `${e.message}\n\n${USAGE}` : String((e as Error)?.stack ?? e)}\n`,
    );
    shutdown(e instanceof UsageError ? 2 : 1);
  },
);
