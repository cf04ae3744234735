import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import {
  ClassEvents,
  type SessionCancelledEvent,
  type SessionCancellingEvent,
  type SessionChangingEvent,
  type SessionRescheduledEvent,
  type SessionScheduledEvent,
} from '../classes/classes.events';
import { ClassesService } from '../classes/classes.service';
import { SessionsService } from '../classes/sessions.service';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer, type NewJob } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { Env, reminderOffsetsMs } from '../config/env';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { isReminderDue, plannedReminders } from './reminder-times';
import { ReminderJobs, type SessionReminderPayload, sessionReminderJobId } from './reminders.jobs';

/** Classes whose sessions are reminded (a draft has nobody enrolled yet, but may open in time). */
const LIVE_CLASS_STATUSES = ['draft', 'open', 'running'];

/** Sessions re-planned per reconciler run, soonest first. */
const RECONCILE_BATCH = 20_000;

/** The reconciler re-plans sessions whose first reminder falls within this week. */
const RECONCILE_HORIZON_MS = 7 * 24 * 3_600_000;

/**
 * Session reminders: to each confirmed trainee and the session's trainer, at each
 * REMINDER_OFFSETS_MINUTES before the start. Planned as delayed jobs when a session is
 * scheduled or moved (after commit), dropped when it is cancelled; the reconciler re-plans
 * every future session. The job reloads the session under a lock and sends only if it is
 * still scheduled, still starts when planned and the reminder is still due, so a job that
 * runs after a move or a cancellation does nothing. Who is reminded is read when it runs:
 * a trainee who withdrew is not.
 *
 * Inside the transaction that moves a session (or changes its venue), those already reminded
 * get a "changed" notice; inside the one that cancels it, everyone who would be reminded gets a
 * cancellation notice.
 */
@Injectable()
export class SessionRemindersService implements OnModuleInit {
  private readonly offsets: number[];

