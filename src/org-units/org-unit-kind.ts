/** The organisation tree, top to bottom. A child's kind is always below its parent's. */
export const ORG_UNIT_KINDS = ['province', 'city', 'county', 'township', 'village'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

export function kindRank(kind: OrgUnitKind): number {
  return ORG_UNIT_KINDS.indexOf(kind);
}

/** True when a unit of `child` kind may sit directly under a unit of `parent` kind. */
export function canBeChildOf(child: OrgUnitKind, parent: OrgUnitKind): boolean {
  return kindRank(child) > kindRank(parent);
}
