import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { checkInKey, validateEnv } from '../src/config/env';
import { percentile, round } from './burst';
import type { Invariant, Side } from './scenario';

/** dist/ when running the compiled harness (dist/bench/harness.js). */
const DIST = path.resolve(__dirname, '..');
const API_SCRIPT = path.join(DIST, 'src', 'main.js');
const BASELINE_SCRIPT = path.join(DIST, 'bench', 'baseline-server.js');
const PROBE_SCRIPT = path.join(DIST, 'bench', 'server-probe.js');
/** bench/results/ in the repository (git-ignored). */
export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');
const LOG_DIR = path.join(RESULTS_DIR, 'logs');
const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_TAIL_CHARS = 20_000;

/**
 * A secret made for this run and handed to every server the harness starts: the API
 * signs and checks tokens with it (there is no default secret to fall back on), the
 * scenarios mint their tokens with it, and the baseline derives the check-in key from it.
 */
const JWT_SECRET = randomBytes(32).toString('hex');

/** The Redis prefix of every server the harness starts (BullMQ's keys are under `${BENCH_REDIS_PREFIX}bull:`). */
export const BENCH_REDIS_PREFIX = 'lms:bench:';

/** A bearer token the API accepts, minted here so a burst measures the route, not 1,000 argon2 logins. */
export function bearer(userId: string): string {
  return `Bearer ${jwt.sign({ sub: userId, ver: 0 }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 })}`;
}

/** The key the servers sign check-in codes with (the app derives it from JWT_SECRET). */
export function benchCheckInKey(): Buffer {
  return checkInKey(validateEnv({ NODE_ENV: 'production', JWT_SECRET }));
}

/**
 * The level both sides log requests at: production's (info) unless BENCH_LOG_LEVEL says
 * otherwise (e.g. `warn`, to see what logging costs). Both write JSON lines to a file.
 */
export function logLevel(): string {
  return process.env.BENCH_LOG_LEVEL?.trim() || 'info';
}

/** Progress goes to stderr so stdout holds only the results table. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface ServerProcess {
  name: string;
  url: string;
  /** Where its stdout (the JSON log lines) goes. */
  logFile: string;
  stop(): Promise<void>;
  /** The last few KB of the child's stderr and log, for error messages. */
  output(): string;
  /** Runs `work` with the server's SQL trace armed; answers every statement it sent to PostgreSQL meanwhile. */
  traceSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  /** With BENCH_PROFILE=1, records a CPU profile of the server while `work` runs (bench/results/profiles/). */
  profile<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** CPU time (user + system) the server process has used so far, ms. */
  cpuMs(): Promise<number>;
  /** Runs `work` and answers the server's CPU time meanwhile, ms. */
  cpuDuring<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }>;
  /** `profile` in two steps; no-ops without BENCH_PROFILE. */
  profileStart(): Promise<void>;
  profileStop(label: string): Promise<void>;
}

const running = new Set<ChildProcess>();

// Last resort if the harness dies without cleaning up: never leave a server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!exited(child)) {
    const gone = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  }
  running.delete(child);
}

/** Stops every server this process started (after each scenario, and on failure or Ctrl-C). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

function tailOf(file: string, chars: number): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/**
 * Starts `node <script>` in a child process on a free port (so load generation never
 * shares the server's event loop) and waits until GET `readyPath` answers 200. Its stdout
 * (the log lines) goes to `bench/results/logs/<logName>.log`; bench/server-probe.ts is
 * preloaded, on a second port, for SQL traces and CPU profiles.
 */
