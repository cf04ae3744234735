import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer, type NewJob } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import type { MessageTemplate } from './message-templates';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { type Page, pageOf } from '../common/pagination/page.dto';
import type { AdminNotificationDto } from './dto/notification.dto';
import type { NotificationChannel, NotificationStatus } from './notification.entity';
import { NotificationErrors } from './notifications.errors';
import { type DeliverPayload, deliverJobId, NotificationJobs } from './notifications.jobs';
import { holdUntil, startOf } from './quiet-hours';

/** One message to some people; each gets it in their inbox and over the channels they want. */
export interface Message {
  template: MessageTemplate;
  /** Plain JSON the template reads; it should name the centre (`centre`), which every SMS states. */
  payload: Record<string, unknown>;
  /**
   * Names this message (e.g. `session-reminder:<sessionId>:<offset>:<startsAt>`): each person
   * gets it once per channel however often it is written (the row's dedup key is
   * `<key>:<userId>:<channel>`).
   */
  key: string;
  /** What it is about (a session, class or visit), to find later who was told. */
  aboutId?: string;
}

interface Written {
  id: string;
  channel: NotificationChannel;
  generation: number;
}

/** A message to deliver: its id, delivery generation and the start it is about, if any (see `holdUntil`). */
interface Outgoing {
  id: string;
  generation: number;
  startsAt?: Date;
}

/** Pending e-mail and SMS re-queued per reconciler run, oldest first. */
const RECONCILE_BATCH = 10_000;

/** Pending messages older than a day whose delivery job is looked at per reconciler run. */
const STUCK_CHECKS = 500;

