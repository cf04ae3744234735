import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { parse } from 'accept-language-parser';
import { I18nService } from 'nestjs-i18n';
import { Env } from '../../config/env';
import type { MessageArg } from '../errors/domain-error';
import { formatLocalDateTime } from '../time/zoned-time';
import type { Language } from './i18n.loader';

/** Arguments whose values are words of ours (statuses, unit kinds) that read differently in each language. */
const WORD_ARGS = new Set(['status', 'kind', 'child', 'parent', 'encoding']);

/**
 * The language a request asks for: the first of its preferences (by quality) that is English
 * or Chinese, any region or script; Chinese when it names neither (or nothing).
 */
export function languageOf(headers: IncomingHttpHeaders): Language {
  const header = headers['accept-language'];
  if (typeof header !== 'string' || header === '') return 'zh-CN';
  for (const { code } of parse(header.slice(0, 1000))) {
    const language = code.toLowerCase();
    if (language === 'en') return 'en';
    if (language === 'zh') return 'zh-CN';
  }
  return 'zh-CN';
}

/**
 * Messages in the caller's language: Chinese unless `Accept-Language` prefers English.
 * Wraps nestjs-i18n's translations (src/common/i18n/locales) with what our messages need:
 * a `key#variant` falls back to `key`, Dates are written in the centre's local time, lists
 * with the language's separator, status words translated.
 */
@Injectable()
export class Translator {
  constructor(
    private readonly i18n: I18nService,
    private readonly env: Env,
  ) {}

  /**
   * The language a request asks for: the first of its preferences (by quality) that is
   * English or Chinese, any region or script; Chinese when it names neither (or nothing).
   */
  languageOf(headers: IncomingHttpHeaders): Language {
    return languageOf(headers);
  }

  /** The message under `key` (`namespace.KEY` or `namespace.KEY#variant`), with `args` filled in. */
  t(key: string, lang: Language, args: Record<string, MessageArg> = {}): string {
    const template =
      this.template(key, lang) ?? (key.includes('#') ? this.template(key.split('#')[0], lang) : undefined);
    if (template === undefined) return key;
    // Filled in here, after the lookup: a value (a field name a client sent, a cell of a file)
    // is never read as a message template, so `$t(...)` or `{x}` in it stays text.
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in args ? this.show(name, args[name], lang) : whole,
    );
  }

  /** True when `key` has a message (its base key counts for a variant). */
  has(key: string, lang: Language): boolean {
    return this.t(key, lang) !== key;
  }

  /** The message template under `key`, placeholders unfilled; undefined when there is none. */
  private template(key: string, lang: Language): string | undefined {
    const text = this.i18n.translate(key, { lang, defaultValue: '' });
    return typeof text === 'string' && text !== '' ? text : undefined;
  }

  private show(name: string, value: MessageArg, lang: Language): string {
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return formatLocalDateTime(value, this.env.TZ_DEFAULT);
    if (Array.isArray(value)) return value.map(String).join(this.t('validation.LIST_SEPARATOR', lang));
    if (typeof value === 'string' && WORD_ARGS.has(name)) {
      return this.template(`errors._values.${value}`, lang) ?? value;
    }
    return String(value);
  }
}
