import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobProcessor } from '../common/queue/job-workers';
import { QUEUES } from '../common/queue/queues';
import { EnrolmentGapService } from './enrolment-gap.service';
import type { EnrolmentGapPayload, RotationPayload, SessionReminderPayload } from './reminders.jobs';
import { ReminderJobs } from './reminders.jobs';
import { RotationRemindersService } from './rotation-reminders.service';
import { SessionRemindersService } from './session-reminders.service';

@Injectable()
export class RemindersProcessor implements JobProcessor {
  readonly queueName = QUEUES.reminders;

  constructor(
    private readonly sessions: SessionRemindersService,
    private readonly gaps: EnrolmentGapService,
    private readonly rotation: RotationRemindersService,
  ) {}

  process(job: Job): Promise<number> {
    switch (job.name) {
      case ReminderJobs.sessionReminder:
        return this.sessions.send(job.data as SessionReminderPayload);
      case ReminderJobs.enrolmentGap:
        return this.gaps.send(job.data as EnrolmentGapPayload);
      case ReminderJobs.rotation:
        return this.rotation.send(job.data as RotationPayload);
      default:
        throw new Error(`Unknown reminders job ${job.name}`);
    }
  }
}