export async function startServer(opts: {
  name: string;
  script: string;
  env: Record<string, string>;
  readyPath: string;
  logName: string;
}): Promise<ServerProcess> {
  const port = await freePort();
  const probePort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const probe = `http://127.0.0.1:${probePort}`;
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${opts.logName}.log`);
  const logFd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['-r', PROBE_SCRIPT, opts.script], {
    env: {
      ...process.env,
      ...opts.env,
      PORT: String(port),
      // Production requires the address the service is reached at (for links it hands out).
      PUBLIC_BASE_URL: url,
      BENCH_PROBE_PORT: String(probePort),
    },
    stdio: ['ignore', logFd, 'pipe'],
  });
  closeSync(logFd);
  running.add(child);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  });
  const call = async (method: 'GET' | 'POST', pathAndQuery: string): Promise<string> => {
    const res = await fetch(`${probe}${pathAndQuery}`, { method, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${opts.name} probe ${pathAndQuery} answered ${res.status}: ${text}`);
    return text;
  };
  const server: ServerProcess = {
    name: opts.name,
    url,
    logFile,
    stop: () => stopChild(child),
    output: () => `${tail}\n--- ${logFile} ---\n${tailOf(logFile, OUTPUT_TAIL_CHARS)}`,
    async traceSql(work) {
      await call('POST', '/sql/arm');
      const result = await work();
      return { result, statements: JSON.parse(await call('GET', '/sql')) as string[] };
    },
    async cpuMs() {
      return (JSON.parse(await call('GET', '/cpu')) as { micros: number }).micros / 1000;
    },
    async cpuDuring(work) {
      const before = await server.cpuMs();
      const result = await work();
      return { result, cpuMs: (await server.cpuMs()) - before };
    },
    async profileStart() {
      if (process.env.BENCH_PROFILE) await call('POST', '/profile/start');
    },
    async profileStop(label) {
      if (!process.env.BENCH_PROFILE) return;
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = path.join(PROFILE_DIR, `${label}.cpuprofile`);
      await call('POST', `/profile/stop?file=${encodeURIComponent(file)}`);
      log(`${opts.name}: CPU profile in ${path.relative(process.cwd(), file)}`);
    },
    async profile(label, work) {
      await server.profileStart();
      const result = await work();
      await server.profileStop(label);
      return result;
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) break;
    try {
      const res = await fetch(`${url}${opts.readyPath}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        log(`${opts.name} ready on ${url} (pid ${child.pid}, log ${path.relative(process.cwd(), logFile)})`);
        return server;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const why = exited(child)
    ? `exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode} before it was ready`
    : `did not answer GET ${opts.readyPath} with 200 within ${READY_TIMEOUT_MS / 1000} s`;
  await stopChild(child);
  throw new Error(
    `${opts.name} (node ${path.relative(process.cwd(), opts.script)}) ${why}. Its output:\n${server.output()}`,
  );
}

/**
 * The compiled API (dist/src/main.js) as production runs it (NODE_ENV=production, request
 * logs at info to stdout, here a file), against the given database, with its own Redis prefix
 * (BENCH_REDIS_PREFIX, or `opts.redisPrefix`).
 */
export function startApi(
  databaseUrl: string,
  logName: string,
  opts: { redisPrefix?: string } = {},
): Promise<ServerProcess> {
  return startServer({
    name: 'api',
    script: API_SCRIPT,
    env: {
      NODE_ENV: 'production',
      JWT_SECRET,
      // Empty (unset): the check-in key is derived from JWT_SECRET, as `benchCheckInKey` does.
      CHECK_IN_SECRET: '',
      LOG_LEVEL: logLevel(),
      DATABASE_URL: databaseUrl,
      // A scenario running a worker of its own in the bench process hands both the same prefix.
      REDIS_PREFIX: opts.redisPrefix ?? BENCH_REDIS_PREFIX,
      HOST: '127.0.0.1',
    },
    readyPath: '/health',
    logName: `${logName}-api`,
  });
}

/** The bare Fastify + pg server (baseline-server.ts), logging like the API, against the given database. */
export function startBaseline(databaseUrl: string, logName: string): Promise<ServerProcess> {
  return startServer({
    name: 'baseline',
    script: BASELINE_SCRIPT,
    env: {
      NODE_ENV: 'production',
      JWT_SECRET,
      // Empty (unset): the check-in key is derived from JWT_SECRET, as `benchCheckInKey` does.
      CHECK_IN_SECRET: '',
      LOG_LEVEL: logLevel(),
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: BENCH_REDIS_PREFIX,
    },
    readyPath: '/health',
    logName: `${logName}-baseline`,
  });
}

/** Which side runs first: BENCH_ORDER=baseline-first flips the default (api first). */
export function sideOrder(raw = process.env.BENCH_ORDER): Side[] {
  const value = raw?.trim() || 'api-first';
  if (value === 'api-first') return ['api', 'baseline'];
  if (value === 'baseline-first') return ['baseline', 'api'];
  throw new Error(`BENCH_ORDER must be api-first or baseline-first (got "${value}")`);
}

/**
 * Makes the tables equally fresh for the side about to run: `tables` (what the scenario
 * writes) are truncated, then the whole database is vacuumed and analysed and a
 * checkpoint is taken, so no side inherits the other's dead rows, grown indexes,
 * statistics or dirty buffers.
 */
export async function freshTables(ds: DataSource, tables: string[]): Promise<void> {
  if (tables.length > 0) await ds.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
  await ds.query('VACUUM ANALYZE');
  await ds.query('CHECKPOINT');
}

/** Runs both sides one after the other in `order`, each on equally fresh tables (see `freshTables`). */
export async function bothSides<T>(
  ds: DataSource,
  order: Side[],
  tables: string[],
  run: Record<Side, () => Promise<T>>,
): Promise<Record<Side, T>> {
  const out: Partial<Record<Side, T>> = {};
  for (const side of order) {
    await freshTables(ds, tables);
    out[side] = await run[side]();
  }
  return out as Record<Side, T>;
}

export async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

/** Logs in through the API and returns the bearer token. */
export async function login(apiUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /api/auth/login answered ${res.status}: ${text}`);
  const { accessToken } = JSON.parse(text) as { accessToken?: unknown };
  if (typeof accessToken !== 'string') throw new Error(`POST /api/auth/login gave no accessToken: ${text}`);
  return accessToken;
}

