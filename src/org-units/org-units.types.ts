/** What other modules may use of the org tree besides its service: the unit's type and its kinds. */
export type { OrgUnit } from './org-unit.entity';
export { canBeChildOf, kindRank, ORG_UNIT_KINDS, type OrgUnitKind } from './org-unit-kind';

/** A contact person of a township or village (see `OrgUnitsService.contactsOf`). */
export interface UnitContact {
  userId: string;
  displayName: string;
  phone: string | null;
}

/** A unit as single-unit answers show it: with its contact people, in call order. */
export type OrgUnitWithContacts = import('./org-unit.entity').OrgUnit & { contacts: UnitContact[] };
