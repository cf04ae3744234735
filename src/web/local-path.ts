const BASE = 'http://local.invalid';

/**
 * `next` as a path of this site to go to after signing in, or undefined when it is anything
 * else: another origin (`https://evil.example`, `//evil.example`, `/\evil.example`, which
 * browsers read as `//`), a scheme (`javascript:`), control characters or an over-long text.
 * The answer is rebuilt from the parsed address (path, query, fragment dropped), so what is
 * sent back as `Location` is always a local path: one whose dot segments collapse to `//`
 * (`/.//evil.example`, `/a/..//evil.example`) is refused too, as browsers would read it as
 * another host.
 */
export function localPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length === 0 || next.length > 1000) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters (a tab or line break browsers drop) are refused
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return undefined;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE || url.pathname.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}`;
}
