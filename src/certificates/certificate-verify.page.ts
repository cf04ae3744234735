import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import type { CertificateVerificationDto } from './dto/certificate-verification.dto';

/** What the public page shows: a certificate, no such certificate, or "slow down". */
export type VerifyPageView =
  | { kind: 'found'; certificate: CertificateVerificationDto }
  | { kind: 'not_found' }
  | { kind: 'throttled'; retryAfterSeconds: number };

/**
 * Whether the client would rather have the page than JSON: it names text/html (or XHTML)
 * with a higher quality than application/json. Phone browsers and WeChat's send
 * `text/html,...,*\/*;q=0.8`; API clients send `application/json`, `*\/*` or nothing.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.toLowerCase().split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(quality)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, quality);
    else if (type === 'application/json') json = Math.max(json, quality);
  }
  return html > 0 && html > json;
}

/** Headers of every answer of the verification address, JSON or page, found or not. */
export function setVerifyHeaders(reply: FastifyReply): void {
  // The same address answers JSON or HTML; a revocation must show at once; no search engine lists holders.
  void reply.header('vary', 'Accept').header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
}

/** The repository's templates/pages folder, found from here both under ts (src/) and compiled (dist/src/). */
function pagesDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates', 'pages');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('templates/pages not found above ' + __dirname);
  }
}

/** 2026-06-30 → 2026年6月30日 */
function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/**
 * The public verification page people reach by scanning a certificate's QR code: plain
 * Chinese HTML, no script, readable on a small phone. `templates/pages/certificate-verify.hbs`
 * is compiled once at start (Handlebars escapes every value; no prototype access) and its
 * stylesheet (`certificate-verify.css`) is put inline, allowed by its hash in the page's own
 * Content-Security-Policy, which is stricter than the API's: nothing loads, nothing runs.
 * (`'unsafe-inline'` beside the hash is for browsers older than CSP 2; newer ones ignore it
 * when a hash is present.)
 */
@Injectable()
export class CertificateVerifyPage {
  private readonly template: HandlebarsTemplateDelegate;
  private readonly css: string;
  readonly contentSecurityPolicy: string;

  constructor() {
    const dir = pagesDir();
    this.template = Handlebars.create().compile(readFileSync(path.join(dir, 'certificate-verify.hbs'), 'utf8'), {
      strict: true,
    });
    this.css = readFileSync(path.join(dir, 'certificate-verify.css'), 'utf8').trim();
    const hash = createHash('sha256').update(this.css, 'utf8').digest('base64');
    this.contentSecurityPolicy = [
      "default-src 'none'",
      `style-src 'sha256-${hash}' 'unsafe-inline'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  render(view: VerifyPageView): string {
    const c = view.kind === 'found' ? view.certificate : undefined;
    return this.template({
      css: this.css,
      found: c !== undefined,
      valid: c?.valid === true,
      revoked: c?.revoked ? { on: chineseDate(c.revoked.on), reason: c.revoked.reason } : false,
      certificate: c ? { ...c, issuedOn: chineseDate(c.issuedOn) } : false,
      throttled: view.kind === 'throttled',
      retryAfterSeconds: view.kind === 'throttled' ? view.retryAfterSeconds : 0,
    });
  }

  /** Sets the page's type and policy on `reply` and answers the page's text. */
  reply(reply: FastifyReply, view: VerifyPageView): string {
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', this.contentSecurityPolicy);
    return this.render(view);
  }
}
