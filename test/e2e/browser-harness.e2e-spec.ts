import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Certificate } from '../../src/certificates/certificate.entity';
import { formatVerificationCode } from '../../src/certificates/verification-code';
import { certificateVerifyWorld, insertCertificate } from '../factories/certificate-verify';
import {
  bodyTextMetrics,
  expectMatchesBaseline,
  expectNoSeriousA11yViolations,
  formatViolations,
  hasHorizontalScroll,
  launchBrowser,
  openPhone,
  PHONE,
  runAxe,
  tapTargets,
  tooSmallTapTargets,
  transferredBytes,
} from '../support/browser';
import { listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

/**
 * The browser-test harness (test/support/browser.ts), proved on fixed HTML where the answers
 * are known, and on the page that exists today: the public certificate verification page.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

// A new page costs a renderer process (0.5–1 s on two cores): each block shares one page, and
// every test loads its own content into it first. Tests that need their own cookies or clock
// open their own.
describe('browser harness on fixed HTML', () => {
  let page: Page;

  beforeAll(async () => {
    page = await openPhone(browser);
  });
  afterAll(() => page?.context().close());

  it('is a 360×800 WeChat phone in China', async () => {
    await page.setContent('<meta name="viewport" content="width=device-width, initial-scale=1"><p>x</p>');
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as {
        innerWidth: number;
        innerHeight: number;
        navigator: { userAgent: string; language: string; maxTouchPoints: number };
      };
      return {
        width: g.innerWidth,
        height: g.innerHeight,
        ua: g.navigator.userAgent,
        language: g.navigator.language,
        touch: g.navigator.maxTouchPoints > 0,
        zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      };
    });
    expect(seen).toEqual({
      width: 360,
      height: 800,
      ua: expect.stringContaining('MicroMessenger/'),
      language: 'zh-CN',
      touch: true,
      zone: 'Asia/Shanghai',
    });
  });

  it('sets the phone clock 10 minutes ahead, and it keeps ticking', async () => {
    const skewed = await openPhone(browser, { clockOffsetMs: 10 * 60_000 });
    try {
      await skewed.setContent('<p>x</p>');
      const first = (await skewed.evaluate(() => Date.now())) - Date.now();
      expect(Math.abs(first - 10 * 60_000)).toBeLessThan(2000);
      await skewed.waitForTimeout(300);
      const later = (await skewed.evaluate(() => Date.now())) - Date.now();
      expect(Math.abs(later - first)).toBeLessThan(500);
    } finally {
      await skewed.context().close();
    }
  });

  it('measures tap targets: small, inline, primary, and a radio by its label', async () => {
    await page.setContent(`<!doctype html><html lang="en"><body style="margin:0;font-size:18px">
      <p>Read <a href="#x">the rules</a> first.</p>
      <button style="height:40px;width:200px">small</button>
      <a href="#go" data-primary style="display:block;height:64px;width:300px">primary</a>
      <a href="#p2" class="weui-btn weui-btn_primary" style="display:block;height:50px;width:300px">short primary</a>
      <label style="display:block;height:56px;width:300px"><input type="radio" name="r" style="width:13px;height:13px"> A</label>
      <input type="hidden" name="csrf" value="t"><button style="display:none">hidden</button>
    </body></html>`);
    const targets = await tapTargets(page);
    expect(targets.map((t) => [t.kind, t.name, t.height, t.inline, t.primary, t.viaLabel])).toEqual([
      ['a', 'the rules', expect.any(Number), true, false, false],
      ['button', 'small', 40, false, false, false],
      ['a', 'primary', 64, false, true, false],
      ['a', 'short primary', 50, false, true, false],
      ['input[radio]', 'r', 56, false, false, true],
    ]);
    expect(tooSmallTapTargets(targets).map((t) => t.name)).toEqual(['small', 'short primary']);
  });

  it('reads body text metrics and finds the smallest text', async () => {
    await page.setContent(`<!doctype html><html lang="en"><body style="font-size:18px;line-height:1.5">
      <p>Body text</p><p style="font-size:12px;line-height:normal">fine print</p></body></html>`);
    const metrics = await bodyTextMetrics(page);
    expect(metrics.body).toMatchObject({ fontSizePx: 18, lineHeightPx: 27, lineHeightRatio: 1.5 });
    expect(metrics.smallest).toMatchObject({ fontSizePx: 12, lineHeightPx: null, where: 'p "fine print"' });
  });

  it('finds horizontal scrolling at 320 px and text that only overflows at 200 %', async () => {
    await page.setContent(`<!doctype html><html lang="en"><head>
      <meta name="viewport" content="width=device-width, initial-scale=1"></head>
      <body style="margin:0"><div class="wide" style="width:340px">wide</div></body></html>`);
    expect(await hasHorizontalScroll(page, 360)).toMatchObject({ scrolls: false });
    expect(await hasHorizontalScroll(page, 320)).toMatchObject({
      scrolls: true,
      overflowing: ['div.wide (right edge 340)'],
    });

    // A word that cannot wrap: 10 characters of 14 px monospace fit 320 px; at 28 px they do not.
    await page.setContent(`<!doctype html><html lang="en"><head>
      <meta name="viewport" content="width=device-width, initial-scale=1"></head>
      <body style="margin:0"><p style="font:14px monospace;letter-spacing:1px">ABCDEFGHIJKLMNOPQRST</p></body></html>`);
    expect(await hasHorizontalScroll(page, 320)).toMatchObject({ scrolls: false });
    expect(await hasHorizontalScroll(page, 320, { textZoom: 2 })).toMatchObject({ scrolls: true });
    // The page is left as it was.
    expect(page.viewportSize()).toEqual(PHONE);
    expect(await hasHorizontalScroll(page, 320)).toMatchObject({ scrolls: false });
  });

  it('reports axe violations readably', async () => {
    await page.setContent('<!doctype html><html><head><title>t</title></head><body><img src="data:,"></body></html>');
    const violations = await runAxe(page);
    expect(violations.map((v) => v.id).sort()).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt']));
    expect(formatViolations(violations)).toMatch(/\[critical\] image-alt: .*\n {4}at img: /);
    await expect(expectNoSeriousA11yViolations(page)).rejects.toThrow(
      /serious or critical violation.*\n.*html-has-lang/s,
    );
  });

  it('counts transferred bytes, and a repeat visit takes long-cached files from the cache', async () => {
    const css = `body{margin:0}/*${'x'.repeat(5000)}*/`;
    const server = createServer((req, res) => {
      if (req.url === '/app.css') {
        res.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'public, max-age=31536000, immutable' });
        res.end(css);
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        res.end('<!doctype html><html lang="zh-CN"><link rel="stylesheet" href="/app.css"><p>你好</p></html>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const weight = await transferredBytes(browser, `${base}/`);
      const cssFirst = weight.requests.first.find((r) => r.url === `${base}/app.css`);
      expect(cssFirst?.bytes).toBeGreaterThan(css.length);
      expect(weight.first).toBeGreaterThan(css.length + 100);
      // Only the document comes again; the stylesheet is served from the cache, costing nothing.
      expect(weight.requests.repeat.find((r) => r.url === `${base}/app.css`)).toMatchObject({ bytes: 0 });
      expect(weight.repeat).toBeLessThan(1000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('browser harness on the certificate verification page', () => {
  let t: TestApp;
  let baseUrl: string;
  let url: string;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp({ CERTIFICATE_VERIFY_PER_MINUTE: '1000' });
    baseUrl = await listenOnLoopback(t);
    const world = await certificateVerifyWorld(t.ds);
    // Fixed values, so the screenshot is the same on every run.
    const { certificate } = await insertCertificate(t.ds, world, { name: '欧阳晓明', code: '7K3QM9XD0A1BZZ22PQRS' });
    await t.ds.getRepository(Certificate).update(certificate.id, { serial: '2026-Q2-0001' });
    url = `${baseUrl}/api/certificates/verify/${formatVerificationCode(certificate.code)}`;
  });
  afterAll(() => t?.close());

  beforeAll(async () => {
    page = await openPhone(browser, { baseURL: baseUrl });
  });
  afterAll(() => page?.context().close());

  it('opens in chromium at 360×800 as the Chinese page', async () => {
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.title()).toBe('证书有效 · 培训证书查验');
    await expect(page.locator('h1').textContent()).resolves.toContain('证书有效');
    expect(await page.locator('dd', { hasText: '欧阳*明' }).isVisible()).toBe(true);
  });

  it('has no serious or critical axe violation (wcag2a, wcag2aa, wcag21aa, wcag22aa)', async () => {
    await page.goto(url);
    const milder = await expectNoSeriousA11yViolations(page);
    if (milder.length) console.log(`verify page, milder axe findings:\n${formatViolations(milder)}`);
  });

  it('weighs well under the budget: 60 KB first, 15 KB repeat', async () => {
    const weight = await transferredBytes(browser, url);
    // One document, nothing else (the page loads no file), and the counts are real bytes.
    expect(weight.requests.first.map((r) => r.url)).toEqual([url]);
    expect(weight.first).toBeGreaterThan(1000);
    expect(weight.first).toBeLessThanOrEqual(60 * 1024);
    // no-store: a repeat visit fetches the document again, small as it is.
    expect(weight.repeat).toBeGreaterThan(1000);
    expect(weight.repeat).toBeLessThanOrEqual(15 * 1024);
  });

  it('reads tap targets and body text: 18 px or more, line height 1.3 or more', async () => {
    await page.goto(url);
    // The page has nothing to tap: no link, no button, no form.
    expect(await tapTargets(page)).toEqual([]);
    const text = await bodyTextMetrics(page);
    expect(text.body.fontSizePx).toBeGreaterThanOrEqual(18);
    expect(text.body.lineHeightRatio).toBeGreaterThanOrEqual(1.3);
    expect(text.smallest.fontSizePx).toBeGreaterThanOrEqual(18);
    expect(text.texts.filter((m) => m.lineHeightRatio === null || m.lineHeightRatio < 1.3)).toEqual([]);
  });

  it('does not scroll sideways at 320 px, nor with text at 200 %', async () => {
    await page.goto(url);
    // The whole answer in a failure message: which elements stick out.
    const narrow = await hasHorizontalScroll(page, 320);
    expect(narrow).toEqual({ ...narrow, scrolls: false });
    const zoomed = await hasHorizontalScroll(page, 320, { textZoom: 2 });
    expect(zoomed).toEqual({ ...zoomed, scrolls: false });
  });

  it('matches its screenshot baseline (docs/screenshots/certificate-verify.png)', async () => {
    await page.goto(url);
    await expectMatchesBaseline(page, 'certificate-verify');
  });
});
