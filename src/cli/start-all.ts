import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env';
import { dataSourceOptions } from '../database/data-source';
import { seedDemo } from '../demo/seed-demo';
import { startApi } from '../main';
import { localSecret } from './local-secret';
import { migrate } from './migrate';

/**
 * The worker (reminders, messages, visits, imports) as a child process beside the API, as
 * `npm run start:worker` runs it: one command for a first look. Signals reach both; if the
 * worker stops on its own (e.g. it refused a Redis that may evict jobs), everything stops
 * with its message, rather than running on without reminders.
 */
function startWorker(): ChildProcess {
  const worker = fork(path.join(__dirname, '..', 'worker.js'), { env: process.env, stdio: 'inherit' });
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      worker.kill(signal);
      worker.once('exit', () => process.exit(0));
    });
  }
  worker.on('exit', (code) => {
    if (stopping) return;
    new Logger('Start').error(`The worker stopped (exit code ${code}); stopping the API too`);
    process.exit(code || 1);
  });
  return worker;
}

/**
 * `npm start`: a first look in one command. Creates the database if missing, runs
 * migrations, loads the demo data and starts the API and the worker. Without JWT_SECRET
 * it uses a random one kept outside the repository (and says where); production must set
 * its own.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  if (!process.env.JWT_SECRET && env.NODE_ENV !== 'production') {
    const secret = await localSecret('jwt-secret');
    process.env.JWT_SECRET = secret.value;
    new Logger('Start').log(
      `JWT_SECRET is not set: signing tokens with the random secret ${secret.created ? 'just made and ' : ''}` +
        `kept in ${secret.path} (set JWT_SECRET to use your own)`,
    );
  }
  await migrate();
  if (env.NODE_ENV !== 'production') {
    const ds = await new DataSource(dataSourceOptions(env.DATABASE_URL)).initialize();
    try {
      const { usersCreated } = await seedDemo(ds, env.TZ_DEFAULT);
      new Logger('Start').log(`Demo data ready (${usersCreated} users created); logins are listed in README.md`);
    } finally {
      await ds.destroy();
    }
  }
  // `--no-worker` where the worker runs as a process of its own (docker-compose.yml).
  if (!process.argv.includes('--no-worker')) startWorker();
  await startApi();
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
