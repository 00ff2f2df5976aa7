/**
 * Payment plans and escalation in the browser: credit@ makes a payment plan for a customer with overdue items
 * (previewing the installments first) and sees its installments due; then records a recovery on the demo's agency
 * case and sees it posted (recovered up, open down by the same amount). Screenshots in both languages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasePage, PlanDetail, PlanPage, PlanPreview } from '../../web/src/features/plans/types.ts';
import { afterResponse, apiGet, BROWSER_TEST, clickUntil, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

const cents = (amount: string) => BigInt(amount.replace('.', ''));

describe.skipIf(!HAS_CHROMIUM)('web app: payment plans and escalation', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('makes a plan from a customer\'s overdue items after previewing it, and sees its installments', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    // A customer with overdue items and no plan or case yet.
    const worklist = await apiGet<{ rows: { customer: string; unconverted: string[] }[] }>(page, '/api/v1/worklist?limit=200');
    const plans = await apiGet<PlanPage>(page, '/api/v1/payment-plans?status=active&limit=200');
    const cases = await apiGet<CasePage>(page, '/api/v1/escalations/cases?status=active&limit=200');
    const busy = new Set([...plans.rows.map((p) => p.customer), ...cases.rows.map((c) => c.customer)]);
    expect(plans.total).toBeGreaterThanOrEqual(3);
    const code = worklist.rows.find((r) => !busy.has(r.customer))!.customer;

    await page.getByRole('link', { name: 'Payment plans', exact: true }).click();
    await page.waitForURL('**/payment-plans');
    await page.getByRole('heading', { name: 'Payment plans', exact: true }).waitFor({ timeout: 60_000 });
    const rows = page.locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(plans.total);

    const dialog = page.getByRole('dialog');
    await clickUntil(page.getByRole('button', { name: 'New plan' }), dialog.getByText('New payment plan'));
    await dialog.getByLabel('Customer code').fill(code);
    await dialog.getByLabel('First installment on').fill('2026-07-31');
    await dialog.getByLabel('Interest % a year').fill('6.00');
    const previewed = await afterResponse(page, (r) => r.url().endsWith('/api/v1/payment-plans/preview'), () => dialog.getByRole('button', { name: 'Preview' }).click());
    expect(previewed.status()).toBe(200);
    const preview = (await previewed.json()) as PlanPreview;
    // Three installments (no down payment) that add up to the total: principal + interest.
    expect(preview.installments.map((i) => i.dueDate)).toEqual(['2026-07-31', '2026-08-31', '2026-09-30']);
    expect(preview.installments.reduce((s, i) => s + cents(i.amount), 0n)).toBe(cents(preview.total));
    expect(cents(preview.total)).toBe(cents(preview.principal) + cents(preview.interest));
    const previewRows = dialog.locator('tbody tr.ant-table-row');
    await expect.poll(() => previewRows.count()).toBe(3);
    await web.screenshot(page, 'payment-plan-preview-en');

    const made = await afterResponse(page, (r) => r.url().endsWith('/api/v1/payment-plans') && r.request().method() === 'POST', () => dialog.getByRole('button', { name: 'Make the plan' }).click());
    expect(made.status()).toBe(201);
    const plan = (await made.json()) as PlanDetail;
    expect([plan.customer, plan.total, plan.installments.length]).toEqual([code, preview.total, 3]);
    // The drawer shows the plan with its three installments, all due.
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText(`Plan ${plan.number} v1`).waitFor({ timeout: 60_000 });
    const installments = drawer.getByRole('table', { name: 'Installments' }).locator('tbody tr.ant-table-row');
    await expect.poll(() => installments.count()).toBe(3);
    expect(await installments.filter({ hasText: 'Due' }).count()).toBe(3);
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
    await web.screenshot(page, 'payment-plan-detail-en');

    // Renegotiated into 2 installments from 08-15: version 2 over the same open amount, version 1 kept in the history.
    const modal = page.getByRole('dialog').filter({ hasText: `Renegotiate plan ${plan.number}` });
    await clickUntil(drawer.getByRole('button', { name: 'Renegotiate' }), modal.getByText(`Renegotiate plan ${plan.number}`));
    await modal.getByRole('spinbutton', { name: 'Installments' }).fill('2');
    await modal.getByLabel('First installment on').fill('2026-08-15');
    await modal.getByLabel('Reason').fill('customer asked for two larger installments');
    const renegotiated = await afterResponse(page, (r) => r.url().endsWith('/renegotiate') && r.request().method() === 'POST', () => modal.getByRole('button', { name: 'Renegotiate' }).click());
    expect(renegotiated.status()).toBe(201);
    const v2 = (await renegotiated.json()) as PlanDetail;
    expect([v2.version, v2.principal, v2.installments.map((i) => i.dueDate)]).toEqual([2, preview.total, ['2026-08-15', '2026-09-15']]);
    await drawer.getByText(`Plan ${plan.number} v2`).waitFor({ timeout: 60_000 });
    // The history: v1 created, v1 replaced and v2 renegotiated, the last two with the reason.
    await expect.poll(() => drawer.getByRole('cell', { name: 'customer asked for two larger installments' }).count()).toBe(2);
    await drawer.getByRole('cell', { name: 'replaced', exact: true }).waitFor();
    // The customer's Collections card shows the plan, with what is left to pay.
    await page.goto(`/customers/${encodeURIComponent(code)}`);
    await page.getByTestId('customer-plans').getByText(`Payment plan ${plan.number}:`, { exact: false }).waitFor({ timeout: 60_000 });
    await page.getByTestId('collections-card').scrollIntoViewIfNeeded();
    await web.screenshot(page, 'payment-plan-customer-en');
  }, 240_000);

  it('records a recovery on the agency case: a payment posted and applied', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'credit@demo.example');
    const before = await apiGet<CasePage>(page, '/api/v1/escalations/cases?status=active');
    const agencyCase = before.rows.find((c) => c.kind === 'agency')!;
    expect(agencyCase.status).toBe('in_progress');
    await page.goto('/escalations');
    await page.getByRole('heading', { name: '委外与诉讼', exact: true }).waitFor({ timeout: 60_000 });
    const row = page.locator('tbody tr.ant-table-row').filter({ hasText: agencyCase.number });
    await row.waitFor({ timeout: 60_000 });
    const dialog = page.getByRole('dialog');
    await clickUntil(row.getByRole('button', { name: `登记回收 ${agencyCase.number}` }), dialog.getByText(`登记 ${agencyCase.number} 的回收款`));
    await dialog.getByLabel('回收金额').fill('1000.00');
    await dialog.getByLabel('参考号').fill('XD-E2E-1');
    const posted = await afterResponse(page, (r) => r.url().includes(`/recoveries`) && r.request().method() === 'POST', () => dialog.getByRole('button', { name: '登 记' }).or(dialog.getByRole('button', { name: '登记' })).click());
    expect(posted.status()).toBe(201);
    const result = (await posted.json()) as { recovery: { amount: string; commission: string; payment: string } };
    // 1,000.00 at the case's 15.00%: commission 150.00.
    expect([result.recovery.amount, result.recovery.commission]).toEqual(['1000.00', '150.00']);
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    const after = await apiGet<CasePage>(page, '/api/v1/escalations/cases?status=active');
    const now = after.rows.find((c) => c.id === agencyCase.id)!;
    expect(cents(now.recovered) - cents(agencyCase.recovered)).toBe(100_000n);
    expect(cents(agencyCase.openNow) - cents(now.openNow)).toBe(100_000n);
    const payment = await apiGet<{ kind: string; amount: string }>(page, `/api/v1/documents/${encodeURIComponent(result.recovery.payment)}`);
    expect([payment.kind, payment.amount]).toEqual(['payment', '1000.00']);
    await expect.poll(async () => row.innerText(), { timeout: 30_000 }).toContain(now.recovered.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    await web.screenshot(page, 'escalation-recovery-zh');

    // Collector targets: every collector of the demo with this month's target and actuals.
    const targets = await apiGet<{ rows: { collector: string; targetCollected: string | null }[] }>(page, '/api/v1/collectors/targets');
    expect(targets.rows.filter((r) => r.targetCollected !== null).length).toBeGreaterThanOrEqual(1);
    await page.getByRole('link', { name: '催收目标', exact: true }).click();
    await page.getByRole('heading', { name: '催收目标', exact: true }).waitFor({ timeout: 60_000 });
    const targetRows = page.getByRole('table', { name: '催收目标' }).locator('tbody tr.ant-table-row');
    await expect.poll(() => targetRows.count(), { timeout: 60_000 }).toBe(targets.rows.length);
    await web.screenshot(page, 'collector-targets-zh');
  }, 240_000);
});
