/**
 * Collections in the browser: credit@ works the disputes board (filters, moves an open dispute to investigating,
 * reads its history); collector@ opens a customer with a broken promise, logs a call, records a promise and raises a
 * dispute from the customer's open invoices on the Collections card. Both languages, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputePage, Timeline } from '../../web/src/features/collections/types.ts';
import { apiGet, BROWSER_TEST, chooseOption, clickUntil, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: collections', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('the disputes board: active disputes, one moved to investigating with a note, its history', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    const active = await apiGet<DisputePage>(page, '/api/v1/disputes?limit=200');
    expect(active.total).toBeGreaterThanOrEqual(2);
    await page.getByRole('link', { name: 'Disputes', exact: true }).click();
    await page.waitForURL('**/disputes');
    await page.getByRole('heading', { name: 'Disputes', exact: true }).waitFor({ timeout: 60_000 });
    const rows = page.locator('tbody tr.ant-table-row');
    await rows.first().waitFor({ timeout: 60_000 });
    await expect.poll(() => rows.count()).toBe(active.total);
    // The overdue one is flagged.
    expect(active.rows.some((d) => d.overdue)).toBe(true);
    await page.locator('tbody').getByText('overdue', { exact: true }).first().waitFor();
    await web.screenshot(page, 'disputes-board-en');

    const open = active.rows.find((d) => d.status === 'open')!;
    const row = rows.filter({ hasText: open.customer }).filter({ hasText: 'Open' }).first();
    const dialog = page.getByRole('dialog');
    await clickUntil(row.getByRole('button', { name: 'Move on' }), dialog.getByText('Move the dispute on'));
    await dialog.getByLabel('Note').fill('Asked sales for the signed contract');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Dispute is now Investigating').first().waitFor({ timeout: 60_000 });
    const moved = await apiGet<DisputePage>(page, `/api/v1/disputes?customer=${encodeURIComponent(open.customer)}&status=investigating`);
    expect(moved.rows.map((d) => d.id)).toContain(open.id);

    // Its history in the drawer: raised, then investigating by credit@ with the note.
    await rows.filter({ hasText: open.customer }).filter({ hasText: 'Investigating' }).first().getByRole('button', { name: 'Details' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText('Asked sales for the signed contract').waitFor({ timeout: 30_000 });
    await drawer.getByText('credit@demo.example').first().waitFor();
    await web.screenshot(page, 'disputes-history-en');
  }, 240_000);

  it('the Collections card: a broken promise on the timeline, a call logged, a promise recorded, a dispute raised', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'collector@demo.example');
    const broken = await apiGet<{ rows: { customer: string }[] }>(page, '/api/v1/promises?status=broken');
    expect(broken.rows.length).toBeGreaterThan(0);
    const code = broken.rows[0]!.customer;
    await page.goto(`/customers/${encodeURIComponent(code)}`);
    const card = page.getByTestId('collections-card');
    await card.waitFor({ timeout: 60_000 });
    await card.getByText('已违约').first().waitFor({ timeout: 60_000 });
    const before = await apiGet<Timeline>(page, `/api/v1/customers/${encodeURIComponent(code)}/collections/timeline`);
    expect(before.summary.brokenPromises).toBe(1);
    await card.scrollIntoViewIfNeeded();
    await web.screenshot(page, 'customer-collections-zh');

    // Log a call: reached, with a note.
    const dialog = page.getByRole('dialog');
    await clickUntil(card.getByRole('button', { name: '记录电话' }), dialog.getByText('记录电话'));
    await chooseOption(page, dialog.getByLabel('结果'), '已接通');
    await dialog.getByLabel('备注').fill('财务确认本周五付款');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已记录').first().waitFor({ timeout: 60_000 });
    await card.getByText('财务确认本周五付款').waitFor({ timeout: 30_000 });

    // Record a promise of 1,000.00 for 2026-07-10.
    await clickUntil(card.getByRole('button', { name: '记录付款承诺' }), dialog.getByText('记录付款承诺'));
    await dialog.getByLabel(/金额/).fill('1000.00');
    await dialog.getByLabel('承诺日期').click();
    await dialog.getByLabel('承诺日期').fill('2026-07-10');
    await dialog.getByLabel('承诺日期').press('Enter');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已记录付款承诺').first().waitFor({ timeout: 60_000 });
    const after = await apiGet<Timeline>(page, `/api/v1/customers/${encodeURIComponent(code)}/collections/timeline`);
    expect(after.summary.openPromises).toBe(before.summary.openPromises + 1);
    const promise = after.entries.find((e) => e.kind === 'promise' && e.promise.promisedDate === '2026-07-10');
    expect(promise && promise.kind === 'promise' && promise.promise.amount).toBe('1000.00');

    // Raise a dispute on the first open invoice: 100.00 of it, reason quantity.
    await clickUntil(card.getByRole('button', { name: '提出争议' }), dialog.getByText('未清发票：勾选有争议的发票并填写各自的争议金额'));
    await dialog.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    await dialog.locator('tbody tr.ant-table-row').first().getByRole('checkbox').check();
    await dialog.locator('tbody tr.ant-table-row').first().getByRole('textbox').fill('100.00');
    await chooseOption(page, dialog.getByLabel('原因'), '数量');
    await web.screenshot(page, 'customer-raise-dispute-zh');
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await page.getByText(/已提出争议/).first().waitFor({ timeout: 60_000 });
    const disputes = await apiGet<DisputePage>(page, `/api/v1/disputes?customer=${encodeURIComponent(code)}&reason=quantity&status=open`);
    expect(disputes.rows.some((d) => d.amount === '100.00' && d.raisedBy === 'collector@demo.example')).toBe(true);
    await card.getByText(/争议 .*100\.00 · 数量/).first().waitFor({ timeout: 30_000 });
    await card.scrollIntoViewIfNeeded();
    await web.screenshot(page, 'customer-collections-after-zh');

    // The board in Chinese, the collector's own customers only: the new dispute among them.
    await page.getByRole('link', { name: '争议发票', exact: true }).click();
    await page.getByRole('heading', { name: '争议发票', exact: true }).waitFor({ timeout: 60_000 });
    const mine = await apiGet<DisputePage>(page, '/api/v1/disputes?limit=200');
    await expect.poll(() => page.locator('tbody tr.ant-table-row').count()).toBe(mine.total);
    await page.locator('tbody').getByText('数量').first().waitFor();
    await web.screenshot(page, 'disputes-board-zh');
  }, 300_000);
});
