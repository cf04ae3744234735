import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { parseExpression } from 'cron-parser';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer, type NewJob } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { currentYear } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { ReportsService } from '../reports/reports.service';
import { ReminderJobs, type RotationPayload, rotationJobId } from './reminders.jobs';

/** A round missed (Redis lost, no worker running) is still sent this long after its moment. */
const CATCH_UP_MS = 3 * 24 * 3_600_000;

/** Names listed in one message; the rest are counted ("and others"). */
const NAMES_SHOWN = 30;

/**
 * The annual-rotation reminder: on ROTATION_REMINDER_CRON (the first day of each quarter by
 * default, in the centre's time zone) each township's contacts hear which of its staff have
 * not been trained this year. The reconciler plans the next round as a delayed job named by
 * its moment, and a round missed in the last three days at once; each round's messages are
 * keyed by that moment, so a round is never sent twice.
 */
@Injectable()
export class RotationRemindersService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly reports: ReportsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly notifications: NotificationsService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.reminders) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('rotation-reminders', () => this.plan());
  }

  /** Adds the next round and any round missed lately; answers how many. */
  async plan(): Promise<number> {
    const now = this.clock.now();
    const cron = () => parseExpression(this.env.ROTATION_REMINDER_CRON, { currentDate: now, tz: this.env.TZ_DEFAULT });
    const next = cron().next().toDate();
    const previous = cron().prev().toDate();
    const rounds = [next];
    if (now.getTime() - previous.getTime() <= CATCH_UP_MS) rounds.push(previous);
    const jobs: NewJob<RotationPayload>[] = rounds.map((at) => ({
      name: ReminderJobs.rotation,
      data: { firesAt: at.toISOString() },
      opts: { jobId: rotationJobId(at), delay: Math.max(0, at.getTime() - now.getTime()) },
    }));
    await this.producer.add(this.queue, jobs);
    return jobs.length;
  }

  /** The job: one message per township contact listing its untrained staff; answers how many were written. */
  async send(p: RotationPayload): Promise<number> {
    const firesAt = new Date(p.firesAt);
    // A round planned under a schedule since changed (ROTATION_REMINDER_CRON) is not one any more.
    const onSchedule = parseExpression(this.env.ROTATION_REMINDER_CRON, {
      currentDate: new Date(firesAt.getTime() - 1000),
      tz: this.env.TZ_DEFAULT,
    });
    if (onSchedule.next().toDate().getTime() !== firesAt.getTime()) return 0;
    const year = currentYear(this.env.TZ_DEFAULT, firesAt);
    const townships = await this.reports.untrainedByTownship(year);
    const withStaffLeft = townships.filter((t) => t.notTrained.length > 0);
    const contacts = await this.orgUnits.contactsOf(withStaffLeft.map((t) => t.townshipId));
    let written = 0;
    for (const t of withStaffLeft) {
      const people = contacts.get(t.townshipId) ?? [];
      if (people.length === 0) continue;
      written += await this.tx.run(async (m) =>
        this.notifications.notify(
          people.map((c) => c.userId),
          {
            template: 'rotation-reminder',
            payload: {
              centre: await this.orgUnits.centreName(t.path, m),
              townshipId: t.townshipId,
              township: t.name,
              year,
              count: t.notTrained.length,
              names: t.notTrained.slice(0, NAMES_SHOWN).map((n) => n.displayName),
              more: t.notTrained.length > NAMES_SHOWN,
            },
            key: `rotation:${firesAt.getTime()}:${t.townshipId}`,
            aboutId: t.townshipId,
          },
          m,
        ),
      );
    }
    return written;
  }
}
