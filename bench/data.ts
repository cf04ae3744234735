import { buildProvinceData, provinceDatabaseTarget, recreateProvinceDatabase } from './province-data';

const USAGE = `Usage: npm run bench:data -- --province

Builds the reports benchmark's province-sized data set (50 counties, 500 townships, 20,000
trainees, 5 years, ~1,000,000 attendance records, 10,000 outreach events): drops and recreates
the database, runs every migration, fills it and prints the rows per table.

Environment:
  BENCH_PROVINCE_DATABASE_URL  PostgreSQL server, optionally with a database name
                               (default postgres://postgres@127.0.0.1:5432/lms_bench_province);
                               the database is dropped, so its name must contain "bench"`;

class UsageError extends Error {}

/** Progress goes to stderr, so stdout holds only the counts. */
function log(line: string): void {
  process.stderr.write(`[bench:data] ${line}\n`);
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--province');
  if (unknown.length > 0)
    throw new UsageError(`Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}`);
  if (!args.includes('--province')) throw new UsageError('Say which data set to build (--province).');

  const started = performance.now();
  const { name } = provinceDatabaseTarget();
  log(`recreating database ${name} and running migrations`);
  const { url } = await recreateProvinceDatabase();
  const migrated = performance.now();
  const info = await buildProvinceData({ url, log });
  const done = performance.now();

  const width = Math.max(...Object.keys(info.counts).map((k) => k.length));
  console.log(`Database ${name}, as of ${info.builtAt.toISOString()}, plan years ${info.years.join(', ')}`);
  for (const [key, n] of Object.entries(info.counts)) {
    console.log(`  ${key.padEnd(width)}  ${n.toLocaleString('en-US').padStart(10)}`);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `Built in ${seconds(done - started)} s (migrations ${seconds(migrated - started)} s, data ${seconds(done - migrated)} s)`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  },
);
