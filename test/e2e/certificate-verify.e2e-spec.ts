import { createHash } from 'node:crypto';
import { formatVerificationCode, newVerificationCode } from '../../src/certificates/verification-code';
import {
  certificateVerifyWorld,
  type CertificateVerifyWorld,
  insertCertificate,
  revokeDirectly,
} from '../factories/certificate-verify';
import { startTestApp, type TestApp } from '../support/test-app';

/** What WeChat's browser sends after scanning a QR code (other phone browsers send the same types). */
const WECHAT = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8',
  'user-agent':
    'Mozilla/5.0 (Linux; Android 10; V2001A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 ' +
    'Chrome/86.0.4240.99 XWEB/4313 MMWEBSDK/20220805 Mobile Safari/537.36 MicroMessenger/8.0.27.2220(0x28001B3B)',
};
const LIMIT = 5;

let addresses = 0;
/** A client address of its own, so one test's lookups never count against another's. */
const freshAddress = () => `10.20.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

interface Lookup {
  accept?: string;
  address?: string;
  headers?: Record<string, string>;
}

function lookup(t: TestApp, code: string, options: Lookup = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': options.address ?? freshAddress(), ...options.headers };
  if (options.accept !== undefined) headers.accept = options.accept;
  return t.app.inject({ method: 'GET', url: `/api/certificates/verify/${encodeURIComponent(code)}`, headers });
}

const page = (t: TestApp, code: string, address?: string) => lookup(t, code, { headers: WECHAT, address });

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function expectVerifyHeaders(res: { headers: Record<string, unknown> }) {
  expect(String(res.headers.vary)).toMatch(/\bAccept\b/i);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-robots-tag']).toBe('noindex');
}

describe('public certificate verification (e2e)', () => {
  let t: TestApp;
  let world: CertificateVerifyWorld;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', CERTIFICATE_VERIFY_PER_MINUTE: String(LIMIT) });
    world = await certificateVerifyWorld(t.ds);
  });
  afterAll(() => t?.close());

  it('answers a valid certificate without a token: masked holder, course, class, centre, local issue date', async () => {
    const { certificate } = await insertCertificate(t.ds, world, { name: '欧阳晓明' });
    const res = await lookup(t, formatVerificationCode(certificate.code));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectVerifyHeaders(res);
    expect(res.json()).toEqual({
      valid: true,
      code: formatVerificationCode(certificate.code),
      serial: certificate.serial,
      holder: '欧阳*明',
      course: '基层图书馆服务实务',
      classTitle: '2026年第二期',
      centre: '甲县',
      issuedOn: '2026-06-30',
      revoked: null,
    });
    // The stored form (no dashes) is read too.
    expect((await lookup(t, certificate.code)).statusCode).toBe(200);
  });

  it('answers a certificate as valid before revocation and as revoked, with date and reason, after it', async () => {
    const { certificate } = await insertCertificate(t.ds, world, { name: '王小明' });
    const code = formatVerificationCode(certificate.code);
    expect((await lookup(t, code)).json()).toMatchObject({ valid: true, revoked: null, holder: '王*明' });
    const before = await page(t, code);
    expect(before.body).toContain('证书有效');
    expect(before.body).not.toContain('证书已撤销');

    // 01:00 on 2 July in the centre's zone.
    await revokeDirectly(t.ds, world, certificate, '成绩录入有误，已重新核定', new Date('2026-07-01T17:00:00Z'));

    const after = await lookup(t, code);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({
      valid: false,
      code,
      holder: '王*明',
      revoked: { on: '2026-07-02', reason: '成绩录入有误，已重新核定' },
    });
    const revokedPage = await page(t, code);
    expect(revokedPage.statusCode).toBe(200);
    expectVerifyHeaders(revokedPage);
    expect(revokedPage.body).toContain('证书已撤销');
    expect(revokedPage.body).not.toContain('证书有效');
    expect(revokedPage.body).toContain('2026年7月2日');
    expect(revokedPage.body).toContain('成绩录入有误，已重新核定');
    expect(revokedPage.body).toMatch(/<title>证书已撤销/);
  });

  it('answers unknown codes and text that cannot be a code with the same 404, JSON and page alike', async () => {
    const unknown = await lookup(t, formatVerificationCode(newVerificationCode()));
    expect(unknown.statusCode).toBe(404);
    expectVerifyHeaders(unknown);
    expect(unknown.json()).toEqual({
      statusCode: 404,
      code: 'CERTIFICATE_NOT_FOUND',
      message: expect.stringMatching(/[\u4e00-\u9fff]/),
    });
    const unknownPage = await page(t, newVerificationCode());
    expect(unknownPage.statusCode).toBe(404);
    expectVerifyHeaders(unknownPage);
    expect(unknownPage.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unknownPage.body).toContain('查无此证书');
    expect(unknownPage.body).toMatch(/<title>查无此证书/);

    const malformed = [
      'hello',
      '7K3Q-M9XD',
      'UUUUUUUUUUUUUUUUUUUU',
      '7K3QM9XD0A1BZZ22PQRSX',
      '证书',
      '../../etc',
      "' OR 1=1 --",
    ];
    for (const bad of malformed) {
      const json = await lookup(t, bad);
      expect({ bad, status: json.statusCode, body: json.body }).toEqual({
        bad,
        status: 404,
        body: unknown.body,
      });
      const html = await page(t, bad);
      expect({ bad, status: html.statusCode, body: html.body }).toEqual({ bad, status: 404, body: unknownPage.body });
    }
    // The page never echoes what was typed.
    expect((await page(t, 'hello<b>')).body).not.toContain('hello');
  });

  it('reads a code typed in lower case, with spaces, or with O for 0 and I or L for 1', async () => {
    const { certificate } = await insertCertificate(t.ds, world, { code: '7K3QM9XD0A1BZZ22PQRS' });
    for (const typed of [
      '7k3q-m9xd-0a1b-zz22-pqrs',
      '7K3Q M9XD 0A1B ZZ22 PQRS',
      ' 7k3q m9xd oa1b zz22 pqrs ',
      '7K3QM9XDOAIBZZ22PQRS',
      '7K3Q-M9XD-0AlB-ZZ22-PQRS',
    ]) {
      const res = await lookup(t, typed);
      expect({ typed, status: res.statusCode }).toEqual({ typed, status: 200 });
      expect(res.json()).toMatchObject({ serial: certificate.serial, code: '7K3Q-M9XD-0A1B-ZZ22-PQRS' });
    }
  });

  it('serves phones a plain Chinese page: lang, title, headings, no script, a strict policy, readable contrast', async () => {
    const { certificate } = await insertCertificate(t.ds, world, { name: '张三' });
    const res = await page(t, formatVerificationCode(certificate.code).toLowerCase());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expectVerifyHeaders(res);
    const html = res.body;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toMatch(/<title>证书有效 · 培训证书查验<\/title>/);
    // One h1 (the verdict), then h2 sections: no skipped levels.
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toMatch(/<h1[^>]*>.*证书有效<\/h1>/);
    expect([...html.matchAll(/<h([1-6])/g)].map((m) => Number(m[1])).every((level) => level <= 2)).toBe(true);
    // The township is not shown: a masked name and a township can name a person in a small place.
    expect(html).not.toContain('甲一镇');
    for (const shown of [
      '张*',
      '基层图书馆服务实务',
      '2026年第二期',
      '甲县',
      '2026年6月30日',
      certificate.serial,
      formatVerificationCode(certificate.code),
    ]) {
      expect(html).toContain(shown);
    }
    // Nothing runs, nothing loads: no script, no external resource, no inline handler.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\son\w+=|javascript:/i);

    // The page's own policy allows exactly its inline stylesheet, by hash.
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src/);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`);

    // Every rule that sets a text colour sets its background, and the pair reads at AA (4.5:1).
    const pairs = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].flatMap(([, selector, body]) => {
      const color = /(?:^|;)\s*color:\s*(#[0-9a-f]{6})/i.exec(body)?.[1];
      const background = /background(?:-color)?:\s*(#[0-9a-f]{6})/i.exec(body)?.[1];
      return color ? [{ selector: selector.trim(), color, background }] : [];
    });
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    for (const p of pairs) {
      expect({ ...p, ok: p.background !== undefined && contrast(p.color, p.background) >= 4.5 }).toEqual({
        ...p,
        ok: true,
      });
    }
    // Big enough to read on a small phone.
    expect(css).toMatch(/html\s*\{[^}]*font-size:\s*20px/);
  });

  it('chooses JSON or the page by Accept', async () => {
    const { certificate } = await insertCertificate(t.ds, world);
    const code = certificate.code;
    const type = async (accept?: string) =>
      String((await lookup(t, code, { accept })).headers['content-type']).split(';')[0];
    expect(await type()).toBe('application/json');
    expect(await type('*/*')).toBe('application/json');
    expect(await type('application/json')).toBe('application/json');
    expect(await type('text/html;q=0.5, application/json')).toBe('application/json');
    expect(await type('text/html')).toBe('text/html');
    expect(await type('application/xhtml+xml, */*;q=0.8')).toBe('text/html');
  });

  it("never shows the trainee's id, phone number or full name, nor any internal id, in either form", async () => {
    const { certificate, trainee } = await insertCertificate(t.ds, world, { name: '司马相如' });
    const code = formatVerificationCode(certificate.code);
    const json = await lookup(t, code);
    const html = await page(t, code);
    expect(Object.keys(json.json()).sort()).toEqual(
      ['centre', 'classTitle', 'code', 'course', 'holder', 'issuedOn', 'revoked', 'serial', 'valid'].sort(),
    );
    expect(json.json().holder).toBe('司马*如');
    for (const body of [json.body, html.body]) {
      for (const secret of [
        '司马相如',
        trainee.id,
        trainee.phone!,
        trainee.username,
        certificate.id,
        world.cls.id,
        world.admin.id,
        world.tree.countyA.id,
      ]) {
        expect({ secret, leaked: body.includes(secret) }).toEqual({ secret, leaked: false });
      }
    }
  });

  it('limits lookups per client address: 429 with Retry-After after the limit, JSON or page, other addresses unaffected', async () => {
    const { certificate } = await insertCertificate(t.ds, world);
    const code = formatVerificationCode(certificate.code);
    const address = '10.99.0.1';
    // Found and unknown lookups count alike.
    for (let i = 0; i < LIMIT; i++) {
      const res = await lookup(t, i % 2 ? code : newVerificationCode(), { address });
      expect(res.statusCode).toBe(i % 2 ? 200 : 404);
    }
    const refused = await lookup(t, code, { address });
    expect(refused.statusCode).toBe(429);
    expectVerifyHeaders(refused);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json()).toEqual({
      statusCode: 429,
      code: 'TOO_MANY_VERIFICATIONS',
      message: expect.any(String),
      retryAfterSeconds: retryAfter,
    });
    expect(refused.body).not.toContain(certificate.serial);

    const refusedPage = await page(t, code, address);
    expect(refusedPage.statusCode).toBe(429);
    expect(refusedPage.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(refusedPage.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refusedPage.body).toContain('查询过于频繁');
    expect(refusedPage.body).toContain('<html lang="zh-CN">');
    expect(refusedPage.body).not.toContain(certificate.serial);

    // English on request, for API clients.
    const english = await lookup(t, code, { address, headers: { 'accept-language': 'en' } });
    expect(english.json().message).toMatch(/[a-z]/);

    expect((await lookup(t, code, { address: '10.99.0.2' })).statusCode).toBe(200);
    // Parallel lookups cannot slip past the limit together.
    const burst = await Promise.all(Array.from({ length: 12 }, () => lookup(t, code, { address: '10.99.0.3' })));
    expect(burst.filter((r) => r.statusCode === 200)).toHaveLength(LIMIT);
    expect(burst.filter((r) => r.statusCode === 429)).toHaveLength(12 - LIMIT);
  });

  it('counts an IPv6 client by its /64', async () => {
    const { certificate } = await insertCertificate(t.ds, world);
    for (let i = 1; i <= LIMIT; i++) {
      expect((await lookup(t, certificate.code, { address: `2001:db8:7:1::${i}` })).statusCode).toBe(200);
    }
    expect((await lookup(t, certificate.code, { address: '2001:db8:7:1:abcd::9' })).statusCode).toBe(429);
    expect((await lookup(t, certificate.code, { address: '2001:db8:7:2::1' })).statusCode).toBe(200);
  });
});

describe('public certificate verification without Redis (e2e)', () => {
  it('goes on unthrottled: a certificate stays checkable', async () => {
    const t = await startTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      TRUST_PROXY: '1',
      CERTIFICATE_VERIFY_PER_MINUTE: '1',
    });
    try {
      const world = await certificateVerifyWorld(t.ds);
      const { certificate } = await insertCertificate(t.ds, world);
      for (let i = 0; i < 3; i++) {
        const res = await lookup(t, certificate.code, { address: '10.30.0.1' });
        expect(res.statusCode).toBe(200);
        expect(res.json().valid).toBe(true);
      }
    } finally {
      await t.close();
    }
  });
});
