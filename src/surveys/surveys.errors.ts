import { DomainError } from '../common/errors/domain-error';

export const SurveyErrors = {
  notFound: () => new DomainError('SURVEY_NOT_FOUND', 'Survey not found', 'not_found'),
  notTownship: (kind: string) =>
    new DomainError('SURVEY_UNIT_NOT_TOWNSHIP', `Surveys are made per township, not per ${kind}`, 'invalid'),
  countsExceedStaff: (what: 'proficiency' | 'education', sum: number, staffCount: number) =>
    new DomainError(
      'SURVEY_COUNTS_EXCEED_STAFF',
      `The ${what} counts add up to ${sum}, more than the ${staffCount} staff`,
      'invalid',
    ),
  /** Carries the id of the survey already there, so a client can open it and correct it instead. */
  exists: (surveyId: string | undefined, year: number) =>
    new DomainError('SURVEY_EXISTS', `This township already has a survey for ${year}`, 'conflict', { surveyId }),
};
