import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import type { AuthUser } from '../common/auth/auth-user';
import type { DomainError, MessageArg } from '../common/errors/domain-error';
import type { Language } from '../common/i18n/i18n.loader';
import { Translator } from '../common/i18n/translator';
import { compressPage, pickEncoding } from './encoding';
import { pagesDir } from './pages-dir';
import { StaticAssets } from './static-assets';
import { type TextSize, textSizeClass, textSizeOf } from './text-size';

/**
 * A page: templates/pages/<name>.hbs, rendered inside layouts/main.hbs (the phone pages), or
 * templates/pages/console/<name>.hbs, named `console/<name>`, inside layouts/console.hbs (the
 * admins' console: a desktop layout with a side menu and its own stylesheet, no WeUI).
 */
export type PageName = string;

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
  /** The text size chosen on this phone (我的); read from the request when left out. */
  textSize?: TextSize;
}

/**
 * What a page is rendered with: its title, optional scripts and current tab (phone pages) or
 * console section (console pages), and its own values. `layout: 'console'` puts a page that is
 * not under console/ (the error page) in the console's layout.
 */
export type PageView = {
  title: string;
  scripts?: string[];
  tab?: TabName;
  section?: ConsoleSection;
  layout?: 'console';
} & Record<string, unknown>;

/** The bottom bar's tabs: where a trainee or trainer goes from any page, one tap away. */
export const TABS = {
  trainee: [
    { name: 'home', href: '/' },
    { name: 'courses', href: '/courses' },
    { name: 'quizzes', href: '/quizzes' },
    { name: 'messages', href: '/messages' },
    { name: 'me', href: '/me' },
  ],
  trainer: [
    { name: 'home', href: '/' },
    { name: 'visits', href: '/visits' },
    { name: 'messages', href: '/messages' },
    { name: 'me', href: '/me' },
  ],
} as const;
export type TabName = 'home' | 'courses' | 'quizzes' | 'messages' | 'me' | 'visits';

/** The console's menu, in the order an admin's year goes: each a section of `/console`. */
export const CONSOLE_SECTIONS = [
  { name: 'dashboard', href: '/console' },
  { name: 'surveys', href: '/console/surveys' },
  { name: 'plan', href: '/console/plan' },
  { name: 'classes', href: '/console/classes' },
  { name: 'people', href: '/console/people' },
  { name: 'questions', href: '/console/questions' },
  { name: 'certificates', href: '/console/certificates' },
  { name: 'visits', href: '/console/visits' },
  { name: 'reports', href: '/console/reports' },
  { name: 'operations', href: '/console/operations' },
] as const;
export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number]['name'];

function tabsFor(role: string, current: TabName | undefined): { name: string; href: string; current: boolean }[] {
  const tabs = role === 'trainee' || role === 'trainer' ? TABS[role] : [];
  return tabs.map((tab) => ({ ...tab, current: tab.name === current }));
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
  private readonly consoleLayout: HandlebarsTemplateDelegate;
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
    this.hbs.registerHelper('asset', (name: unknown) => this.assets.href(String(name)));
    this.layout = compile('layouts/main.hbs');
    this.consoleLayout = compile('layouts/console.hbs');
    for (const folder of ['', 'console']) {
      for (const file of readdirSync(path.join(dir, folder)).filter((f) => f.endsWith('.hbs'))) {
        this.pages.set(path.posix.join(folder, path.basename(file, '.hbs')), compile(path.join(folder, file)));
      }
    }
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

  /** A service's refusal in words: its own message (as the API writes it). */
  errorMessage(lang: Language, e: DomainError): string {
    return this.error(lang, e.messageKey.slice('errors.'.length), e.options.args);
  }

  /**
   * A service's refusal as a page says it: its message, and what to do next, the page area's
   * `<prefix>next_<CODE>` (with `args`) when the catalogue has one, else the one general hint `nextOther`.
   */
  refusal(
    lang: Language,
    e: DomainError,
    prefix = '',
    args: Record<string, MessageArg> = {},
  ): { message: string; next: string } {
    const key = `${prefix}next_${e.code}`;
    return {
      message: this.errorMessage(lang, e),
      next: this.has(lang, key) ? this.t(lang, key, args) : this.t(lang, 'nextOther'),
    };
  }

  /**
   * `view.scripts` names the page's scripts (`['quiz.js']`, files of StaticAssets),
   * loaded with `defer` after page.js, which they share; `view.tab` the bottom bar's tab to mark as current (`home`, `courses`…).
   */
  render(page: PageName, context: PageContext, view: PageView): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`No page template ${page}.hbs`);
    const root = { ...view, lang: context.lang, user: context.user, csrf: context.csrf };
    const body = template(root);
    // page.js (LmsPage: the form token, requests to this site) comes before the page's own scripts.
    const named = view.scripts ?? [];
    const scripts = (named.length ? ['page.js', ...named] : []).map((name) => this.assets.href(name));
    if (page.startsWith('console/') || view.layout === 'console') {
      const sections = CONSOLE_SECTIONS.map((section) => ({
        ...section,
        label: this.t(context.lang, `console_nav_${section.name}`),
        current: section.name === view.section,
      }));
      return this.consoleLayout({ ...root, body, stylesheets: [this.assets.href('console.css')], scripts, sections });
    }
    const tabs = (context.user ? tabsFor(context.user.role, view.tab) : []).map((tab) => ({
      ...tab,
      label: this.t(context.lang, `tab_${tab.name}`),
    }));
    const bodyClass = [tabs.length ? 'has-tabs' : undefined, textSizeClass(context.textSize)].filter(Boolean).join(' ');
    return this.layout({ ...root, body, stylesheets: this.assets.stylesheets, scripts, tabs, bodyClass });
  }

  /** Renders a page and sends it with its status, headers and compression. */
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    page: PageName,
    context: PageContext,
    view: PageView,
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
    view: PageView,
    status = 200,
  ): Buffer {
    const sized = { ...context, textSize: context.textSize ?? textSizeOf(request) };
    const html = Buffer.from(this.render(page, sized, view), 'utf8');
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
