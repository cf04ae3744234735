import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `npm start` keeps secrets it made for a first look: the user's state folder
 * (`$XDG_STATE_HOME`, else `~/.local/state`), outside the repository, so no secret is ever
 * committed and tokens keep working across restarts. `LMS_STATE_DIR` points elsewhere.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LMS_STATE_DIR) return env.LMS_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'training-lms');
}

/**
 * The secret stored under `name` in the state folder, made (32 random bytes, hex, readable
 * by this user only) the first time. Answers where it lives and whether it was just made.
 */
export async function localSecret(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: string; path: string; created: boolean }> {
  const dir = stateDir(env);
  const path = join(dir, name);
  try {
    const value = (await readFile(path, 'utf8')).trim();
    if (value.length >= 32) return { value, path, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('hex');
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return { value, path, created: true };
}
