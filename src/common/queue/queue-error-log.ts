import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QUEUES } from './queues';

const LOG_EVERY_MS = 60_000;

/**
 * Connection errors of the queues go to the log at most once a minute (BullMQ would otherwise
 * print every failed reconnect to the console, outside the structured log).
 */
@Injectable()
export class QueueErrorLog implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly queues: Queue[];
  private lastLogged = 0;

  constructor(
    @InjectQueue(QUEUES.notifications) notifications: Queue,
    @InjectQueue(QUEUES.reminders) reminders: Queue,
    @InjectQueue(QUEUES.visits) visits: Queue,
    @InjectQueue(QUEUES.imports) imports: Queue,
    @InjectQueue(QUEUES.maintenance) maintenance: Queue,
  ) {
    this.queues = [notifications, reminders, visits, imports, maintenance];
  }

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
