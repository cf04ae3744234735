import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env';
import { dataSourceOptions } from '../database/data-source';
import { seedDemo } from '../demo/seed-demo';
import { startApi } from '../main';
import { localSecret } from './local-secret';
import { migrate } from './migrate';

/**
 * `npm start`: a first look in one command. Creates the database if missing, runs
 * migrations, loads the demo data and starts the API. (The worker joins here once
 * there are background jobs.) Without JWT_SECRET it uses a random one kept outside the
 * repository (and says where); production must set its own.
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
  await startApi();
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
