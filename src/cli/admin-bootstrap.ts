import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env';
import { dataSourceOptions } from '../database/data-source';
import { placeUnder } from '../org-units/org-units.service';
import { ORG_UNIT_KINDS, type OrgUnitKind } from '../org-units/org-unit-kind';
import { OrgUnit } from '../org-units/org-unit.entity';
import { USERNAME_PATTERN } from '../users/dto/user.dto';
import { hashPassword } from '../common/auth/passwords';
import { User } from '../users/user.entity';

interface BootstrapInput {
  orgName: string;
  orgKind: OrgUnitKind;
  username: string;
  password: string;
}

/** Reads ADMIN_ORG, ADMIN_ORG_KIND (default county), ADMIN_USERNAME, ADMIN_PASSWORD; names every problem. */
export function readBootstrapInput(raw: NodeJS.ProcessEnv): BootstrapInput {
  const problems: string[] = [];
  const orgName = raw.ADMIN_ORG?.trim() ?? '';
  const orgKind = (raw.ADMIN_ORG_KIND?.trim() || 'county') as OrgUnitKind;
  const username = raw.ADMIN_USERNAME?.trim().toLowerCase() ?? '';
  const password = raw.ADMIN_PASSWORD ?? '';
  if (!orgName) problems.push('ADMIN_ORG (name of the root org unit) is required');
  if (!ORG_UNIT_KINDS.includes(orgKind)) problems.push(`ADMIN_ORG_KIND must be one of ${ORG_UNIT_KINDS.join(', ')}`);
  if (!USERNAME_PATTERN.test(username)) problems.push('ADMIN_USERNAME is required (2-64 letters, digits, . _ @ + -)');
  if (password.length < 12) problems.push('ADMIN_PASSWORD is required, at least 12 characters');
  if (problems.length) throw new Error(`Cannot bootstrap:\n  - ${problems.join('\n  - ')}`);
  return { orgName, orgKind, username, password };
}

/** Creates, if absent, a root org unit and an admin in it. Safe to run again. */
export async function bootstrapAdmin(
  ds: DataSource,
  input: BootstrapInput,
): Promise<{ orgCreated: boolean; adminCreated: boolean }> {
  const passwordHash = await hashPassword(input.password);
  return ds.transaction(async (m) => {
    const units = m.getRepository(OrgUnit);
    const users = m.getRepository(User);
    let root = await units.findOneBy({ name: input.orgName, depth: 0 });
    const orgCreated = !root;
    root ??= await units.save(
      units.create({ ...placeUnder(null), kind: input.orgKind, name: input.orgName, code: null }),
    );
    if (await users.existsBy({ username: input.username })) return { orgCreated, adminCreated: false };
    await users.save(
      users.create({
        username: input.username,
        passwordHash,
        displayName: input.username,
        role: 'admin',
        orgUnitId: root.id,
      }),
    );
    return { orgCreated, adminCreated: true };
  });
}

if (require.main === module) {
  (async () => {
    const input = readBootstrapInput(process.env);
    const ds = await new DataSource(dataSourceOptions(loadEnv().DATABASE_URL)).initialize();
    try {
      const r = await bootstrapAdmin(ds, input);
      new Logger('AdminBootstrap').log(
        `${r.orgCreated ? 'Created' : 'Found'} org unit "${input.orgName}"; ` +
          `${r.adminCreated ? 'created' : 'kept existing'} user "${input.username}"`,
      );
    } finally {
      await ds.destroy();
    }
  })().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
