import { I18nLoader, type I18nTranslation } from 'nestjs-i18n';
import enErrors from './locales/en/errors.json';
import enImportRows from './locales/en/importRows.json';
import enPages from './locales/en/pages.json';
import enValidation from './locales/en/validation.json';
import zhErrors from './locales/zh-CN/errors.json';
import zhImportRows from './locales/zh-CN/importRows.json';
import zhPages from './locales/zh-CN/pages.json';
import zhValidation from './locales/zh-CN/validation.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every message, per language and namespace. Imported, so the build carries them (no files to copy or find). */
export const TRANSLATIONS: Record<Language, Record<string, Record<string, unknown>>> = {
  'zh-CN': { errors: zhErrors, validation: zhValidation, importRows: zhImportRows, pages: zhPages },
  en: { errors: enErrors, validation: enValidation, importRows: enImportRows, pages: enPages },
};

/** nestjs-i18n's loader for the bundled translations. */
export class BundledI18nLoader extends I18nLoader {
  languages(): Promise<string[]> {
    return Promise.resolve([...LANGUAGES]);
  }

  load(): Promise<I18nTranslation> {
    return Promise.resolve(TRANSLATIONS as unknown as I18nTranslation);
  }
}
