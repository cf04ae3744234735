import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import { ClassEvents, type ClassStatusChangedEvent } from '../classes/classes.events';
import { ClassesService } from '../classes/classes.service';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer, type NewJob } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { gapNoticeAt } from './reminder-times';
import { type EnrolmentGapPayload, enrolmentGapJobId, ReminderJobs } from './reminders.jobs';

/**
 * The enrolment-gap notice: ENROLMENT_GAP_NOTICE_HOURS before an open class's enrolment
 * closes, each township below the class's minimum is told through its contacts, and the
 * class's admins get the list (with whom to call). Planned when a class opens; the
 * reconciler plans it again for a changed enrolment window (the job names the window it was
 * planned for, and a stale one does nothing).
 */
@Injectable()
export class EnrolmentGapService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly notifications: NotificationsService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.reminders) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('enrolment-gap', () => this.reconcile());
  }

  @OnEvent(ClassEvents.statusChanged)
  async onStatusChanged(e: ClassStatusChangedEvent): Promise<void> {
    if (e.to !== 'open') return;
    const c = await this.classes.find(e.classId);
    if (c) await this.plan([c.entity]);
  }

  /**
   * When the gap notice of a class opened now goes out (`gapNoticeAt`, not before now), or null
   * when its enrolment has closed and no notice is planned: what the console tells an admin
   * before opening enrolment.
   */
  noticeAt(c: { enrolmentOpensAt: Date; enrolmentClosesAt: Date }): Date | null {
    const now = this.clock.now().getTime();
    if (c.enrolmentClosesAt.getTime() <= now) return null;
    const at = gapNoticeAt(c.enrolmentOpensAt, c.enrolmentClosesAt, this.env.ENROLMENT_GAP_NOTICE_HOURS * 3_600_000);
    return new Date(Math.max(now, at.getTime()));
  }

  /** Plans each class's notice (see `gapNoticeAt`: never before half the enrolment window has passed). */
  async plan(classes: { id: string; enrolmentOpensAt: Date; enrolmentClosesAt: Date }[]): Promise<number> {
    const now = this.clock.now().getTime();
    const lead = this.env.ENROLMENT_GAP_NOTICE_HOURS * 3_600_000;
    const jobs: NewJob<EnrolmentGapPayload>[] = classes
      .filter((c) => c.enrolmentClosesAt.getTime() > now)
      .map((c) => ({
        name: ReminderJobs.enrolmentGap,
        data: {
          classId: c.id,
          opensAt: c.enrolmentOpensAt.toISOString(),
          closesAt: c.enrolmentClosesAt.toISOString(),
        },
        opts: {
          jobId: enrolmentGapJobId(c.id, c.enrolmentOpensAt, c.enrolmentClosesAt),
          delay: Math.max(0, gapNoticeAt(c.enrolmentOpensAt, c.enrolmentClosesAt, lead).getTime() - now),
        },
      }));
    await this.producer.add(this.queue, jobs);
    return jobs.length;
  }

  /** The job: answers how many messages were written. */
  async send(p: EnrolmentGapPayload): Promise<number> {
    return this.tx.run(async (m) => {
      const c = await this.classes.find(p.classId, m);
      const now = this.clock.now();
      if (
        !c ||
        c.entity.status !== 'open' ||
        c.entity.enrolmentOpensAt.toISOString() !== p.opensAt ||
        c.entity.enrolmentClosesAt.toISOString() !== p.closesAt ||
        c.entity.enrolmentClosesAt <= now
      ) {
        return 0;
      }
      const min = c.entity.minPerTownship;
      const short = (await this.enrolments.confirmedByTownship(c.entity.id, c.planPath, m)).filter(
        (t) => t.confirmed < min,
      );
      if (short.length === 0) return 0;
      const contacts = await this.orgUnits.contactsOf(
        short.map((t) => t.townshipId),
        m,
      );
      const centre = await this.orgUnits.centreName(c.planPath, m);
      const base = { centre, classId: c.entity.id, classTitle: c.entity.title, closesAt: p.closesAt, min };
      const key = `enrolment-gap:${c.entity.id}:${new Date(p.closesAt).getTime()}`;
      let written = 0;
      for (const t of short) {
        const people = contacts.get(t.townshipId) ?? [];
        written += await this.notifications.notify(
          people.map((p) => p.userId),
          {
            template: 'enrolment-gap',
            payload: { ...base, townshipId: t.townshipId, township: t.name, confirmed: t.confirmed },
            key: `${key}:${t.townshipId}`,
            aboutId: c.entity.id,
          },
          m,
        );
      }
      written += await this.notifications.notify(
        await this.orgUnits.adminsOver(c.planPath, m),
        {
          template: 'enrolment-gap-summary',
          payload: {
            ...base,
            count: short.length,
            townships: short.map((t) => ({
              townshipId: t.townshipId,
              name: t.name,
              confirmed: t.confirmed,
              contacts: (contacts.get(t.townshipId) ?? []).map((p) =>
                p.phone ? `${p.displayName} ${p.phone}` : p.displayName,
              ),
            })),
          },
          key,
          aboutId: c.entity.id,
        },
        m,
      );
      return written;
    });
  }

  private async reconcile(): Promise<number> {
    return this.plan(await this.classes.enrollingAt(this.clock.now()));
  }
}
