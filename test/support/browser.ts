import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Result as AxeResult } from 'axe-core';
import pixelmatch from 'pixelmatch';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

/**
 * Browser tests: Playwright (playwright-core, no downloaded browser) driving Debian's
 * Chromium, as a trainee's phone would see our pages. One browser per test file
 * (`beforeAll(launchBrowser)`, closed in `afterAll`). `openPhone` makes a context (its own
 * cookies, cache and storage) and a page; a new page costs a renderer process (0.5–1 s on two
 * cores), so tests that need no fresh cookies may share one page and load their own content.
 *
 * The project compiles without the DOM library (lib ES2023), so the functions that run
 * inside the page type the few DOM members they use themselves (`InPage` below). Those
 * functions are sent to the page as source text: they may use nothing from this module.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** WeChat's built-in browser on a mid-range Android phone, as our trainees mostly use. */
export const WECHAT_USER_AGENT =
  'Mozilla/5.0 (Linux; Android 12; V2154A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/1234 ' +
  'MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

/** The phone the "must show" points are measured on. */
export const PHONE = { width: 360, height: 800 } as const;

/** Launches Debian's Chromium headless; fails at once, saying what to install, when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Browser tests use Debian's chromium: ` +
        '`apt-get install --no-install-recommends chromium` (.ci/run installs it), or set CHROMIUM_PATH ' +
        'to another Chromium binary. Do not run `playwright install`.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox. /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}

export interface PhoneOptions {
  /** Where relative `page.goto('/login')` addresses point (see `listenOnLoopback` in test-app.ts). */
  baseURL?: string;
  width?: number;
  height?: number;
  javaScriptEnabled?: boolean;
  /** The phone's clock is this many milliseconds ahead (negative: behind) of the real time; it ticks on. */
  clockOffsetMs?: number;
  /** Cookies and storage to start with, e.g. a signed-in trainee's `await context.storageState()`. */
  storageState?: BrowserContextOptions['storageState'];
  /** 1 by default: small, stable screenshots (phones have 2–3; CSS pixels and layout are the same). */
  deviceScaleFactor?: number;
  /**
   * The phone's language: Chinese (zh-CN) by default; `en` is a phone set to English, whose
   * browser asks for English pages (locale en-US and `Accept-Language: en-US,en;q=0.9`).
   */
  language?: 'zh' | 'en';
}

/** A new context and page as a phone in WeChat, in China: 360×800, touch, zh-CN (or English), Asia/Shanghai. */
export async function openPhone(browser: Browser, options: PhoneOptions = {}): Promise<Page> {
  const english = options.language === 'en';
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: { width: options.width ?? PHONE.width, height: options.height ?? PHONE.height },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    isMobile: true,
    hasTouch: true,
    userAgent: WECHAT_USER_AGENT,
    locale: english ? 'en-US' : 'zh-CN',
    extraHTTPHeaders: english ? { 'Accept-Language': 'en-US,en;q=0.9' } : undefined,
    timezoneId: 'Asia/Shanghai',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    storageState: options.storageState,
  });
  if (options.clockOffsetMs) await skewClock(context, options.clockOffsetMs);
  return context.newPage();
}

/**
 * Sets the phone's clock `offsetMs` off the real time, for pages opened afterwards. Playwright's
 * clock (Date, Intl, timers, performance) starts at the wrong time and then ticks in real time,
 * like a phone whose clock was set wrong; timers still fire on time. Call it before `goto`.
 */
export async function skewClock(context: BrowserContext, offsetMs: number): Promise<void> {
  await context.clock.install({ time: Date.now() + offsetMs });
}

// ---------------------------------------------------------------------------------------------
// The DOM members the in-page functions use (see the note at the top).

