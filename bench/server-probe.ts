import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';
import { Client } from 'pg';

/**
 * Preloaded (`node -r`) into every server the harness starts, API and baseline alike, so
 * both pay the same. It listens on a loopback side port (BENCH_PROBE_PORT) for the harness:
 *
 * - `POST /sql/arm`, then `GET /sql`: the text of every statement sent through pg in
 *   between (TypeORM and a bare pool both end in `Client.prototype.query`). The harness
 *   arms it around one probe request on each side and compares the lists, so a baseline
 *   whose SQL drifts from the app's fails an invariant instead of flattering the ratio.
 *   Unarmed, it costs one boolean test per statement.
 * - `GET /cpu`: the CPU time the process has used (user + system, µs), so the harness can
 *   tell the work per request apart from the load other programs put on the machine.
 * - `POST /profile/start`, then `POST /profile/stop?file=...`: a V8 CPU profile of the
 *   measured run (BENCH_PROFILE=1), written as a .cpuprofile (Chrome DevTools, speedscope).
 */
const port = Number(process.env.BENCH_PROBE_PORT);

// Worker threads (the PDF pool) inherit the preload: only the main thread serves the probe.
if (isMainThread && Number.isInteger(port) && port > 0) {
  let armed = false;
  let statements: string[] = [];

  type Query = (this: Client, config: unknown, ...rest: unknown[]) => unknown;
  const proto = Client.prototype as unknown as { query: Query };
  const query = proto.query;
  proto.query = function traced(this: Client, config: unknown, ...rest: unknown[]) {
    if (armed) {
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      statements.push(typeof text === 'string' ? text : '<not a text query>');
    }
    return query.call(this, config, ...rest);
  };

  let profiler: Session | undefined;
  const post = (session: Session, method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe');
    const answer = (body: unknown): void => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const fail = (e: unknown): void => {
      res.statusCode = 500;
      res.end(String((e as Error)?.message ?? e));
    };
    if (req.method === 'POST' && url.pathname === '/sql/arm') {
      statements = [];
      armed = true;
      answer({});
    } else if (req.method === 'GET' && url.pathname === '/sql') {
      armed = false;
      answer(statements);
    } else if (req.method === 'GET' && url.pathname === '/cpu') {
      const { user, system } = process.cpuUsage();
      answer({ micros: user + system });
    } else if (req.method === 'POST' && url.pathname === '/profile/start') {
      profiler = new Session();
      profiler.connect();
      post(profiler, 'Profiler.enable')
        .then(() => post(profiler!, 'Profiler.setSamplingInterval', { interval: 500 }))
        .then(() => post(profiler!, 'Profiler.start'))
        .then(() => answer({}), fail);
    } else if (req.method === 'POST' && url.pathname === '/profile/stop' && profiler) {
      const session = profiler;
      profiler = undefined;
      post(session, 'Profiler.stop').then((result) => {
        writeFileSync(
          url.searchParams.get('file') ?? 'bench.cpuprofile',
          JSON.stringify((result as { profile: unknown }).profile),
        );
        session.disconnect();
        answer({});
      }, fail);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(port, '127.0.0.1');
  // Never keeps the server process alive on its own.
  server.unref();
}
