import { localPath } from './local-path';

describe('localPath (where to go after signing in)', () => {
  it('keeps a path of this site with its query', () => {
    expect(localPath('/')).toBe('/');
    expect(localPath('/c/Wx5sKk8NTE6aUS99jDueEA/042917')).toBe('/c/Wx5sKk8NTE6aUS99jDueEA/042917');
    expect(localPath('/check-in?x=1#top')).toBe('/check-in?x=1');
    expect(localPath('/a/../b')).toBe('/b');
  });

  it('refuses another origin, however it is written', () => {
    for (const next of [
      'https://evil.example',
      'https://evil.example/c/x/1',
      '//evil.example',
      '//evil.example/path',
      '/\\evil.example',
      '/.//evil.example',
      '/./\\evil.example',
      '/a/..//evil.example/c/x/1',
      '/%2e//evil.example',
      '/..//evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      'evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      ' /x',
      '',
      'x'.repeat(10),
      `/${'a'.repeat(1000)}`,
    ]) {
      expect([next, localPath(next)]).toEqual([next, undefined]);
    }
    // An escaped line break stays escaped: a harmless local path.
    expect(localPath('/%0a/evil')).toBe('/%0a/evil');
  });

  it('refuses what is not text', () => {
    expect(localPath(undefined)).toBeUndefined();
    expect(localPath(['/'])).toBeUndefined();
  });
});
