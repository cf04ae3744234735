import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Env } from '../../config/env';

export const REDIS = Symbol('REDIS');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS);

/**
 * One shared client. It fails fast instead of queueing commands while Redis is
 * down (no offline queue, one retry), so callers can degrade: login and reads go on.
 */
export function createRedisClient(env: Env): Redis {
  return new Redis(env.REDIS_URL, {
    keyPrefix: env.REDIS_PREFIX,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [Env],
      useFactory: (env: Env) => {
        const client = createRedisClient(env);
        const logger = new Logger('Redis');
        // Without a listener ioredis prints every failed reconnect; log once per state change instead.
        let up = true;
        client.on('error', (err: Error) => {
          if (up) logger.warn(`Redis unavailable: ${err.message}`);
          up = false;
        });
        client.on('ready', () => {
          if (!up) logger.log('Redis available again');
          up = true;
        });
        return client;
      },
    },
    RedisShutdown,
  ],
  exports: [REDIS],
})
export class RedisModule {}
