import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The real entry point refuses to start with a clear list of bad variables (no stack trace). */
describe('start-up with a bad environment (e2e)', () => {
  it('exits 1 naming every bad variable', async () => {
    const main = join(__dirname, '../../src/main.ts');
    const result = await run(process.execPath, ['-r', '@swc-node/register', main], {
      env: { ...process.env, NODE_ENV: 'production', PORT: 'x', JWT_SECRET: '' },
      timeout: 20000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid environment/);
    expect(result.stderr).toMatch(/PORT/);
    expect(result.stderr).toMatch(/JWT_SECRET is required/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
