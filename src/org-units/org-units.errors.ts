import { DomainError } from '../common/errors/domain-error';

export const OrgUnitErrors = {
  notFound: () => new DomainError('ORG_UNIT_NOT_FOUND', 'Org unit not found', 'not_found'),
  kindOrder: (child: string, parent: string) =>
    new DomainError('ORG_UNIT_KIND_ORDER', `A ${child} cannot be placed under a ${parent}`, 'invalid'),
  kindAboveChildren: (kind: string) =>
    new DomainError('ORG_UNIT_KIND_ORDER', `A ${kind} cannot hold the units already under it`, 'invalid'),
  codeTaken: (code: string) => new DomainError('ORG_UNIT_CODE_TAKEN', `Code "${code}" is already used`, 'conflict'),
  cycle: () =>
    new DomainError('ORG_UNIT_CYCLE', 'A unit cannot be moved under itself or its own descendants', 'conflict'),
  hasChildren: () => new DomainError('ORG_UNIT_HAS_CHILDREN', 'The unit still has units under it', 'conflict'),
  hasUsers: () => new DomainError('ORG_UNIT_HAS_USERS', 'The unit still has users', 'conflict'),
  inUse: (usedBy: string) =>
    new DomainError('ORG_UNIT_IN_USE', `The unit is still used by a record of kind "${usedBy}"`, 'conflict', {
      usedBy,
    }),
  ownUnit: () =>
    new DomainError('OWN_ORG_UNIT', 'You cannot move, re-kind or delete the unit you belong to', 'forbidden'),
  parentRequired: () => new DomainError('ORG_UNIT_PARENT_REQUIRED', 'parentId is required', 'invalid'),
};
