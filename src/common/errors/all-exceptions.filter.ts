import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { DomainError, ERROR_KIND_STATUS } from './domain-error';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  [extra: string]: unknown;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (body parsing, content type, size) get codes of ours. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
};

/**
 * Values PostgreSQL refuses that validation should have refused first: not null (23502),
 * check (23514), bad character (22021), number out of range (22003), string too long
 * (22001). The client sent them, so 400; logged, so the missing validation gets added.
 */
const INVALID_VALUE_SQLSTATES = new Set(['23502', '23514', '22021', '22003', '22001']);

function isFastifyError(e: unknown): e is Error & { code: string; statusCode: number } {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { statusCode?: unknown }).statusCode === 'number'
  );
}

/**
 * The one place errors become HTTP answers: `{statusCode, code, message}`.
 * Unknown errors are logged and answered with a plain 500: no stack, no SQL.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception);
    // The request's own logger carries the request id.
    const log = http.getRequest<Partial<FastifyRequest>>().log;
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      if (log) log.error({ err: exception }, 'Unhandled error');
      else this.logger.error({ err: exception, msg: 'Unhandled error' });
    } else if (exception instanceof QueryFailedError) {
      if (log) log.warn({ err: exception }, 'The database refused a request');
      else this.logger.warn({ err: exception, msg: 'The database refused a request' });
    }
    if (typeof body.retryAfterSeconds === 'number') void reply.header('retry-after', String(body.retryAfterSeconds));
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: ERROR_KIND_STATUS[exception.kind],
        code: exception.code,
        message: exception.message,
        ...exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null) {
        const r = response as Record<string, unknown>;
        const { statusCode: _s, message, code, ...rest } = r;
        // Nest puts a status phrase in `error`; terminus puts the failing checks there: keep only the latter.
        if (typeof rest.error === 'string') delete rest.error;
        const down = rest.error && typeof rest.error === 'object' ? Object.keys(rest.error) : [];
        return {
          ...rest,
          statusCode: status,
          code: typeof code === 'string' ? code : (DEFAULT_CODES[status] ?? 'ERROR'),
          message: Array.isArray(message)
            ? message.join('; ')
            : typeof message === 'string'
              ? message
              : down.length > 0
                ? `Down: ${down.join(', ')}`
                : exception.message,
        };
      }
      return { statusCode: status, code: DEFAULT_CODES[status] ?? 'ERROR', message: String(response) };
    }
    if (exception instanceof QueryFailedError) {
      // A constraint the service should have caught first; report as a conflict without SQL text.
      const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
      if (pgCode === '23505' || pgCode === '23503' || pgCode === '23P01') {
        return { statusCode: 409, code: 'CONFLICT', message: 'The change conflicts with existing data' };
      }
      if (pgCode === '22P02' || pgCode === '22007' || pgCode === '22008') {
        return { statusCode: 400, code: 'BAD_REQUEST', message: 'A value has the wrong format' };
      }
      if (pgCode !== undefined && INVALID_VALUE_SQLSTATES.has(pgCode)) {
        return { statusCode: 400, code: 'INVALID_VALUE', message: 'A value is missing, too long or not allowed' };
      }
    }
    if (isFastifyError(exception) && exception.statusCode >= 400 && exception.statusCode < 500) {
      const status = exception.statusCode;
      const code =
        FASTIFY_CODES[exception.code] ??
        (exception.code.startsWith('FST_ERR_CTP') || exception instanceof SyntaxError ? 'INVALID_JSON' : undefined) ??
        DEFAULT_CODES[status] ??
        'BAD_REQUEST';
      return { statusCode: status, code, message: exception.message };
    }
    if (exception instanceof SyntaxError && (exception as { statusCode?: number }).statusCode === 400) {
      return { statusCode: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON' };
    }
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' };
  }
}