/**
 * Writes messages, one row per person and channel, inside the caller's transaction (a
 * rolled-back step sends nothing), and queues their delivery once it commits. The inbox is
 * delivered by the commit itself; e-mail and SMS go out from the worker (delivery.service.ts).
 * A person gets e-mail and SMS only if active, with an address on file, and not opted out
 * (notification_preferences); e-mail only when SMTP is configured.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.notifications) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('notification-delivery', () => this.reconcile());
  }

  /** Answers how many rows were new (0 when everyone had it already). */
  async notify(userIds: string[], message: Message, m: EntityManager = this.tx.manager): Promise<number> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return 0;
    const written = await m.query<Written[]>(
      `WITH r AS (
         SELECT u.id, u.phone, u.email, coalesce(p.email, true) AS want_email, coalesce(p.sms, true) AS want_sms
           FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
          WHERE u.id = ANY($1::uuid[]) AND u.active)
       INSERT INTO notifications (user_id, channel, template, payload, dedup_key, about_id, status, sent_at)
       SELECT r.id, c.channel, $2, $3, $4 || ':' || r.id || ':' || c.channel, $5,
              CASE WHEN c.channel = 'inbox' THEN 'sent' ELSE 'pending' END::notification_status,
              CASE WHEN c.channel = 'inbox' THEN now() END
         FROM r CROSS JOIN LATERAL (VALUES ('inbox'::notification_channel), ('email'), ('sms')) c(channel)
        WHERE c.channel = 'inbox'
           OR (c.channel = 'email' AND $6 AND r.want_email AND r.email IS NOT NULL)
           OR (c.channel = 'sms' AND r.want_sms AND r.phone IS NOT NULL)
       ON CONFLICT (dedup_key) DO NOTHING
       RETURNING id, channel, generation`,
      [
        ids,
        message.template,
        JSON.stringify(message.payload),
        message.key,
        message.aboutId ?? null,
        !!this.env.SMTP_URL,
      ],
    );
    const startsAt = startOf(message.payload);
    const outgoing = written.filter((w) => w.channel !== 'inbox').map((w) => ({ ...w, startsAt }));
    if (outgoing.length) this.tx.afterCommit(() => this.queueDelivery(outgoing));
    return written.length;
  }

  /** Who has been told of `aboutId` with `template` (e.g. reminded of a session), over any channel. */
  async toldOf(aboutId: string, template: MessageTemplate, m: EntityManager = this.tx.manager): Promise<string[]> {
    const rows = await m.query<{ user_id: string }[]>(
      `SELECT DISTINCT user_id FROM notifications WHERE about_id = $1 AND template = $2`,
      [aboutId, template],
    );
    return rows.map((r) => r.user_id);
  }

  /** Queues delivery jobs; in quiet hours they wait for the morning (unless that would be too late: `holdUntil`). */
  async queueDelivery(rows: Outgoing[]): Promise<boolean> {
    const now = this.clock.now();
    const jobs: NewJob<DeliverPayload>[] = rows.map((r) => {
      const until = holdUntil(now, this.env.QUIET_HOURS, this.env.TZ_DEFAULT, r.startsAt);
      return {
        name: NotificationJobs.deliver,
        data: { notificationId: r.id, generation: r.generation },
        opts: { jobId: deliverJobId(r.id, r.generation), delay: until ? until.getTime() - now.getTime() : 0 },
      };
    });
    return this.producer.add(this.queue, jobs);
  }

  /** Messages to people in the admin's part of the tree, by status (failed by default), newest first. */
  async listForAdmin(
    actor: AuthUser,
    query: { page: number; pageSize: number; status: NotificationStatus; channel?: NotificationChannel },
  ): Promise<Page<AdminNotificationDto>> {
    const rows = await this.tx.manager.query<(AdminNotificationDto & { total: number })[]>(
      `SELECT n.id, n.user_id AS "userId", u.display_name AS "displayName", n.channel::text, n.template,
              n.status::text, n.attempts, n.last_error AS "lastError", n.created_at AS "createdAt",
              n.failed_at AS "failedAt", n.sent_at AS "sentAt", count(*) OVER ()::int AS total
         FROM notifications n
         JOIN users u ON u.id = n.user_id
         JOIN org_units o ON o.id = u.org_unit_id
        WHERE o.path LIKE $1 AND n.status = $2 AND ($3::notification_channel IS NULL OR n.channel = $3)
        ORDER BY coalesce(n.failed_at, n.created_at) DESC, n.id
        LIMIT $4 OFFSET $5`,
      [
        subtreePattern(actor.orgPath),
        query.status,
        query.channel ?? null,
        query.pageSize,
        (query.page - 1) * query.pageSize,
      ],
    );
    return pageOf(
      rows.map(({ total: _total, ...r }) => r),
      rows[0]?.total ?? 0,
      query,
    );
  }

  /** Sends a failed message again, as a new delivery (its tries start over). */
  async retry(actor: AuthUser, id: string): Promise<AdminNotificationDto> {
    const retried = await this.tx.run(async (m) => {
      const [row] = await m.query<{ status: NotificationStatus; path: string }[]>(
        `SELECT n.status::text AS status, o.path FROM notifications n
           JOIN users u ON u.id = n.user_id JOIN org_units o ON o.id = u.org_unit_id
          WHERE n.id = $1 FOR UPDATE OF n`,
        [id],
      );
      if (!row || !row.path.startsWith(actor.orgPath)) throw NotificationErrors.notFound();
      if (row.status !== 'failed') throw NotificationErrors.notFailed(row.status);
      const [[updated]] = await m.query<
        [{ id: string; generation: number; payload: Record<string, unknown> }[], number]
      >(
        `UPDATE notifications
            SET status = 'pending', attempts = 0, failed_at = NULL, generation = generation + 1
          WHERE id = $1 RETURNING id, generation, payload`,
        [id],
      );
      this.tx.afterCommit(() =>
        this.queueDelivery([{ id: updated.id, generation: updated.generation, startsAt: startOf(updated.payload) }]),
      );
      return updated.id;
    });
    const page = await this.tx.manager.query<AdminNotificationDto[]>(
      `SELECT n.id, n.user_id AS "userId", u.display_name AS "displayName", n.channel::text, n.template,
              n.status::text, n.attempts, n.last_error AS "lastError", n.created_at AS "createdAt",
              n.failed_at AS "failedAt", n.sent_at AS "sentAt"
         FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = $1`,
      [retried],
    );
    return page[0];
  }

  /**
   * Every e-mail and SMS still pending gets its delivery job back (a finished one is never
   * sent twice: see delivery.service.ts). A job that failed for good while its message still
   * reads pending (its worker died before recording it) makes the message `failed`, so admins
   * see it and can retry it: the failed job keeps its id for 30 days, so re-adding it would do
   * nothing.
   */
  private async reconcile(): Promise<number> {
    const rows = await this.tx.manager.query<
      { id: string; generation: number; starts_at: string | null; old: boolean }[]
    >(
      `SELECT id, generation, payload->>'startsAt' AS starts_at, created_at < now() - interval '1 day' AS old
         FROM notifications WHERE status = 'pending' AND channel <> 'inbox'
        ORDER BY created_at LIMIT ${RECONCILE_BATCH}`,
    );
    if (rows.length === 0) return 0;
    await this.queueDelivery(
      rows.map((r) => ({ id: r.id, generation: r.generation, startsAt: startOf({ startsAt: r.starts_at }) })),
    );
    for (const r of rows.filter((row) => row.old).slice(0, STUCK_CHECKS)) {
      const job = await this.queue.getJob(deliverJobId(r.id, r.generation));
      if (job && (await job.isFailed())) {
        await this.tx.manager.query(
          `UPDATE notifications SET status = 'failed', failed_at = now(), last_error = $3
            WHERE id = $1 AND generation = $2 AND status = 'pending'`,
          [r.id, r.generation, (job.failedReason || 'delivery job failed').slice(0, 500)],
        );
      }
    }
    return rows.length;
  }
}
