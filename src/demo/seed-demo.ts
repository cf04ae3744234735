import { Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { loadEnv } from '../config/env';
import { dataSourceOptions } from '../database/data-source';
import { placeUnder } from '../org-units/org-units.service';
import type { OrgUnitKind } from '../org-units/org-unit-kind';
import { OrgUnit } from '../org-units/org-unit.entity';
import { hashPassword } from '../common/auth/passwords';
import { User } from '../users/user.entity';
import { seedEvents } from './seed-events';
import { seedPlanning } from './seed-planning';
import {
  DEMO_ADMIN,
  DEMO_CITY,
  DEMO_COUNTY,
  DEMO_PASSWORDS,
  DEMO_PROVINCE,
  DEMO_TOWNSHIPS,
  DEMO_TRAINERS,
  demoTrainees,
} from './demo-data';

async function upsertUnit(
  m: EntityManager,
  parent: OrgUnit | null,
  kind: OrgUnitKind,
  name: string,
  code: string,
): Promise<OrgUnit> {
  const repo = m.getRepository(OrgUnit);
  const found = await repo.findOneBy({ code });
  if (found) return found;
  return repo.save(repo.create({ ...placeUnder(parent), kind, name, code }));
}

async function upsertUser(m: EntityManager, fields: Partial<User> & { username: string }): Promise<boolean> {
  const repo = m.getRepository(User);
  if (await repo.existsBy({ username: fields.username })) return false;
  await repo.save(repo.create(fields));
  return true;
}

/**
 * Loads the demo county (idempotent: existing units and users are left as they are),
 * with its plan for the current year: four quarterly classes and their sessions, and the
 * outreach events of the year so far.
 */
export async function seedDemo(
  ds: DataSource,
  zone = 'Asia/Shanghai',
  now: Date = new Date(),
): Promise<{ usersCreated: number }> {
  const [adminHash, trainerHash, traineeHash] = await Promise.all([
    hashPassword(DEMO_PASSWORDS.admin),
    hashPassword(DEMO_PASSWORDS.trainer),
    hashPassword(DEMO_PASSWORDS.trainee),
  ]);
  return ds.transaction(async (m) => {
    const province = await upsertUnit(m, null, 'province', DEMO_PROVINCE.name, DEMO_PROVINCE.code);
    const city = await upsertUnit(m, province, 'city', DEMO_CITY.name, DEMO_CITY.code);
    const county = await upsertUnit(m, city, 'county', DEMO_COUNTY.name, DEMO_COUNTY.code);
    const townships: { unit: OrgUnit; villages: OrgUnit[] }[] = [];
    for (const [t, { name, villages }] of DEMO_TOWNSHIPS.entries()) {
      const code = `${DEMO_COUNTY.code}-${String(t + 1).padStart(2, '0')}`;
      const unit = await upsertUnit(m, county, 'township', name, code);
      const vs: OrgUnit[] = [];
      for (const [v, vname] of villages.entries())
        vs.push(await upsertUnit(m, unit, 'village', vname, `${code}-${v + 1}`));
      townships.push({ unit, villages: vs });
    }
    let usersCreated = 0;
    const add = async (fields: Partial<User> & { username: string }) => {
      if (await upsertUser(m, fields)) usersCreated++;
    };
    await add({ ...DEMO_ADMIN, role: 'admin', orgUnitId: county.id, passwordHash: adminHash });
    for (const t of DEMO_TRAINERS) {
      await add({ ...t, role: 'trainer', orgUnitId: county.id, passwordHash: trainerHash, proficiency: 'advanced' });
    }
    for (const t of demoTrainees()) {
      const place = townships[t.township];
      await add({
        username: t.username,
        displayName: t.displayName,
        phone: t.phone,
        education: t.education,
        proficiency: t.proficiency,
        role: 'trainee',
        orgUnitId: t.village === null ? place.unit.id : place.villages[t.village].id,
        passwordHash: traineeHash,
      });
    }
    // Each township's contact (whom the library calls; who gets its reminders): its first office
    // trainee, where the township has none yet.
    for (const [t, { unit }] of townships.entries()) {
      const first = demoTrainees().find((d) => d.township === t && d.village === null);
      if (!first) continue;
      await m.query(
        `INSERT INTO org_unit_contacts (org_unit_id, user_id, position)
         SELECT $1, u.id, 1 FROM users u
          WHERE u.username = $2 AND NOT EXISTS (SELECT 1 FROM org_unit_contacts c WHERE c.org_unit_id = $1)`,
        [unit.id, first.username],
      );
    }
    const users = m.getRepository(User);
    const admin = await users.findOneByOrFail({ username: DEMO_ADMIN.username });
    // One query at a time: a transaction has one connection (pg 9 will refuse overlapping queries on it).
    const trainers: User[] = [];
    for (const t of DEMO_TRAINERS) trainers.push(await users.findOneByOrFail({ username: t.username }));
    await seedPlanning(m, county, admin, trainers, zone, now);
    await seedEvents(m, county, townships, admin, zone, now);
    return { usersCreated };
  });
}

if (require.main === module) {
  (async () => {
    const env = loadEnv();
    if (env.NODE_ENV === 'production') throw new Error('Demo data is not loaded when NODE_ENV is production');
    const ds = await new DataSource(dataSourceOptions(env.DATABASE_URL)).initialize();
    try {
      const { usersCreated } = await seedDemo(ds, env.TZ_DEFAULT);
      new Logger('SeedDemo').log(`Demo data ready (${usersCreated} users created)`);
    } finally {
      await ds.destroy();
    }
  })().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
