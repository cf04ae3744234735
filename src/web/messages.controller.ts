import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { InboxService } from '../notifications/inbox.service';
import { NotificationErrors } from '../notifications/notifications.errors';
import type { InboxMessageDto } from '../notifications/dto/notification.dto';
import { AreaPages, pager } from './courses-common';
import { LocalWords } from './local-words';
import { type PageContext, PageRenderer } from './page-renderer';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageId } from './page-id.pipe';

/** Messages per page of 消息. */
const PAGE_SIZE = 20;
/** How much of a message's text the list shows. */
const PREVIEW = 60;

/** The start of a message's text for the list, without its greeting (`您好：`, `Hello,`). */
function preview(body: string): string {
  const lines = body.split(/\n+/).filter((l) => l.trim());
  if (lines.length > 1 && lines[0].trim().length <= 12 && /[：:,，]$/.test(lines[0].trim())) lines.shift();
  const text = lines.join(' ');
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

/** Where a message about something leads a trainee (the page of that thing), by template. */
const TRAINEE_LINKS: Record<string, (aboutId: string) => string> = {
  'enrolment-promoted': (id) => `/courses/${id}`,
  'class-cancelled': (id) => `/courses/${id}`,
  'certificate-issued': () => '/certificates',
};

/**
 * 消息 for trainees and trainers (admins read theirs too): the inbox as
 * `GET /api/me/notifications` lists it (InboxService: unread first, newest first within each,
 * in the reader's language, paged), one message per page (opening it marks it read, as
 * `POST /api/me/notifications/:id/read` does), and 全部标为已读 as a form.
 */
@WebPages()
@Controller()
export class MessagesController {
  private readonly area: AreaPages;

  constructor(
    private readonly inbox: InboxService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {
    this.area = new AreaPages(pages);
  }

  @Get('messages')
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('page') rawPage?: string,
    @Query('read') read?: string,
  ): Promise<void> {
    // Every role reads its own messages.
    const start = this.area.listStart(request, reply, '/messages', rawPage);
    if (!start) return;
    const { context, actor, page, t } = start;
    const found = await this.inbox.list(actor, { page, pageSize: PAGE_SIZE, unreadOnly: false }, context.lang);
    const items = found.items.map((m) => ({
      href: `/messages/${m.id}`,
      title: m.title,
      preview: preview(m.body),
      when: this.when(m, context),
      unread: !m.readAt,
    }));
    // After 全部标为已读 (a redirect here): how many it marked.
    const marked =
      read !== undefined && /^\d{1,6}$/.test(read) ? t('messages_markedAll', { count: Number(read) }) : null;
    const view = {
      title: t('messages_title'),
      tab: 'messages' as const,
      items,
      unread: found.unread > 0 ? t('messages_unreadCount', { count: found.unread }) : t('messages_noUnread'),
      hasUnread: found.unread > 0,
      marked,
      pager: pager('/messages', page, PAGE_SIZE, found.total),
    };
    this.pages.send(request, reply, 'messages', context, view);
  }

  /** One message, marked read by being opened. */
  @Get('messages/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(NotificationErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const m = await this.inbox.markRead(request.user!, id, context.lang);
    const link = request.user!.role === 'trainee' && m.aboutId ? TRAINEE_LINKS[m.template]?.(m.aboutId) : undefined;
    const view = {
      title: m.title,
      tab: 'messages' as const,
      message: { title: m.title, when: this.when(m, context), paragraphs: m.body.split(/\n+/).filter(Boolean) },
      link: link ? { href: link, label: this.area.t(context, 'messages_open') } : null,
    };
    this.pages.send(request, reply, 'messages-item', context, view);
  }

  @FormPost('messages/read-all')
  async readAll(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const marked = await this.inbox.markAllRead(request.user!);
    void reply.redirect(`/messages?read=${marked}`, 303);
  }

  private when(m: InboxMessageDto, context: PageContext): string {
    return this.words.dayTime(m.createdAt, context.lang);
  }
}
