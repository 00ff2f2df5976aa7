/**
 * The front door: signing in (and a wrong password), switching language, and a role that may not open a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: sign-in, language, access', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('refuses a wrong password in the language of the page, then signs in and shows the company', async () => {
    const { page } = await web.newPage('zh-CN');
    await page.goto('/customers');
    // Not signed in: sent to sign-in, in Chinese (the browser's language).
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { name: '登录 arflow' }).waitFor();
    await web.screenshot(page, 'sign-in-zh');
    await page.locator('input[type=email]').fill('admin@demo.example');
    await page.locator('input[type=password]').fill('not the password at all');
    await page.locator('button[type=submit]').click();
    await expect(page.getByRole('alert').filter({ hasText: '邮箱或密码不正确' }).waitFor()).resolves.toBeUndefined();

    await page.locator('input[type=password]').fill('arflow-demo-2026');
    await page.locator('button[type=submit]').click();
    // Back where the user was going, with the company in the header.
    await page.waitForURL('**/customers');
    await page.getByText('演示贸易有限公司 (arflow demo)').waitFor();
    expect(await page.getByRole('link', { name: '客户', exact: true }).count()).toBe(1);
  });

  it('switches between Chinese and English, and remembers the choice', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: '单据', exact: true }).waitFor();
    await page.getByLabel('语言').click();
    await page.getByTitle('English').click();
    await page.getByRole('link', { name: 'Documents', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: '单据', exact: true }).count()).toBe(0);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('link', { name: 'Documents', exact: true }).waitFor();
    await web.screenshot(page, 'layout-en');
  });

  it("shows a collector no administration menu, and a 'no access' page at the users page's address", async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'collector@demo.example');
    await page.getByRole('link', { name: 'Customers', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Users and roles', exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Record a payment', exact: true }).count()).toBe(0);
    await page.goto('/admin/users');
    await page.getByText('No access').waitFor();
    await page.getByText('Your role (Collector) does not include this page').waitFor();
    await web.screenshot(page, 'collector-denied');
  });
});
