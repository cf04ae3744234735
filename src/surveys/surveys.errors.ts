import { DomainError } from '../common/errors/domain-error';

export const SurveyErrors = {
  notFound: () => new DomainError('SURVEY_NOT_FOUND', 'not_found'),
  notTownship: (kind: string) => new DomainError('SURVEY_UNIT_NOT_TOWNSHIP', 'invalid', { args: { kind } }),
  countsExceedStaff: (what: 'proficiency' | 'education', sum: number, staffCount: number) =>
    new DomainError('SURVEY_COUNTS_EXCEED_STAFF', 'invalid', {
      key: `SURVEY_COUNTS_EXCEED_STAFF#${what}`,
      args: { sum, staffCount },
    }),
  /** Carries the id of the survey already there, so a client can open it and correct it instead. */
  exists: (surveyId: string | undefined, year: number) =>
    new DomainError('SURVEY_EXISTS', 'conflict', { args: { year }, details: { surveyId } }),
};
