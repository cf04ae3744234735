import { DomainError } from '../common/errors/domain-error';

export const CourseErrors = {
  notFound: () => new DomainError('COURSE_NOT_FOUND', 'not_found'),
};
