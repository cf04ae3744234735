import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import type { AuthUser } from '../common/auth/auth-user';
import type { MessageArg } from '../common/errors/domain-error';
import type { Language } from '../common/i18n/i18n.loader';
import { Translator } from '../common/i18n/translator';
import { compressPage, pickEncoding } from './encoding';
import { pagesDir } from './pages-dir';
import { StaticAssets } from './static-assets';

/** The pages there are: templates/pages/<name>.hbs, each rendered inside layouts/main.hbs. */
export const PAGES = ['login', 'home', 'check-in-confirm', 'check-in-result', 'check-in-code', 'message'] as const;
export type PageName = (typeof PAGES)[number];

/**
 * The pages' Content-Security-Policy, stricter than the API's: scripts and styles only from
 * files of this site (no inline ones), images from this site or `data:` (WeUI draws its
 * icons as data: SVG), forms only to this site, never framed.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Who and what a page is rendered for: the language, the signed-in user (if any) and the form token. */
export interface PageContext {
  lang: Language;
  user?: AuthUser;
  /** The token the page's forms carry (`_csrf`). */
  csrf: string;
}

/**
 * Renders the pages: Handlebars templates under templates/pages/ (a layout, partials, one
 * file per page), compiled once at start-up (a broken template stops the process) and
 * rendered with plain objects (Handlebars escapes every value and allows no prototype
 * access). Words come from the `pages` message catalogue (`{{t "key" name=value}}`) in the
 * request's language, through the same Translator as the API's errors. Answers are
 * compressed (brotli or gzip, as the browser accepts), never cached (they are personal) and
 * carry PAGE_CSP.
 */
@Injectable()
export class PageRenderer {
  private readonly hbs = Handlebars.create();
  private readonly layout: HandlebarsTemplateDelegate;
  private readonly pages = new Map<PageName, HandlebarsTemplateDelegate>();

  constructor(
    private readonly translator: Translator,
    private readonly assets: StaticAssets,
  ) {
    const dir = pagesDir();
    const compile = (file: string) => this.hbs.compile(readFileSync(path.join(dir, file), 'utf8'), { strict: false });
    for (const file of readdirSync(path.join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
      this.hbs.registerPartial(path.basename(file, '.hbs'), readFileSync(path.join(dir, 'partials', file), 'utf8'));
    }
    this.hbs.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
      const root = options.data as { root: { lang: Language } };
      return this.t(root.root.lang, String(key), options.hash as Record<string, MessageArg>);
    });
    this.layout = compile('layouts/main.hbs');
    for (const page of PAGES) this.pages.set(page, compile(`${page}.hbs`));
  }

  /** A message of the `pages` catalogue in `lang`. */
  t(lang: Language, key: string, args: Record<string, MessageArg> = {}): string {
    return this.translator.t(`pages.${key}`, lang, args);
  }

  /** Whether the `pages` catalogue has `key`. */
  has(lang: Language, key: string): boolean {
    return this.translator.has(`pages.${key}`, lang);
  }

  /** A message of the `errors` catalogue (an error code's) in `lang`. */
  error(lang: Language, key: string, args: Record<string, MessageArg> = {}): string {
    return this.translator.t(`errors.${key}`, lang, args);
  }

  render(page: PageName, context: PageContext, view: { title: string } & Record<string, unknown>): string {
    const root = { ...view, lang: context.lang, user: context.user, csrf: context.csrf };
    const body = this.pages.get(page)!(root);
    return this.layout({ ...root, body, stylesheets: this.assets.stylesheets });
  }

  /** Renders a page and sends it with its status, headers and compression. */
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    page: PageName,
    context: PageContext,
    view: { title: string } & Record<string, unknown>,
    status = 200,
  ): void {
    void reply.send(this.prepare(request, reply, page, context, view, status));
  }

  /** Renders a page and sets the answer's status and headers; answers the body to send (compressed if taken). */
  prepare(
    request: FastifyRequest,
    reply: FastifyReply,
    page: PageName,
    context: PageContext,
    view: { title: string } & Record<string, unknown>,
    status = 200,
  ): Buffer {
    const html = Buffer.from(this.render(page, context, view), 'utf8');
    const encoding = pickEncoding(request.headers['accept-encoding']);
    void reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-language', context.lang)
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .header('vary', 'Accept-Encoding, Accept-Language, Cookie');
    if (encoding) void reply.header('content-encoding', encoding);
    return encoding ? compressPage(html, encoding) : html;
  }
}
