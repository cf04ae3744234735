import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import type { Language } from '../common/i18n/i18n.loader';
import type {
  InboxMessageDto,
  InboxPageDto,
  NotificationPreferencesDto,
  NotificationPreferencesViewDto,
} from './dto/notification.dto';
import { formatInstant } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { MessageTemplates, type MessageTemplate } from './message-templates';
import { NotificationErrors } from './notifications.errors';

/** An instant as messages keep it (`toISOString()`). */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface InboxRow {
  id: string;
  template: MessageTemplate;
  payload: Record<string, unknown>;
  aboutId: string | null;
  createdAt: Date;
  readAt: Date | null;
  total: number;
}

/**
 * A person's inbox: every message they were sent, in the language they read (rendered
 * when read, from the data kept with it), unread first; and which other channels they want.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly tx: TransactionService,
    private readonly templates: MessageTemplates,
    private readonly env: Env,
  ) {}

  async list(
    actor: AuthUser,
    query: { page: number; pageSize: number; unreadOnly: boolean },
    lang: Language,
  ): Promise<InboxPageDto> {
    const m = this.tx.manager;
    const rows = await m.query<InboxRow[]>(
      `SELECT id, template, payload, about_id AS "aboutId", created_at AS "createdAt", read_at AS "readAt",
              count(*) OVER ()::int AS total
         FROM notifications
        WHERE user_id = $1 AND channel = 'inbox' AND ($2::boolean IS FALSE OR read_at IS NULL)
        ORDER BY (read_at IS NULL) DESC, created_at DESC, id
        LIMIT $3 OFFSET $4`,
      [actor.id, query.unreadOnly, query.pageSize, (query.page - 1) * query.pageSize],
    );
    const unread = await this.unreadCount(actor);
    const total = rows[0]?.total ?? (query.page > 1 ? await this.count(actor.id, query.unreadOnly) : 0);
    return {
      items: rows.map((r) => this.toDto(r, lang)),
      total,
      page: query.page,
      pageSize: query.pageSize,
      unread,
    };
  }

  /** How many of the caller's inbox messages are unread (the home page shows it). */
  async unreadCount(actor: AuthUser): Promise<number> {
    const [{ unread }] = await this.tx.manager.query<{ unread: number }[]>(
      `SELECT count(*)::int AS unread FROM notifications WHERE user_id = $1 AND channel = 'inbox' AND read_at IS NULL`,
      [actor.id],
    );
    return unread;
  }

  async markRead(actor: AuthUser, id: string, lang: Language): Promise<InboxMessageDto> {
    const [row] = await this.tx.manager.query<InboxRow[][]>(
      `UPDATE notifications SET read_at = coalesce(read_at, now())
        WHERE id = $1 AND user_id = $2 AND channel = 'inbox'
        RETURNING id, template, payload, about_id AS "aboutId", created_at AS "createdAt", read_at AS "readAt"`,
      [id, actor.id],
    );
    const updated = row?.[0];
    if (!updated) throw NotificationErrors.notFound();
    return this.toDto(updated, lang);
  }

  async markAllRead(actor: AuthUser): Promise<number> {
    const [, affected] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND channel = 'inbox' AND read_at IS NULL`,
      [actor.id],
    );
    return affected;
  }

  async preferences(actor: AuthUser): Promise<NotificationPreferencesViewDto> {
    const [row] = await this.tx.manager.query<{ email: boolean; sms: boolean }[]>(
      `SELECT email, sms FROM notification_preferences WHERE user_id = $1`,
      [actor.id],
    );
    return {
      email: row?.email ?? true,
      sms: row?.sms ?? true,
      inbox: true,
      hasEmail: !!actor.email,
      hasPhone: !!actor.phone,
    };
  }

  async setPreferences(actor: AuthUser, dto: NotificationPreferencesDto): Promise<NotificationPreferencesViewDto> {
    await this.tx.manager.query(
      `INSERT INTO notification_preferences (user_id, email, sms) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, sms = excluded.sms, updated_at = now()`,
      [actor.id, dto.email, dto.sms],
    );
    return this.preferences(actor);
  }

  private async count(userId: string, unreadOnly: boolean): Promise<number> {
    const [{ n }] = await this.tx.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM notifications
        WHERE user_id = $1 AND channel = 'inbox' AND ($2::boolean IS FALSE OR read_at IS NULL)`,
      [userId, unreadOnly],
    );
    return n;
  }

  private toDto(r: Omit<InboxRow, 'total'>, lang: Language): InboxMessageDto {
    const text = this.templates.render(r.template, lang, r.payload);
    // Instants kept in UTC answer in the centre's offset, like every instant of the API.
    const payload = Object.fromEntries(
      Object.entries(r.payload).map(([k, v]) => [
        k,
        typeof v === 'string' && UTC_INSTANT.test(v) ? (formatInstant(new Date(v), this.env.TZ_DEFAULT) ?? v) : v,
      ]),
    );
    return {
      id: r.id,
      template: r.template,
      title: text.subject,
      body: text.body,
      aboutId: r.aboutId,
      payload,
      createdAt: r.createdAt,
      readAt: r.readAt,
    };
  }
}
