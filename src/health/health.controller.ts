import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/auth.decorators';
import { QueuesHealthIndicator } from './queues.health';
import { RedisHealthIndicator } from './redis.health';

/** Terminus's checks by name (`postgres`, `redis`), as the answers list them. */
const CHECKS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      message: { type: 'string', description: 'Why it is down (never where it lives)', example: 'unreachable' },
    },
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueuesHealthIndicator,
  ) {}

  @Public()
  @Get()
  // Listed above @HealthCheck() so they apply after it: its generic responses would replace these schemas.
  @ApiOperation({
    summary: 'Health of the API, PostgreSQL and Redis',
    description:
      '**Public.** `200` when PostgreSQL and Redis both answer; `503 SERVICE_UNAVAILABLE` naming the one that ' +
      'is down in `error` and in the message (e.g. "Down: redis"). The answer never says where they live.',
  })
  @ApiOkResponse({
    description: 'PostgreSQL and Redis are up',
    schema: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] }, info: CHECKS, error: CHECKS, details: CHECKS },
      example: {
        status: 'ok',
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
        error: {},
        details: { postgres: { status: 'up' }, redis: { status: 'up' } },
      },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'At least one is down; `error` names which',
    schema: {
      type: 'object',
      properties: {
        statusCode: { type: 'integer', enum: [503] },
        code: { type: 'string', enum: ['SERVICE_UNAVAILABLE'] },
        message: { type: 'string', example: '以下部分无法使用：redis' },
        status: { type: 'string', enum: ['error'] },
        info: CHECKS,
        error: CHECKS,
        details: CHECKS,
      },
      example: {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: '以下部分无法使用：redis',
        status: 'error',
        info: { postgres: { status: 'up' } },
        error: { redis: { status: 'down', message: 'unreachable' } },
        details: { postgres: { status: 'up' }, redis: { status: 'down', message: 'unreachable' } },
      },
    },
  })
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 1500 }),
      () => this.redis.isHealthy('redis'),
      () => this.queues.isHealthy('queues'),
    ]);
  }
}
