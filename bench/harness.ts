import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Invariant } from './scenario';

/** dist/ when running the compiled harness (dist/bench/harness.js). */
const DIST = path.resolve(__dirname, '..');
const API_SCRIPT = path.join(DIST, 'src', 'main.js');
const BASELINE_SCRIPT = path.join(DIST, 'bench', 'baseline-server.js');

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_TAIL_CHARS = 20_000;

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
  stop(): Promise<void>;
  /** The last few KB of the child's stdout and stderr, for error messages. */
  output(): string;
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

/**
 * Starts `node <script>` in a child process on a free port (so load generation never
 * shares the server's event loop) and waits until GET `readyPath` answers 200.
 */
export async function startServer(opts: {
  name: string;
  script: string;
  env: Record<string, string>;
  readyPath: string;
}): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [opts.script], {
    env: { ...process.env, ...opts.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const server: ServerProcess = { name: opts.name, url, stop: () => stopChild(child), output: () => tail };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) break;
    try {
      const res = await fetch(`${url}${opts.readyPath}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        log(`${opts.name} ready on ${url} (pid ${child.pid})`);
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
  throw new Error(`${opts.name} (node ${path.relative(process.cwd(), opts.script)}) ${why}. Its output:\n${tail}`);
}

/** The compiled API (dist/src/main.js) against the given database, with quiet logs and its own Redis prefix. */
export function startApi(databaseUrl: string): Promise<ServerProcess> {
  return startServer({
    name: 'api',
    script: API_SCRIPT,
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: 'lms:bench:',
      HOST: '127.0.0.1',
    },
    readyPath: '/health',
  });
}

/** The bare Fastify + pg server (baseline-server.ts) against the given database. */
export function startBaseline(databaseUrl: string): Promise<ServerProcess> {
  return startServer({
    name: 'baseline',
    script: BASELINE_SCRIPT,
    env: { DATABASE_URL: databaseUrl },
    readyPath: '/health',
  });
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

/** Throughput and latency of one measured autocannon run. Latencies in milliseconds. */
export interface Measurement {
  /** Mean requests per second over the run. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  durationSeconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses whose body differed from `expectBody` (0 when no body was expected). */
  mismatches: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  headers?: Record<string, string>;
  /** Every response must have exactly this body; others are counted as mismatches. */
  expectBody?: string;
}

/** Warms the server up, then measures it with autocannon (in this process). */
export async function measure(opts: LoadOptions): Promise<Measurement> {
  const base: autocannon.Options = {
    url: opts.url,
    connections: opts.connections,
    timeout: 10,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.expectBody !== undefined ? { expectBody: opts.expectBody } : {}),
  };
  if (opts.warmupSeconds > 0) await autocannon({ ...base, duration: opts.warmupSeconds });
  const r = await autocannon({ ...base, duration: opts.durationSeconds });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    durationSeconds: r.duration,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    mismatches: r.mismatches,
  };
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
