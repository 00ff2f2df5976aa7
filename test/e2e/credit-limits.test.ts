/**
 * Credit control in the browser: the credit check page answers at the limit and one cent over it (figures from the
 * API's own exposure, the boundary worked out here), the open holds of the demo are listed with the release awaiting
 * approval, and the customer page's credit panel shows the temporary increase in force. Screenshots in both languages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import type { CreditSettings, Limits, Position } from '../../web/src/features/credit/control-types.ts';
import { afterResponse, apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: credit control', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('checks an order exactly at the limit and one cent over it, and lists the open holds', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    await page.getByRole('link', { name: 'Credit control', exact: true }).click();
    await page.waitForURL('**/credit');
    await page.getByRole('heading', { name: 'Credit control', exact: true }).waitFor({ timeout: 30_000 });

    // C0003's room under its limit: limit in force − exposure without this amount.
    const position = await apiGet<Position>(page, '/api/v1/credit/exposure?customer=C0003');
    const room = apiMinor(position.limit!.total, 'CNY') - apiMinor(position.exposure.total, 'CNY');
    expect(room).toBeGreaterThan(0n);
    const run = async (amount: string) => {
      await page.getByLabel('Customer code').fill('C0003');
      await page.getByLabel('Amount', { exact: true }).fill(amount);
      // The verdict on screen must be this check's: wait for its answer (the previous verdict stays shown until then).
      const answered = await afterResponse(page, (r) => r.url().includes('/api/v1/credit-checks') && r.request().method() === 'POST', () => page.getByRole('button', { name: 'Check', exact: true }).click());
      expect(answered.status()).toBe(200);
    };
    const result = page.getByTestId('credit-check-result');
    // Exactly the room: utilisation 100.0%, within the limit (in the warn band from 90%): Warn, not Hold.
    await run(formatMinor(room, 'CNY'));
    await result.getByText('Warn', { exact: true }).waitFor({ timeout: 30_000 });
    await web.screenshot(page, 'credit-check-en');
    // One cent more: above the limit → Hold.
    await run(formatMinor(room + 1n, 'CNY'));
    await result.getByText('Hold', { exact: true }).waitFor({ timeout: 30_000 });

    // The demo's open holds: one by rule (overdue amount) and a manual one whose release awaits approval.
    await page.getByText('Release awaiting approval').first().waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: 'Overdue amount' }).first().waitFor();
  });

  it('lets an administrator change the credit settings, refusing a malformed amount on its field', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'admin@demo.example');
    await page.goto('/credit');
    const card = page.locator('.ant-card').filter({ hasText: 'Credit settings' });
    await card.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    const warn = dialog.getByLabel('Warn band (utilisation at or above)');
    await warn.fill('85');
    const amount = dialog.getByLabel('Credit manager: may approve limits up to (CNY)');
    await amount.fill('1,000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // The API names the field: the amount goes back to the form, nothing is saved.
    await dialog.locator('.ant-form-item-has-error').filter({ hasText: 'Credit manager' }).waitFor({ timeout: 30_000 });
    expect((await apiGet<CreditSettings>(page, '/api/v1/credit/settings')).warnPercent).toBe(90);
    await web.screenshot(page, 'credit-settings-edit-en');
    await amount.fill('800000.00');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Credit settings saved').waitFor({ timeout: 30_000 });
    const saved = await apiGet<CreditSettings>(page, '/api/v1/credit/settings');
    expect([saved.warnPercent, saved.approvalLimits.credit_manager]).toEqual([85, '800000.00']);
    await card.getByText('≥ 85%').waitFor();
    // A credit manager reads the settings without the button.
    const other = await web.newPage('en');
    await web.signIn(other.page, 'credit@demo.example');
    await other.page.goto('/credit');
    await other.page.locator('.ant-card').filter({ hasText: 'Credit settings' }).getByText('≥ 85%').waitFor({ timeout: 30_000 });
    expect(await other.page.locator('.ant-card').filter({ hasText: 'Credit settings' }).getByRole('button', { name: 'Edit' }).count()).toBe(0);
  });

  it('shows the credit panel on the customer page with the temporary increase in force (zh-CN)', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'credit@demo.example');
    await page.goto('/customers/C0003');
    const panel = page.getByTestId('credit-panel');
    await panel.waitFor({ timeout: 30_000 });
    const limits = await apiGet<Limits>(page, '/api/v1/credit/limits/C0003');
    expect(limits.limit!.temporaryInForce).toBe('200000.00');
    await panel.getByText('生效中').waitFor({ timeout: 30_000 });
    await panel.getByText('额度历史').waitFor();
    await web.screenshot(page, 'credit-panel-zh');
  });
});
