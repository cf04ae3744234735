import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
  getSchemaPath,
} from '@nestjs/swagger';

/** One field's problems in a 400 VALIDATION_FAILED answer. */
export class FieldErrorDto {
  @ApiProperty({ example: 'startsAt', description: 'The field, dotted for nested ones (`records.0.status`)' })
  field!: string;

  @ApiProperty({ type: [String], example: ['startsAt 须是带时区的日期时间，例如 2026-10-08T09:00:00+08:00'] })
  messages!: string[];
}

@ApiSchema({
  description:
    'Every error answer. Switch on `code`, never on `message` (written for people, in Chinese unless ' +
    '`Accept-Language` asks for English). Some codes add fields of their own, named in each operation ' +
    '(e.g. `conflictingSessionId` beside SESSION_CONFLICT, `retryAfterSeconds` beside TOO_MANY_LOGIN_ATTEMPTS).',
})
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 409, description: 'The HTTP status again' })
  statusCode!: number;

  @ApiProperty({ example: 'SESSION_CONFLICT', description: 'Stable upper-snake code' })
  code!: string;

  @ApiProperty({ example: '该教师在 2027-01-05 09:00 已有课', description: 'Readable explanation' })
  message!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'VALIDATION_FAILED only: every field that failed, with its problems',
  })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED with `errors`, INVALID_JSON, INVALID_ID, ...)',
  401: 'Missing, expired or revoked token',
  403: 'Your role may not do this',
  404: 'Not found, or outside your part of the organisation',
  409: 'Conflicts with the current state',
  413: 'Body or file too large',
  415: 'The body is not JSON',
  422: 'Idempotency-Key reused with another body (and the codes the operation names)',
  429: 'Too many attempts',
  503: 'A service this step needs is unavailable',
};

/** Documents the error envelope for the given statuses. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
  );
}

/** Documents a `{items, total, page, pageSize}` answer of `model`. */
export function ApiPageResponse(model: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['items', 'total', 'page', 'pageSize'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          total: { type: 'integer', description: 'Items matching, over all pages' },
          page: { type: 'integer', example: 1 },
          pageSize: { type: 'integer', example: 20 },
        },
      },
    }),
  );
}

/**
 * Documents a 200 answer that is JSON (`model`) or, with `format=...`, a file: each
 * content type gets its own schema, so the file types do not claim to be JSON.
 */
export function ApiJsonOrFileResponse(model: Type<unknown>, fileTypes: string[], description: string): MethodDecorator {
  const file = { schema: { type: 'string', format: 'binary' } };
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      description,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(model) } },
        ...Object.fromEntries(fileTypes.map((t) => [t, file])),
      },
    }),
  );
}

/** Documents a 200 answer that is a file of `contentType`: binary (a PDF) unless `text` (an iCalendar feed). */
export function ApiFileResponse(contentType: string, description: string, text = false): MethodDecorator {
  const schema = text ? { type: 'string' } : { type: 'string', format: 'binary' };
  return ApiOkResponse({ description, content: { [contentType]: { schema } } });
}
