import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENCY_OPTIONS, IdempotencyInterceptor, type IdempotentOptions } from './idempotency.interceptor';

export const IDEMPOTENT = 'idempotency:enabled';

/**
 * Marks a creating or changing POST as honouring `Idempotency-Key`. Put on the route,
 * not globally, so reads do not pay for an interceptor (a test checks every such POST has it).
 * `redact` names answer fields that hold secrets: a replay answers them empty.
 */
export const Idempotent = (options: IdempotentOptions = {}): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENCY_OPTIONS, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Retry-safe key: the same key and body replay the first answer; another body is 422',
    }),
  );
