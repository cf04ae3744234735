import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { Env } from '../config/env';

/**
 * Every message the product sends, by template name: `templates/messages/<name>/{zh-CN,en}.hbs`.
 * Each file has three parts, marked by Handlebars comments on their own line:
 *   {{!-- subject --}}  the e-mail subject and the inbox title (one line)
 *   {{!-- sms --}}      the SMS text: one segment (70 Chinese characters) where possible, naming the centre
 *   {{!-- body --}}     the e-mail body and the inbox text
 * Payloads are plain JSON (instants as ISO strings); helpers write them for people:
 * `{{datetime startsAt}}`, `{{date startDate}}`, `{{time startsAt}}` in the centre's time zone,
 * `{{join names "、"}}`.
 */
export const MESSAGE_TEMPLATES = [
  'session-reminder',
  'session-changed',
  'session-cancelled',
  'enrolment-promoted',
  'class-cancelled',
  'enrolment-gap',
  'enrolment-gap-summary',
  'visit-assigned',
  'visit-due',
  'visit-overdue',
  'rotation-reminder',
  'quiz-closing',
  'certificate-issued',
] as const;
export type MessageTemplate = (typeof MESSAGE_TEMPLATES)[number];

export const MESSAGE_LANGUAGES = ['zh-CN', 'en'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

const PARTS = ['subject', 'sms', 'body'] as const;
type Part = (typeof PARTS)[number];
export type RenderedMessage = Record<Part, string>;

/** The repository's templates/ folder, found from here both under ts (src/) and compiled (dist/src/). */
export function templatesDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, 'messages'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('templates/messages not found above ' + __dirname);
  }
}

/** Splits a template file into its parts; throws naming what is missing. */
export function splitParts(source: string, file: string): Record<Part, string> {
  const parts: Partial<Record<Part, string[]>> = {};
  let current: string[] | undefined;
  for (const line of source.split(/\r?\n/)) {
    const marker = /^\{\{!--\s*(subject|sms|body)\s*--\}\}\s*$/.exec(line);
    if (marker) parts[marker[1] as Part] = current = [];
    else current?.push(line);
  }
  const missing = PARTS.filter((p) => !parts[p]);
  if (missing.length) throw new Error(`${file}: missing part(s) ${missing.join(', ')}`);
  const text = (p: Part) => parts[p]!.join('\n').trim();
  return { subject: text('subject'), sms: text('sms'), body: text('body') };
}

const WEEKDAYS_ZH = ['一', '二', '三', '四', '五', '六', '日'];

function localised(value: unknown, zone: string): DateTime | undefined {
  if (typeof value !== 'string') return undefined;
  // A bare date is a calendar date, not an instant: read it in the zone, never shift it.
  const dt = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? DateTime.fromISO(value, { zone })
    : DateTime.fromISO(value).setZone(zone);
  return dt.isValid ? dt : undefined;
}

/**
 * The message catalogue: every template compiled once at start (a broken template stops
 * the process, not a message), rendered with plain objects as plain text (no HTML
 * escaping; Handlebars refuses prototype access).
 */
@Injectable()
export class MessageTemplates {
  private readonly compiled = new Map<string, Record<Part, HandlebarsTemplateDelegate>>();
  private readonly hbs = Handlebars.create();

  constructor(private readonly env: Env) {
    this.registerHelpers();
    const dir = path.join(templatesDir(), 'messages');
    for (const name of MESSAGE_TEMPLATES) {
      for (const lang of MESSAGE_LANGUAGES) {
        const file = path.join(dir, name, `${lang}.hbs`);
        const parts = splitParts(readFileSync(file, 'utf8'), file);
        const compile = (p: Part) => this.hbs.compile(parts[p], { noEscape: true, strict: false });
        this.compiled.set(`${name}/${lang}`, {
          subject: compile('subject'),
          sms: compile('sms'),
          body: compile('body'),
        });
      }
    }
  }

  render(name: MessageTemplate, lang: MessageLanguage, payload: Record<string, unknown>): RenderedMessage {
    const template = this.compiled.get(`${name}/${lang}`);
    if (!template) throw new Error(`No message template ${name}/${lang}`);
    const data = { lang, zone: this.env.TZ_DEFAULT };
    const run = (p: Part) => template[p](payload, { data }).trim();
    return { subject: run('subject').replace(/\s+/g, ' '), sms: run('sms').replace(/\s+/g, ' '), body: run('body') };
  }

  private registerHelpers(): void {
    type Options = { data: { lang: MessageLanguage; zone: string } };
    const fmt = (value: unknown, options: Options, zh: (d: DateTime) => string, en: string) => {
      const d = localised(value, options.data.zone);
      if (!d) return '';
      return options.data.lang === 'zh-CN' ? zh(d) : d.setLocale('en-GB').toFormat(en);
    };
    this.hbs.registerHelper('datetime', (value: unknown, options: Options) =>
      fmt(
        value,
        options,
        (d) => `${d.month}月${d.day}日周${WEEKDAYS_ZH[d.weekday - 1]} ${d.toFormat('HH:mm')}`,
        'ccc d LLL HH:mm',
      ),
    );
    this.hbs.registerHelper('date', (value: unknown, options: Options) =>
      fmt(value, options, (d) => `${d.month}月${d.day}日`, 'ccc d LLL yyyy'),
    );
    this.hbs.registerHelper('time', (value: unknown, options: Options) =>
      fmt(value, options, (d) => d.toFormat('HH:mm'), 'HH:mm'),
    );
    this.hbs.registerHelper('join', (items: unknown, separator: unknown) =>
      Array.isArray(items) ? items.map(String).join(typeof separator === 'string' ? separator : ', ') : '',
    );
  }
}
