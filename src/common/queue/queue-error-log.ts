import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ALL_QUEUES } from './queues';

const LOG_EVERY_MS = 60_000;

/**
 * Connection errors of the queues go to the log at most once a minute (BullMQ would otherwise
 * print every failed reconnect to the console, outside the structured log).
 */
@Injectable()
export class QueueErrorLog implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private lastLogged = 0;

  constructor(@Inject(ALL_QUEUES) private readonly queues: Queue[]) {}

  onModuleInit(): void {
    for (const queue of this.queues) {
      queue.on('error', (err: Error) => {
        if (Date.now() - this.lastLogged < LOG_EVERY_MS) return;
        this.lastLogged = Date.now();
        this.logger.warn(`Redis unavailable to the job queues (${queue.name}): ${err.message}`);
      });
    }
  }
}
