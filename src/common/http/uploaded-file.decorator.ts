import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by @AcceptsUpload(): the route takes multipart/form-data bodies. */
    acceptsUpload?: boolean;
  }
}

/**
 * Marks a route as taking a file upload (multipart/form-data). Every other route answers
 * multipart bodies with 415 (see http-setup.ts), so form fields never stand in for JSON.
 */
export const AcceptsUpload = (): MethodDecorator =>
  applyDecorators(RouteConfig({ acceptsUpload: true }), ApiConsumes('multipart/form-data'));

/**
 * The bytes of one uploaded file from a multipart/form-data body, on a route marked
 * @AcceptsUpload(). @fastify/multipart (registered with `attachFieldsToBody: 'keyValues'`
 * and size limits in app.factory.ts) has already read it, so the Idempotency-Key hash
 * covers the file too.
 */
export const UploadedFileBuffer = createParamDecorator((field: string, ctx: ExecutionContext): Buffer => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.isMultipart()) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'unsupported_media_type', { key: 'UNSUPPORTED_MEDIA_TYPE#file' });
  }
  const value = (request.body as Record<string, unknown> | undefined)?.[field];
  if (!Buffer.isBuffer(value)) {
    throw new DomainError('FILE_REQUIRED', 'invalid', { args: { field } });
  }
  return value;
});