/** Throughput and latency of one measured run. Latencies in milliseconds. */
export interface Measurement {
  /** Mean requests per second over the run. */
  rps: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  requests: number;
  durationSeconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses whose body differed from `expectBody` (0 when no body was expected). */
  mismatches: number;
  /**
   * CPU time the server process used per answered request, ms (user + system, PostgreSQL
   * not included): the work each side does, much steadier than req/s when other programs
   * load the machine.
   */
  cpuMsPerRequest: number;
}

export interface LoadTarget {
  server: ServerProcess;
  url: string;
  headers?: Record<string, string>;
  /** Every response must have exactly this body; others are counted as mismatches. */
  expectBody?: string;
}

/** One autocannon run; every response's latency goes into `latencies`. */
function cannon(
  target: LoadTarget,
  connections: number,
  seconds: number,
  latencies?: number[],
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        timeout: 10,
        ...(target.headers ? { headers: target.headers } : {}),
        ...(target.expectBody !== undefined ? { expectBody: target.expectBody } : {}),
      },
      (err: unknown, result) =>
        err ? reject(err instanceof Error ? err : new Error('autocannon failed')) : resolve(result),
    );
    if (latencies) instance.on('response', (_client, _status, _bytes, ms: number) => latencies.push(ms));
  });
}

/**
 * Keeps both servers busy with autocannon (in this process), taking turns: after a
 * warm-up of each, the measured time is cut into slices of about 2 s and the sides
 * alternate slice by slice (in `order`). Load from other work on the machine, which
 * drifts by tens of percent over a minute, then falls on both sides alike instead of on
 * whichever ran in the worse window. Only for scenarios that do not change the data.
 */
export async function measureAlternating(
  targets: Record<Side, LoadTarget>,
  opts: { order: Side[]; connections: number; durationSeconds: number; warmupSeconds: number; label: string },
): Promise<Record<Side, Measurement>> {
  for (const side of opts.order) {
    if (opts.warmupSeconds > 0) await cannon(targets[side], opts.connections, opts.warmupSeconds);
  }
  const slices = Math.max(1, Math.round(opts.durationSeconds / 2));
  const sliceSeconds = opts.durationSeconds / slices;
  const runs: Record<Side, autocannon.Result[]> = { api: [], baseline: [] };
  const cpu: Record<Side, number> = { api: 0, baseline: 0 };
  const latencies: Record<Side, number[]> = { api: [], baseline: [] };
  for (const side of opts.order) await targets[side].server.profileStart();
  for (let i = 0; i < slices; i++) {
    for (const side of opts.order) {
      const slice = await targets[side].server.cpuDuring(() =>
        cannon(targets[side], opts.connections, sliceSeconds, latencies[side]),
      );
      runs[side].push(slice.result);
      cpu[side] += slice.cpuMs;
    }
  }
  for (const side of opts.order) await targets[side].server.profileStop(`${opts.label}-${side}`);
  const combine = (side: Side): Measurement => {
    const rs = runs[side];
    const sum = (f: (r: autocannon.Result) => number) => rs.reduce((a, r) => a + f(r), 0);
    const sorted = latencies[side].sort((a, b) => a - b);
    const seconds = sum((r) => r.duration);
    return {
      rps: sum((r) => r.requests.total) / seconds,
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1] ?? 0),
      requests: sum((r) => r.requests.total),
      durationSeconds: seconds,
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
      timeouts: sum((r) => r.timeouts),
      mismatches: sum((r) => r.mismatches),
      cpuMsPerRequest:
        cpu[side] /
        Math.max(
          1,
          sum((r) => r.requests.total),
        ),
    };
  };
  return { api: combine('api'), baseline: combine('baseline') };
}

