import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IdempotencyInterceptor } from './idempotency.interceptor';

export const IDEMPOTENT = 'idempotency:enabled';

/**
 * Marks a creating or changing POST as honouring `Idempotency-Key`. Put on the route,
 * not globally, so reads do not pay for an interceptor (a test checks every such POST has it).
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Retry-safe key: the same key and body replay the first answer; another body is 422',
    }),
  );