interface DomRect {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DomStyle {
  display: string;
  fontSize: string;
  lineHeight: string;
  getPropertyValue(name: string): string;
  getPropertyPriority(name: string): string;
  setProperty(name: string, value: string, priority?: string): void;
  removeProperty(name: string): string;
}
interface DomNode {
  nodeType: number;
  textContent: string | null;
}
interface DomElement extends DomNode {
  tagName: string;
  id: string;
  parentElement: DomElement | null;
  childNodes: ArrayLike<DomNode>;
  children: ArrayLike<DomElement>;
  style: DomStyle;
  scrollWidth: number;
  clientWidth: number;
  labels?: ArrayLike<DomElement> | null;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
  checkVisibility(options?: { checkVisibilityCSS?: boolean }): boolean;
  getBoundingClientRect(): DomRect;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
interface InPage {
  document: { documentElement: DomElement; body: DomElement; querySelectorAll(s: string): ArrayLike<DomElement> };
  // A property, not a method: window functions work unbound (Web IDL falls back to the global).
  getComputedStyle: (element: DomElement) => DomStyle;
}

// ---------------------------------------------------------------------------------------------
// Accessibility: axe-core

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

let axeSource: string | undefined;

/**
 * Runs axe-core in the page and answers its violations. The script goes in with
 * `page.evaluate` (the DevTools protocol), which a page's Content-Security-Policy does not
 * govern: our pages forbid inline scripts (`script-src 'self'` or `default-src 'none'`), so
 * `addScriptTag({ content })` would be blocked, and `bypassCSP` would test another page than
 * the one served. Run it after the page has settled (`goto` waits for `load`).
 */
export async function runAxe(page: Page, tags: string[] = WCAG_TAGS): Promise<AxeResult[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(
    (values) =>
      (
        globalThis as unknown as {
          axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeResult[] }> };
          document: unknown;
        }
      ).axe
        .run((globalThis as unknown as { document: unknown }).document, {
          runOnly: { type: 'tag', values },
          resultTypes: ['violations'],
        })
        .then((r) => r.violations),
    tags,
  );
}

