import type { DataSource } from 'typeorm';
import { OrgUnit } from '../../src/org-units/org-unit.entity';
import { placeUnder } from '../../src/org-units/org-units.service';
import { hashPassword } from '../../src/common/auth/passwords';
import { User } from '../../src/users/user.entity';
import {
  freshTables,
  httpGet,
  loadInvariants,
  log,
  loggingInvariant,
  login,
  measureAlternating,
  sameAnswer,
  sameSql,
  startApi,
  startBaseline,
} from '../harness';
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
 * /api/auth/me then returns the caller. The baseline does that one read and answers the
 * same body, so the ratio is what the framework and the auth stack cost on top.
 */
export const authMe: Scenario = {
  name: 'auth-me',
  description: 'GET /api/auth/me with a bearer token, 50 connections, API and baseline taking turns every 2 s',
  baseline:
    'bare Fastify + pg (pool of 20): AUTH_ROW_SQL imported from the app, the same revocation and active checks, ' +
    'the same JSON body; request logs at the same level through Fastify’s own pino logger, to a file like the ' +
    'API’s; no JWT verification, Nest, guards, CORS or helmet headers',
  compare: 'throughput',
  target: { ratio: 0.7 },

  async run(ctx) {
    const user = await seed(ctx.dataSource);
    await freshTables(ctx.dataSource, []);
    const api = await startApi(ctx.databaseUrl, 'auth-me');
    const baseline = await startBaseline(ctx.databaseUrl, 'auth-me');
    const headers = { authorization: `Bearer ${await login(api.url, USERNAME, PASSWORD)}` };
    const apiUrl = `${api.url}/api/auth/me`;
    const baseUrl = `${baseline.url}/auth-me?as=${user.id}`;
    const apiProbe = await api.traceSql(() => httpGet(apiUrl, headers));
    const baseProbe = await baseline.traceSql(() => httpGet(baseUrl));

    log(
      `measuring GET /api/auth/me and the baseline: ${ctx.warmupSeconds} s warm-up each, ` +
        `then ${ctx.durationSeconds} s each in alternating slices`,
    );
    const m = await measureAlternating(
      {
        api: { server: api, url: apiUrl, headers, expectBody: apiProbe.result.body },
        baseline: { server: baseline, url: baseUrl, expectBody: baseProbe.result.body },
      },
      { ...ctx, connections: CONNECTIONS, label: 'auth-me' },
    );
    await api.stop();
    await baseline.stop();

    return {
      metric: 'GET /api/auth/me req/s',
      connections: CONNECTIONS,
      app: m.api,
      baseline: m.baseline,
      sql: { api: apiProbe.statements, baseline: baseProbe.statements },
      invariants: [
        answersWithId('api: /api/auth/me returns the caller', apiProbe.result, user.id),
        sameSql('probe', apiProbe.statements, baseProbe.statements),
        sameAnswer('probe', apiProbe.result.body, baseProbe.result.body, true),
        ...loadInvariants('api', m.api),
        ...loadInvariants('baseline', m.baseline),
        await loggingInvariant(api, m.api.requests),
        await loggingInvariant(baseline, m.baseline.requests),
      ],
    };
  },
};
