import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { QueuesService } from './queues.service';

class QueueCountsDto {
  @ApiProperty({ type: 'integer' }) waiting!: number;
  @ApiProperty({ type: 'integer' }) active!: number;
  @ApiProperty({ type: 'integer', description: 'Planned for later (reminders, retries, quiet hours)' })
  delayed!: number;
  @ApiProperty({ type: 'integer' }) prioritized!: number;
  @ApiProperty({ type: 'integer' }) 'waiting-children'!: number;
  @ApiProperty({ type: 'integer', description: 'Finished lately (kept a week)' }) completed!: number;
  @ApiProperty({ type: 'integer', description: 'Failed after every retry (kept 30 days)' }) failed!: number;
  @ApiProperty({ type: 'integer' }) paused!: number;
}

class QueueStateDto {
  @ApiProperty({ example: 'reminders' }) name!: string;
  @ApiProperty({ type: QueueCountsDto }) counts!: QueueCountsDto;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Seconds the oldest waiting job has waited' })
  oldestWaitingSeconds!: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Worker processes connected to the queue (null where Redis does not allow CLIENT LIST)',
  })
  workers!: number | null;
}

class QueuesDto {
  @ApiProperty({ type: [QueueStateDto] }) queues!: QueueStateDto[];
}

@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Roles('admin')
@Controller('api/admin/queues')
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  @Get()
  @ApiOperation({
    summary: 'The background job queues',
    description:
      'Admins only. Jobs per queue and state, how long the oldest waiting job has waited, and how many ' +
      'workers are connected. Many waiting jobs with no worker means `npm run start:worker` is not running; ' +
      'failed messages are listed (and retried) under `GET /api/admin/notifications?status=failed`. ' +
      '**Errors**: `503 SERVICE_UNAVAILABLE` while Redis is unreachable.',
  })
  @ApiOkResponse({ type: QueuesDto })
  @ApiErrors(503)
  async list(): Promise<QueuesDto> {
    return { queues: await this.queues.states() };
  }
}
