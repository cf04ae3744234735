import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QueuesService } from './queues.service';

/**
 * The job queues as /health reports them: up when Redis answers for them, with how many
 * jobs wait, are delayed or failed, and how many worker processes are connected (0 means
 * reminders and messages are not going out: start `npm run start:worker`).
 */
@Injectable()
export class QueuesHealthIndicator {
  constructor(
    private readonly queues: QueuesService,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: 'queues') {
    const indicator = this.health.check(key);
    try {
      const states = await this.queues.states();
      const sum = (pick: (s: (typeof states)[number]) => number) => states.reduce((a, s) => a + pick(s), 0);
      return indicator.up({
        workers: states.some((s) => s.workers === null) ? null : Math.max(...states.map((s) => s.workers ?? 0)),
        waiting: sum((s) => s.counts.waiting + s.counts.prioritized),
        delayed: sum((s) => s.counts.delayed),
        failed: sum((s) => s.counts.failed),
      });
    } catch {
      return indicator.down({ message: 'unreachable' });
    }
  }
}