/**
 * Runs a measured load against `server` (CPU-profiled with BENCH_PROFILE) and fills in the
 * server's CPU time per request.
 */
export async function measured<T extends { measurement: Measurement }>(
  server: ServerProcess,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  const { result, cpuMs } = await server.cpuDuring(() => server.profile(label, work));
  result.measurement.cpuMsPerRequest = cpuMs / Math.max(1, result.measurement.requests);
  return result;
}

/** The checks every load run must pass for its figures to mean anything. */
export function loadInvariants(label: string, m: Measurement): Invariant[] {
  return [
    { name: `${label}: requests completed`, ok: m.requests > 0, detail: `${m.requests} requests` },
    { name: `${label}: no non-2xx responses`, ok: m.non2xx === 0, detail: `${m.non2xx} non-2xx` },
    {
      name: `${label}: no errors or timeouts`,
      ok: m.errors === 0 && m.timeouts === 0,
      detail: `${m.errors} errors, ${m.timeouts} timeouts`,
    },
    { name: `${label}: every body as expected`, ok: m.mismatches === 0, detail: `${m.mismatches} mismatched bodies` },
  ];
}

/** Whitespace-insensitive statement text, so indentation is no difference. */
const normalise = (sql: string): string => sql.replace(/\s+/g, ' ').trim();
const clip = (text: string, max = 400): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * The baseline must send PostgreSQL the same statements as the API for the same request
 * (same text, order, locks and transaction boundaries), or its figure is not a baseline.
 */
export function sameSql(label: string, api: string[], baseline: string[]): Invariant {
  const a = api.map(normalise);
  const b = baseline.map(normalise);
  const i = a.findIndex((s, k) => s !== b[k]);
  const at = i >= 0 ? i : a.length < b.length ? a.length : -1;
  return {
    name: `${label}: the baseline sends the same SQL as the API`,
    ok: at < 0,
    detail:
      at < 0
        ? `${a.length} statements`
        : `statement ${at + 1} of ${a.length} (api) / ${b.length} (baseline) differs:\n` +
          `      api:      ${clip(a[at] ?? '(none)')}\n      baseline: ${clip(b[at] ?? '(none)')}`,
  };
}

/** The value with every leaf replaced by its type: what two answers to the same request share. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  }
  return value === null ? 'null' : typeof value;
}

/** Both sides answer with the same JSON (`exact`), or the same keys, key order, array lengths and leaf types. */
export function sameAnswer(label: string, api: string, baseline: string, exact: boolean): Invariant {
  const name = `${label}: the baseline answers ${exact ? 'the same body as' : 'in the same shape as'} the API`;
  let ok: boolean;
  try {
    ok = exact
      ? api === baseline
      : JSON.stringify(shapeOf(JSON.parse(api))) === JSON.stringify(shapeOf(JSON.parse(baseline)));
  } catch {
    ok = false;
  }
  return {
    name,
    ok,
    detail: ok ? `${api.length} and ${baseline.length} bytes` : `api: ${clip(api)}\n      baseline: ${clip(baseline)}`,
  };
}

/** Counts the "request completed" lines a stopped server logged: request logging was really on. */
export async function loggedRequests(server: ServerProcess): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(server.logFile), crlfDelay: Infinity });
  for await (const line of lines) if (line.includes('"msg":"request completed"')) n++;
  return n;
}

/** Each side wrote one "request completed" line per request it answered (at info). */
export async function loggingInvariant(server: ServerProcess, atLeast: number): Promise<Invariant> {
  const n = await loggedRequests(server);
  const on = logLevel() === 'info' || logLevel() === 'debug' || logLevel() === 'trace';
  return {
    name: `${server.name}: logged every request at ${logLevel()}`,
    ok: on ? n >= atLeast : n === 0,
    detail: `${n} "request completed" lines for at least ${atLeast} requests`,
  };
}
