import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env';
import { dataSourceOptions } from '../database/data-source';
import { seedDemo } from '../demo/seed-demo';
import { startApi } from '../main';
import { migrate } from './migrate';

/**
 * `npm start`: a first look in one command. Creates the database if missing, runs
 * migrations, loads the demo data and starts the API. (The worker joins here once
 * there are background jobs.)
 */
async function main(): Promise<void> {
  const env = loadEnv();
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
  await startApi();
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
