import { Injectable } from '@nestjs/common';
import { TransactionService } from '../common/database/transaction.service';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import type { Channel } from './channels/channel';
import { EmailChannel } from './channels/email.channel';
import { SmsChannel } from './channels/sms.channel';
import { MessageTemplates, type MessageTemplate } from './message-templates';
import type { NotificationChannel, NotificationStatus } from './notification.entity';
import { holdUntil, startOf } from './quiet-hours';

export type DeliveryOutcome =
  | { kind: 'sent' }
  /** Already sent, failed for good or gone: nothing to do (a repeated job). */
  | { kind: 'skipped' }
  /** Quiet hours: try again then. */
  | { kind: 'wait'; until: Date }
  /** Too late to be of use (a reminder after its session began): recorded `expired`, not sent. */
  | { kind: 'expired' }
  /** Not sent this time; retried unless `final`. */
  | { kind: 'failed'; reason: string; final: boolean };

interface Row {
  id: string;
  generation: number;
  channel: NotificationChannel;
  template: MessageTemplate;
  payload: Record<string, unknown>;
  status: NotificationStatus;
  phone: string | null;
  email: string | null;
  active: boolean;
}

/** Longest failure reason kept (a gateway may answer with a whole page). */
const REASON_MAX = 500;

/**
 * Sends one e-mail or SMS notification, exactly once as far as this side can tell: the row
 * is locked while it is sent and marked `sent` in the same transaction, so a second job for
 * it (another worker, a reconciled duplicate) waits and then finds it sent. Only a crash
 * between the far side's acceptance and the commit can repeat it; the message id travels
 * with it (Idempotency-Key, Message-ID) so the far side can drop the repeat.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly tx: TransactionService,
    private readonly templates: MessageTemplates,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /**
   * `generation`: the delivery generation the job is for (an older job does nothing).
   * `finalAttempt`: a failure now is for good (the message becomes `failed`, listed for admins).
   */
  async deliver(notificationId: string, generation: number, finalAttempt: boolean): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    return this.tx.run(async (m) => {
      const [row] = await m.query<Row[]>(
        `SELECT n.id, n.generation, n.channel, n.template, n.payload, n.status, u.phone, u.email, u.active
           FROM notifications n JOIN users u ON u.id = n.user_id
          WHERE n.id = $1 FOR UPDATE OF n`,
        [notificationId],
      );
      if (!row || row.status !== 'pending' || row.channel === 'inbox' || row.generation !== generation) {
        return { kind: 'skipped' } as const;
      }
      const startsAt = startOf(row.payload);
      if (row.template === 'session-reminder' && startsAt && now >= startsAt) {
        await m.query(
          `UPDATE notifications SET status = 'expired', last_error = 'the session had begun' WHERE id = $1`,
          [row.id],
        );
        return { kind: 'expired' } as const;
      }
      const until = holdUntil(now, this.env.QUIET_HOURS, this.env.TZ_DEFAULT, startsAt);
      if (until) return { kind: 'wait', until } as const;
      const to = row.channel === 'email' ? row.email : row.phone;
      const unusable = !row.active
        ? 'account deactivated'
        : !to
          ? `no ${row.channel === 'email' ? 'e-mail address' : 'phone number'} on file`
          : undefined;
      let reason = unusable;
      if (!reason) {
        try {
          const message = this.templates.render(row.template, 'zh-CN', row.payload);
          // The id names this delivery (an admin's retry is another): a gateway drops only true repeats.
          await this.channel(row.channel).send({ id: `${row.id}.${row.generation}`, to: to!, message });
        } catch (e) {
          reason = (e as Error).message || String(e);
        }
      }
      if (reason === undefined) {
        await m.query(
          `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE id = $1`,
          [row.id],
        );
        return { kind: 'sent' } as const;
      }
      // Nothing to retry when the person cannot be reached this way.
      const final = finalAttempt || unusable !== undefined;
      await m.query(
        `UPDATE notifications
            SET attempts = attempts + 1, last_error = $2,
                status = CASE WHEN $3 THEN 'failed'::notification_status ELSE status END,
                failed_at = CASE WHEN $3 THEN now() ELSE failed_at END
          WHERE id = $1`,
        [row.id, reason.slice(0, REASON_MAX), final],
      );
      return { kind: 'failed', reason, final } as const;
    });
  }

  /**
   * Marks a message still pending in this delivery generation as failed (its delivery job gave
   * up), keeping the reason. A later generation (an admin's retry meanwhile) is left alone.
   */
  async markFailed(notificationId: string, generation: number, reason: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE notifications SET status = 'failed', failed_at = now(), last_error = $3
        WHERE id = $1 AND generation = $2 AND status = 'pending'`,
      [notificationId, generation, reason.slice(0, REASON_MAX)],
    );
  }

  private channel(channel: Exclude<NotificationChannel, 'inbox'>): Channel {
    return channel === 'email' ? this.email : this.sms;
  }
}
