import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { pick } from 'accept-language-parser';
import { I18nService } from 'nestjs-i18n';
import { Env } from '../../config/env';
import type { MessageArg } from '../errors/domain-error';
import { formatLocalDateTime } from '../time/zoned-time';
import { LANGUAGES, type Language } from './i18n.loader';

/** Arguments whose values are words of ours (statuses, unit kinds) that read differently in each language. */
const WORD_ARGS = new Set(['status', 'kind', 'child', 'parent', 'encoding']);

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

  /** The language a request asks for; Chinese when it names neither (or nothing). */
  languageOf(headers: IncomingHttpHeaders): Language {
    const header = headers['accept-language'];
    if (typeof header !== 'string' || header === '') return 'zh-CN';
    const supported = [...LANGUAGES];
    const chosen = pick(supported, header) ?? pick(supported, header, { loose: true });
    return chosen === 'en' ? 'en' : 'zh-CN';
  }

  /** The message under `key` (`namespace.KEY` or `namespace.KEY#variant`), with `args` filled in. */
  t(key: string, lang: Language, args: Record<string, MessageArg> = {}): string {
    const filled = Object.fromEntries(
      Object.entries(args).map(([name, value]) => [name, this.show(name, value, lang)]),
    );
    const variant = this.lookup(key, lang, filled);
    if (variant !== undefined) return variant;
    const base = key.includes('#') ? this.lookup(key.slice(0, key.indexOf('#')), lang, filled) : undefined;
    return base ?? key;
  }

  /** True when `key` has a message (its base key counts for a variant). */
  has(key: string, lang: Language): boolean {
    return this.t(key, lang) !== key;
  }

  private lookup(key: string, lang: Language, args: Record<string, string>): string | undefined {
    const text = this.i18n.translate(key, { lang, args, defaultValue: '' });
    return typeof text === 'string' && text !== '' ? text : undefined;
  }

  private show(name: string, value: MessageArg, lang: Language): string {
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return formatLocalDateTime(value, this.env.TZ_DEFAULT);
    if (Array.isArray(value)) return value.map(String).join(this.t('validation.LIST_SEPARATOR', lang));
    if (typeof value === 'string' && WORD_ARGS.has(name)) {
      return this.lookup(`errors._values.${value}`, lang, {}) ?? value;
    }
    return String(value);
  }
}
