import { Controller, Delete, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile } from '../common/http/download';
import { AcceptsUpload, UploadedFileBuffer } from '../common/http/uploaded-file.decorator';
import { ApiErrors, ApiFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CertificateTemplatesService } from './certificate-templates.service';
import { CertificateTemplateDto } from './dto/certificate-template.dto';

const WHO = 'Admins whose part of the tree holds the unit; others 404 ORG_UNIT_NOT_FOUND (trainers and trainees 403).';
const APPLIES =
  "A class's certificates use the nearest unit at or above its plan's unit that has a design, seal or logo of " +
  'its own, as a whole (its design, or the default when it only has a seal or logo).';
const FILE = {
  schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
};

@ApiTags('certificates')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Roles('admin')
@Controller('api/org-units/:id/certificate-template')
export class CertificateTemplatesController {
  constructor(private readonly templates: CertificateTemplatesService) {}

  @Get()
  @ApiOperation({
    summary: "A unit's certificate design",
    description: `${WHO} Its own design's source (or the default's, \`custom: false\`) and whether it has a seal and logo. ${APPLIES}`,
  })
  @ApiOkResponse({ type: CertificateTemplateDto })
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.own(actor, id));
  }

  @Get('preview.pdf')
  @ApiOperation({
    summary: 'A sample certificate with the design that applies at the unit (PDF)',
    description: `${WHO} One page with sample data. **Errors**: \`503 PDF_FONT_UNAVAILABLE\`.`,
  })
  @ApiFileResponse('application/pdf', 'One sample certificate')
  @ApiErrors(503)
  async preview(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const pdf = await this.templates.preview(actor, id);
    sendAsFile(reply, '结业证书-样张.pdf', 'application/pdf');
    return pdf;
  }

  @Put()
  @AcceptsUpload()
  @ApiOperation({
    summary: "Set a unit's certificate design",
    description: [
      `${WHO} An SVG page (A4 landscape) with Handlebars fields, UTF-8, at most 512 KB, in the multipart field ` +
        '`file`; the fields and placeholders are described in templates/certificates/README.md. ' +
        APPLIES,
      '',
      'Checked before it is kept: well-formed XML with an <svg> root; no DOCTYPE or entities, processing ' +
        'instructions, <script>, `on…` attributes, <foreignObject>, animations or embedded documents; every ' +
        'href a `#fragment` (an <image> may also use `{{seal}}` or `{{logo}}`), every `url()` a `url(#…)`, no ' +
        '`@import`; only the listed fields, `{{#if field}}`/`{{#unless field}}` and `{{fit field width size}}`, ' +
        'always escaped (no `{{{…}}}`, partials or other helpers); then it is drawn once with sample data, ' +
        'and anything the PDF renderer cannot draw fails the upload.',
      '',
      '**Errors**: `400 CERTIFICATE_TEMPLATE_INVALID` with `reason` (too_large, malformed, not_svg, doctype, ' +
        'processing_instruction, script, event_handler, foreign_object, forbidden_element, external_reference, ' +
        'handlebars, unknown_field, render) and `detail`; `400 FILE_REQUIRED`; `413 PAYLOAD_TOO_LARGE`; ' +
        '`415 UNSUPPORTED_MEDIA_TYPE`; `503 PDF_FONT_UNAVAILABLE`.',
    ].join('\n'),
  })
  @ApiBody({ description: 'The SVG template', ...FILE })
  @ApiOkResponse({ type: CertificateTemplateDto })
  @ApiErrors(400, 413, 415, 503)
  async putSvg(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @UploadedFileBuffer('file') file: Buffer,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.putSvg(actor, id, file));
  }

  @Delete()
  @ApiOperation({
    summary: "Remove a unit's own certificate design",
    description: `${WHO} Back to the default design (the seal and logo stay). ${APPLIES}`,
  })
  @ApiOkResponse({ type: CertificateTemplateDto })
  async removeSvg(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.remove(actor, id, 'svg'));
  }

  @Put('seal')
  @AcceptsUpload()
  @ApiOperation({
    summary: "Set a unit's seal",
    description:
      `${WHO} A PNG or JPEG (told by its bytes) of at most 1 MB (1,048,576 bytes) in the multipart field \`file\`; ` +
      'a PNG with transparency prints best. Drawn where the design has `<image href="{{seal}}">`. **Errors**: ' +
      '`400 CERTIFICATE_IMAGE_INVALID`; `400 FILE_REQUIRED`; `413 CERTIFICATE_IMAGE_TOO_LARGE`; `415 UNSUPPORTED_MEDIA_TYPE`.',
  })
  @ApiBody({ description: 'The seal, PNG or JPEG, at most 1 MB', ...FILE })
  @ApiOkResponse({ type: CertificateTemplateDto })
  @ApiErrors(400, 413, 415)
  async putSeal(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @UploadedFileBuffer('file') file: Buffer,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.putImage(actor, id, 'seal', file));
  }

  @Delete('seal')
  @ApiOperation({ summary: "Remove a unit's seal", description: WHO })
  @ApiOkResponse({ type: CertificateTemplateDto })
  async removeSeal(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.remove(actor, id, 'seal'));
  }

  @Put('logo')
  @AcceptsUpload()
  @ApiOperation({
    summary: "Set a unit's logo",
    description:
      `${WHO} As the seal: PNG or JPEG, at most 1 MB, multipart field \`file\`; drawn where the design has ` +
      '`<image href="{{logo}}">`. **Errors**: as for the seal.',
  })
  @ApiBody({ description: 'The logo, PNG or JPEG, at most 1 MB', ...FILE })
  @ApiOkResponse({ type: CertificateTemplateDto })
  @ApiErrors(400, 413, 415)
  async putLogo(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @UploadedFileBuffer('file') file: Buffer,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.putImage(actor, id, 'logo', file));
  }

  @Delete('logo')
  @ApiOperation({ summary: "Remove a unit's logo", description: WHO })
  @ApiOkResponse({ type: CertificateTemplateDto })
  async removeLogo(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<CertificateTemplateDto> {
    return CertificateTemplateDto.from(await this.templates.remove(actor, id, 'logo'));
  }
}
