/**
 * Browser tests: the real web app, built by Vite as `npm start` builds it, served by arflow's own server on a test
 * database with a small demo company, driven by playwright-core in Debian's Chromium (no browser download). When
 * Chromium is not installed the browser tests are skipped and say so; `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildServer } from '../../src/http/server.ts';
import { createDemo, DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { ensureWebBuild, WEB_DIST } from '../../src/web/build.ts';
import type { Clock } from '../../src/modules/context.ts';
import { fixedClock, openTestDatabase, type TestDatabase } from '../support.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
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
      const context = await browser.newContext({ baseURL: baseUrl, locale: language, viewport: { width: 1400, height: 900 } });
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
