import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressPage, pickEncoding } from './encoding';

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, as the client allows', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip, deflate')).toBe('gzip');
    expect(pickEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(pickEncoding('deflate')).toBeUndefined();
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding('')).toBeUndefined();
    expect(pickEncoding(undefined)).toBeUndefined();
  });

  it('reads q=0 as a refusal and * as every encoding not named', () => {
    expect(pickEncoding('br;q=0, gzip')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('br;q=0, *')).toBe('gzip');
    expect(pickEncoding('*;q=0')).toBeUndefined();
    expect(pickEncoding('GZIP')).toBe('gzip');
  });

  it('offers only what it has', () => {
    expect(pickEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(pickEncoding('br', ['gzip'])).toBeUndefined();
  });
});

describe('compressPage', () => {
  it('compresses both ways, losslessly', () => {
    const html = Buffer.from('<p>你好</p>'.repeat(200));
    expect(brotliDecompressSync(compressPage(html, 'br')).equals(html)).toBe(true);
    expect(gunzipSync(compressPage(html, 'gzip')).equals(html)).toBe(true);
    expect(compressPage(html, 'br').length).toBeLessThan(html.length / 10);
  });
});
