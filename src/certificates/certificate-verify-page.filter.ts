import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { DomainError } from '../common/errors/domain-error';
import { Translator } from '../common/i18n/translator';
import { CertificateVerifyPage, prefersHtml, type VerifyPageView } from './certificate-verify.page';
import { CERTIFICATE_NOT_FOUND, TOO_MANY_VERIFICATIONS } from './certificates.errors';

/**
 * On the verification address, a browser (Accept: text/html) gets "no such certificate" (404)
 * and "too many lookups" (429, with Retry-After) as the Chinese page; everything else, and
 * every JSON client, gets the usual error body from AllExceptionsFilter.
 */
@Catch(DomainError)
@Injectable()
export class CertificateVerifyPageFilter implements ExceptionFilter {
  private readonly json: AllExceptionsFilter;

  constructor(
    private readonly page: CertificateVerifyPage,
    translator: Translator,
  ) {
    this.json = new AllExceptionsFilter(translator);
  }

  catch(exception: DomainError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const view = this.viewOf(exception);
    if (!view || !prefersHtml(request.headers.accept)) return this.json.catch(exception, host);
    if (view.kind === 'throttled') void reply.header('retry-after', String(view.retryAfterSeconds));
    const html = this.page.reply(reply, view);
    void reply.status(view.kind === 'throttled' ? 429 : 404).send(html);
  }

  private viewOf(e: DomainError): VerifyPageView | undefined {
    if (e.code === CERTIFICATE_NOT_FOUND) return { kind: 'not_found' };
    const wait = e.details?.retryAfterSeconds;
    if (e.code === TOO_MANY_VERIFICATIONS && typeof wait === 'number')
      return { kind: 'throttled', retryAfterSeconds: wait };
    return undefined;
  }
}
