/**
 * The aging page (账龄分析): its totals are the sum of its rows, to the cent; an earlier as-of date shows what the
 * API says was open then; grouping by segment keeps the grand total; a collector sees only their own customers;
 * the CSV export carries the API's exact amounts; both languages, with screenshots.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatAmount, formatNumber } from '../../web/src/shared/format.ts';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import { HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Figures { current: string; buckets: Record<string, string>; outstanding: string; unapplied: string; net: string }
interface Report { asOf: string; by: string; currency: string; rows: (Figures & { key: string; name: string })[]; totals: Figures }

async function apiReport(page: Page, query: Record<string, string>): Promise<Report> {
  const response = await page.request.get(`/api/v1/reports/aging?${new URLSearchParams(query)}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as Report;
}

/** The rows' outstanding added up by hand, exactly. */
function sumOutstanding(report: Report): bigint {
  return report.rows.reduce((sum, r) => sum + apiMinor(r.outstanding, 'CNY'), 0n);
}

async function totalsCell(page: Page, column: string) {
  return (await page.locator(`.aging-totals .total-${column}`).innerText()).trim();
}

describe.skipIf(!HAS_CHROMIUM)('web app: aging', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('totals the rows to the cent, goes back to an earlier date, and groups by segment with the same grand total', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: 'Aging', exact: true }).click();
    await page.waitForURL('**/aging');
    await page.getByRole('heading', { name: 'Aging', exact: true }).waitFor();
    await page.locator('.aging-totals').waitFor();

    // Today's report: the totals line is the sum of every row's outstanding, worked out here from the API's rows.
    const asOf = await page.locator('#aging-as-of').inputValue();
    const today = await apiReport(page, { asOf });
    expect(today.rows.length).toBeGreaterThan(10);
    const total = sumOutstanding(today);
    expect(formatMinor(total, 'CNY')).toBe(today.totals.outstanding);
    expect(await totalsCell(page, 'outstanding')).toBe(formatNumber(formatMinor(total, 'CNY'), 'CNY', 'en'));
    const cards = page.getByRole('region', { name: 'Totals' });
    await cards.getByRole('group', { name: 'Outstanding' }).getByText(formatAmount(formatMinor(total, 'CNY'), 'CNY', 'en'), { exact: true }).waitFor();
    // Overdue = outstanding − current.
    const overdue = total - apiMinor(today.totals.current, 'CNY');
    await cards.getByRole('group', { name: 'Overdue' }).getByText(formatAmount(formatMinor(overdue, 'CNY'), 'CNY', 'en'), { exact: true }).waitFor();
    await web.screenshot(page, 'aging-en');

    // The end of March: what was open then, as the API computes it, and different from today's.
    const picker = page.locator('#aging-as-of');
    await picker.click();
    await picker.fill('2026-03-31');
    await picker.press('Enter');
    await page.waitForURL('**/aging?asOf=2026-03-31');
    const march = await apiReport(page, { asOf: '2026-03-31' });
    expect(march.totals.outstanding).not.toBe(today.totals.outstanding);
    expect(formatMinor(sumOutstanding(march), 'CNY')).toBe(march.totals.outstanding);
    await page.locator('.aging-totals .total-outstanding', { hasText: formatNumber(march.totals.outstanding, 'CNY', 'en') }).waitFor();
    expect(await totalsCell(page, 'current')).toBe(formatNumber(march.totals.current, 'CNY', 'en'));
    expect(await totalsCell(page, 'net')).toBe(formatNumber(march.totals.net, 'CNY', 'en'));
    // The first customer's line reads the API's figures.
    const first = march.rows[0]!;
    const line = page.getByRole('row').filter({ has: page.getByRole('link', { name: first.key, exact: true }) });
    await line.getByText(formatNumber(first.outstanding, 'CNY', 'en'), { exact: true }).first().waitFor();

    // By segment: one line per segment, in words, and the grand total does not change with the grouping.
    await page.getByLabel('Group by').click();
    await page.getByTitle('Segment', { exact: true }).click();
    await page.waitForURL(/by=segment/);
    const bySegment = await apiReport(page, { asOf: '2026-03-31', by: 'segment' });
    expect(bySegment.totals).toEqual(march.totals);
    await page.getByRole('columnheader', { name: 'Segment' }).waitFor();
    await page.getByRole('cell', { name: 'Key account', exact: true }).waitFor();
    const bodyRows = page.locator('.aging-table .ant-table-tbody tr.ant-table-row');
    await expect.poll(() => bodyRows.count()).toBe(bySegment.rows.length);
    expect(await totalsCell(page, 'outstanding')).toBe(formatNumber(march.totals.outstanding, 'CNY', 'en'));

    // The CSV carries the API's amounts exactly, with a byte-order mark for Excel.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('aging-2026-03-31-segment.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(bySegment.rows.length + 2);
    expect(lines.at(-1)!.split(',')).toEqual(['Total', '', march.totals.current, ...Object.values(march.totals.buckets), march.totals.outstanding, march.totals.unapplied, march.totals.net]);
  });

  it('refuses buckets that do not grow, on the field', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/aging');
    const buckets = page.getByLabel('Buckets (days)');
    await buckets.fill('60,30');
    await buckets.press('Enter');
    await page.getByText('The limits must grow, smallest first, e.g. 30,60,90').waitFor();
    await buckets.fill('30,90');
    await buckets.press('Enter');
    await page.waitForURL(/buckets=30%2C90/);
    await page.getByRole('columnheader', { name: 'Over 90 days' }).waitFor();
  });

  it('reads in Chinese, and shows a collector only the customers they collect from', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/aging');
    await page.getByRole('heading', { name: '账龄分析', exact: true }).waitFor();
    await page.locator('.aging-totals').waitFor();
    const asOf = await page.locator('#aging-as-of').inputValue();
    const all = await apiReport(page, { asOf });
    expect(await totalsCell(page, 'outstanding')).toBe(formatNumber(formatMinor(sumOutstanding(all), 'CNY'), 'CNY', 'zh-CN'));
    await page.getByRole('columnheader', { name: '应收余额' }).waitFor();
    await web.screenshot(page, 'aging-zh');

    const collector = await web.newPage('zh-CN');
    await web.signIn(collector.page, 'collector@demo.example');
    await collector.page.goto('/aging');
    await collector.page.locator('.aging-totals').waitFor();
    const own = await apiReport(collector.page, { asOf });
    expect(own.rows.length).toBeGreaterThan(0);
    expect(own.rows.length).toBeLessThan(all.rows.length);
    for (const row of own.rows) {
      const response = await page.request.get(`/api/v1/customers/${encodeURIComponent(row.key)}`);
      expect(response.status()).toBe(200);
      expect(((await response.json()) as { collector: string | null }).collector, row.key).toBe('赵敏');
    }
    const shownKeys = await collector.page.locator('.aging-table .ant-table-tbody tr.ant-table-row td:first-child').allInnerTexts();
    expect(shownKeys.map((k) => k.trim())).toEqual(own.rows.slice(0, 50).map((r) => r.key));
    expect(await totalsCell(collector.page, 'outstanding')).toBe(formatNumber(formatMinor(sumOutstanding(own), 'CNY'), 'CNY', 'zh-CN'));
    await collector.page.getByText('仅显示您负责的客户（赵敏）。').waitFor();
  });
});
