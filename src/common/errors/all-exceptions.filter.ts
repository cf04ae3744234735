import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import type { Language } from '../i18n/i18n.loader';
import { Translator } from '../i18n/translator';
import { ValidationFailed } from '../validation/validation';
import { DomainError, ERROR_KIND_STATUS, type MessageArg } from './domain-error';

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

/**
 * A multipart body the form parser (busboy, inside @fastify/multipart) could not read: no
 * boundary, a body cut short, a broken part header. Its errors carry no code or status.
 */
function isBrokenUpload(e: unknown, request: Partial<FastifyRequest>): boolean {
  const multipart = /^multipart\//i.test(String(request.headers?.['content-type'] ?? ''));
  return (
    multipart &&
    e instanceof Error &&
    !(e instanceof HttpException) &&
    !(e instanceof DomainError) &&
    ((e as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      /^Multipart: |unexpected end of (form|multipart data)|Malformed part header/i.test(e.message))
  );
}

function isFastifyError(e: unknown): e is Error & { code: string; statusCode: number } {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { statusCode?: unknown }).statusCode === 'number'
  );
}

/**
 * The one place errors become HTTP answers: `{statusCode, code, message}`, the message in
 * the caller's language (Chinese unless `Accept-Language` prefers English), validation
 * problems as `errors: [{field, messages}]`. Unknown errors are logged and answered with a
 * plain 500: no stack, no SQL.
 */
@Catch()
@Injectable()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  constructor(private readonly translator: Translator) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<Partial<FastifyRequest>>();
    const lang = this.translator.languageOf(request.headers ?? {});
    const body = isBrokenUpload(exception, request)
      ? { statusCode: 400, code: 'INVALID_UPLOAD', message: this.translator.t('errors.INVALID_UPLOAD', lang) }
      : this.toBody(exception, lang);
    // The request's own logger carries the request id.
    const log = request.log;
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

  toBody(exception: unknown, lang: Language): ErrorBody {
    const t = (key: string, args?: Record<string, MessageArg>) => this.translator.t(`errors.${key}`, lang, args);
    if (exception instanceof ValidationFailed) {
      const errors = exception.fields.map((f) => ({
        field: f.field,
        messages: f.problems.map((p) => this.translator.t(p.key, lang, p.args)),
      }));
      const separator = this.translator.t('validation.SEPARATOR', lang);
      return {
        statusCode: 400,
        code: exception.code,
        message: errors.flatMap((e) => e.messages).join(separator) || t('VALIDATION_FAILED'),
        errors,
      };
    }
    if (exception instanceof DomainError) {
      return {
        statusCode: ERROR_KIND_STATUS[exception.kind],
        code: exception.code,
        message: this.translator.t(exception.messageKey, lang, exception.options.args),
        ...exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null) {
        const { statusCode: _s, message: _m, code, error, ...rest } = response as Record<string, unknown>;
        const known = typeof code === 'string' ? code : (DEFAULT_CODES[status] ?? 'ERROR');
        // Terminus puts the failing checks in `error`; Nest puts a status phrase there (dropped).
        const down = error && typeof error === 'object' ? Object.keys(error) : [];
        return {
          ...rest,
          ...(down.length > 0 && { error }),
          statusCode: status,
          code: known,
          message: down.length > 0 ? t('HEALTH_DOWN', { down }) : t(known),
        };
      }
      const known = DEFAULT_CODES[status] ?? 'ERROR';
      return { statusCode: status, code: known, message: t(known) };
    }
    if (exception instanceof QueryFailedError) {
      // A constraint the service should have caught first; report as a conflict without SQL text.
      const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
      if (pgCode === '23505' || pgCode === '23503' || pgCode === '23P01') {
        return { statusCode: 409, code: 'CONFLICT', message: t('CONFLICT') };
      }
      if (pgCode === '22P02' || pgCode === '22007' || pgCode === '22008') {
        return { statusCode: 400, code: 'BAD_REQUEST', message: t('BAD_REQUEST#format') };
      }
      if (pgCode !== undefined && INVALID_VALUE_SQLSTATES.has(pgCode)) {
        return { statusCode: 400, code: 'INVALID_VALUE', message: t('INVALID_VALUE') };
      }
    }
    if (isFastifyError(exception) && exception.statusCode >= 400 && exception.statusCode < 500) {
      const status = exception.statusCode;
      const code =
        FASTIFY_CODES[exception.code] ??
        (exception.code.startsWith('FST_ERR_CTP') || exception instanceof SyntaxError ? 'INVALID_JSON' : undefined) ??
        DEFAULT_CODES[status] ??
        'BAD_REQUEST';
      return { statusCode: status, code, message: t(code) };
    }
    if (exception instanceof SyntaxError && (exception as { statusCode?: number }).statusCode === 400) {
      return { statusCode: 400, code: 'INVALID_JSON', message: t('INVALID_JSON') };
    }
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: t('INTERNAL_ERROR') };
  }
}
