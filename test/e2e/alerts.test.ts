/**
 * The alerts inbox (预警): collector@ sees only their own customers' alerts with the badge in the nav, each worded
 * from its figures, and acknowledges one; credit@ resolves one with a note (a note is required) and sees the rule
 * settings with the credit-file rules marked inactive. Both languages, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertPage } from '../../web/src/features/alerts/types.ts';
import { apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: alerts', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows a collector their own alerts with the nav badge, and lets them acknowledge one they own', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'collector@demo.example');
    const mine = await apiGet<AlertPage>(page, '/api/v1/alerts?limit=200');
    expect(mine.total).toBeGreaterThan(0);
    // Scope: every alert the collector sees is of one of their customers (赵敏's).
    for (const code of [...new Set(mine.rows.map((a) => a.customer))].slice(0, 5)) {
      expect((await apiGet<{ collector: string | null }>(page, `/api/v1/customers/${encodeURIComponent(code)}`)).collector).toBe('赵敏');
    }
    const count = await apiGet<{ open: number }>(page, '/api/v1/alerts/count');
    expect(count.open).toBe(mine.rows.filter((a) => a.status === 'open').length);

    await page.getByRole('link', { name: '预警', exact: true }).click();
    await page.waitForURL('**/alerts');
    await page.getByRole('heading', { name: '预警收件箱', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('tbody tr.ant-table-row').count()).toBe(Math.min(50, mine.total));
    // The first row's message is worded in Chinese from its figures.
    const first = mine.rows[0]!;
    await page.locator('tbody tr.ant-table-row').first().getByText(first.customer, { exact: true }).waitFor();
    await web.screenshot(page, 'alerts-inbox-zh');

    const ownOpen = mine.rows.find((a) => a.status === 'open' && a.owner === '赵敏');
    if (ownOpen) {
      const row = page.locator('tbody tr.ant-table-row').filter({ hasText: ownOpen.customer }).filter({ has: page.getByRole('button', { name: /确\s*认/ }) }).first();
      await row.getByRole('button', { name: /确\s*认/ }).click();
      await page.getByText('已确认预警').first().waitFor({ timeout: 60_000 });
      const after = await apiGet<AlertPage>(page, `/api/v1/alerts?status=acknowledged&limit=200`);
      expect(after.rows.some((a) => a.customer === ownOpen.customer && a.acknowledgedBy === 'collector@demo.example')).toBe(true);
    }
    // A collector cannot resolve: no button.
    expect(await page.getByRole('button', { name: /解\s*决/ }).count()).toBe(0);
  }, 240_000);

  it('lets the credit manager resolve an alert with a note, and shows the rule settings', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    await page.goto('/alerts?status=open');
    await page.getByRole('heading', { name: 'Alerts inbox', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 60_000 });
    const before = await apiGet<AlertPage>(page, '/api/v1/alerts?status=open&limit=200');
    const target = before.rows[0]!;
    await page.locator('tbody tr.ant-table-row').first().getByRole('button', { name: 'Resolve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await dialog.getByText('Say how it was resolved, in a few words').waitFor();
    await dialog.getByRole('textbox').fill('Customer paid in full on the phone call');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Alert resolved').first().waitFor({ timeout: 60_000 });
    const resolved = await apiGet<AlertPage>(page, `/api/v1/alerts?status=resolved&limit=200`);
    expect(resolved.rows.find((a) => a.id === target.id)).toMatchObject({ resolvedBy: 'credit@demo.example', resolutionNote: 'Customer paid in full on the phone call' });
    await web.screenshot(page, 'alerts-inbox-en');

    await page.getByRole('link', { name: 'Alert rules', exact: true }).click();
    await page.waitForURL('**/alerts/settings');
    // Every rule is active: the Z-score and insured-invoice rules read the credit file, nothing is marked inactive.
    await page.getByRole('row').filter({ hasText: 'Z-score distress' }).first().waitFor({ timeout: 60_000 });
    await page.getByRole('row').filter({ hasText: 'Insured invoice overdue' }).first().waitFor();
    expect(await page.getByText('Not active yet').count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).waitFor();
    await web.screenshot(page, 'alerts-settings-en');
  }, 240_000);
});
