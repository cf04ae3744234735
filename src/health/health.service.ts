import { Injectable } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from './redis.health';

/** Up or down: what a person is told of each part /health checks. */
export interface PartsHealth {
  postgres: boolean;
  redis: boolean;
}

/**
 * The two stores /health checks (HealthController), with the same indicators and timeouts, as
 * yes or no: for a page that says in words whether the database and Redis are reachable.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  async parts(): Promise<PartsHealth> {
    const [postgres, redis] = await Promise.all([
      this.db.pingCheck('postgres', { timeout: 1500 }).then((r) => r.postgres?.status === 'up'),
      this.redis.isHealthy('redis').then((r) => r.redis?.status === 'up'),
    ]);
    return { postgres, redis };
  }
}
