import { DomainError } from '../common/errors/domain-error';

export const CourseErrors = {
  notFound: () => new DomainError('COURSE_NOT_FOUND', 'Course not found', 'not_found'),
};
