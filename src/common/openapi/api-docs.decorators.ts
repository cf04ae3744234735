import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export class ErrorResponseDto {
  @ApiProperty({ example: 409 })
  statusCode!: number;

  @ApiProperty({ example: 'TOWNSHIP_QUOTA_FULL', description: 'Stable upper-snake code' })
  code!: string;

  @ApiProperty({ example: 'A readable explanation' })
  message!: string;

  @ApiPropertyOptional({
    description: 'Field or row errors, when there are several',
    type: 'array',
    items: { type: 'object' },
  })
  errors?: unknown[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, INVALID_JSON, INVALID_ID, ...)',
  401: 'Missing, expired or revoked token',
  403: 'Your role may not do this',
  404: 'Not found, or outside your part of the organisation',
  409: 'Conflicts with the current state',
  413: 'Body or file too large',
  415: 'The body is not JSON',
  422: 'Idempotency-Key reused with another body',
  429: 'Too many attempts',
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
          total: { type: 'integer' },
          page: { type: 'integer' },
          pageSize: { type: 'integer' },
        },
      },
    }),
  );
}
