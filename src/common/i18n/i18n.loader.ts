import { I18nLoader, type I18nTranslation } from 'nestjs-i18n';
import enErrors from './locales/en/errors.json';
import enImportRows from './locales/en/importRows.json';
import enPages from './locales/en/pages.json';
import enValidation from './locales/en/validation.json';
import enPagesCourses from './locales/en/pages-courses.json';
import enPagesQuiz from './locales/en/pages-quiz.json';
import enPagesMe from './locales/en/pages-me.json';
import enPagesTrainer from './locales/en/pages-trainer.json';
import enPagesContestsVisits from './locales/en/pages-contests-visits.json';
import zhPagesCourses from './locales/zh-CN/pages-courses.json';
import zhPagesQuiz from './locales/zh-CN/pages-quiz.json';
import zhPagesMe from './locales/zh-CN/pages-me.json';
import zhPagesTrainer from './locales/zh-CN/pages-trainer.json';
import zhPagesContestsVisits from './locales/zh-CN/pages-contests-visits.json';
import zhErrors from './locales/zh-CN/errors.json';
import zhImportRows from './locales/zh-CN/importRows.json';
import zhPages from './locales/zh-CN/pages.json';
import zhValidation from './locales/zh-CN/validation.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The `pages` namespace, from one file per area of the pages (pages.json: the layout, sign-in,
 * home and check-in; pages-<area>.json: the rest), merged; a key in two files stops the process.
 */
export function mergePages(parts: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [file, words] of Object.entries(parts)) {
    for (const [key, text] of Object.entries(words)) {
      if (key in merged) throw new Error(`Page message ${key} is in two catalogue files (the second: ${file})`);
      merged[key] = text;
    }
  }
  return merged;
}

const zhAllPages = mergePages({
  pages: zhPages,
  'pages-courses': zhPagesCourses,
  'pages-quiz': zhPagesQuiz,
  'pages-me': zhPagesMe,
  'pages-trainer': zhPagesTrainer,
  'pages-contests-visits': zhPagesContestsVisits,
});
const enAllPages = mergePages({
  pages: enPages,
  'pages-courses': enPagesCourses,
  'pages-quiz': enPagesQuiz,
  'pages-me': enPagesMe,
  'pages-trainer': enPagesTrainer,
  'pages-contests-visits': enPagesContestsVisits,
});

/** Every message, per language and namespace. Imported, so the build carries them (no files to copy or find). */
export const TRANSLATIONS: Record<Language, Record<string, Record<string, unknown>>> = {
  'zh-CN': { errors: zhErrors, validation: zhValidation, importRows: zhImportRows, pages: zhAllPages },
  en: { errors: enErrors, validation: enValidation, importRows: enImportRows, pages: enAllPages },
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
