import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { isUUID, validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';

import { sendAsFile } from '../../common/http/download';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { localDate } from '../../common/time/zoned-time';
import { ClassErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { ListClassesQueryDto } from '../../classes/dto/class.dto';
import { CertificateEligibilityService } from '../../certificates/certificate-eligibility.service';
import { CertificateIssuingService, type RunView } from '../../certificates/certificate-issuing.service';
import { CertificatePdfsService } from '../../certificates/certificate-pdfs.service';
import { CertificateErrors } from '../../certificates/certificates.errors';
import { CertificatesService, type CertificateView } from '../../certificates/certificates.service';
import { RevokeCertificateDto } from '../../certificates/dto/certificate.dto';
import { Env } from '../../config/env';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { prefersJson } from '../web-page.filter';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { doneNotice, refusalOf } from './console-common';
import { ConsolePages } from './console-pages.decorator';

/** Completed classes the picker lists (the newest first). */
const CLASSES_LISTED = 100;
/** Certificates read per query while listing a class's (a class seats a few dozen). */
const CERTIFICATE_PAGE = 100;

/**
 * 证书 in the console: the completed classes of the admin's part of the tree; for one, who may
 * have a certificate (CertificateEligibilityService, as `GET /api/classes/:id/certificates/
 * eligibility`), how many are issued and revoked, and every certificate (`GET /api/classes/:id/
 * certificates`); issuing for the class (`POST /api/classes/:id/certificates/issue`, a background
 * run) after a confirmation saying how many, then the run's progress (a `<progress>` a small
 * script keeps up to date from this same address as JSON, or a refresh link); revoking one with
 * a reason (`POST /api/certificates/:id/revoke`); the class's certificates as one PDF for
 * printing and each certificate's PDF (CertificatePdfsService).
 */
@ConsolePages()
@Controller('console/certificates')
export class ConsoleCertificatesController {
  constructor(
    private readonly classes: ClassesService,
    private readonly eligibility: CertificateEligibilityService,
    private readonly issuing: CertificateIssuingService,
    private readonly certificates: CertificatesService,
    private readonly pdfs: CertificatePdfsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly env: Env,
  ) {}

  @Get()
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('classId') rawClassId?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const completed = await this.classes.list(
      actor,
      Object.assign(new ListClassesQueryDto(), { page: 1, pageSize: CLASSES_LISTED, status: 'completed' }),
    );
    let classId = typeof rawClassId === 'string' && rawClassId !== '' ? rawClassId : '';
    if (classId && !isUUID(classId)) throw ClassErrors.notFound();
    classId = classId.toLowerCase();
    const chosen = classId ? await this.classes.getManaged(actor, classId) : undefined;
    const view = {
      title: t('quizzes_certTitle'),
      section: 'certificates' as const,
      done: doneNotice(this.pages, context.lang, 'quizzes_certificateDone_', done),
      classes: completed.items.map((c) => ({
        id: c.entity.id,
        title: c.entity.title,
        selected: c.entity.id === classId,
      })),
      noClasses: completed.items.length === 0,
      cls: chosen ? await this.classView(actor, chosen, context) : null,
    };
    this.pages.send(request, reply, 'console/certificates', context, view);
  }

  /** What issuing will do: how many certificates, and that each holder gets a message. */
  @Get('classes/:id/issue')
  async confirmIssue(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const c = await this.classes.getManaged(request.user!, id);
    await this.showIssue(request, reply, c, 200);
  }

  @FormPost('classes/:id/issue')
  async issue(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const actor = request.user!;
    const c = await this.classes.getManaged(actor, id);
    try {
      const started = await this.issuing.start(actor, c.entity.id);
      void reply.redirect(`/console/certificates/runs/${started.jobId}`, 303);
    } catch (e) {
      const { status, message, next } = refusalOf(this.pages, pageContextOf(request).lang, e, 'quizzes_');
      await this.showIssue(request, reply, c, status, { message, next });
    }
  }

  /** A run's progress: the page, or (to its script, asking for JSON) the numbers. */
  @Get('runs/:id')
  async run(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(CertificateErrors.runNotFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const run = await this.issuing.progress(request.user!, id);
    if (prefersJson(request.headers.accept)) {
      const { status, total, done, issued, skipped } = run;
      void reply.header('cache-control', 'no-store').send({ status, total, done, issued, skipped });
      return;
    }
    const c = await this.classes.getManaged(request.user!, run.classId);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const finished = run.status === 'done' || run.status === 'failed';
    const view = {
      title: t('quizzes_runTitle'),
      section: 'certificates' as const,
      scripts: finished ? [] : ['console-certificates.js'],
      classTitle: c.entity.title,
      run: { ...run, finished, failed: run.status === 'failed', ok: run.status === 'done' },
      statusText: this.runText(run, context),
      runningText: t('quizzes_runRunning', { done: '#D', total: '#T' }),
      self: `/console/certificates/runs/${run.id}`,
      classHref: `/console/certificates?classId=${run.classId}`,
    };
    this.pages.send(request, reply, 'console/certificates-run', context, view);
  }

  @Get(':id/revoke')
  async confirmRevoke(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(CertificateErrors.notFoundById)) id: string,
  ): Promise<void> {
    const cert = await this.certificates.get(request.user!, id);
    await this.showRevoke(request, reply, cert, '', {}, 200);
  }

  @FormPost(':id/revoke')
  async revoke(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(CertificateErrors.notFoundById)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const cert = await this.certificates.get(actor, id);
    const reason = typeof body?.reason === 'string' ? body.reason : '';
    const dto = plainToInstance(RevokeCertificateDto, { reason });
    const problems = await validate(dto);
    if (problems.length > 0) {
      const key = problems[0].constraints?.maxLength ? 'quizzes_err_reasonLong' : 'quizzes_err_reason';
      return this.showRevoke(request, reply, cert, reason, { reason: this.pages.t(context.lang, key) }, 400);
    }
    try {
      await this.certificates.revoke(actor, cert.id, dto.reason);
      void reply.redirect(`/console/certificates?classId=${cert.classId}&done=revoked`, 303);
    } catch (e) {
      const refusal = refusalOf(this.pages, context.lang, e, 'quizzes_');
      await this.showRevoke(request, reply, cert, reason, {}, refusal.status, refusal.message);
    }
  }

  /** Every live certificate of the class in one PDF, a page each, for printing. */
  @Get('classes/:id/certificates.pdf')
  async classPdf(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const { filename, pdf } = await this.pdfs.forClass(request.user!, id);
    sendAsFile(reply, filename, 'application/pdf');
    void reply.header('cache-control', 'no-store').send(pdf);
  }

  @Get(':id/certificate.pdf')
  async certificatePdf(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(CertificateErrors.notFoundById)) id: string,
  ): Promise<void> {
    const { filename, pdf } = await this.pdfs.single(request.user!, id);
    sendAsFile(reply, filename, 'application/pdf');
    void reply.header('cache-control', 'no-store').send(pdf);
  }

  private async showIssue(
    request: PageRequest,
    reply: FastifyReply,
    c: ScopedClass,
    status: number,
    refusal?: { message: string; next: string },
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const { items } = await this.eligibility.forClass(c);
    const count = items.filter((i) => i.eligible).length;
    const completed = c.entity.status === 'completed';
    const view = {
      title: t('quizzes_issueTitle'),
      section: 'certificates' as const,
      classTitle: c.entity.title,
      count,
      lines: completed
        ? count > 0
          ? [t('quizzes_issueWill', { count }), t('quizzes_issueMessages'), t('quizzes_issueLater')]
          : [t('quizzes_issueNobody')]
        : [t('quizzes_issueNotCompleted')],
      canIssue: count > 0 && !refusal,
      refusal,
      action: `/console/certificates/classes/${c.entity.id}/issue`,
      back: `/console/certificates?classId=${c.entity.id}`,
    };
    this.pages.send(request, reply, 'console/certificates-issue', context, view, status);
  }

  private async showRevoke(
    request: PageRequest,
    reply: FastifyReply,
    cert: CertificateView,
    reason: string,
    errors: { reason?: string },
    status: number,
    refusal?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const view = {
      title: t('quizzes_revokeTitle'),
      section: 'certificates' as const,
      cert: this.certificateRow(cert, context),
      reason,
      errors,
      refusal,
      revoked: cert.status === 'revoked',
      action: `/console/certificates/${cert.id}/revoke`,
      back: `/console/certificates?classId=${cert.classId}`,
    };
    this.pages.send(request, reply, 'console/certificates-revoke', context, view, status);
  }

  /** The chosen class: its counts, who is not eligible and why, and every certificate. */
  private async classView(actor: AuthUser, c: ScopedClass, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const [eligibility, certs] = await Promise.all([
      this.eligibility.forClass(c),
      this.allCertificates(actor, c.entity.id),
    ]);
    const live = certs.filter((x) => x.status === 'valid').length;
    const notEligible = eligibility.items.filter((i) => !i.eligible && !i.reasons.includes('ALREADY_CERTIFIED'));
    return {
      id: c.entity.id,
      title: c.entity.title,
      completed: c.entity.status === 'completed',
      status: t(`class_state_${c.entity.status}`),
      toIssue: eligibility.eligible,
      issued: live,
      revoked: certs.length - live,
      issueHref: `/console/certificates/classes/${c.entity.id}/issue`,
      pdfHref: live > 0 ? `/console/certificates/classes/${c.entity.id}/certificates.pdf` : null,
      certificates: certs.map((x) => this.certificateRow(x, context)),
      notEligible: notEligible.map((i) => ({
        name: i.displayName,
        township: i.townshipName,
        attendance: i.attendanceRate === null ? '—' : `${Math.round(i.attendanceRate * 1000) / 10}%`,
        quiz: i.quizPercent === null ? '—' : `${Math.round(i.quizPercent * 10) / 10}%`,
        reasons: this.words.list(
          i.reasons.map((r) => t(`quizzes_reason_${r}`)),
          context.lang,
        ),
      })),
    };
  }

  private certificateRow(x: CertificateView, context: PageContext) {
    const t = (key: string) => this.pages.t(context.lang, key);
    return {
      id: x.id,
      name: x.snapshot.name,
      township: x.snapshot.township ?? '',
      serial: x.serial,
      issuedOn: this.words.dayWithYear(localDate(x.issuedAt, this.env.TZ_DEFAULT), context.lang),
      valid: x.status === 'valid',
      state: t(`quizzes_certState_${x.status}`),
      revokeReason: x.revokeReason,
      revokedOn: x.revokedAt ? this.words.dayWithYear(localDate(x.revokedAt, this.env.TZ_DEFAULT), context.lang) : null,
      pdfHref: `/console/certificates/${x.id}/certificate.pdf`,
      revokeHref: `/console/certificates/${x.id}/revoke`,
    };
  }

  /** Every certificate of the class, page by page of the service's list. */
  private async allCertificates(actor: AuthUser, classId: string): Promise<CertificateView[]> {
    const all: CertificateView[] = [];
    for (let page = 1; ; page++) {
      const found = await this.certificates.listForClass(
        actor,
        classId,
        Object.assign(new PageQueryDto(), { page, pageSize: CERTIFICATE_PAGE }),
      );
      all.push(...found.items);
      if (all.length >= found.total || found.items.length === 0) return all;
    }
  }

  private runText(run: RunView, context: PageContext): string {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    switch (run.status) {
      case 'queued':
        return t('quizzes_runQueued', { total: run.total });
      case 'running':
        return t('quizzes_runRunning', { done: run.done, total: run.total });
      case 'done':
        return t('quizzes_runDone', { issued: run.issued, skipped: run.skipped });
      case 'failed':
        return t('quizzes_runFailed', { done: run.done, total: run.total });
    }
  }
}
