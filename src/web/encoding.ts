import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/**
 * The encoding to answer with, from Accept-Encoding: the one the client rates highest among
 * `offered` (brotli first on a tie: it is smaller), undefined for none. `*` stands for the
 * encodings the header does not name; `q=0` refuses one.
 */
export function pickEncoding(header: unknown, offered: readonly Encoding[] = ['br', 'gzip']): Encoding | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const quality = new Map<string, number>();
  for (const part of header.slice(0, 500).toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (name && Number.isFinite(value)) quality.set(name, value);
  }
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const encoding of offered) {
    const q = quality.get(encoding) ?? quality.get('*') ?? 0;
    if (q > bestQ) [best, bestQ] = [encoding, q];
  }
  return best;
}

/** A page's HTML compressed for one answer: fast settings, since it is made per request (a few KB, well under 1 ms). */
export function compressPage(html: Buffer, encoding: Encoding): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(html, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: html.length },
      })
    : gzipSync(html, { level: 6 });
}
