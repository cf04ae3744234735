import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { InjectRedis } from '../common/redis/redis.module';

@Injectable()
export class RedisHealthIndicator {
  private readonly logger = new Logger(RedisHealthIndicator.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: 'redis') {
    const indicator = this.health.check(key);
    try {
      await this.redis.ping();
      return indicator.up();
    } catch (e) {
      // /health is public: the real message (it may name the host and port) goes to the log only.
      this.logger.warn(`Redis health check failed: ${(e as Error).message}`);
      return indicator.down({ message: 'unreachable' });
    }
  }
}
