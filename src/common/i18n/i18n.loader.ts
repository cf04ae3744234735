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
import enPagesConsole from './locales/en/pages-console.json';
import enPagesConsoleDashboard from './locales/en/pages-console-dashboard.json';
import enPagesConsolePlan from './locales/en/pages-console-plan.json';
import enPagesConsoleClass from './locales/en/pages-console-class.json';
import enPagesConsolePeople from './locales/en/pages-console-people.json';
import enPagesConsoleQuizzes from './locales/en/pages-console-quizzes.json';
import enPagesConsoleOps from './locales/en/pages-console-ops.json';
import zhPagesCourses from './locales/zh-CN/pages-courses.json';
import zhPagesQuiz from './locales/zh-CN/pages-quiz.json';
import zhPagesMe from './locales/zh-CN/pages-me.json';
import zhPagesTrainer from './locales/zh-CN/pages-trainer.json';
import zhPagesContestsVisits from './locales/zh-CN/pages-contests-visits.json';
import zhPagesConsole from './locales/zh-CN/pages-console.json';
import zhPagesConsoleDashboard from './locales/zh-CN/pages-console-dashboard.json';
import zhPagesConsolePlan from './locales/zh-CN/pages-console-plan.json';
import zhPagesConsoleClass from './locales/zh-CN/pages-console-class.json';
import zhPagesConsolePeople from './locales/zh-CN/pages-console-people.json';
import zhPagesConsoleQuizzes from './locales/zh-CN/pages-console-quizzes.json';
import zhPagesConsoleOps from './locales/zh-CN/pages-console-ops.json';
import zhErrors from './locales/zh-CN/errors.json';
import zhImportRows from './locales/zh-CN/importRows.json';
import zhPages from './locales/zh-CN/pages.json';
import zhValidation from './locales/zh-CN/validation.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The `pages` namespace, from one file per area of the pages (pages.json: the layout, sign-in,
 * home and check-in; pages-<area>.json: the rest; pages-console*.json: the admins' console), merged; a key in two files stops the process.
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
  'pages-console': zhPagesConsole,
  'pages-console-dashboard': zhPagesConsoleDashboard,
  'pages-console-plan': zhPagesConsolePlan,
  'pages-console-class': zhPagesConsoleClass,
  'pages-console-people': zhPagesConsolePeople,
  'pages-console-quizzes': zhPagesConsoleQuizzes,
  'pages-console-ops': zhPagesConsoleOps,
});
const enAllPages = mergePages({
  pages: enPages,
  'pages-courses': enPagesCourses,
  'pages-quiz': enPagesQuiz,
  'pages-me': enPagesMe,
  'pages-trainer': enPagesTrainer,
  'pages-contests-visits': enPagesContestsVisits,
  'pages-console': enPagesConsole,
  'pages-console-dashboard': enPagesConsoleDashboard,
  'pages-console-plan': enPagesConsolePlan,
  'pages-console-class': enPagesConsoleClass,
  'pages-console-people': enPagesConsolePeople,
  'pages-console-quizzes': enPagesConsoleQuizzes,
  'pages-console-ops': enPagesConsoleOps,
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
