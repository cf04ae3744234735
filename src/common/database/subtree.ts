/**
 * Subtree queries on the org tree's materialised paths (`/<root id>/…/<own id>/`), written
 * so PostgreSQL answers them from the `text_pattern_ops` index on `org_units.path`.
 *
 * - Under a known unit (a constant path): `path LIKE '<path>%'`, see `subtreePattern`.
 * - Under a unit of the same query (a join): `LIKE t.path || '%'` cannot use the index (the
 *   pattern is not a constant), so `inSubtree` states the same condition as a range of the
 *   index's own operators: every path under `root` starts with `root` (which ends in `/`),
 *   so it sorts at or after `root` and before `root` with its last `/` (0x2F) raised to `0`.
 * - Above a known unit (its ancestors): `ancestorPaths` lists them for `path = ANY(...)`.
 */

/** The LIKE pattern of every unit under (and including) the unit with `path`. */
export function subtreePattern(path: string): string {
  return `${path}%`;
}

/** SQL: the unit whose path is `unitPath` lies under (or is) the unit whose path is `rootPath`. */
export function inSubtree(unitPath: string, rootPath: string): string {
  return `(${unitPath} ~>=~ ${rootPath} AND ${unitPath} ~<~ (left(${rootPath}, -1) || '0'))`;
}

/** The paths of a unit and every unit above it, from the root down. */
export function ancestorPaths(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, i) => `/${ids.slice(0, i + 1).join('/')}/`);
}
