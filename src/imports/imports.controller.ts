import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Headers, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Translator } from '../common/i18n/translator';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { ImportDto } from './dto/import.dto';
import { ImportsService } from './imports.service';
import { rowErrorsInWords } from './imports.types';

@ApiTags('imports')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly translator: Translator,
  ) {}

  @Get(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Follow a background import',
    description: [
      'The admin who started the import (`POST /api/users/import` of more than `IMPORT_ASYNC_ROWS` rows answers ' +
        '`202 {importId}`): its progress while it runs, its result once finished. Poll it every few seconds.',
      '',
      '- `done` counts rows finished (written or reported) and reaches `total`; `created`, `updated`, `failed` ' +
        'and `errors` grow batch by batch.',
      '- Generated passwords are in `credentials` of the **first** read after the import finished, and then ' +
        'erased: later reads say `credentialsShown: true`. Unread, they are erased 24 hours after the end ' +
        '(`credentialsExpired: true`).',
      '- `failed` status: an unexpected error stopped it after retries; rows written before stay written.',
      '',
      '**Errors**: `403 FORBIDDEN`; `404 IMPORT_NOT_FOUND` (no such import, or one another admin started).',
    ].join('\n'),
  })
  @ApiOkResponse({ type: ImportDto })
  @ApiErrors(403, 404)
  async get(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<ImportDto> {
    const view = await this.imports.progress(actor, id);
    const lang = this.translator.languageOf(headers);
    return {
      ...view,
      errors: rowErrorsInWords(this.translator, lang, view.errors),
      ...(view.status === 'failed' ? { error: this.translator.t('errors.IMPORT_FAILED', lang) } : {}),
    };
  }
}
