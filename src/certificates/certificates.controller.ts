import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CertificateIssuingService } from './certificate-issuing.service';
import { CertificatesService } from './certificates.service';
import { CertificateDto, CertificateListDto, CertificateRunDto, RevokeCertificateDto } from './dto/certificate.dto';

@ApiTags('certificates')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly issuing: CertificateIssuingService,
  ) {}

  @Get('me/certificates')
  @Roles('trainee')
  @ApiOperation({
    summary: 'My certificates',
    description:
      "The trainee's own certificates, newest first; revoked ones too, with `status: revoked`, `revokedAt` and " +
      '`revokeReason`. Each has its `pdfUrl` and the `verifyUrl` its QR code holds.\n\n**Errors**: `403 FORBIDDEN`.',
  })
  @ApiOkResponse({ type: CertificateListDto })
  @ApiErrors(403)
  async mine(@CurrentUser() actor: AuthUser): Promise<CertificateListDto> {
    return { items: await this.certificates.mine(actor) };
  }

  @Get('certificates/runs/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Follow a certificate issuing run',
    description:
      'Admins in scope of the class (`POST /api/classes/{id}/certificates/issue` answers `202 {jobId}`): ' +
      '`status` queued, running, done or failed; `done` (= `issued` + `skipped`) reaches `total` batch by batch. ' +
      'Skipped: a certificate was issued meanwhile (another run), or the trainee is no longer eligible.\n\n' +
      '**Errors**: `403 FORBIDDEN`; `404 CERTIFICATE_RUN_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: CertificateRunDto })
  @ApiErrors(403, 404)
  async run(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<CertificateRunDto> {
    return this.issuing.progress(actor, id);
  }

  @Get('certificates/:id')
  @ApiOperation({
    summary: 'A certificate',
    description:
      'Its holder, admins in scope of its class and the class’s trainers; anyone else gets 404.\n\n' +
      '**Errors**: `404 CERTIFICATE_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: CertificateDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<CertificateDto> {
    return this.certificates.get(actor, id);
  }

  @Post('certificates/:id/revoke')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a certificate',
    description:
      'Admins in scope of its class, with a reason (1–500 characters). Kept in the record and the audit trail; ' +
      'public verification then says it is revoked. Issuing to the class again later makes a new certificate ' +
      'with a new serial and code.\n\n' +
      '**Errors**: `400 VALIDATION_FAILED`; `403 FORBIDDEN`; `404 CERTIFICATE_NOT_FOUND`; ' +
      '`409 CERTIFICATE_ALREADY_REVOKED`.',
  })
  @ApiOkResponse({ type: CertificateDto })
  @ApiErrors(403, 404, 409)
  async revoke(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: RevokeCertificateDto,
  ): Promise<CertificateDto> {
    return this.certificates.revoke(actor, id, dto.reason);
  }
}
