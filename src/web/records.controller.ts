import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CertificatePdfsService } from '../certificates/certificate-pdfs.service';
import { CertificateErrors } from '../certificates/certificates.errors';
import { CertificatesService } from '../certificates/certificates.service';
import { sendAsFile } from '../common/http/download';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { AttemptsService } from '../quizzes/attempts.service';
import { MyAttemptsQueryDto } from '../quizzes/dto/attempt.dto';
import { AreaPages, pager } from './courses-common';
import { LocalWords, scoreText } from './local-words';
import { PageRenderer } from './page-renderer';
import { WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';

/** Attempts per page of 成绩. */
const PAGE_SIZE = 20;

/**
 * 成绩 and 证书 for trainees. 成绩 lists their quiz attempts as `GET /api/me/attempts` does
 * (AttemptsService.mine, which closes overdue attempts first): the score once finished, never
 * the right answers (the review policy shows those on the quiz's own review, and only after it
 * closed). 证书 lists their certificates as `GET /api/me/certificates` does, with the public
 * verification address and a PDF download: `/certificates/:id.pdf` streams what
 * `GET /api/certificates/:id/pdf` sends, for the cookie session (a link cannot carry a bearer
 * token), with the same Chinese file name (RFC 5987/8187).
 */
@WebPages()
@Controller()
export class RecordsController {
  private readonly area: AreaPages;

  constructor(
    private readonly attempts: AttemptsService,
    private readonly certificates: CertificatesService,
    private readonly pdfs: CertificatePdfsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {
    this.area = new AreaPages(pages);
  }

  @Get('results')
  @PageRoles(['trainee'], 'results_forTrainees')
  async results(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('page') rawPage?: string,
  ): Promise<void> {
    const start = this.area.listStart(request, reply, '/results', rawPage);
    if (!start) return;
    const { context, actor, page, t } = start;
    const found = await this.attempts.mine(
      actor,
      Object.assign(new MyAttemptsQueryDto(), { page, pageSize: PAGE_SIZE }),
    );
    const now = this.clock.now();
    const items = found.items.map((a) => {
      const finished = a.status === 'finished';
      return {
        id: a.id,
        quizTitle: a.quizTitle,
        number: t('results_attemptNumber', { number: a.number }),
        when: this.words.dayTime(a.finishedAt ?? a.startedAt, context.lang, now),
        finished,
        score: finished
          ? t('results_score', { score: a.score === null ? '' : scoreText(a.score), max: scoreText(a.maxScore) })
          : null,
        verdict: !finished ? t('results_inProgress') : a.passed ? t('results_passed') : t('results_notPassed'),
        passed: finished && a.passed === true,
        byDeadline: finished && a.finishedBy === 'deadline' ? t('results_byDeadline') : null,
      };
    });
    const view = {
      title: t('results_title'),
      tab: 'me' as const,
      items,
      pager: pager('/results', page, PAGE_SIZE, found.total),
    };
    this.pages.send(request, reply, 'results', context, view);
  }

  /**
   * Not paged, as `GET /api/me/certificates` is not: one live certificate per class and trainee
   * (`ux_certificates_live`, revoked ones stay listed) keeps it to the classes a trainee completed.
   */
  @Get('certificates')
  @PageRoles(['trainee'], 'certs_forTrainees')
  async certificateList(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const now = this.clock.now();
    const t = (key: string, args = {}) => this.area.t(context, key, args);
    const items = (await this.certificates.mine(actor)).map((c) => ({
      id: c.id,
      classTitle: c.snapshot.classTitle,
      course: c.snapshot.course,
      dates: this.words.days(c.snapshot.startDate, c.snapshot.endDate, context.lang, now),
      serial: c.serial,
      code: c.code,
      issued: this.words.dayOf(c.issuedAt, context.lang, now),
      revoked: c.status === 'revoked',
      revokedText: c.revokedAt ? t('certs_revoked', { date: this.words.dayOf(c.revokedAt, context.lang, now) }) : null,
      pdf: `/certificates/${c.id}.pdf`,
      pdfLabel: t('certs_download', { serial: c.serial }),
      verifyUrl: c.verifyUrl,
    }));
    const view = { title: t('certs_title'), tab: 'me' as const, items };
    this.pages.send(request, reply, 'certificates', context, view);
  }

  /** The PDF for the signed-in holder: the same file and name as `GET /api/certificates/:id/pdf`. */
  @Get('certificates/:id.pdf')
  @PageRoles(['trainee'], 'certs_forTrainees')
  async pdf(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(CertificateErrors.notFoundById)) id: string,
  ): Promise<void> {
    const actor = request.user!;
    const { filename, pdf } = await this.pdfs.single(actor, id);
    sendAsFile(reply, filename, 'application/pdf');
    void reply.header('cache-control', 'private, no-store').send(pdf);
  }
}