  constructor(
    private readonly tx: TransactionService,
    private readonly sessions: SessionsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly notifications: NotificationsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.reminders) private readonly queue: Queue,
    private readonly clock: Clock,
    env: Env,
  ) {
    this.offsets = reminderOffsetsMs(env);
  }

  onModuleInit(): void {
    this.reconciler.register('session-reminders', () => this.reconcile());
  }

  @OnEvent(ClassEvents.sessionScheduled)
  async onScheduled(e: SessionScheduledEvent): Promise<void> {
    await this.plan([{ sessionId: e.sessionId, startsAt: new Date(e.startsAt) }]);
  }

  @OnEvent(ClassEvents.sessionRescheduled)
  async onRescheduled(e: SessionRescheduledEvent): Promise<void> {
    await this.producer.remove(this.queue, this.jobIds(e.sessionId, new Date(e.previousStartsAt)));
    await this.plan([{ sessionId: e.sessionId, startsAt: new Date(e.startsAt) }]);
  }

  @OnEvent(ClassEvents.sessionCancelled)
  async onCancelled(e: SessionCancelledEvent): Promise<void> {
    await this.producer.remove(this.queue, this.jobIds(e.sessionId, new Date(e.startsAt)));
  }

  /** In the changing transaction: whoever was reminded of the old time or place hears of the new one. */
  @OnEvent(ClassEvents.sessionChanging, { promisify: true, suppressErrors: false })
  async onChanging(e: SessionChangingEvent): Promise<void> {
    // A session over under both its old and new time needs no notice.
    const now = this.clock.now().getTime();
    if (new Date(e.previousStartsAt).getTime() <= now && new Date(e.startsAt).getTime() <= now) return;
    const m = this.tx.manager;
    const told = await this.notifications.toldOf(e.sessionId, 'session-reminder', m);
    if (told.length === 0) return;
    const payload = await this.payload(e.sessionId, m);
    await this.notifications.notify(
      told,
      {
        template: 'session-changed',
        payload: { ...payload, previousStartsAt: e.previousStartsAt, moved: e.moved },
        key: `session-changed:${e.sessionId}:${e.sequence}`,
        aboutId: e.sessionId,
      },
      m,
    );
  }

  /** In the cancelling transaction: a session still ahead is called off for everyone who would be reminded. */
  @OnEvent(ClassEvents.sessionCancelling, { promisify: true, suppressErrors: false })
  async onCancelling(e: SessionCancellingEvent): Promise<void> {
    if (new Date(e.startsAt) <= this.clock.now()) return;
    const m = this.tx.manager;
    const { s, c } = await this.sessions.getWithClass(e.sessionId, m);
    if (!LIVE_CLASS_STATUSES.includes(c.entity.status)) return;
    const recipients = await this.recipients(c.entity.id, s.trainerId, m);
    await this.notifications.notify(
      recipients,
      {
        template: 'session-cancelled',
        payload: await this.payload(e.sessionId, m),
        key: `session-cancelled:${e.sessionId}`,
        aboutId: e.sessionId,
      },
      m,
    );
  }

  /**
   * The job: reminds everyone of the session if it still applies. Answers how many
   * messages were written (0 when it no longer applies or everyone had it already).
   */
  async send(p: SessionReminderPayload): Promise<number> {
    return this.tx.run(async (m) => {
      const peek = await this.sessions.getWithClass(p.sessionId, m).catch(() => undefined);
      if (!peek) return 0;
      // The class (shared: reminders of one class do not wait on each other), then the session,
      // locked in the order every class step takes them: a cancellation or a move of either
      // waits for this to commit, or has committed and is seen.
      await this.classes.lockForReading(peek.c.entity.id, m);
      const { s, c } = await this.sessions.getWithClass(p.sessionId, m, true);
      const stillApplies =
        s.status === 'scheduled' &&
        ['open', 'running'].includes(c.entity.status) &&
        s.startsAt.toISOString() === p.startsAt &&
        isReminderDue(s.startsAt, p.offsetMs, this.offsets, this.clock.now());
      if (!stillApplies) return 0;
      const recipients = await this.recipients(c.entity.id, s.trainerId, m);
      return this.notifications.notify(
        recipients,
        {
          template: 'session-reminder',
          payload: await this.payload(s.id, m),
          key: `session-reminder:${s.id}:${p.offsetMs}:${s.startsAt.getTime()}`,
          aboutId: s.id,
        },
        m,
      );
    });
  }

  /** Adds the reminder jobs of these sessions (those still ahead); answers how many were planned. */
  async plan(sessions: { sessionId: string; startsAt: Date }[]): Promise<number> {
    const now = this.clock.now();
    const jobs: NewJob<SessionReminderPayload>[] = [];
    for (const { sessionId, startsAt } of sessions) {
      for (const r of plannedReminders(startsAt, this.offsets, now)) {
        jobs.push({
          name: ReminderJobs.sessionReminder,
          data: { sessionId, offsetMs: r.offsetMs, startsAt: startsAt.toISOString() },
          opts: { jobId: sessionReminderJobId(sessionId, r.offsetMs, startsAt), delay: r.at.getTime() - now.getTime() },
        });
      }
    }
    await this.producer.add(this.queue, jobs);
    return jobs.length;
  }

  /**
   * Every session of a live class starting within the horizon gets its reminder jobs back
   * (existing ones are left as they are). Sessions further ahead were planned when scheduled;
   * should Redis lose those jobs, they come back here once their session nears.
   */
  private async reconcile(): Promise<number> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + (this.offsets[0] ?? 0) + RECONCILE_HORIZON_MS);
    const rows = await this.sessions.upcoming(LIVE_CLASS_STATUSES, now, until, RECONCILE_BATCH);
    return this.plan(rows.map((r) => ({ sessionId: r.id, startsAt: r.startsAt })));
  }

  private jobIds(sessionId: string, startsAt: Date): string[] {
    return this.offsets.map((o) => sessionReminderJobId(sessionId, o, startsAt));
  }

  /** The class's confirmed trainees and the session's trainer. */
  private async recipients(classId: string, trainerId: string, m: EntityManager): Promise<string[]> {
    const seated = await this.enrolments.seated(classId, m);
    return [...seated.filter((e) => e.status === 'confirmed').map((e) => e.traineeId), trainerId];
  }

  /** What the messages about a session say: class, time, place, trainer, topic and the centre. */
  private async payload(sessionId: string, m: EntityManager): Promise<Record<string, unknown>> {
    const { s, c } = await this.sessions.getWithClass(sessionId, m);
    const labels = await this.sessions.labels(sessionId);
    return {
      centre: await this.orgUnits.centreName(c.planPath, m),
      classId: c.entity.id,
      classTitle: c.entity.title,
      sessionId: s.id,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      venue: labels.venue,
      trainer: labels.trainer,
      topic: s.topic,
    };
  }
}
