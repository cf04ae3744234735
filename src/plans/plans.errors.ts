import { DomainError } from '../common/errors/domain-error';

export const PlanErrors = {
  notFound: () => new DomainError('PLAN_NOT_FOUND', 'Plan not found', 'not_found'),
  unitNotCounty: () => new DomainError('PLAN_UNIT_NOT_COUNTY', 'A plan belongs to a county unit', 'invalid'),
  exists: (planId: string) =>
    new DomainError('PLAN_EXISTS', 'This unit already has a plan for that year', 'conflict', { planId }),
};
