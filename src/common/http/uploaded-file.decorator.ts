import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

/**
 * The bytes of one uploaded file from a multipart/form-data body. @fastify/multipart
 * (registered with `attachFieldsToBody: 'keyValues'` and size limits in main.ts)
 * has already read it, so the Idempotency-Key hash covers the file too.
 */
export const UploadedFileBuffer = createParamDecorator((field: string, ctx: ExecutionContext): Buffer => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.isMultipart()) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data', 'unsupported_media_type');
  }
  const value = (request.body as Record<string, unknown> | undefined)?.[field];
  if (!Buffer.isBuffer(value)) {
    throw new DomainError('FILE_REQUIRED', `Attach the file in the "${field}" field`, 'invalid');
  }
  return value;
});
