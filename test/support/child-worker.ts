import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for';

/**
 * A worker as its own process, started the way a deployment runs it from source
 * (`node -r @swc-node/register src/worker.ts`), so a test can SIGKILL or SIGTERM it.
 * Its logs (JSON lines, LOG_LEVEL info) are collected in `output`.
 */
export interface ChildWorker {
  proc: ChildProcess;
  pid: number;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  stderr(): string;
  /** Resolves with the exit code and signal once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until its output matches `pattern` (fails early if it exits first). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');
const children = new Set<ChildProcess>();

/** `env` is the whole environment (e.g. `{ ...t.rawEnv, JOB_LOCK_MS: '2000' }`); logs go to `output` at info unless overridden. */
export function spawnWorker(env: Record<string, string | undefined>): ChildWorker {
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', 'src/worker.ts'], {
    cwd: ROOT,
    // Not "test": that silences the log, and the tests read it.
    env: {
      ...env,
      NODE_ENV: 'development',
      LOG_LEVEL: env.LOG_LEVEL && env.LOG_LEVEL !== 'silent' ? env.LOG_LEVEL : 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      done({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      waitFor(
        `worker ${proc.pid} to log ${pattern}`,
        async () => {
          if (pattern.test(out)) return true;
          if (gone) throw new Error(`worker exited before logging ${pattern}:\n${out.slice(-2000)}`);
          return false;
        },
        timeoutMs,
      ).then(() => undefined),
  };
}

/** SIGKILLs every worker process this file started that is still running (for afterAll). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...children].map(async (p) => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((done) => p.once('exit', done));
      p.kill('SIGKILL');
      await exited;
    }),
  );
}
