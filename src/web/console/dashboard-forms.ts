/**
 * Small rules of the dashboard's and the surveys' pages, kept pure so their specs pin every
 * edge: a survey form's text fields (the `?year=` filter is console-common's parseYear).
 */

import type { FormFields } from '../forms';

/**
 * The topics a survey's one text field names: separated by commas (, ，), 、, semicolons or
 * new lines, each trimmed, empty ones dropped. Duplicates stay (the DTO says which, in words).
 */
export function topicsOf(text: string): string[] {
  return text
    .split(/[,，、;；\r\n]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/**
 * A whole count as typed in a number field: digits only (spaces around allowed) become the
 * number; empty becomes undefined (missing); anything else stays as text, so that the DTO's
 * `IsInt` refuses it and the page says so beside the field.
 */
export function countOf(raw: string | undefined): number | string | undefined {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
}

/** The survey form's text fields, as typed (what a re-rendered form shows back). */
export interface SurveyFormValues {
  orgUnitId: string;
  year: string;
  servicePoints: string;
  staffCount: string;
  none: string;
  basic: string;
  intermediate: string;
  advanced: string;
  primary: string;
  secondary: string;
  tertiary: string;
  topics: string;
  notes: string;
}

export const SURVEY_FIELDS: readonly (keyof SurveyFormValues)[] = [
  'orgUnitId',
  'year',
  'servicePoints',
  'staffCount',
  'none',
  'basic',
  'intermediate',
  'advanced',
  'primary',
  'secondary',
  'tertiary',
  'topics',
  'notes',
];

/** A posted survey form's fields as text (missing ones empty; topics and notes as typed, bounded in length). */
export function surveyValuesOf(body: FormFields): SurveyFormValues {
  const out = {} as SurveyFormValues;
  for (const name of SURVEY_FIELDS) {
    const v = body[name];
    out[name] = typeof v === 'string' ? v.slice(0, name === 'notes' || name === 'topics' ? 4000 : 40) : '';
  }
  return out;
}

/**
 * The body `POST /api/surveys` takes, from the form: counts as numbers (see countOf), the
 * education counts only when any of the three is filled in (all empty: not surveyed, null),
 * topics split (topicsOf), empty notes left out.
 */
export function surveyBodyOf(v: SurveyFormValues): Record<string, unknown> {
  const educationGiven = [v.primary, v.secondary, v.tertiary].some((x) => x.trim() !== '');
  return {
    orgUnitId: v.orgUnitId.trim() || undefined,
    year: countOf(v.year),
    servicePoints: countOf(v.servicePoints),
    staffCount: countOf(v.staffCount),
    proficiency: {
      none: countOf(v.none),
      basic: countOf(v.basic),
      intermediate: countOf(v.intermediate),
      advanced: countOf(v.advanced),
    },
    education: educationGiven
      ? { primary: countOf(v.primary), secondary: countOf(v.secondary), tertiary: countOf(v.tertiary) }
      : null,
    topicsWanted: topicsOf(v.topics),
    notes: v.notes.trim() === '' ? null : v.notes,
  };
}
