import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile } from '../common/http/download';
import { ApiErrors, ApiFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CertificatePdfsService } from './certificate-pdfs.service';

@ApiTags('certificates')
@ApiBearerAuth()
@ApiErrors(401, 404, 503)
@Controller('api')
export class CertificatePdfsController {
  constructor(private readonly pdfs: CertificatePdfsService) {}

  @Get('certificates/:id/pdf')
  @Roles('admin', 'trainer', 'trainee')
  @ApiOperation({
    summary: 'A certificate (PDF)',
    description:
      'Its holder, and admins whose part of the tree holds its class; anyone else 404. One A4 landscape page in ' +
      "the design that applies to the class's unit: the snapshot as issued, the serial, the verification code " +
      'and a QR code of PUBLIC_BASE_URL + `/api/certificates/verify/<code>`; text is text (the Chinese font ' +
      'embedded). A revoked certificate still downloads, marked 已撤销 across the page with its date and ' +
      'reason. **Errors**: `404 CERTIFICATE_NOT_FOUND`; `503 PDF_FONT_UNAVAILABLE` (the server lacks the Chinese font).',
  })
  @ApiFileResponse('application/pdf', 'The certificate, 结业证书-<serial>.pdf')
  async single(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const { filename, pdf } = await this.pdfs.single(actor, id);
    sendAsFile(reply, filename, 'application/pdf');
    return pdf;
  }

  @Get('classes/:id/certificates.pdf')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: 'Every certificate of a class, for printing (PDF)',
    description:
      "Admins whose part of the tree holds the class, and the class's trainers. Every live (not revoked) " +
      'certificate, one page each in serial order, in one PDF. **Errors**: `403 FORBIDDEN` (trainees); ' +
      '`404 CLASS_NOT_FOUND`; `404 CLASS_HAS_NO_CERTIFICATES` (none issued, or all revoked); `503 PDF_FONT_UNAVAILABLE`.',
  })
  @ApiFileResponse('application/pdf', "The class's certificates, <class>-结业证书.pdf")
  @ApiErrors(403)
  async forClass(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const { filename, pdf } = await this.pdfs.forClass(actor, id);
    sendAsFile(reply, filename, 'application/pdf');
    return pdf;
  }
}