/** Violations as lines a person can act on: impact, rule, what is wrong, where. */
export function formatViolations(violations: AxeResult[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`);
      const more = v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : [];
      return [`[${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})`, ...nodes, ...more].join('\n');
    })
    .join('\n');
}

/** Fails, listing them readably, when axe finds serious or critical violations; answers the milder ones. */
export async function expectNoSeriousA11yViolations(page: Page, tags: string[] = WCAG_TAGS): Promise<AxeResult[]> {
  const violations = await runAxe(page, tags);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    throw new Error(
      `axe found ${serious.length} serious or critical violation(s) on ${page.url()}:\n` + formatViolations(serious),
    );
  }
  return violations.filter((v) => !serious.includes(v));
}

// ---------------------------------------------------------------------------------------------
// Weight: bytes over the network

export interface TransferredRequest {
  url: string;
  /** Bytes received for it (headers and encoded body), redirects included; 0 when served from cache. */
  bytes: number;
  fromCache: boolean;
}

export interface TransferredBytes {
  first: number;
  repeat: number;
  requests: { first: TransferredRequest[]; repeat: TransferredRequest[] };
}

/**
 * Loads `url` in a fresh phone context (empty cache) and sums the bytes the browser itself
 * records as received (`Network.loadingFinished.encodedDataLength`: headers plus compressed
 * body, as DevTools' "transferred") for the page and everything it loads until the network
 * is idle; then, for the repeat visit, goes to about:blank and opens the address again in
 * that context (same cache). Not `reload()`, nor a second `goto` to the open address (which
 * Chromium treats as a reload): a reload revalidates what it may, and a returning trainee taps
 * a link rather than reload.
 */
export async function transferredBytes(
  browser: Browser,
  url: string,
  options: PhoneOptions & { repeat?: boolean } = {},
): Promise<TransferredBytes> {
  const page = await openPhone(browser, options);
  try {
    const cdp = await page.context().newCDPSession(page);
    let requests = new Map<string, TransferredRequest & { done: boolean }>();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith('data:')) return;
      const known = requests.get(e.requestId);
      // A redirect reuses the request id: count the redirect's answer and follow the new address.
      const redirected = known && e.redirectResponse ? e.redirectResponse.encodedDataLength : 0;
      requests.set(e.requestId, {
        url: e.request.url,
        bytes: (known?.bytes ?? 0) + redirected,
        fromCache: false,
        done: false,
      });
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.fromCache = true;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) Object.assign(r, { bytes: r.bytes + e.encodedDataLength, done: true });
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.done = true;
    });
    await cdp.send('Network.enable');

    const visit = async (): Promise<TransferredRequest[]> => {
      requests = new Map();
      await page.goto(url, { waitUntil: 'networkidle' });
      // The protocol's events may trail the idle signal by a moment.
      for (let i = 0; i < 50 && [...requests.values()].some((r) => !r.done); i++) await page.waitForTimeout(20);
      return [...requests.values()].map(({ url: u, bytes, fromCache }) => ({ url: u, bytes, fromCache }));
    };
    const sum = (list: TransferredRequest[]) => list.reduce((total, r) => total + r.bytes, 0);
    const first = await visit();
    // Away and back: going to the address already open would count as a reload.
    if (options.repeat !== false) await page.goto('about:blank');
    const repeat = options.repeat === false ? [] : await visit();
    await cdp.detach();
    return { first: sum(first), repeat: sum(repeat), requests: { first, repeat } };
  } finally {
    await page.context().close();
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: tap targets, text, horizontal scrolling

export interface TapTarget {
  /** Tag (and type or role), e.g. `a`, `button`, `input[radio]`, `[role=button]`. */
  kind: string;
  /** What it says: its text, value, aria-label or title, shortened. */
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** A link inside running text (display: inline): WCAG 2.5.8 exempts it from the size rule. */
  inline: boolean;
  /** A primary action: `[data-primary]` or WeUI's `.weui-btn_primary`. */
  primary: boolean;
  /** Measured on its label, which is larger (a radio or checkbox inside or tied to a big label). */
  viaLabel: boolean;
}

/**
 * Every visible link, button, form control and `[role=button]` with its box in CSS pixels.
 * A radio or checkbox counts with its largest label when that is larger: the label is what a
 * finger taps (WeUI hides the input itself inside a label cell).
 */
export async function tapTargets(page: Page): Promise<TapTarget[]> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as InPage;
    const selector =
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], ' +
      '[role=checkbox], [role=radio], [role=tab], [role=menuitem]';
    const name = (el: DomElement) => {
      const text =
        el.getAttribute('aria-label') ||
        (el.textContent ?? '').trim() ||
        el.getAttribute('value') ||
        el.getAttribute('title') ||
        el.getAttribute('placeholder') ||
        el.getAttribute('name') ||
        '';
      const flat = text.replace(/\s+/g, ' ');
      return flat.length > 40 ? flat.slice(0, 39) + '…' : flat;
    };
    const kind = (el: DomElement) => {
      const tag = el.tagName.toLowerCase();
      const role = el.getAttribute('role');
      if (role) return `${tag}[role=${role}]`;
      return tag === 'input' ? `input[${el.getAttribute('type') ?? 'text'}]` : tag;
    };
    const targets = [];
    for (const el of Array.from(document.querySelectorAll(selector))) {
      if (!el.checkVisibility({ checkVisibilityCSS: true })) continue;
      let box = el.getBoundingClientRect();
      let viaLabel = false;
      for (const label of Array.from(el.labels ?? [])) {
        const l = label.getBoundingClientRect();
        if (l.width * l.height > box.width * box.height) {
          box = l;
          viaLabel = true;
        }
      }
      if (box.width === 0 || box.height === 0) continue;
      targets.push({
        kind: kind(el),
        name: name(el),
        x: Math.round(box.x),
        y: Math.round(box.y),
        width: Math.round(box.width * 10) / 10,
        height: Math.round(box.height * 10) / 10,
        inline: getComputedStyle(el).display === 'inline',
        primary: el.matches('[data-primary], .weui-btn_primary'),
        viaLabel,
      });
    }
    return targets;
  });
}

/** The targets below the sizes: 48 px each way, primary actions 60 px high. Inline links are exempt. */
export function tooSmallTapTargets(targets: TapTarget[], min = 48, primaryMinHeight = 60): TapTarget[] {
  return targets.filter(
    (t) => !t.inline && (t.width < min || t.height < (t.primary ? Math.max(min, primaryMinHeight) : min)),
  );
}

export interface TextMetric {
  /** The element's tag and class, and the start of its text. */
  where: string;
  fontSizePx: number;
  /** Computed line height in px, or null for `normal` (whose height depends on the font). */
  lineHeightPx: number | null;
  /** lineHeightPx / fontSizePx, or null for `normal`. */
  lineHeightRatio: number | null;
}

/**
 * Computed font size and line height of the body, and of every visible element that holds
 * text of its own (text nodes directly inside it), so a test can check body text and find the
 * smallest text on the page.
 */
export async function bodyTextMetrics(
  page: Page,
): Promise<{ body: TextMetric; texts: TextMetric[]; smallest: TextMetric }> {
  const { body, texts } = await page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as InPage;
    const metric = (el: DomElement, text: string) => {
      const style = getComputedStyle(el);
      const fontSizePx = parseFloat(style.fontSize);
      const lineHeightPx = style.lineHeight === 'normal' ? null : parseFloat(style.lineHeight);
      const cls = el.getAttribute('class');
      return {
        where: `${el.tagName.toLowerCase()}${cls ? '.' + cls.trim().split(/\s+/).join('.') : ''} "${text.slice(0, 20)}"`,
        fontSizePx,
        lineHeightPx,
        lineHeightRatio: lineHeightPx === null ? null : Math.round((lineHeightPx / fontSizePx) * 100) / 100,
      };
    };
    const texts = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? '')
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
      if (!own || !el.checkVisibility({ checkVisibilityCSS: true })) continue;
      texts.push(metric(el, own));
    }
    return { body: metric(document.body, ''), texts };
  });
  const smallest = texts.reduce((a, b) => (b.fontSizePx < a.fontSizePx ? b : a), body);
  return { body, texts, smallest };
}

export interface HorizontalScroll {
  scrolls: boolean;
  /** The page's width in CSS px, and the viewport's. */
  scrollWidth: number;
  viewportWidth: number;
  /** Elements reaching past the right edge (at most 10), to find the culprit. */
  overflowing: string[];
}

/**
 * Whether the page scrolls sideways at `width` CSS px (800 high), optionally with text at
 * `textZoom` (2 = 200 %). The page is left at its earlier size and text size afterwards.
 *
 * Text zoom multiplies every element's computed font size (an inline `font-size: …px
 * !important` per element, sizes read before any is changed): what WeChat's and Android's
 * font-size setting do (WebView text zoom) and what WCAG 1.4.4 asks, and it enlarges text set
 * in px too. Setting only the root's font size would leave px-sized text alone; CDP
 * `Emulation.setPageScaleFactor` is a pinch zoom, which never reflows and so always
 * "scrolls". Unitless line heights follow the new size; fixed ones do not (as in WeChat).
 */
export async function hasHorizontalScroll(
  page: Page,
  width: number,
  options: { textZoom?: number } = {},
): Promise<HorizontalScroll> {
  const before = page.viewportSize();
  await page.setViewportSize({ width, height: before?.height ?? PHONE.height });
  try {
    return await page.evaluate((zoom) => {
      const { document, getComputedStyle } = globalThis as unknown as InPage;
      const all = [document.documentElement, ...Array.from(document.documentElement.querySelectorAll('*'))];
      const saved = all.map((el) => [
        el.style.getPropertyValue('font-size'),
        el.style.getPropertyPriority('font-size'),
      ]);
      if (zoom !== 1) {
        const sizes = all.map((el) => parseFloat(getComputedStyle(el).fontSize));
        all.forEach((el, i) => el.style.setProperty('font-size', `${sizes[i] * zoom}px`, 'important'));
      }
      const root = document.documentElement;
      // clientWidth, not innerWidth: a phone zooms out to show a too-wide page, widening innerWidth.
      const overflowing = Array.from(document.body.querySelectorAll('*'))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return el.checkVisibility() && r.x + r.width > root.clientWidth + 0.5;
        })
        .slice(0, 10)
        .map((el) => {
          const cls = el.getAttribute('class');
          const r = el.getBoundingClientRect();
          return `${el.tagName.toLowerCase()}${cls ? '.' + cls.trim().split(/\s+/).join('.') : ''} (right edge ${Math.round(r.x + r.width)})`;
        });
      const result = {
        scrolls: root.scrollWidth > root.clientWidth,
        scrollWidth: root.scrollWidth,
        viewportWidth: root.clientWidth,
        overflowing,
      };
      all.forEach((el, i) => {
        if (saved[i][0]) el.style.setProperty('font-size', saved[i][0], saved[i][1]);
        else el.style.removeProperty('font-size');
      });
      return result;
    }, options.textZoom ?? 1);
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

// ---------------------------------------------------------------------------------------------
// Screenshots against the baselines in docs/screenshots/

const BASELINE_DIR = path.join(__dirname, '..', '..', 'docs', 'screenshots');

export interface BaselineResult {
  ok: boolean;
  /** Share of pixels that differ (0–1); 0 when the baseline was (re)written. */
  diffRatio: number;
  baseline: string;
  /** Where the new screenshot and the difference image were written, when they did not match. */
  actual?: string;
  diff?: string;
  note?: string;
}

/**
 * Compares a screenshot of the viewport (360×800 on `openPhone`) with
 * `docs/screenshots/<name>.png`: at most `maxDiffRatio` (1 %) of the pixels may differ, a
 * pixel counting as different past pixelmatch's colour `threshold` (0.2: anti-aliasing and
 * small font-rendering differences between machines pass). With `UPDATE_SCREENSHOTS=1`, or
 * when the baseline is missing outside CI, it writes the baseline and passes with a note; in CI
 * (`CI` set) a missing baseline fails. Baselines come
 * from Debian's chromium with fonts-noto-cjk (both installed by .ci/run): another browser or
 * other fonts draw Chinese text differently; update the baselines when that is intended.
 */
export async function matchesBaseline(
  page: Page,
  name: string,
  options: { maxDiffRatio?: number; threshold?: number; fullPage?: boolean } = {},
): Promise<BaselineResult> {
  const baseline = path.join(BASELINE_DIR, `${name}.png`);
  const shot = await page.screenshot({ fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  const update = process.env.UPDATE_SCREENSHOTS === '1';
  // In CI a missing baseline is a failure (a renamed or deleted picture would otherwise pass).
  if (!update && !existsSync(baseline) && process.env.CI) {
    return { ok: false, diffRatio: 1, baseline, note: `no baseline ${name}.png in docs/screenshots/ (CI)` };
  }
  if (update || !existsSync(baseline)) {
    mkdirSync(BASELINE_DIR, { recursive: true });
    writeFileSync(baseline, shot);
    const note = `${update ? 'updated' : 'wrote missing'} baseline ${path.relative(process.cwd(), baseline)}`;
    console.warn(`[screenshots] ${note}`);
    return { ok: true, diffRatio: 0, baseline, note };
  }
  const expected = PNG.sync.read(readFileSync(baseline));
  const actual = PNG.sync.read(shot);
  const width = Math.max(expected.width, actual.width);
  const height = Math.max(expected.height, actual.height);
  const diffImage = new PNG({ width, height });
  let differing: number;
  if (expected.width === actual.width && expected.height === actual.height) {
    differing = pixelmatch(expected.data, actual.data, diffImage.data, width, height, {
      threshold: options.threshold ?? 0.2,
    });
  } else {
    // A page of another height (full-page shots): compare the common part, count the rest as different.
    const common = { width: Math.min(expected.width, actual.width), height: Math.min(expected.height, actual.height) };
    const crop = (png: PNG) => {
      const out = new PNG(common);
      PNG.bitblt(png, out, 0, 0, common.width, common.height, 0, 0);
      return out;
    };
    const commonDiff = new PNG(common);
    differing =
      pixelmatch(crop(expected).data, crop(actual).data, commonDiff.data, common.width, common.height, {
        threshold: options.threshold ?? 0.2,
      }) +
      (width * height - common.width * common.height);
    PNG.bitblt(commonDiff, diffImage, 0, 0, common.width, common.height, 0, 0);
  }
  const diffRatio = differing / (width * height);
  if (diffRatio <= (options.maxDiffRatio ?? 0.01)) return { ok: true, diffRatio, baseline };
  const outDir = path.join(tmpdir(), 'lms-screenshots');
  mkdirSync(outDir, { recursive: true });
  const actualPath = path.join(outDir, `${name}.actual.png`);
  const diffPath = path.join(outDir, `${name}.diff.png`);
  writeFileSync(actualPath, shot);
  writeFileSync(diffPath, PNG.sync.write(diffImage));
  return {
    ok: false,
    diffRatio,
    baseline,
    actual: actualPath,
    diff: diffPath,
    note: 'if the change is intended, run the test again with UPDATE_SCREENSHOTS=1 and commit the new baseline',
  };
}

/** Fails, saying by how much and where the images are, when the screenshot drifts from its baseline. */
export async function expectMatchesBaseline(
  page: Page,
  name: string,
  options: Parameters<typeof matchesBaseline>[2] = {},
): Promise<BaselineResult> {
  const result = await matchesBaseline(page, name, options);
  if (!result.ok) {
    const percent = (result.diffRatio * 100).toFixed(2);
    throw new Error(
      `screenshot ${name} differs from its baseline in ${percent} % of pixels (at most ` +
        `${((options.maxDiffRatio ?? 0.01) * 100).toFixed(2)} %)\n  baseline ${result.baseline}\n` +
        `  actual   ${result.actual}\n  diff     ${result.diff}\n  ${result.note}`,
    );
  }
  return result;
}
