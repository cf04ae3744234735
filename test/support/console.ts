import type { Result as AxeResult } from 'axe-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { formatViolations, runAxe } from './browser';
import { pageWeights } from './phone-survey';

/**
 * The console's rules (issue 15, Must show 2 and 3), measured on whatever console page is open,
 * so every console spec checks its pages the same way:
 * - axe (wcag2a, wcag2aa, wcag21aa, wcag22aa): no serious or critical violation;
 * - every action reachable by keyboard: Tab from the top reaches every visible link, button,
 *   field and summary (one radio of a group stands for the group), and each shows a visible focus
 *   ring (an outline at least 2 px wide, or a box shadow) while it has the focus;
 * - ≤ 120 KB transferred on a first visit (consoleWeights).
 *
 * Use: `expect(consoleProblems('plan', await surveyConsolePage(page))).toEqual([])`.
 */

/** A library desktop: 1280×800, Chinese, in China. */
export const DESKTOP = { width: 1280, height: 800 } as const;

/** The console's budget: 120 KB on a first visit; a repeat visit fetches the page alone. */
export const CONSOLE_WEIGHT = { first: 120 * 1024, repeat: 60 * 1024 } as const;

export interface DesktopOptions {
  baseURL?: string;
  storageState?: BrowserContextOptions['storageState'];
  language?: 'zh' | 'en';
  width?: number;
  height?: number;
}

/** A new context and page as a library desktop browser (zh-CN or English, Asia/Shanghai). */
export async function openDesktop(browser: Browser, options: DesktopOptions = {}): Promise<Page> {
  const english = options.language === 'en';
  const context = await browser.newContext({
    baseURL: options.baseURL,
    storageState: options.storageState,
    viewport: { width: options.width ?? DESKTOP.width, height: options.height ?? DESKTOP.height },
    deviceScaleFactor: 1,
    locale: english ? 'en-US' : 'zh-CN',
    extraHTTPHeaders: english ? { 'Accept-Language': 'en-US,en;q=0.9' } : undefined,
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  return context.newPage();
}

/** One stop of the keyboard walk: what had the focus and whether a focus ring showed. */
interface FocusStop {
  index: number;
  name: string;
  ring: boolean;
}

export interface KeyboardWalk {
  /** Visible focusable things Tab never reached. */
  unreached: string[];
  /** Things that had the focus without a visible ring. */
  noRing: string[];
}

/** How many Tab presses a walk may take at most (a page with more controls should be split). */
const MAX_TABS = 400;

/**
 * Tabs through the page from its top and answers what Tab did not reach and what showed no focus
 * ring. Functions run inside the page (sent as source: they use nothing from this module).
 */
export async function keyboardWalk(page: Page): Promise<KeyboardWalk> {
  const names: string[] = await page.evaluate(() => {
    type El = {
      tagName: string;
      type?: string;
      name?: string;
      id: string;
      getClientRects(): { length: number };
      getAttribute(n: string): string | null;
      setAttribute(n: string, v: string): void;
      textContent: string | null;
      closest(s: string): unknown;
    };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): El[] } }).document;
    const selector =
      'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), ' +
      'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    // A radio group is one stop: Tab enters it, arrows move within; its radios share one index.
    const radioIndex = new Map<string, number>();
    const out: string[] = [];
    for (const el of Array.from(doc.querySelectorAll(selector))) {
      if (el.getClientRects().length === 0 || el.closest('[inert], [hidden]')) continue;
      const group = el.tagName === 'INPUT' && el.type === 'radio' ? (el.name ?? '') : undefined;
      const known = group === undefined ? undefined : radioIndex.get(group);
      if (known !== undefined) {
        el.setAttribute('data-kb', String(known));
        continue;
      }
      if (group !== undefined) radioIndex.set(group, out.length);
      el.setAttribute('data-kb', String(out.length));
      const label = el.getAttribute('aria-label') ?? ((el.textContent ?? '').trim().slice(0, 40) || el.name || el.id);
      out.push(`${el.tagName.toLowerCase()} "${label || '?'}"`);
    }
    return out;
  });
  await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { blur?(): void } | null } }).document;
    doc.activeElement?.blur?.();
  });
  const reached = new Set<number>();
  const noRing: string[] = [];
  let previous = -1;
  // Tab also stops inside a date or time field (year, month, day; hour, minute), so allow more presses than
  // stops; the walk ends anyway once it is back at the first stop.
  for (let i = 0; i < Math.min(MAX_TABS, names.length * 2 + 10); i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((): FocusStop | null => {
      const g = globalThis as unknown as {
        document: { activeElement: { getAttribute(n: string): string | null } | null };
        getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
      };
      const el = g.document.activeElement;
      const kb = el?.getAttribute('data-kb');
      if (!el || kb === null || kb === undefined) return null;
      const style = g.getComputedStyle(el);
      const ring =
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
        (style.boxShadow !== 'none' && style.boxShadow !== '');
      return { index: Number(kb), name: '', ring };
    });
    if (stop === null) continue;
    // Back at the first stop after others: the page has been walked round once.
    if (reached.has(stop.index) && stop.index !== previous && stop.index <= Math.min(...reached)) break;
    previous = stop.index;
    if (!reached.has(stop.index) && !stop.ring) noRing.push(names[stop.index]);
    reached.add(stop.index);
  }
  return { unreached: names.filter((_, i) => !reached.has(i)), noRing };
}

export interface ConsoleSurvey {
  violations: AxeResult[];
  keyboard: KeyboardWalk;
}

/** axe and the keyboard walk on the open page. */
export async function surveyConsolePage(page: Page): Promise<ConsoleSurvey> {
  const violations = await runAxe(page);
  const keyboard = await keyboardWalk(page);
  return { violations, keyboard };
}

/** Everything wrong with a surveyed console page, one line each (empty when it keeps every rule). */
export function consoleProblems(name: string, s: ConsoleSurvey): string[] {
  return [
    ...s.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${name}: ${formatViolations([v])}`),
    ...s.keyboard.unreached.map((what) => `${name}: Tab never reaches ${what}`),
    ...s.keyboard.noRing.map((what) => `${name}: no visible focus on ${what}`),
  ];
}

/** pageWeights with the console's budget (≤ 120 KB on a first visit). */
export function consoleWeights(
  browser: Browser,
  baseUrl: string,
  pages: { name: string; path: string; storageState?: BrowserContextOptions['storageState'] }[],
) {
  return pageWeights(browser, baseUrl, pages, CONSOLE_WEIGHT);
}
