import type { DataSource } from 'typeorm';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { hashPassword } from '../../src/users/passwords';
import { User } from '../../src/users/user.entity';
import { httpGet, loadInvariants, log, login, measure, startApi, startBaseline } from '../harness';
import type { Invariant, Scenario } from '../scenario';

const USERNAME = 'bench.trainee';
const PASSWORD = 'bench-password-1';
const CONNECTIONS = 50;

async function seed(ds: DataSource): Promise<User> {
  const unit = await ds
    .getRepository(OrgUnit)
    .save({ ...placeUnder(null), kind: 'county' as const, name: 'Bench County', code: null });
  return ds.getRepository(User).save({
    username: USERNAME,
    passwordHash: await hashPassword(PASSWORD),
    displayName: 'Bench Trainee',
    role: 'trainee' as const,
    orgUnitId: unit.id,
  });
}

/** Parses a JSON body and checks its `id` (the invariant that the right row came back). */
function answersWithId(name: string, res: { status: number; body: string }, id: string): Invariant {
  let got: unknown;
  try {
    got = (JSON.parse(res.body) as { id?: unknown }).id;
  } catch {
    got = undefined;
  }
  return { name, ok: res.status === 200 && got === id, detail: `status ${res.status}, id ${String(got)}` };
}

/**
 * Every authenticated request verifies the JWT and loads the caller (AUTH_ROW_SQL);
 * /api/auth/me then returns the caller. The baseline is bare Fastify + pg doing that
 * one read, so the ratio is what the framework and auth stack cost on top.
 */
export const authMe: Scenario = {
  name: 'auth-me',
  description: 'GET /api/auth/me with a bearer token vs bare Fastify + pg running AUTH_ROW_SQL',
  target: { ratio: 0.6 },

  async run(ctx) {
    const user = await seed(ctx.dataSource);
    const load = { connections: CONNECTIONS, durationSeconds: ctx.durationSeconds, warmupSeconds: ctx.warmupSeconds };

    const api = await startApi(ctx.databaseUrl);
    const headers = { authorization: `Bearer ${await login(api.url, USERNAME, PASSWORD)}` };
    const meUrl = `${api.url}/api/auth/me`;
    const me = await httpGet(meUrl, headers);
    log(`measuring api: GET /api/auth/me, ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s`);
    const app = await measure({ ...load, url: meUrl, headers, expectBody: me.body });
    await api.stop();

    const baselineServer = await startBaseline(ctx.databaseUrl);
    const rowUrl = `${baselineServer.url}/auth-row/${user.id}`;
    const row = await httpGet(rowUrl);
    log(`measuring baseline: GET /auth-row/:id, ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s`);
    const baseline = await measure({ ...load, url: rowUrl, expectBody: row.body });
    await baselineServer.stop();

    return {
      metric: 'GET /api/auth/me',
      connections: CONNECTIONS,
      app,
      baseline,
      invariants: [
        answersWithId('api: /api/auth/me returns the caller', me, user.id),
        answersWithId('baseline: returns the caller’s auth row', row, user.id),
        ...loadInvariants('api', app),
        ...loadInvariants('baseline', baseline),
      ],
    };
  },
};
