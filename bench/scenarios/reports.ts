import { Client } from 'pg';
import { currentYear, localDate } from '../../src/common/time/zoned-time';
import { type BaselineReport, baselineTownshipReport } from '../baseline-reports';
import { pacedMeasurement, percentile, round } from '../burst';
import { bearer, log, loggingInvariant, startApi } from '../harness';
import {
  buildProvinceData,
  migrateProvinceDatabase,
  provinceDatabaseTarget,
  readProvinceDataInfo,
  recreateProvinceDatabase,
} from '../province-data';
import type { Invariant, Scenario } from '../scenario';

const ZONE = 'Asia/Shanghai';
const WARMUP = 3;
const ROUNDS = 20;

interface Caller {
  label: 'county' | 'province';
  userId: string;
  unitId: string;
}

type Route = 'summary' | 'townships';

interface Timings {
  api: number[];
  baseline: number[];
  /** The API process's CPU time over the measured requests, ms. */
  apiCpuMs: number;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

interface ApiFigures {
  [figure: string]: unknown;
}

/** The figures both sides count (the API's answer has ratios and headers besides). */
const ROW_FIGURES = [
  'classesHeld',
  'sessionsHeld',
  'personTimesFromAttendance',
  'personTimesFromEvents',
  'uniqueTrainees',
  'covered',
  'rotationStaff',
  'rotationTrained',
  'quizGraded',
  'quizPassed',
  'certificatesIssued',
  'visitsDone',
  'visitsOverdue',
] as const;

/** Where the API's township table and the baseline's disagree (empty when they agree on every figure). */
function differences(api: { items: ApiFigures[]; totals: ApiFigures }, base: BaselineReport): string[] {
  const out: string[] = [];
  const baseRows = new Map(base.rows.map((r) => [r.townshipId, r]));
  if (api.items.length !== base.rows.length) out.push(`rows: api ${api.items.length}, baseline ${base.rows.length}`);
  for (const row of api.items) {
    const b = baseRows.get(row.townshipId as string);
    if (!b) {
      out.push(`township ${String(row.townshipId)} only in the api`);
      continue;
    }
    for (const k of ROW_FIGURES)
      if (row[k] !== b[k]) out.push(`${String(row.name)} ${k}: api ${String(row[k])}, baseline ${b[k]}`);
  }
  const totals: Record<string, unknown> = {
    ...base.totals,
    targets: { classes: base.totals.targetClasses, personTimes: base.totals.targetPersonTimes },
  };
  for (const k of Object.keys(base.totals)) {
    if (k === 'targetClasses' || k === 'targetPersonTimes') continue;
    if (api.totals[k] !== totals[k])
      out.push(`totals ${k}: api ${String(api.totals[k])}, baseline ${String(totals[k])}`);
  }
  if (JSON.stringify(api.totals.targets) !== JSON.stringify(totals.targets)) {
    out.push(`targets: api ${JSON.stringify(api.totals.targets)}, baseline ${JSON.stringify(totals.targets)}`);
  }
  return out.slice(0, 10);
}

/**
 * The summary and the township table on a province's data (`npm run bench:data -- --province`:
 * 1,000,000 attendance records, 20,000 trainees, 500 townships, 50 counties, 5 years, 10,000
 * events), for a county admin and for the province admin, request after request (a person
 * waiting for a page), beside the same figures worked out by hand-written SQL through `pg`
 * (bench/baseline-reports.ts). Both sides' figures must agree before any timing counts.
 */
export const reports: Scenario = {
  name: 'reports',
  description:
    'GET /api/reports/summary and /townships for last year on the province data set, a county admin and the ' +
    `province admin, one request at a time (${WARMUP} warm-up + ${ROUNDS} measured each, API and baseline taking turns)`,
  baseline:
    'the same figures by hand-written SQL through pg in the bench process (bench/baseline-reports.ts): one plain ' +
    'statement per kind of record, events, grades and coverage worked out in JavaScript; no HTTP, Nest, auth or JSON',
  compare: 'latency',
  async run() {
    const target = provinceDatabaseTarget();
    const info = await readProvinceDataInfo(target.url).catch(() => null);
    if (info) {
      log(`reports: using the province data built ${String(info.builtAt)} in ${target.name}`);
      const ran = await migrateProvinceDatabase(target.url);
      if (ran.length) log(`reports: ran the migrations it lacked: ${ran.join(', ')}`);
    } else {
      log(`reports: building the province data set in ${target.name} (a few minutes; kept for the next run)`);
      await recreateProvinceDatabase();
      await buildProvinceData({ url: target.url, log });
    }
    const db = new Client({ connectionString: target.url });
    await db.connect();
    // Settled tables for both sides: statistics, and the visibility map index-only scans need.
    await db.query('VACUUM ANALYZE');
    const callers: Caller[] = [];
    for (const [label, username] of [
      ['county', 'bench-county-admin-01'],
      ['province', 'bench-province-admin'],
    ] as const) {
      const { rows } = await db.query<{ id: string; org_unit_id: string }>(
        'SELECT id, org_unit_id FROM users WHERE username = $1',
        [username],
      );
      if (!rows[0])
        throw new Error(`the province data has no user ${username}: rebuild it (npm run bench:data -- --province)`);
      callers.push({ label, userId: rows[0].id, unitId: rows[0].org_unit_id });
    }
    const api = await startApi(target.url, 'reports');
    const year = currentYear(ZONE) - 1;
    const invariants: Invariant[] = [];
    const timings = new Map<string, Timings>();
    let apiRequests = 0;
    try {
      for (const caller of callers) {
        const headers = { authorization: bearer(caller.userId) };
        const get = async (route: Route) => {
          const res = await fetch(`${api.url}/api/reports/${route}?year=${year}`, { headers });
          const body = await res.text();
          apiRequests += 1;
          if (res.status !== 200) throw new Error(`GET /api/reports/${route} answered ${res.status}: ${body}`);
          return JSON.parse(body) as ApiFigures;
        };
        const baseline = () => baselineTownshipReport(db, caller.unitId, year, new Date(), localDate(new Date(), ZONE));

        // The two sides must agree on every figure before their times mean anything.
        const [table, summary, base] = await Promise.all([get('townships'), get('summary'), baseline()]);
        const diff = differences(table as { items: ApiFigures[]; totals: ApiFigures }, base);
        invariants.push({
          name: `${caller.label}: the API's township table and summary equal the baseline's figures`,
          ok:
            diff.length === 0 &&
            JSON.stringify(summary) === JSON.stringify({ ...(table.totals as object), asOf: summary.asOf }),
          detail: diff.length ? diff.join('; ') : `${base.rows.length} townships, every figure equal`,
        });

        for (const route of ['summary', 'townships'] as const) {
          const t: Timings = { api: [], baseline: [], apiCpuMs: 0 };
          for (let i = 0; i < WARMUP + ROUNDS; i++) {
            const a = await api.cpuDuring(() => timed(() => get(route)));
            const b = await timed(baseline);
            if (i >= WARMUP) {
              t.api.push(a.result.ms);
              t.baseline.push(b.ms);
              t.apiCpuMs += a.cpuMs;
            }
          }
          timings.set(`${caller.label} ${route}`, t);
          log(
            `reports: ${caller.label} ${route}: api p50 ${round(
              percentile(
                [...t.api].sort((x, y) => x - y),
                50,
              ),
            )} ms, ` +
              `baseline p50 ${round(
                percentile(
                  [...t.baseline].sort((x, y) => x - y),
                  50,
                ),
              )} ms`,
          );
        }
      }
    } finally {
      await db.end();
      await api.stop();
    }

    const figures: Record<string, number> = {};
    const notes: string[] = [];
    for (const [key, t] of timings) {
      const a = pacedMeasurement(t.api);
      const b = pacedMeasurement(t.baseline);
      const slug = key.replace(' ', '_');
      figures[`${slug}_api_p50_ms`] = a.p50;
      figures[`${slug}_api_p95_ms`] = a.p95;
      figures[`${slug}_baseline_p50_ms`] = b.p50;
      figures[`${slug}_baseline_p95_ms`] = b.p95;
      figures[`${slug}_ratio_p50`] = round(a.p50 / b.p50);
      notes.push(
        `${key}: API p50 ${a.p50} ms, p95 ${a.p95} ms; baseline p50 ${b.p50} ms, p95 ${b.p95} ms; ` +
          `API / baseline at p50 ${round(a.p50 / b.p50)}`,
      );
    }
    const county = timings.get('county townships')!;
    const province = timings.get('province townships')!;
    invariants.push(
      {
        name: 'county admin: summary and township table under 100 ms (p95)',
        ok: pacedMeasurement(timings.get('county summary')!.api).p95 < 100 && pacedMeasurement(county.api).p95 < 100,
        detail: `summary p95 ${pacedMeasurement(timings.get('county summary')!.api).p95} ms, townships p95 ${pacedMeasurement(county.api).p95} ms`,
      },
      {
        name: 'province admin: summary and township table well under a second (p95 under 700 ms)',
        ok:
          pacedMeasurement(timings.get('province summary')!.api).p95 < 700 && pacedMeasurement(province.api).p95 < 700,
        detail: `summary p95 ${pacedMeasurement(timings.get('province summary')!.api).p95} ms, townships p95 ${pacedMeasurement(province.api).p95} ms`,
      },
      await loggingInvariant(api, apiRequests),
    );
    const app = pacedMeasurement(province.api, province.apiCpuMs);
    return {
      metric: 'GET /api/reports/townships for the province admin, latency',
      connections: 1,
      app,
      baseline: pacedMeasurement(province.baseline),
      invariants,
      sql: { api: [], baseline: [] },
      figures,
      notes,
    };
  },
};
