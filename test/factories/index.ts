import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { placeUnder } from '../../src/org-units/org-units.service';
import type { OrgUnitKind } from '../../src/org-units/org-unit-kind';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { hashPassword } from '../../src/common/auth/passwords';
import { User } from '../../src/users/user.entity';
import type { Role } from '../../src/users/user.types';

export const PASSWORD = 'correct-horse-battery';
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  return hashes.get(password)!;
}

export async function createUnit(
  ds: DataSource,
  parent: OrgUnit | null,
  kind: OrgUnitKind,
  name = `${kind}-${randomUUID().slice(0, 6)}`,
  code: string | null = null,
): Promise<OrgUnit> {
  const repo = ds.getRepository(OrgUnit);
  return repo.save(repo.create({ ...placeUnder(parent), kind, name, code }));
}

/**
 * A small world: province > two counties. County A (the test admin's) has two
 * townships with a village each; county B is outside A's scope.
 */
export async function createOrgTree(ds: DataSource) {
  const province = await createUnit(ds, null, 'province', '测试省');
  const countyA = await createUnit(ds, province, 'county', '甲县');
  const townshipA1 = await createUnit(ds, countyA, 'township', '甲一镇');
  const villageA1 = await createUnit(ds, townshipA1, 'village', '甲一村');
  const townshipA2 = await createUnit(ds, countyA, 'township', '甲二镇');
  const villageA2 = await createUnit(ds, townshipA2, 'village', '甲二村');
  const countyB = await createUnit(ds, province, 'county', '乙县');
  const townshipB1 = await createUnit(ds, countyB, 'township', '乙一镇');
  return { province, countyA, townshipA1, villageA1, townshipA2, villageA2, countyB, townshipB1 };
}

export async function createUser(
  ds: DataSource,
  fields: { role: Role; orgUnitId: string; username?: string; password?: string } & Partial<User>,
): Promise<User> {
  const { password = PASSWORD, username = `u${randomUUID().slice(0, 10)}`, ...rest } = fields;
  const repo = ds.getRepository(User);
  return repo.save(
    repo.create({
      displayName: `用户${username.slice(-4)}`,
      ...rest,
      username,
      passwordHash: await hashOnce(password),
    }),
  );
}

export async function login(http: TestAgent, username: string, password = PASSWORD): Promise<string> {
  const res = await http.post('/api/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login failed for ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

/** Creates a user and signs it in; answers the user and its Authorization header value. */
export async function signedIn(
  http: TestAgent,
  ds: DataSource,
  fields: Parameters<typeof createUser>[1],
): Promise<{ user: User; auth: string }> {
  const user = await createUser(ds, fields);
  return { user, auth: `Bearer ${await login(http, user.username, fields.password)}` };
}
