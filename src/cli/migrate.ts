import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env';
import { ensureDatabase } from '../database/database-admin';
import { dataSourceOptions } from '../database/data-source';

/** Creates the database if missing and runs pending migrations. */
export async function migrate(): Promise<void> {
  const logger = new Logger('Migrate');
  const env = loadEnv();
  if (await ensureDatabase(env.DATABASE_URL)) logger.log('Created the database');
  const ds = await new DataSource(dataSourceOptions(env.DATABASE_URL)).initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    logger.log(ran.length ? `Ran ${ran.map((m) => m.name).join(', ')}` : 'Schema is up to date');
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  migrate().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
