/**
 * The KPI dashboard (关键指标): the cards show the API's KPIs (the overdue share checked against the figures by hand),
 * the trend lines come from the demo's snapshots, an earlier as-of date changes the figures, the payment behaviour
 * table reads the API's rows, the Excel export downloads; both languages, a collector's own customers; screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatAmount } from '../../web/src/shared/format.ts';
import { apiMinor } from '../../web/src/features/documents/money.ts';
import { BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface KpiValue { value: string | null; unit: string; reason?: string }
interface KpiSet { asOf: string; kpis: Record<string, KpiValue>; figures: Record<string, string> }

async function api<T>(page: Page, path: string, query: Record<string, string>): Promise<T> {
  const response = await page.request.get(`/api/v1${path}?${new URLSearchParams(query)}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as T;
}

const card = (page: Page, name: string) => page.locator('section.kpi-cards').getByRole('group', { name, exact: true });

describe.skipIf(!HAS_CHROMIUM)('web app: KPI dashboard', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows the KPIs a finance manager checks, with a year of trend lines, at today and at an earlier date', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: 'KPIs', exact: true }).click();
    await page.waitForURL('**/kpis');
    await page.getByRole('heading', { name: 'Receivables KPIs', exact: true }).waitFor();
    await page.getByRole('region', { name: 'KPIs' }).waitFor();

    const asOf = await page.locator('#kpis-as-of').inputValue();
    expect(asOf).toBe('2026-06-30');
    const set = await api<KpiSet>(page, '/reports/kpis', { asOf });
    // The overdue share by hand from the figures: (outstanding − current) ÷ outstanding × 100, to 2 decimals, half up.
    const outstanding = apiMinor(set.figures.outstanding!, 'CNY');
    const overdue = outstanding - apiMinor(set.figures.current!, 'CNY');
    expect(outstanding).toBeGreaterThan(0n);
    const share = (overdue * 10_000n * 2n + outstanding) / (outstanding * 2n);
    const shareText = `${share / 100n}.${String(share % 100n).padStart(2, '0')}`;
    expect(set.kpis.overdueShare!.value).toBe(shareText);
    await card(page, 'Overdue share').getByText(`${shareText}%`, { exact: true }).waitFor();
    // DSO and the AR balance as the API computed them.
    await card(page, 'DSO (countback)').getByText(`${set.kpis.dsoCountback!.value} days`, { exact: true }).waitFor();
    await card(page, 'AR balance').getByText(formatAmount(set.figures.outstanding!, 'CNY', 'en'), { exact: true }).waitFor();
    // Disputed share as the API computed it (the demo's open disputes over outstanding).
    expect(set.kpis.disputedShare!.value).not.toBeNull();
    await card(page, 'Disputed share').getByText(`${set.kpis.disputedShare!.value}%`, { exact: true }).waitFor();

    // The trend: 12 points, the 11 month ends before today from the demo's snapshots; one line per trend KPI.
    const trend = await api<{ points: { asOf: string; source: string }[] }>(page, '/reports/kpis/trend', { asOf, months: '12' });
    expect(trend.points.filter((p) => p.source === 'snapshot')).toHaveLength(11);
    await expect.poll(() => page.locator('.kpi-sparkline canvas').count()).toBe(6);
    await page.getByRole('img', { name: 'DSO (countback) at the last 12 month ends' }).waitFor();

    // Payment behaviour: the first row is the API's first (most days beyond terms).
    const customers = await api<{ total: number; rows: { customer: string; paid: string }[] }>(page, '/reports/kpis/customers', { asOf, limit: '20' });
    expect(customers.total).toBeGreaterThan(5);
    const first = customers.rows[0]!;
    const line = page.getByRole('row').filter({ has: page.getByRole('link', { name: first.customer, exact: true }) });
    await line.getByText(formatAmount(first.paid, 'CNY', 'en'), { exact: true }).waitFor();
    await web.screenshot(page, 'kpis-en');

    // The end of March: the API's figures then, different from today's.
    const picker = page.locator('#kpis-as-of');
    await picker.click();
    await picker.fill('2026-03-31');
    await picker.press('Enter');
    await page.waitForURL('**/kpis?asOf=2026-03-31');
    const march = await api<KpiSet>(page, '/reports/kpis', { asOf: '2026-03-31' });
    expect(march.figures.outstanding).not.toBe(set.figures.outstanding);
    await card(page, 'AR balance').getByText(formatAmount(march.figures.outstanding!, 'CNY', 'en'), { exact: true }).waitFor();
    await card(page, 'DSO (standard)').getByText(`${march.kpis.dsoStandard!.value} days`, { exact: true }).waitFor();

    // Excel: the three sheets' workbook, named by date and currency.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /\(Excel\)/ }).click()]);
    expect(download.suggestedFilename()).toBe('kpis-2026-03-31-CNY.xlsx');
  }, 120_000);

  it('reads in Chinese, and gives a collector the KPIs of her own customers', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/kpis');
    await page.getByRole('heading', { name: '应收关键指标', exact: true }).waitFor();
    const all = await api<KpiSet>(page, '/reports/kpis', { asOf: '2026-06-30' });
    await card(page, '应收余额').getByText(formatAmount(all.figures.outstanding!, 'CNY', 'zh-CN'), { exact: true }).waitFor();
    await expect.poll(() => page.locator('.kpi-sparkline canvas').count()).toBe(6);
    await web.screenshot(page, 'kpis-zh');

    const collector = await web.newPage('zh-CN');
    await web.signIn(collector.page, 'collector@demo.example');
    await collector.page.goto('/kpis');
    await collector.page.getByText('仅含您负责的客户（赵敏）；趋势为实时计算。').waitFor();
    const own = await api<KpiSet>(collector.page, '/reports/kpis', { asOf: '2026-06-30' });
    expect(apiMinor(own.figures.outstanding!, 'CNY')).toBeLessThan(apiMinor(all.figures.outstanding!, 'CNY'));
    await card(collector.page, '应收余额').getByText(formatAmount(own.figures.outstanding!, 'CNY', 'zh-CN'), { exact: true }).waitFor();
  }, 120_000);
});
