import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ORG_UNIT_KINDS, type OrgUnit, type OrgUnitKind } from '../../org-units/org-units.types';
import { EDUCATION_LEVELS, PROFICIENCIES, ROLES } from '../../users/user.types';
import type { PageContext, PageRenderer } from '../page-renderer';

/**
 * What the 学员与组织 pages share: their sub-menu (组织架构 · 用户 · 导入学员), the words for
 * kinds, roles and levels, the units of an admin's part of the tree as choices, and checking a
 * form with the API's own DTO (the first problem of each field, as a constraint name).
 */

export type PeopleTab = 'units' | 'users' | 'import';

/** The section's own menu, one link per page kind, the current one marked. */
export function peopleTabs(pages: PageRenderer, context: PageContext, current: PeopleTab) {
  const tabs: { name: PeopleTab; href: string }[] = [
    { name: 'units', href: '/console/people' },
    { name: 'users', href: '/console/people/users' },
    { name: 'import', href: '/console/people/import' },
  ];
  return tabs.map((tab) => ({
    href: tab.href,
    label: pages.t(context.lang, `people_tab_${tab.name}`),
    current: tab.name === current,
  }));
}

/** `{value, label, selected}` choices of a select, with the words of `people_<group>_<value>`. */
export function choices(
  pages: PageRenderer,
  context: PageContext,
  group: 'kind' | 'role' | 'education' | 'proficiency',
  selected: string | undefined,
) {
  const values: readonly string[] = {
    kind: ORG_UNIT_KINDS,
    role: ROLES,
    education: EDUCATION_LEVELS,
    proficiency: PROFICIENCIES,
  }[group];
  return values.map((value) => ({
    value,
    label: pages.t(context.lang, `people_${group}_${value}`),
    selected: value === selected,
  }));
}

/** The units of a subtree as select choices, in tree order and indented by depth (an ideographic space per level). */
export function unitChoices(
  units: OrgUnit[],
  rootDepth: number,
  selected: string | undefined,
  keep: (u: OrgUnit) => boolean = () => true,
) {
  return treeOrder(units)
    .filter(keep)
    .map((u) => ({
      value: u.id,
      label: `${'\u3000'.repeat(Math.max(0, u.depth - rootDepth))}${u.name}`,
      selected: u.id === selected,
    }));
}

/** Units depth first, children by name under their parent (as the tree page shows them). */
export function treeOrder(units: OrgUnit[]): OrgUnit[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, OrgUnit[]>();
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: OrgUnit[] = [];
  const walk = (parent: string | null) => {
    for (const u of [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) {
      out.push(u);
      walk(u.id);
    }
  };
  walk(null);
  return out;
}

/** The kind a new unit under `parent` most likely has: the next one down (a county's township). */
export function kindBelow(parent: OrgUnitKind): OrgUnitKind {
  return ORG_UNIT_KINDS[Math.min(ORG_UNIT_KINDS.indexOf(parent) + 1, ORG_UNIT_KINDS.length - 1)];
}

/**
 * Checks `plain` with a DTO class as the API's ValidationPipe would (unknown fields refused,
 * transforms applied): the DTO, and for each field that fails, its first failed constraint.
 */
export async function checkForm<T extends object>(
  dtoClass: new () => T,
  plain: Record<string, unknown>,
): Promise<{ dto: T; problems: Record<string, string> }> {
  const dto = plainToInstance(dtoClass, plain);
  const problems: Record<string, string> = {};
  for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
    problems[e.property] = Object.keys(e.constraints ?? { invalid: '' })[0] ?? 'invalid';
  }
  return { dto, problems };
}

/** A form's text fields: what was typed (trimmed), `''` for a field left out. */
export function text(value: string | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** Field errors as the templates show them: `{field: words}`, and how many. */
export function errorsInWords(
  pages: PageRenderer,
  context: PageContext,
  errors: Record<string, string>,
): { errors: Record<string, string>; errorCount: number; formErrors: string | null } {
  const count = Object.keys(errors).length;
  return {
    errors,
    errorCount: count,
    formErrors: count ? pages.t(context.lang, 'console_formErrors', { count }) : null,
  };
}
