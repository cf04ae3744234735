import { DomainError } from '../common/errors/domain-error';

export const PlanErrors = {
  notFound: () => new DomainError('PLAN_NOT_FOUND', 'not_found'),
  unitNotCounty: () => new DomainError('PLAN_UNIT_NOT_COUNTY', 'invalid'),
  exists: (planId: string) => new DomainError('PLAN_EXISTS', 'conflict', { details: { planId } }),
};
