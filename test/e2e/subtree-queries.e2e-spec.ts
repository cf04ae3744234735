import type { AuthUser } from '../../src/common/auth/auth-user';
import { createOrgTree, createUser } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/* eslint-disable @typescript-eslint/no-require-imports -- the app's classes come from its own module registry */

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * Subtree reads go through the org tree's path index, never a scan of every unit. With
 * sequential scans switched off, a query that cannot use the index still shows a Seq Scan
 * (or an index scan without a bound) on org_units: that is what these plans must not hold.
 */
describe('subtree queries use the path index (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    // Enough units that reading them all would matter.
    await t.ds.query(
      `INSERT INTO org_units (kind, name, parent_id, path, depth)
       SELECT 'village', 'x' || n, $1, $2 || id || '/', 3
         FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(1, 2000) n) g`,
      [tree.townshipB1.id, tree.townshipB1.path],
    );
    await t.ds.query('ANALYZE org_units');
  });
  afterAll(() => t.close());

  async function explain(sql: string, params: unknown[]): Promise<PlanNode[]> {
    return t.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      const [row] = await m.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      return nodes(row['QUERY PLAN'][0].Plan);
    });
  }

  async function classListPlan(role: 'admin' | 'trainee', unitId: string): Promise<PlanNode[]> {
    const { ClassesService } =
      require('../../src/classes/classes.service') as typeof import('../../src/classes/classes.service');
    const { UsersService } = require('../../src/users/users.service') as typeof import('../../src/users/users.service');
    const user = await createUser(t.ds, { role, orgUnitId: unitId });
    const actor: AuthUser = (await t.app.get(UsersService).findAuthRow(user.id))!;
    const [sql, params] = t.app.get(ClassesService).listQuery(actor, { page: 1, pageSize: 20 }).getQueryAndParameters();
    return explain(sql, params);
  }

  const orgUnitReads = (plan: PlanNode[]) => plan.filter((n) => n['Relation Name'] === 'org_units');
  /** The index a read of a table goes through: its own, or its bitmap's. */
  const indexOf = (read: PlanNode) => read['Index Name'] ?? read.Plans?.find((p) => p['Index Name'])?.['Index Name'];

  it.each([
    ['a trainee (the units above it)', 'trainee' as const, () => tree.villageA1.id],
    ['an admin (its subtree)', 'admin' as const, () => tree.countyA.id],
  ])('lists classes for %s through the path index', async (_who, role, unit) => {
    const reads = orgUnitReads(await classListPlan(role, unit()));
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read['Node Type']).not.toBe('Seq Scan');
      expect(indexOf(read)).toBe('uq_org_units_path');
    }
  });

  it('the old form (my path LIKE o.path || %) could not use it', async () => {
    const reads = orgUnitReads(
      await explain(`SELECT o.id FROM org_units o WHERE $1 LIKE o.path || '%'`, [tree.villageA1.path]),
    );
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.some((n) => indexOf(n) === 'uq_org_units_path')).toBe(false);
  });
});
