import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobProcessor } from '../common/queue/job-workers';
import { QUEUES } from '../common/queue/queues';
import { CertificateIssuingService } from './certificate-issuing.service';
import { CertificateJobs, type IssueCertificatesPayload } from './certificates.jobs';

/** Runs certificate issuing; on the last try an error marks the run failed (see CertificateIssuingService.run). */
@Injectable()
export class CertificatesProcessor implements JobProcessor {
  readonly queueName = QUEUES.certificates;

  constructor(private readonly issuing: CertificateIssuingService) {}

  async process(job: Job<IssueCertificatesPayload>): Promise<unknown> {
    if (job.name !== CertificateJobs.issue) throw new Error(`Unknown certificates job ${job.name}`);
    return this.issuing.run(job.data.runId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  }
}
