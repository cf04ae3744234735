/** What other modules may use of the org tree besides its service: the unit's type and its kinds. */
export type { OrgUnit } from './org-unit.entity';
export { canBeChildOf, kindRank, ORG_UNIT_KINDS, type OrgUnitKind } from './org-unit-kind';
