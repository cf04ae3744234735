import { Body, Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PersonTimesService } from '../attendance/person-times.service';
import type { AuthUser } from '../common/auth/auth-user';
import type { Language } from '../common/i18n/i18n.loader';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { InboxService } from '../notifications/inbox.service';
import type { FormFields } from './forms';
import { PageRenderer } from './page-renderer';
import { isTextSize, setTextSize, TEXT_SIZES, textSizeOf } from './text-size';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { LocalWords } from './local-words';

/** One class on the learning record. */
interface RecordRow {
  title: string;
  dates: string;
  status: string;
  attended: number;
  held: number;
}

/**
 * 我的: a trainee's learning record (classes, sessions attended, person-times, links to 成绩 and
 * 证书), and for everyone the text size, which messages come by SMS and e-mail, the password and
 * signing out. The record comes from the services the API uses (`GET /api/me/enrolments`'s
 * EnrolmentsService.mine, person-times counted as the reports count them); the preferences are
 * `GET/PUT /api/me/notification-preferences`'s.
 */
@WebPages()
@Controller()
export class MeController {
  constructor(
    private readonly enrolments: EnrolmentsService,
    private readonly personTimes: PersonTimesService,
    private readonly inbox: InboxService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('me')
  async me(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const { lang } = context;
    const done = (request.query as Record<string, unknown> | undefined)?.done;
    const current = textSizeOf(request);
    const view = {
      title: this.pages.t(lang, 'me_title'),
      tab: 'me' as const,
      done: done === 'password' || done === 'reset' ? this.pages.t(lang, `me_done_${done}`) : undefined,
      trainee: actor.role === 'trainee' ? await this.record(actor, lang) : undefined,
      sizes: TEXT_SIZES.map((size) => ({
        value: size,
        label: this.pages.t(lang, `me_size_${size}`),
        current: size === current,
      })),
      currentSize: this.pages.t(lang, `me_size_${current}`),
      channels: await this.channelSummary(actor, lang),
    };
    this.pages.send(request, reply, 'me', { ...context, textSize: current }, view);
  }

  /** One tap: keeps the text size on this phone (a cookie) and shows 我的 again in it. */
  @FormPost('me/text-size')
  textSize(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): void {
    const context = pageContextOf(request);
    if (!isTextSize(body.size)) {
      const view = {
        title: this.pages.t(context.lang, 'me_sizeHeading'),
        heading: this.pages.t(context.lang, 'me_sizeHeading'),
        lines: [this.pages.t(context.lang, 'me_sizeUnknown')],
        action: { href: '/me#text-size', label: this.pages.t(context.lang, 'me_backToMe') },
        tab: 'me' as const,
      };
      this.pages.send(request, reply, 'message', context, view, 400);
      return;
    }
    setTextSize(request, reply, body.size);
    void reply.redirect('/me#text-size', 303);
  }

  /** 消息设置: which channels besides the inbox (SMS, e-mail) bring my messages. */
  @Get('me/messages')
  async messagesForm(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const saved = (request.query as Record<string, unknown> | undefined)?.saved === '1';
    await this.showMessages(request, reply, saved);
  }

  /** Saves the choices (a box left unticked is "no"), as `PUT /api/me/notification-preferences` does. */
  @FormPost('me/messages')
  async saveMessages(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const actor = request.user!;
    const before = await this.inbox.preferences(actor);
    const ticked = (name: string) => body[name] === 'on' || body[name] === '1';
    await this.inbox.setPreferences(actor, {
      sms: ticked('sms'),
      // Without e-mail set up the choice is not shown: what was chosen stays.
      email: this.env.SMTP_URL ? ticked('email') : before.email,
    });
    void reply.redirect('/me/messages?saved=1', 303);
  }

  private async showMessages(request: PageRequest, reply: FastifyReply, saved: boolean): Promise<void> {
    const context = pageContextOf(request);
    const prefs = await this.inbox.preferences(request.user!);
    const view = {
      title: this.pages.t(context.lang, 'me_messagesTitle'),
      tab: 'me' as const,
      saved,
      prefs,
      emailOffered: !!this.env.SMTP_URL,
    };
    this.pages.send(request, reply, 'me-messages', context, view);
  }

  /** What 我的 says about the channels: 短信：收 · 邮件：不收. */
  private async channelSummary(actor: AuthUser, lang: Language): Promise<string> {
    const prefs = await this.inbox.preferences(actor);
    const state = (on: boolean, reachable: boolean) =>
      this.pages.t(lang, !reachable ? 'me_channelNone' : on ? 'me_channelOn' : 'me_channelOff');
    const parts = [this.pages.t(lang, 'me_channelSms', { state: state(prefs.sms, prefs.hasPhone) })];
    if (this.env.SMTP_URL) {
      parts.push(this.pages.t(lang, 'me_channelEmail', { state: state(prefs.email, prefs.hasEmail) }));
    }
    return parts.join(lang === 'zh-CN' ? '；' : '; ');
  }

  /** The classes a trainee took part in (not those withdrawn from), newest first, with attendance. */
  private async record(actor: AuthUser, lang: Language) {
    const now = this.clock.now();
    const list = (await this.enrolments.mine(actor)).filter(({ e }) => e.status !== 'withdrawn');
    const attended = await this.personTimes.byClassOfTrainee(
      actor.id,
      list.map(({ e }) => e.classId),
    );
    const classes: RecordRow[] = list.map(({ e, class: c, sessions }) => ({
      title: c.title,
      dates: this.pages.t(lang, 'me_classDates', {
        from: this.words.dayWithYear(c.startDate, lang),
        to: this.words.dayWithYear(c.endDate, lang),
      }),
      status: this.pages.t(lang, `me_enrolment_${e.status}`),
      attended: attended.get(e.classId) ?? 0,
      held: sessions.filter((s) => s.status === 'scheduled' && s.startsAt <= now).length,
    }));
    const personTimes = classes.reduce((sum, c) => sum + c.attended, 0);
    return { classes, personTimes, classCount: classes.length };
  }
}
