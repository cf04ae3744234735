import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { waitFor } from './wait-for';

/**
 * A private, throwaway redis-server for tests that stop Redis, wipe it or change its
 * policy (never the shared one on 6379: other test files use it at the same time).
 * No persistence: a restart comes back empty, as a Redis without AOF/RDB would.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Answers whether it is running (and answering) right now. */
  ping(): Promise<boolean>;
  /** Stops it (SIGKILL: gone at once, as in a crash) and waits until the port no longer answers. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  restart(): Promise<void>;
  /** A one-off command (FLUSHALL, CONFIG SET ...) on a short-lived connection. */
  command(...args: string[]): Promise<unknown>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

async function ping(port: number): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts `redis-server` on a free port; `args` adds options (e.g. `['--maxmemory-policy',
 * 'allkeys-lru']`). Stop it with `stopAllRedis()` in afterAll (also after a failed test).
 */
export async function startPrivateRedis(args: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const launch = async () => {
    const p = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
      {
        stdio: 'ignore',
      },
    );
    running.add(p);
    p.on('exit', () => running.delete(p));
    proc = p;
    await waitFor(`redis-server on port ${port}`, () => ping(port), 10_000);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    ping: () => ping(port),
    async stop() {
      const p = proc;
      proc = undefined;
      if (p && p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((resolve) => p.once('exit', resolve));
        p.kill('SIGKILL');
        await exited;
      }
      await waitFor(`redis-server on port ${port} to stop`, async () => !(await ping(port)), 10_000);
    },
    async restart() {
      if (proc) throw new Error('redis-server is still running');
      await launch();
    },
    async command(...cmd: string[]) {
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        return await client.call(cmd[0], ...cmd.slice(1));
      } finally {
        client.disconnect();
      }
    },
  };
}

/** Kills every private redis-server this test file started (for afterAll). */
export async function stopAllRedis(): Promise<void> {
  await Promise.all(
    [...running].map(async (p) => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGKILL');
      await exited;
    }),
  );
}
