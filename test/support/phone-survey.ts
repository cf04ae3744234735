import type { Result as AxeResult } from 'axe-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { User } from '../../src/users/user.entity';
import type { TestApp } from './test-app';
import {
  bodyTextMetrics,
  formatViolations,
  hasHorizontalScroll,
  type HorizontalScroll,
  runAxe,
  type TapTarget,
  tapTargets,
  type TextMetric,
  tooSmallTapTargets,
  transferredBytes,
} from './browser';
import { signInPage } from './web-pages';

/**
 * The phone rules, measured on whatever page is open, so every page spec checks its
 * pages the same way (Must show 2, 3 and 4):
 * - axe (wcag2a, wcag2aa, wcag21aa, wcag22aa): no serious or critical violation;
 * - at 360×800 every tap target ≥ 48 px, primary actions ([data-primary] or WeUI's
 *   .weui-btn_primary) ≥ 60 px high, body text ≥ 18 px with line height ≥ 1.3, a skip link that
 *   comes on the screen when focused;
 * - no horizontal scrolling at 320 px, nor with text at 200 %;
 * - ≤ 60 KB transferred on a first visit, ≤ 15 KB on a repeat one (pageWeights).
 *
 * Use: `const s = await surveyPhonePage(page); expect(phoneProblems('roll call', s)).toEqual([])`.
 * The survey changes the page's width and text zoom on the way and puts them back.
 */
export interface PhoneSurvey {
  violations: AxeResult[];
  targets: TapTarget[];
  /** The skip link while focused (off the screen until then). */
  skipLink: TapTarget[];
  text: TextMetric[];
  scrolls: { textZoom: number; scroll: HorizontalScroll }[];
}

export async function surveyPhonePage(page: Page): Promise<PhoneSurvey> {
  const violations = await runAxe(page);
  const targets = await tapTargets(page);
  const metrics = await bodyTextMetrics(page);
  const scrolls = [];
  for (const textZoom of [1, 2]) {
    scrolls.push({ textZoom, scroll: await hasHorizontalScroll(page, 320, { textZoom }) });
  }
  const skip = page.locator('.skip-link');
  const skipName = (await skip.textContent())?.trim();
  await skip.focus();
  const skipLink = (await tapTargets(page)).filter((target) => target.kind === 'a' && target.name === skipName);
  await skip.blur();
  return { violations, targets, skipLink, text: [metrics.body, ...metrics.texts], scrolls };
}

/** Everything wrong with a surveyed page, one line each (an empty list when it keeps every rule). */
export function phoneProblems(name: string, s: PhoneSurvey): string[] {
  const problems = s.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${formatViolations([v])}`);
  // A target wholly off the left edge cannot be tapped: the skip link waits there until focused.
  const reachable = s.targets.filter((target) => target.x + target.width > 0);
  for (const target of tooSmallTapTargets([...reachable, ...s.skipLink])) {
    problems.push(`${name}: ${target.kind} "${target.name}" is ${target.width}×${target.height} px`);
  }
  if (s.skipLink.length !== 1) problems.push(`${name}: no skip link on the screen when focused`);
  for (const m of s.text) {
    if (m.fontSizePx < 18 || m.lineHeightRatio === null || m.lineHeightRatio < 1.3) {
      problems.push(`${name}: text ${m.where} is ${m.fontSizePx} px, line height ${m.lineHeightRatio ?? 'normal'}`);
    }
  }
  for (const { textZoom, scroll } of s.scrolls.filter((x) => x.scroll.scrolls)) {
    problems.push(`${name} at ${textZoom * 100} %: ${scroll.scrollWidth} px wide, ${scroll.overflowing.join(', ')}`);
  }
  return problems;
}

/** How many primary actions a surveyed page has (each screen should have one main action, or none). */
export const primaryCount = (s: PhoneSurvey): number => s.targets.filter((target) => target.primary).length;

export interface PageWeight {
  name: string;
  first: number;
  repeat: number;
  files: number;
  /** What a repeat visit did not fetch again (0 bytes: from the cache). */
  cached: string[];
}

/** The phone pages' budget: 60 KB on a first visit, 15 KB on a repeat one. */
export const PHONE_WEIGHT = { first: 60 * 1024, repeat: 15 * 1024 } as const;

/**
 * Each page loaded in a fresh context of its own (an empty cache), side by side, then again in
 * that context: what the browser recorded as transferred. `over` lists the pages above
 * `limits` (the phone pages' by default; without `repeat`, the first visit alone).
 */
export async function pageWeights(
  browser: Browser,
  baseUrl: string,
  pages: { name: string; path: string; storageState?: BrowserContextOptions['storageState'] }[],
  limits: { first: number; repeat?: number } = PHONE_WEIGHT,
): Promise<{ weights: PageWeight[]; over: string[] }> {
  // Without a repeat budget, only the first visit is made.
  const repeat = limits.repeat !== undefined;
  const weighed = await Promise.all(
    pages.map((p) => transferredBytes(browser, `${baseUrl}${p.path}`, { storageState: p.storageState, repeat })),
  );
  const weights = pages.map(({ name }, i) => {
    const { first, repeat, requests } = weighed[i];
    const cached = requests.repeat.filter((r) => r.bytes === 0).map((r) => new URL(r.url).pathname);
    return { name, first, repeat, files: requests.first.length, cached };
  });
  const over = weights
    .filter((x) => x.first > limits.first || x.repeat > (limits.repeat ?? Infinity))
    .map((x) => x.name);
  return { weights, over };
}

/** The session cookie of `user`, signed in over HTTP, as a browser's cookie jar holds it. */
export async function sessionCookieFor(t: TestApp, baseUrl: string, user: User) {
  const { cookie } = await signInPage(t.http, user.username);
  return {
    name: 'lms_session',
    value: cookie.slice('lms_session='.length),
    domain: new URL(baseUrl).hostname,
    path: '/',
    expires: -1,
    httpOnly: true,
    secure: false,
    sameSite: 'Lax' as const,
  };
}

/** A storage state signed in as `user`, for `openPhone(browser, { storageState })` or pageWeights. */
export async function signedInState(
  t: TestApp,
  baseUrl: string,
  user: User,
): Promise<BrowserContextOptions['storageState']> {
  return { cookies: [await sessionCookieFor(t, baseUrl, user)], origins: [] };
}
