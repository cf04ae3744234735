import { DomainError } from '../common/errors/domain-error';
import type { VisitStatus } from './visit.entity';

export const VisitErrors = {
  notFound: () => new DomainError('VISIT_NOT_FOUND', 'not_found'),
  assigneeInvalid: () => new DomainError('VISIT_ASSIGNEE_INVALID', 'invalid'),
  dueOnInvalid: () => new DomainError('VISIT_DUE_ON_INVALID', 'invalid'),
  visitedOnInvalid: () => new DomainError('VISIT_VISITED_ON_INVALID', 'invalid'),
  traineesInvalid: (traineeIds: string[]) =>
    new DomainError('VISIT_TRAINEES_INVALID', 'invalid', { details: { traineeIds } }),
  alreadyReported: () => new DomainError('VISIT_ALREADY_REPORTED', 'conflict'),
  /** A done or cancelled visit can no longer be changed. */
  closed: (status: Extract<VisitStatus, 'done' | 'cancelled'>) =>
    status === 'done'
      ? new DomainError('VISIT_CLOSED', 'conflict', { key: 'VISIT_CLOSED#done', details: { status } })
      : new DomainError('VISIT_CLOSED', 'conflict', { key: 'VISIT_CLOSED#cancelled', details: { status } }),
};
