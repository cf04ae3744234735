import type { Result as AxeResult } from 'axe-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { formatViolations, hasHorizontalScroll, runAxe } from './browser';
import { pageWeights } from './phone-survey';

/**
 * The console's rules (issue 15, Must show 2 and 3), measured on whatever console page is open,
 * so every console spec checks its pages the same way:
 * - axe (wcag2a, wcag2aa, wcag21aa, wcag22aa): no serious or critical violation;
 * - every action reachable by keyboard: Tab from the top reaches every visible link, button,
 *   field and summary (one radio of a group stands for the group), and each shows a visible focus
 *   ring (an outline at least 2 px wide, or a box shadow) while it has the focus;
 * - ≤ 120 KB transferred on a first visit (consoleWeights);
 * - nothing scrolls sideways at 1024 px, a small desktop's width (narrowProblems), for the wide pages.
 *
 * Use: `expect(consoleProblems('plan', await surveyConsolePage(page))).toEqual([])`.
 */

/** A library desktop: 1280×800, Chinese, in China. */
export const DESKTOP = { width: 1280, height: 800 } as const;

/** The console's budget (issue 15): 120 KB on a first visit; repeat visits are not weighed. */
export const CONSOLE_WEIGHT = { first: 120 * 1024 } as const;

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

/** One stop of the keyboard walk: what had the focus (its `data-kb`) and whether a focus ring showed. */
interface FocusStop {
  index: number;
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
 * ring. A `focusin` listener in the page logs each stop as the focus arrives, so the presses need no
 * look at the page between them and the log is read once at the end (twice or more only when the
 * page had more stops than foreseen). Functions run inside the page (sent as source: they use nothing from this
 * module).
 */
export async function keyboardWalk(page: Page): Promise<KeyboardWalk> {
  const { names, innerStops } = await page.evaluate(() => {
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
    const g = globalThis as unknown as {
      document: {
        querySelectorAll(s: string): El[];
        activeElement: { blur?(): void } | null;
        addEventListener(type: string, listener: (e: { target: unknown }) => void, capture: boolean): void;
      };
      getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
      keyboardWalkLog?: { index: number; ring: boolean }[];
    };
    const selector =
      'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), ' +
      'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    // Tab also stops at each part of a date or time field (year, month, day; hour, minute).
    const partsAfterFirst: Record<string, number> = { date: 2, time: 1, 'datetime-local': 4, month: 1, week: 1 };
    // A radio group is one stop: Tab enters it, arrows move within; its radios share one index.
    const radioIndex = new Map<string, number>();
    const out: string[] = [];
    let inner = 0;
    for (const el of Array.from(g.document.querySelectorAll(selector))) {
      if (el.getClientRects().length === 0 || el.closest('[inert], [hidden]')) continue;
      const group = el.tagName === 'INPUT' && el.type === 'radio' ? (el.name ?? '') : undefined;
      const known = group === undefined ? undefined : radioIndex.get(group);
      if (known !== undefined) {
        el.setAttribute('data-kb', String(known));
        continue;
      }
      if (group !== undefined) radioIndex.set(group, out.length);
      if (el.tagName === 'INPUT') inner += partsAfterFirst[el.type ?? ''] ?? 0;
      el.setAttribute('data-kb', String(out.length));
      const label = el.getAttribute('aria-label') ?? ((el.textContent ?? '').trim().slice(0, 40) || el.name || el.id);
      out.push(`${el.tagName.toLowerCase()} "${label || '?'}"`);
    }
    // One listener per document, logging into a fresh list for each walk.
    if (g.keyboardWalkLog === undefined) {
      g.document.addEventListener(
        'focusin',
        (e) => {
          const el = e.target as { getAttribute?(n: string): string | null };
          const kb = el.getAttribute?.('data-kb');
          if (kb === null || kb === undefined) return;
          const style = g.getComputedStyle(el);
          const ring =
            (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
            (style.boxShadow !== 'none' && style.boxShadow !== '');
          g.keyboardWalkLog?.push({ index: Number(kb), ring });
        },
        true,
      );
    }
    g.keyboardWalkLog = [];
    g.document.activeElement?.blur?.();
    return { names: out, innerStops: inner };
  });
  const readLog = () =>
    page.evaluate(() => (globalThis as unknown as { keyboardWalkLog: FocusStop[] }).keyboardWalkLog.slice());
  // Date and time fields make Tab stop more often than there are stops, so allow more presses than stops.
  const limit = Math.min(MAX_TABS, names.length * 2 + 10);
  // One round: every stop and the parts of date and time fields, out of the page, and back at the first.
  let planned = Math.min(limit, names.length + innerStops + 2);
  let pressed = 0;
  for (;;) {
    // Sent without waiting for each: the presses reach the page in order, and the listener sees every stop.
    const presses: Promise<void>[] = [];
    for (; pressed < planned; pressed++) presses.push(page.keyboard.press('Tab'));
    await Promise.all(presses);
    const round = oneRound(await readLog());
    if (round.complete || pressed >= limit) {
      // Pressed past the end of the round (a stop Tab skips): back to where the round ended, as a walk that
      // looked after each press would have left the focus.
      if (round.overshot) {
        await page.evaluate((endedOn) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { focus(): void } | null } })
            .document;
          doc.querySelector(`[data-kb="${endedOn}"]`)?.focus();
        }, round.endedOn);
      }
      return { unreached: names.filter((_, i) => !round.reached.has(i)), noRing: round.noRing.map((i) => names[i]) };
    }
    planned = Math.min(limit, pressed + 10);
  }
}

