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
import { BROWSER_TEST, chooseOption, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Figures { current: string; buckets: Record<string, string>; outstanding: string; unapplied: string; net: string }
interface Report { asOf: string; by: string; currency: string; rows: (Figures & { key: string; name: string })[]; totals: Figures; page: { total: number } }

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

describe.skipIf(!HAS_CHROMIUM)('web app: aging', BROWSER_TEST, () => {
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
    expect(today.page.total).toBe(today.rows.length);
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

    // Pages of 20 rows, largest outstanding first: the API's first 20 rows in its order, then by the control under
    // the table the next ones (rows 21 to 40, or to the last); the totals line the same on every page.
    expect(march.page.total).toBeGreaterThan(20);
    await page.goto('/aging?asOf=2026-03-31&size=20');
    const shownKeys = page.locator('.aging-table .ant-table-tbody tr.ant-table-row td:first-child');
    await expect.poll(async () => (await shownKeys.allInnerTexts()).map((k) => k.trim())).toEqual(march.rows.slice(0, 20).map((r) => r.key));
    await page.getByText(`Rows 1–20 of ${march.page.total}`, { exact: false }).waitFor();
    await page.locator('.ant-pagination-next').click();
    await page.waitForURL(/page=2/);
    await expect.poll(async () => (await shownKeys.allInnerTexts()).map((k) => k.trim())).toEqual(march.rows.slice(20, 40).map((r) => r.key));
    await page.getByText(`Rows 21–${Math.min(40, march.page.total)} of ${march.page.total}`, { exact: false }).waitFor();
    expect(await totalsCell(page, 'outstanding')).toBe(formatNumber(march.totals.outstanding, 'CNY', 'en'));
    await page.goto('/aging?asOf=2026-03-31');
    await page.locator('.aging-totals').waitFor();

    // By segment: one line per segment, in words, and the grand total does not change with the grouping.
    await chooseOption(page, page.getByLabel('Group by'), 'Segment');
    await page.waitForURL(/by=segment/);
    const bySegment = await apiReport(page, { asOf: '2026-03-31', by: 'segment' });
    expect(bySegment.totals).toEqual(march.totals);
    await page.getByRole('columnheader', { name: 'Segment' }).waitFor();
    await page.getByRole('cell', { name: 'Key account', exact: true }).waitFor();
    const bodyRows = page.locator('.aging-table .ant-table-tbody tr.ant-table-row');
    await expect.poll(() => bodyRows.count()).toBe(bySegment.rows.length);
    expect(await totalsCell(page, 'outstanding')).toBe(formatNumber(march.totals.outstanding, 'CNY', 'en'));

    // The CSV (the server's, every row) carries the API's amounts exactly, with a byte-order mark for Excel.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('aging-2026-03-31-segment-CNY.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split('\n');
    expect(lines).toHaveLength(bySegment.page.total + 2);
    expect(lines.at(-1)!.split(',')).toEqual(['total', '', march.totals.current, ...Object.values(march.totals.buckets), march.totals.outstanding, march.totals.unapplied, march.totals.net]);
  });

  it('opens the items behind a figure, their sum the figure, with links to the documents; converts; exports XLSX', { timeout: 180_000 }, async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/aging?asOf=2026-03-31&by=segment');
    await page.locator('.aging-totals').waitFor();
    const report = await apiReport(page, { asOf: '2026-03-31', by: 'segment' });
    const row = report.rows.find((r) => r.key === 'key')!;
    const bucket = Object.entries(row.buckets).find(([, v]) => v !== '0.00')![0];
    const line = page.locator('.aging-table .ant-table-tbody tr.ant-table-row').filter({ has: page.getByRole('cell', { name: 'Key account', exact: true }) });
    // Click the row's first bucket with an amount: the drawer lists what adds up to it.
    const label = bucket.startsWith('over-') ? `Over ${bucket.slice(5)} days` : `${bucket.replace('-', '–')} days`;
    await line.getByRole('button', { name: `Key account: ${label}`, exact: true }).click();
    const drawer = page.getByRole('dialog');
    await drawer.locator('.aging-drill-summary').waitFor();
    const items = await page.request.get(`/api/v1/reports/aging/items?${new URLSearchParams({ asOf: '2026-03-31', by: 'segment', key: 'key', bucket, limit: '500' })}`);
    const page1 = (await items.json()) as { count: number; total: string; items: { documentNumber: string; open: string }[]; nextOffset: number | null };
    expect(page1.total).toBe(row.buckets[bucket]);
    const hand = page1.items.reduce((sum, i) => sum + apiMinor(i.open, 'CNY'), 0n);
    if (page1.nextOffset === null) expect(formatMinor(hand, 'CNY')).toBe(row.buckets[bucket]);
    expect(await drawer.locator('.aging-drill-summary').innerText()).toBe(`${page1.count} items, ${formatNumber(row.buckets[bucket]!, 'CNY', 'en')} CNY in total`);
    await web.screenshot(page, 'aging-drill-en');
    const firstDocument = page1.items[0]!.documentNumber;
    await drawer.getByRole('link', { name: firstDocument, exact: true }).click();
    await page.waitForURL(`**/documents/${encodeURIComponent(firstDocument)}`);
    await page.getByText(firstDocument).first().waitFor();

    // All currencies in CNY: the rates used are named; the totals are the API's converted ones.
    await page.goto('/aging?asOf=2026-03-31');
    await page.locator('.aging-totals').waitFor();
    await chooseOption(page, page.getByLabel('Currency'), 'All currencies in CNY');
    await page.waitForURL(/convert=true/);
    const converted = await apiReport(page, { asOf: '2026-03-31', convert: 'true' }) as Report & { rates: { currency: string; rate: string; date: string }[] };
    expect(converted.rates.map((r) => r.currency)).toEqual(['USD']);
    await page.getByText(new RegExp(`Converted at the rates on or before .*: USD ${converted.rates[0]!.rate.replace('.', '\\.')}`)).waitFor();
    await page.locator('.aging-totals .total-outstanding', { hasText: formatNumber(converted.totals.outstanding, 'CNY', 'en') }).waitFor();

    // XLSX from the server: the total line carries the converted outstanding.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export XLSX' }).click()]);
    expect(download.suggestedFilename()).toBe('aging-2026-03-31-customer-CNY.xlsx');
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    const sheet = book.worksheets[0]!;
    const totalRow = sheet.getRow(sheet.rowCount);
    expect(totalRow.getCell(1).value).toBe('total');
    expect(totalRow.getCell(10).value).toBe(Number(converted.totals.outstanding));
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
