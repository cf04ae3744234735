import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobProcessor } from '../common/queue/job-workers';
import { QUEUES } from '../common/queue/queues';
import { ImportJobs, type RunImportPayload } from './imports.jobs';
import { ImportsService } from './imports.service';

/** Runs background imports; on the last try an error marks the import failed (see ImportsService.run). */
@Injectable()
export class ImportsProcessor implements JobProcessor {
  readonly queueName = QUEUES.imports;

  constructor(private readonly imports: ImportsService) {}

  async process(job: Job<RunImportPayload>): Promise<unknown> {
    if (job.name !== ImportJobs.run) throw new Error(`Unknown imports job ${job.name}`);
    return this.imports.run(job.data.importId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  }
}
