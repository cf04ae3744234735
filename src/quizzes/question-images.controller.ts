import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { IMAGE_TYPES } from './question-image.entity';
import { QuestionsService } from './questions.service';

/** True when an If-None-Match header names `etag` (or is `*`); weak and strong tags compare alike. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

@ApiTags('questions')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/question-images')
export class QuestionImagesController {
  constructor(private readonly questions: QuestionsService) {}

  @Get(':id')
  @ApiOperation({
    summary: "A question's picture",
    description:
      "Those who keep the bank of the picture's course, and trainees whose attempt showed it. The PNG or JPEG as " +
      'stored; a picture never changes once stored, so it is cached for a year (`Cache-Control: private, ' +
      'max-age=31536000, immutable`) with an `ETag` (its SHA-256): `If-None-Match` with it answers 304. ' +
      '**Errors**: `404 QUESTION_IMAGE_NOT_FOUND`.',
  })
  @ApiOkResponse({
    description: 'The picture, as stored',
    content: Object.fromEntries(IMAGE_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
  })
  @ApiResponse({ status: 304, description: 'Not modified: the If-None-Match tag is this picture' })
  @ApiErrors(404)
  async get(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | string> {
    const image = await this.questions.image(actor, id);
    const etag = `"${image.sha256}"`;
    void reply.headers({
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'x-content-type-options': 'nosniff',
    });
    if (matches(ifNoneMatch, etag)) {
      void reply.status(304);
      return '';
    }
    void reply.header('content-type', image.mediaType);
    return image.content;
  }
}
