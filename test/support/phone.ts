import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import type { User } from '../../src/users/user.entity';
import { sessionCookieFor } from './phone-survey';
import type { TestApp } from './test-app';

/**
 * What the browser specs do on a phone page (opened with `openPhone` in browser.ts): sign a
 * phone in or out, tap and wait for the page the tap leads to, read the page, and pin text that
 * moves with the clock before a screenshot.
 */

/** Signs the phone out: no cookies at all (the text size, kept in a cookie, goes back to standard too). */
export async function signOut(page: Page): Promise<void> {
  await page.context().clearCookies();
}

/**
 * Signs the phone in as `user` with a session cookie made by signing in over HTTP, after
 * clearing every cookie it had (so it starts from a known state). The app must listen on
 * loopback (`listenOnLoopback`), where the phone's pages come from.
 */
export async function signInAs(page: Page, t: TestApp, user: User): Promise<void> {
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const cookie = await sessionCookieFor(t, `http://127.0.0.1:${port}`, user);
  await signOut(page);
  await page.context().addCookies([cookie]);
}

/** Taps and waits for the page it leads to (a form's answer, or a link's page) to load. */
export async function tapAndLoad(page: Page, target: Locator): Promise<void> {
  const loaded = page.waitForEvent('load');
  await target.tap();
  await loaded;
}

/** The open page's path and query, e.g. `/login?next=%2Fc%2F…`. */
export const pathOf = (page: Page): string => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

/** The page's heading. */
export const h1 = (page: Page): Promise<string> => page.locator('h1').innerText();

/** The text of the page's `main`, as shown. */
export const mainText = (page: Page): Promise<string> => page.locator('main').innerText();

/**
 * Replaces the text of the first element each selector finds: for data that moves with the
 * clock (today's date, the time now), so a screenshot is the same on every day it is taken.
 * Fails when a selector finds nothing, so a pin cannot silently stop applying.
 */
export async function pinText(page: Page, texts: Record<string, string>): Promise<void> {
  await page.evaluate((entries) => {
    const { document } = globalThis as unknown as {
      document: { querySelector(s: string): { textContent: string | null } | null };
    };
    for (const [selector, text] of entries) {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`nothing on the page matches ${selector}`);
      el.textContent = text;
    }
  }, Object.entries(texts));
}

/**
 * Replaces the text of every element a selector finds, in order (the last text for any beyond
 * the list): dates that move with today, so a screenshot is the same on every day. Fails when a
 * selector finds nothing.
 */
export async function pinAll(page: Page, pins: Record<string, string[]>): Promise<void> {
  await page.evaluate((entries) => {
    const { document } = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
    };
    for (const [selector, texts] of entries) {
      const found = Array.from(document.querySelectorAll(selector));
      if (found.length === 0) throw new Error(`nothing on the page matches ${selector}`);
      found.forEach((el, i) => (el.textContent = texts[Math.min(i, texts.length - 1)]));
    }
  }, Object.entries(pins));
}
