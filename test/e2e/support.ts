/**
 * Browser tests: the real web app, built by Vite as `npm start` builds it, served by arflow's own server on a test
 * database with a small demo company, driven by playwright-core in Debian's Chromium (no browser download). When
 * Chromium is not installed the browser tests are skipped and say so; `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response } from 'playwright-core';
import { buildServer } from '../../src/http/server.ts';
import { createDemo, DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { ensureWebBuild, WEB_DIST } from '../../src/web/build.ts';
import type { Clock } from '../../src/modules/context.ts';
import { fixedClock, openTestDatabase, type TestDatabase } from '../support.ts';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether the browser tests run: Chromium is there and they are not turned off (ARFLOW_BROWSER_TESTS=skip). */
export const HAS_CHROMIUM = existsSync(CHROMIUM) && process.env.ARFLOW_BROWSER_TESTS !== 'skip';
if (process.env.ARFLOW_BROWSER_TESTS === 'skip') {
  console.warn('browser tests skipped: ARFLOW_BROWSER_TESTS=skip (CI runs them in its first pass only)');
} else if (!HAS_CHROMIUM) {
  console.warn(`browser tests SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH)`);
}

export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/screens');
/** The demo's business "today" in these tests. */
export const E2E_CLOCK: Clock = fixedClock('2026-06-30T04:00:00Z');
export { DEMO_PASSWORD };

export interface WebApp {
  baseUrl: string;
  db: TestDatabase;
  browser: Browser;
  /** A fresh browser (its own cookies) in `language` ('zh-CN' or 'en'). */
  newPage(language?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Open the sign-in page and sign in as a demo user (admin@demo.example, collector@demo.example, …). */
  signIn(page: Page, email: string, password?: string): Promise<void>;
  /** Save a full-page screenshot as test-artifacts/screens/NAME.png. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Build the web app if needed, start arflow with a small demo company, launch Chromium. */
export async function startWebApp(options: { customers?: number; invoices?: number } = {}): Promise<WebApp> {
  await ensureWebBuild();
  const db = await openTestDatabase();
  await createDemo(db.db, E2E_CLOCK, { customers: options.customers ?? 60, invoices: options.invoices ?? 600 });
  const server: FastifyInstance = await buildServer({ db: db.db, clock: E2E_CLOCK, webDist: WEB_DIST });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    baseUrl,
    db,
    browser,
    async newPage(language = 'zh-CN') {
      const context = await browser.newContext({ baseURL: baseUrl, locale: language, viewport: { width: 1400, height: 900 }, reducedMotion: 'reduce' });
      // The browser tests share two cores with the rest of the suite: give a slow page time before failing.
      context.setDefaultTimeout(45_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      return { context, page };
    },
    async signIn(page, email, password = DEMO_PASSWORD) {
      await page.goto('/sign-in');
      await page.locator('input[type=email]').fill(email);
      await page.locator('input[type=password]').fill(password);
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.close();
      await db.drop();
    },
  };
}

/**
 * Choose an option in an Ant Design select (typing `search` first when given), and wait until the select shows it.
 * Under load a click can land while the option list re-renders (it opens, or a typed search's answer replaces it) and
 * be lost; the choice is then made again, up to four times, rather than left to a later step's time-out.
 */
/**
 * Every browser test may run twice more when it fails. A click that lands while Ant Design animates a modal or
 * re-renders a list is sometimes lost on a loaded CI machine (two cores running two test files at once); the
 * helpers below retry the known cases, and this catches the rest. A test that fails three times still fails CI.
 */
/**
 * And each has 3 minutes (the unit tests' 60 s is too short for a first page load of a lazily loaded page on a loaded
 * machine: the credit control test once timed out on it and passed on its retry). A test may set its own.
 */
export const BROWSER_TEST = { retry: Number(process.env.ARFLOW_E2E_RETRY ?? 2), timeout: 180_000 } as const;

/**
 * Clicks `target` until `shown` appears (a click during a modal's opening animation can be lost). When the target is
 * gone before a repeat click (the first click did its work and closed its dialog), it waits longer for `shown`.
 */
export async function clickUntil(target: Locator, shown: Locator, tries = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const clicked = attempt === 1 ? (await target.click(), true) : await target.click({ timeout: 5_000 }).then(() => true, () => false);
    if (!clicked) {
      await shown.first().waitFor({ timeout: 30_000 });
      return;
    }
    if (await shown.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
    if (attempt === tries) throw new Error(`clicking did not show what it should after ${attempt} tries`);
  }
}

/**
 * Runs `action` (a click) and answers the response it caused, the first one `matches`. Both are awaited together, so
 * when the click fails the wait does not linger to reject after the test (an unhandled rejection fails the run).
 */
export async function afterResponse(page: Page, matches: (response: Response) => boolean, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse(matches, { timeout: 60_000 }), action()]);
  return response;
}

/** GETs an API path in the page's session, expecting 200: what a test reads to work out the figure the page must show. */
export async function apiGet<T>(page: Page, url: string): Promise<T> {
  const response = await page.request.get(url);
  expect(response.status(), url).toBe(200);
  return (await response.json()) as T;
}

export async function chooseOption(page: Page, field: Locator, option: string | RegExp, search?: string): Promise<void> {
  const title = typeof option === 'string' ? { exact: true } : {};
  // Options and the chosen value both carry the option's label as their title; options sit in a pop-up outside.
  // The label names the select itself or the input inside it.
  const select = field.locator('xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]');
  const shown = select.getByTitle(option, title);
  for (let attempt = 1; ; attempt++) {
    await field.click();
    if (search !== undefined) await field.fill(search);
    const choice = page.locator('.ant-select-dropdown:visible').getByTitle(option, title).first();
    const clicked = await choice.click({ timeout: 10_000 }).then(() => true, () => false);
    if (clicked && await shown.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
    if (attempt === 4) throw new Error(`the select did not take the option ${String(option)} after ${attempt} tries`);
    await page.keyboard.press('Escape');
  }
}
