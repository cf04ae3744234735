import { DomainError } from '../common/errors/domain-error';

export const OrgUnitErrors = {
  notFound: () => new DomainError('ORG_UNIT_NOT_FOUND', 'not_found'),
  kindOrder: (child: string, parent: string) =>
    new DomainError('ORG_UNIT_KIND_ORDER', 'invalid', { args: { child, parent } }),
  kindAboveChildren: (kind: string) =>
    new DomainError('ORG_UNIT_KIND_ORDER', 'invalid', { key: 'ORG_UNIT_KIND_ORDER#children', args: { kind } }),
  codeTaken: (code: string) => new DomainError('ORG_UNIT_CODE_TAKEN', 'conflict', { args: { code } }),
  cycle: () => new DomainError('ORG_UNIT_CYCLE', 'conflict'),
  hasChildren: () => new DomainError('ORG_UNIT_HAS_CHILDREN', 'conflict'),
  hasUsers: () => new DomainError('ORG_UNIT_HAS_USERS', 'conflict'),
  /** `usedBy` names the kind of record (plan, survey, venue, course, enrolment). */
  inUse: (usedBy: string) =>
    new DomainError('ORG_UNIT_IN_USE', 'conflict', { key: `ORG_UNIT_IN_USE#${usedBy}`, details: { usedBy } }),
  ownUnit: () => new DomainError('OWN_ORG_UNIT', 'forbidden'),
  /** Only townships and villages have contact people. */
  contactsKind: (kind: string) => new DomainError('ORG_UNIT_CONTACTS_KIND', 'invalid', { args: { kind } }),
  /** `userIds`: the named users who are not active users of the unit itself. */
  contactNotInUnit: (userIds: string[]) =>
    new DomainError('CONTACT_NOT_IN_UNIT', 'invalid', { args: { userIds: userIds.join(', ') }, details: { userIds } }),
};
