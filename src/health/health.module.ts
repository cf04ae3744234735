import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { QueuesController } from './queues.controller';
import { QueuesHealthIndicator } from './queues.health';
import { QueuesService } from './queues.service';
import { RedisHealthIndicator } from './redis.health';

/** Health of the service and its parts, and the admin's view of the job queues (also the console's 运行 page). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, QueuesController],
  providers: [RedisHealthIndicator, QueuesHealthIndicator, QueuesService, HealthService],
  exports: [QueuesService, HealthService],
})
export class HealthModule {}
