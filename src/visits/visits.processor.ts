import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUES } from '../common/queue/queues';
import type { JobProcessor } from '../common/queue/job-workers';
import { type AssignVisitsPayload, type VisitNoticePayload, VisitJobs } from './visits.jobs';
import { VisitSchedulingService } from './visit-scheduling.service';

/** Runs the visits queue: assignment when a class completes, due and overdue notices. */
@Injectable()
export class VisitsProcessor implements JobProcessor {
  readonly queueName = QUEUES.visits;

  constructor(private readonly visits: VisitSchedulingService) {}

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case VisitJobs.assign:
        return this.visits.assignForClass((job.data as AssignVisitsPayload).classId);
      case VisitJobs.due:
        return this.visits.sendDueNotice(job.data as VisitNoticePayload);
      case VisitJobs.overdue:
        return this.visits.markOverdue(job.data as VisitNoticePayload);
      default:
        throw new Error(`Unknown visits job ${job.name}`);
    }
  }
}
