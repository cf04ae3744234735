import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSecret, stateDir } from './local-secret';

describe('localSecret (npm start without JWT_SECRET)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lms-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('makes a random secret once, readable by its owner only, and reuses it', async () => {
    const env = { XDG_STATE_HOME: dir };
    const first = await localSecret('jwt-secret', env);
    expect(first).toMatchObject({ created: true, path: join(dir, 'training-lms', 'jwt-secret') });
    expect(first.value).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.path, 'utf8')).trim()).toBe(first.value);
    const again = await localSecret('jwt-secret', env);
    expect(again).toEqual({ ...first, created: false });
    const other = await localSecret('jwt-secret', { XDG_STATE_HOME: join(dir, 'elsewhere') });
    expect(other.value).not.toBe(first.value);
  });

  it('lives outside the repository: the state folder, or LMS_STATE_DIR', () => {
    expect(stateDir({ HOME: '/home/x', XDG_STATE_HOME: '' })).toMatch(/\.local\/state\/training-lms$/);
    expect(stateDir({ LMS_STATE_DIR: '/srv/lms' })).toBe('/srv/lms');
    expect(stateDir({ XDG_STATE_HOME: '/var/state' })).toBe('/var/state/training-lms');
  });
});
