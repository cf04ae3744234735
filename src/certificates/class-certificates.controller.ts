import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CertificateEligibilityService } from './certificate-eligibility.service';
import { CertificateIssuingService } from './certificate-issuing.service';
import { CertificatesService } from './certificates.service';
import {
  CertificatePageDto,
  CertificateRunStartedDto,
  ClassCertificatesQueryDto,
  ClassEligibilityDto,
} from './dto/certificate.dto';

@ApiTags('certificates')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/classes')
export class ClassCertificatesController {
  constructor(
    private readonly eligibility: CertificateEligibilityService,
    private readonly issuing: CertificateIssuingService,
    private readonly certificates: CertificatesService,
  ) {}

  @Get(':id/certificates/eligibility')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: 'Who may have a certificate of a class, and why not',
    description: [
      "Admins in scope and the class's trainers. Every trainee who held a seat (confirmed, completed, or " +
        'withdrawn after being confirmed), by township and name, with `eligible` and every reason against it:',
      '',
      '- `CLASS_NOT_COMPLETED`: the class is not completed yet; `WITHDRAWN`: the trainee left the class;',
      "- `ATTENDANCE_BELOW_THRESHOLD`: attendance points earned / possible over held sessions below the class's " +
        '`attendanceThreshold` (compared exactly; no session held is below);',
      "- `QUIZ_NOT_TAKEN` / `QUIZ_NOT_PASSED`: the class's `requiredQuizId` has no finished attempt, or its " +
        'grade (by the quiz’s grading method) is below its pass mark;',
      '- `ALREADY_CERTIFIED`: the trainee holds a live certificate of the class (`certificateId`).',
      '',
      '**Errors**: `403 FORBIDDEN`; `404 CLASS_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: ClassEligibilityDto })
  @ApiErrors(403, 404)
  async eligible(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassEligibilityDto> {
    return this.eligibility.list(actor, id);
  }

  @Post(':id/certificates/issue')
  @Idempotent()
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Issue a class's certificates",
    description: [
      'Admins in scope, for a completed class. Issues in the background to every eligible trainee without a live ' +
        'certificate: `202 {jobId, status, total}` with `Location: /api/certificates/runs/{jobId}` (the progress). ' +
        'With nobody to issue to, the run is `done` at once with `total: 0`.',
      '',
      '- Each certificate: a snapshot (name, township, course, class, dates, hours, sessions attended / held, ' +
        'attendance rate, required-quiz score, centre), a serial `YYYY-Qn-NNNN` unique per centre (plan year and ' +
        'class quarter; numbers may be skipped, never repeated), a verification code, an `issued` entry in the ' +
        'audit trail and a `certificate-issued` message to the holder.',
      '- Issuing twice, two admins at once, or a retried job never makes two live certificates for one trainee ' +
        'and class (a database constraint): the later ones count as `skipped`.',
      '',
      '**Errors**: `403 FORBIDDEN`; `404 CLASS_NOT_FOUND`; `409 CERTIFICATES_CLASS_NOT_COMPLETED`; ' +
        '`422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiAcceptedResponse({ type: CertificateRunStartedDto })
  @ApiErrors(403, 404, 409, 422)
  async issue(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CertificateRunStartedDto> {
    const started = await this.issuing.start(actor, id);
    void reply.header('Location', `/api/certificates/runs/${started.jobId}`);
    return started;
  }

  @Get(':id/certificates')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A class's certificates",
    description:
      "Admins in scope and the class's trainers: every certificate, revoked ones too (`status`), in issuing " +
      'order, paged; `format=xlsx` downloads all of them (证书编号, 姓名, 乡镇, 课程, 发证日期, 状态, 验证码).\n\n' +
      '**Errors**: `403 FORBIDDEN`; `404 CLASS_NOT_FOUND`.',
  })
  @ApiJsonOrFileResponse(CertificatePageDto, [XLSX_TYPE], 'Paged list; format=xlsx downloads every certificate')
  @ApiErrors(403, 404)
  async list(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: ClassCertificatesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CertificatePageDto | Buffer> {
    if (query.format !== 'xlsx') return this.certificates.listForClass(actor, id, query);
    const { title, file } = await this.certificates.classXlsx(actor, id);
    sendAsFile(reply, `${title}-证书.xlsx`, XLSX_TYPE);
    return file;
  }
}
