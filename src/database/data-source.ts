import 'reflect-metadata';
import type { DataSourceOptions } from 'typeorm';
import { loadEnv } from '../config/env';
import { entities } from './entities';
import { migrations } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Options shared by the app, the migration CLI, scripts and tests. `synchronize` is never on. */
export function dataSourceOptions(url: string = loadEnv().DATABASE_URL, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // gen_random_uuid() is built into PostgreSQL 13+; extensions are created by migrations, not on connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Connections per process (DATABASE_POOL_SIZE for the API): keep processes × pool under the server's max_connections.
    extra: { max: poolSize },
  };
}