/** The stops of one round of the walk, ending where Tab came back to the first stop after others. */
function oneRound(stops: FocusStop[]): {
  reached: Set<number>;
  noRing: number[];
  complete: boolean;
  /** The stop the round ended on, and whether the log goes on past it. */
  endedOn: number;
  overshot: boolean;
} {
  const reached = new Set<number>();
  const noRing: number[] = [];
  let previous = -1;
  for (const [at, stop] of stops.entries()) {
    if (reached.has(stop.index) && stop.index !== previous && stop.index <= Math.min(...reached)) {
      return { reached, noRing, complete: true, endedOn: stop.index, overshot: at < stops.length - 1 };
    }
    previous = stop.index;
    if (!reached.has(stop.index) && !stop.ring) noRing.push(stop.index);
    reached.add(stop.index);
  }
  return { reached, noRing, complete: false, endedOn: -1, overshot: false };
}

export interface ConsoleSurvey {
  violations: AxeResult[];
  keyboard: KeyboardWalk;
}

export interface SurveyOptions {
  /**
   * false: axe alone. For a template already walked in another state (the same form with its errors
   * showing): the same controls, so a second keyboard walk would find nothing new.
   */
  keyboard?: boolean;
}

/** axe and the keyboard walk on the open page. */
export async function surveyConsolePage(page: Page, options: SurveyOptions = {}): Promise<ConsoleSurvey> {
  const violations = await runAxe(page);
  const keyboard = options.keyboard === false ? { unreached: [], noRing: [] } : await keyboardWalk(page);
  return { violations, keyboard };
}

/** For surveyConsolePage: axe alone, no keyboard walk. */
export const AXE_ONLY: SurveyOptions = { keyboard: false };

/** A small desktop or a tablet. */
export const NARROW_WIDTH = 1024;

/** Whether the open page scrolls sideways at 1024 px wide, as one line (empty when it does not). */
export async function narrowProblems(page: Page, name: string): Promise<string[]> {
  const sideways = await hasHorizontalScroll(page, NARROW_WIDTH);
  if (!sideways.scrolls) return [];
  return [`${name} at ${NARROW_WIDTH} px scrolls sideways: ${sideways.overflowing.join(', ')}`];
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
