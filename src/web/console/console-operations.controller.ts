import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { QUEUE_NAMES, QUEUES } from '../../common/queue/queues';
import { type FailedJob, type QueueState, QueuesService } from '../../health/queues.service';
import { HealthService } from '../../health/health.service';
import { FailedQueryDto } from '../../notifications/dto/notification.dto';
import { NotificationErrors } from '../../notifications/notifications.errors';
import { NotificationsService } from '../../notifications/notifications.service';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consolePager, doneNotice, pageParam } from './console-common';

/** Failed jobs shown per queue (the newest). */
const FAILED_JOBS_SHOWN = 20;
/** Failed messages per page. */
const MESSAGES_PAGE_SIZE = 20;
/** The `?done=` notices (`ops_done_<key>`) that are not good news. */
const WARN_NOTICES = new Set(['jobGone']);

/**
 * 运行 in the console, an equal view of what bull-board would show (which needs inline scripts
 * the pages' CSP forbids, and weighs more than the console's 120 KB): whether PostgreSQL and
 * Redis answer (the checks of /health), the job queues with their counts (as `GET
 * /api/admin/queues`, for every admin as there: the queues are the whole system's), each
 * queue's latest failed jobs with why they failed and a retry, and the failed messages of the
 * admin's part of the tree (as `GET /api/admin/notifications?status=failed`) with a retry
 * (NotificationsService.retry, as `POST /api/admin/notifications/:id/retry`). Retrying is
 * harmless (no confirmation): a job reloads its state and skips what no longer applies.
 */
@ConsolePages()
@Controller('console')
export class ConsoleOperationsController {
  constructor(
    private readonly queues: QueuesService,
    private readonly health: HealthService,
    private readonly notifications: NotificationsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
  ) {}

  @Get('operations')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const done = typeof query.done === 'string' ? query.done : undefined;
    await this.render(request, reply, pageParam(query.page) ?? 1, { done });
  }

  /** Runs a failed job again (fields `queue`, `jobId`: the ids are the queues', not UUIDs). */
  @FormPost('operations/jobs/retry')
  async retryJob(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const queue = body?.queue ?? '';
    const jobId = body?.jobId ?? '';
    // A message's delivery is retried as the message (below): its job alone would skip a failed message.
    const outcome =
      QUEUE_NAMES.includes(queue as never) && queue !== QUEUES.notifications && jobId
        ? await this.queues.retryFailed(queue, jobId)
        : 'notFailed';
    void reply.redirect(`/console/operations?done=${outcome === 'retried' ? 'jobRetried' : 'jobGone'}#jobs`, 303);
  }

  @FormPost('operations/messages/:id/retry')
  async retryMessage(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(NotificationErrors.notFound)) id: string,
  ): Promise<void> {
    try {
      await this.notifications.retry(request.user!, id);
    } catch (e) {
      // Already sent again by someone else, or sent: said on the page, with everything else as it is.
      if (!(e instanceof DomainError) || e.code !== 'NOTIFICATION_NOT_FAILED') throw e;
      const refusal = this.pages.refusal(pageContextOf(request).lang, e, 'ops_');
      return this.render(request, reply, 1, { refusal }, ERROR_KIND_STATUS[e.kind]);
    }
    void reply.redirect('/console/operations?done=messageRetried#messages', 303);
  }

  private async render(
    request: PageRequest,
    reply: FastifyReply,
    page: number,
    notice: { done?: string; refusal?: { message: string; next: string } },
    status = 200,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const unreadable = (e: unknown) => {
      if (e instanceof DomainError && e.code === 'SERVICE_UNAVAILABLE') return null;
      throw e;
    };
    const [parts, states, failed, messages] = await Promise.all([
      this.health.parts(),
      this.queues.states().catch(unreadable),
      this.queues.failedJobs(FAILED_JOBS_SHOWN).catch(unreadable),
      this.notifications.listForAdmin(
        request.user!,
        Object.assign(new FailedQueryDto(), { page, pageSize: MESSAGES_PAGE_SIZE, status: 'failed' }),
      ),
    ]);
    const done = doneNotice(this.pages, context.lang, 'ops_done_', notice.done);
    this.pages.send(
      request,
      reply,
      'console/operations',
      context,
      {
        title: t('ops_operations_title'),
        section: 'operations',
        done: done && { text: done, ok: !WARN_NOTICES.has(notice.done!) },
        refusal: notice.refusal,
        health: (['postgres', 'redis'] as const).map((part) => ({
          name: t(`ops_health_${part}`),
          up: parts[part],
          text: t(parts[part] ? 'ops_health_up' : 'ops_health_down'),
        })),
        allUp: parts.postgres && parts.redis,
        queues: states && this.queueRows(states, context),
        noWorker: !!states && states.every((s) => s.workers === 0),
        failedJobs: failed && this.failedGroups(failed, context),
        messages: messages.items.map((m) => ({
          id: m.id,
          to: m.displayName,
          channel: t(`ops_channel_${m.channel}`),
          template: this.pages.has(context.lang, `ops_template_${m.template}`)
            ? t(`ops_template_${m.template}`)
            : m.template,
          attempts: m.attempts,
          failedAt: m.failedAt ? this.words.dayTime(new Date(m.failedAt), context.lang) : '',
          reason: m.lastError ?? '',
          action: `/console/operations/messages/${m.id}/retry`,
          retryLabel: t('ops_messages_retryOne', { name: m.displayName }),
        })),
        messagesTotal: messages.total,
        messagesPager: consolePager('/console/operations', {}, messages),
      },
      status,
    );
  }

  private queueRows(states: QueueState[], context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    return states.map((s) => ({
      name: t(`ops_queue_${s.name}`),
      key: s.name,
      waiting: s.counts.waiting + s.counts.prioritized + s.counts['waiting-children'],
      active: s.counts.active,
      delayed: s.counts.delayed,
      failed: s.counts.failed,
      completed: s.counts.completed,
      workers: s.workers === null ? t('ops_queues_workersUnknown') : s.workers,
      oldest:
        s.oldestWaitingSeconds === null
          ? ''
          : t('ops_queues_oldest', { minutes: Math.ceil(s.oldestWaitingSeconds / 60) }),
      warn: s.counts.failed > 0,
    }));
  }

  private failedGroups(jobs: FailedJob[], context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    return QUEUE_NAMES.map((queue) => ({
      queue,
      name: t(`ops_queue_${queue}`),
      messages: queue === QUEUES.notifications,
      jobs: jobs
        .filter((j) => j.queue === queue)
        .map((j) => ({
          id: j.id,
          name: j.name,
          attempts: j.attempts,
          failedAt: j.failedAt ? this.words.dayTime(j.failedAt, context.lang) : '',
          reason: j.reason,
          retryLabel: t('ops_jobs_retryOne', { name: j.name, id: j.id }),
        })),
    })).filter((g) => g.jobs.length > 0);
  }
}
