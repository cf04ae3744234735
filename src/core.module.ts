import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from './config/env';
import { dataSourceOptions } from './database/data-source';
import { DatabaseModule } from './common/database/database.module';
import { AppI18nModule } from './common/i18n/i18n.module';
import { QueueModule } from './common/queue/queue.module';
import { RedisModule } from './common/redis/redis.module';
import { TimeModule } from './common/time/time.module';

/**
 * What both processes stand on, all global: PostgreSQL (TypeORM and transactions), domain
 * events, the clock, translations, Redis and the job queues. `role` picks the queues'
 * connection: the API produces jobs (never waiting on Redis), the worker runs them.
 */
@Module({})
export class CoreModule {
  static forRoot(role: 'producer' | 'worker'): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [Env],
          useFactory: (env: Env) => dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE),
        }),
        EventEmitterModule.forRoot(),
        DatabaseModule,
        TimeModule,
        AppI18nModule,
        RedisModule,
        QueueModule.forRoot(role),
      ],
    };
  }
}
