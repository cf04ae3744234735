import { Injectable } from '@nestjs/common';
import { TransactionService } from '../common/database/transaction.service';
import type { NotificationChannel } from './notification.entity';

export interface NewNotification {
  userId: string;
  channel: NotificationChannel;
  /** Template name under templates/messages/. */
  template: string;
  payload: Record<string, unknown>;
  /** Same key, same message: writing it again does nothing. */
  dedupKey: string;
}

/** Writes messages for delivery; joins the caller's transaction, so a rolled-back step sends nothing. */
@Injectable()
export class NotificationsService {
  constructor(private readonly tx: TransactionService) {}

  async record(n: NewNotification): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO notifications (user_id, channel, template, payload, dedup_key)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedup_key) DO NOTHING`,
      [n.userId, n.channel, n.template, JSON.stringify(n.payload), n.dedupKey],
    );
  }
}
