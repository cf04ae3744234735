import { currentYear } from '../../src/common/time/zoned-time';
import { DEMO_ADMIN, DEMO_PASSWORDS } from '../../src/demo/demo-data';
import { seedDemo } from '../../src/demo/seed-demo';
import { pacedMeasurement, round } from '../burst';
import { bearer, log, loggingInvariant, startApi } from '../harness';
import type { Invariant, Scenario } from '../scenario';

const ZONE = 'Asia/Shanghai';
const WARMUP = 5;
const ROUNDS = 40;
/** Issue 15, Must show 3: the dashboard answers in under 300 ms on the demo data. */
const BUDGET_MS = 300;

/** The cookies an answer sets, as `name=value` pairs to send back. */
function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((line) => line.split(';')[0]);
}

/** A request tried up to three times when the connection fails (not on an answer): a socket the server just closed. */
async function retried(request: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`dashboard: ${(e as Error).message} (${String((e as { cause?: unknown }).cause)}); trying again`);
    }
  }
}

/** Signs in through the login page as a browser does; answers the session's Cookie header. */
async function signIn(apiUrl: string, username: string, password: string): Promise<string> {
  const form = await retried(() => fetch(`${apiUrl}/login`, { headers: { accept: 'text/html' } }));
  const html = await form.text();
  const csrf = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
  if (form.status !== 200 || !csrf) throw new Error(`GET /login answered ${form.status} without a form token`);
  const res = await fetch(`${apiUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form).join('; ') },
    body: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
  });
  await res.arrayBuffer();
  const session = cookiesOf(res).find((c) => c.startsWith('lms_session='));
  if (res.status !== 303 || !session) throw new Error(`signing in as ${username} answered ${res.status}`);
  return session;
}

/** The number a dashboard tile shows first (`<li … data-tile="personTimes">…<div class="stat__value">47 …`). */
function tileValue(html: string, tile: string): string | undefined {
  const at = html.indexOf(`data-tile="${tile}"`);
  if (at < 0) return undefined;
  return /class="stat__value">([^<\s]+)/.exec(html.slice(at))?.[1];
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

/**
 * The console's dashboard (GET /console) on the demo data (`npm run seed:demo`: one county of
 * twelve townships, this year's plan, four quarterly classes with their sessions, attendance,
 * outreach events), signed in through the login page as the demo admin, one request at a time
 * (a person opening the page), beside the API's GET /api/reports/summary for the same year in
 * the same run: the one report the page must at least run. The dashboard also runs the monthly
 * trend and the attention queries, renders two SVG charts and the page.
 */
export const dashboard: Scenario = {
  name: 'dashboard',
  description:
    `GET /console (the admin's dashboard) on the demo data beside GET /api/reports/summary, one request at a time ` +
    `(${WARMUP} warm-up + ${ROUNDS} measured each, taking turns); target p95 under ${BUDGET_MS} ms`,
  baseline:
    'GET /api/reports/summary for the same admin and year through the same API process (JSON, bearer token): the ' +
    'report inside the dashboard, without its trend, attention queries, charts and page',
  compare: 'latency',
  async run(ctx) {
    log('dashboard: loading the demo data');
    await seedDemo(ctx.dataSource, ZONE, new Date());
    await ctx.dataSource.query('VACUUM ANALYZE');
    const [admin] = await ctx.dataSource.query<{ id: string }[]>('SELECT id FROM users WHERE username = $1', [
      DEMO_ADMIN.username,
    ]);
    const api = await startApi(ctx.databaseUrl, 'dashboard');
    const year = currentYear(ZONE);
    const invariants: Invariant[] = [];
    const times = { page: [] as number[], summary: [] as number[] };
    let cpu = { page: 0, summary: 0 };
    let requests = 0;
    try {
      const cookie = await signIn(api.url, DEMO_ADMIN.username, DEMO_PASSWORDS.admin);
      const getPage = async () => {
        const res = await fetch(`${api.url}/console?year=${year}`, {
          headers: { cookie, accept: 'text/html', 'accept-encoding': 'gzip, br' },
        });
        const body = await res.text();
        requests += 1;
        if (res.status !== 200) throw new Error(`GET /console answered ${res.status}: ${body.slice(0, 500)}`);
        return body;
      };
      const getSummary = async () => {
        const res = await fetch(`${api.url}/api/reports/summary?year=${year}`, {
          headers: { authorization: bearer(admin.id) },
        });
        const body = await res.text();
        requests += 1;
        if (res.status !== 200) throw new Error(`GET /api/reports/summary answered ${res.status}: ${body}`);
        return JSON.parse(body) as Record<string, number>;
      };

      // The page shows the API's numbers before any timing counts.
      const [html, summary] = await Promise.all([getPage(), getSummary()]);
      const shown = ['classesHeld', 'sessionsHeld', 'personTimes', 'certificatesIssued'].map(
        (k, i) =>
          [k, tileValue(html, ['classes', 'sessions', 'personTimes', 'certificates'][i]), String(summary[k])] as const,
      );
      const wrong = shown.filter(([, page, json]) => page !== json);
      invariants.push({
        name: "the dashboard's tiles show the API summary's figures",
        ok: wrong.length === 0 && summary.personTimes > 0,
        detail: wrong.length
          ? wrong.map(([k, page, json]) => `${k}: page ${String(page)}, api ${json}`).join('; ')
          : shown.map(([k, page]) => `${k} ${String(page)}`).join(', '),
      });

      for (let i = 0; i < WARMUP + ROUNDS; i++) {
        const p = await api.cpuDuring(() => timed(getPage));
        const s = await api.cpuDuring(() => timed(getSummary));
        if (i < WARMUP) continue;
        times.page.push(p.result.ms);
        times.summary.push(s.result.ms);
        cpu = { page: cpu.page + p.cpuMs, summary: cpu.summary + s.cpuMs };
      }
    } finally {
      await api.stop();
    }
    const page = pacedMeasurement(times.page, cpu.page);
    const summary = pacedMeasurement(times.summary, cpu.summary);
    log(
      `dashboard: GET /console p50 ${page.p50} ms, p95 ${page.p95} ms; summary p50 ${summary.p50} ms, p95 ${summary.p95} ms`,
    );
    invariants.push(
      {
        name: `GET /console answers within ${BUDGET_MS} ms (p95) on the demo data`,
        ok: page.p95 < BUDGET_MS,
        detail: `p50 ${page.p50} ms, p95 ${page.p95} ms, max ${page.max} ms`,
      },
      await loggingInvariant(api, requests),
    );
    return {
      metric: 'GET /console (dashboard) on the demo data, latency',
      connections: 1,
      app: page,
      baseline: summary,
      invariants,
      sql: { api: [], baseline: [] },
      figures: {
        dashboard_p50_ms: page.p50,
        dashboard_p95_ms: page.p95,
        dashboard_cpu_ms: round(page.cpuMsPerRequest),
        summary_p50_ms: summary.p50,
        summary_p95_ms: summary.p95,
        summary_cpu_ms: round(summary.cpuMsPerRequest),
        ratio_p50: round(page.p50 / summary.p50),
      },
      notes: [
        `GET /console: p50 ${page.p50} ms, p95 ${page.p95} ms, ${round(page.cpuMsPerRequest)} ms CPU a request; ` +
          `GET /api/reports/summary: p50 ${summary.p50} ms, p95 ${summary.p95} ms, ${round(summary.cpuMsPerRequest)} ms CPU; ` +
          `dashboard / summary at p50 ${round(page.p50 / summary.p50)} (the page runs the summary, the trend and four attention queries, renders and compresses the page; its two charts are drawn once per change of their numbers and then served from memory, see src/web/console/dashboard-charts.ts)`,
      ],
    };
  },
};
