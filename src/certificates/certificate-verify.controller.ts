import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { CertificateVerifyPageFilter } from './certificate-verify-page.filter';
import { CertificateVerifyPage, prefersHtml, setVerifyHeaders } from './certificate-verify.page';
import { CertificateVerifyService } from './certificate-verify.service';
import { CertificateVerificationDto } from './dto/certificate-verification.dto';

@ApiTags('certificates')
@Controller('api/certificates')
export class CertificateVerifyController {
  constructor(
    private readonly verification: CertificateVerifyService,
    private readonly page: CertificateVerifyPage,
  ) {}

  /** The address a certificate's QR code holds: anyone may check a certificate, without signing in. */
  @Public()
  @Get('verify/:code')
  @UseFilters(CertificateVerifyPageFilter)
  @ApiOperation({
    summary: 'Verify a certificate (public)',
    description: [
      "**Public.** The address a certificate's QR code holds. Answers whether the certificate with this " +
        "verification code stands, with the holder's name masked (surname and last character: 王*明, 欧阳*明, " +
        '张*; other scripts J***), their township, the course, class, issuing centre and issue date (local ' +
        'dates), and, once revoked, `valid: false` with the revocation date and reason.',
      '',
      '- The code is read as people type it: case, spaces and dashes do not matter; O is read as 0, I and L ' + 'as 1.',
      '- A browser (`Accept: text/html` preferred over JSON, as phones send after scanning) gets a plain ' +
        'Chinese page at the same address: 证书有效, 证书已撤销 (with date and reason) or 查无此证书 (404).',
      '- Every answer carries `Vary: Accept`, `Cache-Control: no-store` and `X-Robots-Tag: noindex`.',
      '- Lookups are limited per client address (`CERTIFICATE_VERIFY_PER_MINUTE`, 30 a minute by default); ' +
        'without Redis they are not limited.',
      '',
      '**Errors**: `404 CERTIFICATE_NOT_FOUND`, alike for an unknown code and for text that cannot be a ' +
        'code; `429 TOO_MANY_VERIFICATIONS` with `retryAfterSeconds` and `Retry-After`.',
    ].join('\n'),
  })
  @ApiParam({ name: 'code', description: 'The verification code as printed', example: '7K3Q-M9XD-0A1B-ZZ22-PQRS' })
  @ApiExtraModels(CertificateVerificationDto)
  @ApiOkResponse({
    description: 'The certificate as the public may see it (JSON), or the page for browsers',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(CertificateVerificationDto) } },
      'text/html': { schema: { type: 'string' } },
    },
  })
  @ApiErrors(404, 429)
  async verify(
    @Param('code') code: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CertificateVerificationDto | string> {
    setVerifyHeaders(reply);
    const certificate = await this.verification.verify(code, request.ip);
    return prefersHtml(request.headers.accept) ? this.page.reply(reply, { kind: 'found', certificate }) : certificate;
  }
}
