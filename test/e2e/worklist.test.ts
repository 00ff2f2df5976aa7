/**
 * The worklist in the browser: the demo collector collector@ (赵敏) opens Collections → Worklist and sees her own
 * customers ranked as the API ranks them, each with the reasons that make up its score; from a row she opens the
 * customer. Both languages, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Row { rank: number; customer: string; collector: string | null; score: number; reasons: { code: string; points: number; text: string }[] }
interface Worklist { total: number; collector: string | null; rows: Row[] }

describe.skipIf(!HAS_CHROMIUM)('web app: worklist', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('the collector sees her customers ranked, with the reasons, and opens one', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'collector@demo.example');
    const list = await apiGet<Worklist>(page, '/api/v1/worklist?limit=50');
    expect(list.total).toBeGreaterThanOrEqual(2);
    // Only her own customers, ranked by score.
    expect(new Set(list.rows.map((r) => r.collector))).toEqual(new Set([list.collector]));
    expect(list.rows.map((r) => r.score)).toEqual([...list.rows.map((r) => r.score)].sort((a, b) => b - a));
    await page.getByRole('link', { name: 'Worklist', exact: true }).click();
    await page.waitForURL('**/worklist');
    await page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor({ timeout: 60_000 });
    const rows = page.locator('tbody tr.ant-table-row');
    await rows.first().waitFor({ timeout: 60_000 });
    await expect.poll(() => rows.count()).toBe(list.rows.length);
    const top = list.rows[0]!;
    await expect.poll(() => rows.first().innerText()).toContain(top.customer);
    expect(await rows.first().innerText()).toContain(String(top.score));
    // The top row's reasons, under it, with their points.
    const reasons = page.locator('tr.ant-table-expanded-row').first();
    await reasons.getByText('Why it ranks here').waitFor();
    expect(await reasons.locator('.ant-tag').count()).toBe(top.reasons.length);
    const overdue = top.reasons.find((r) => r.code === 'overdue')!;
    expect(await reasons.innerText()).toContain(`+${overdue.points}`);
    await web.screenshot(page, 'worklist-en');

    await rows.first().getByRole('link', { name: top.customer, exact: true }).click();
    await page.waitForURL(`**/customers/${encodeURIComponent(top.customer)}`);
  }, 240_000);

  it('in Chinese', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'collector@demo.example');
    await page.goto(`${web.baseUrl}/worklist`);
    await page.getByRole('heading', { name: '催收工作清单', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 60_000 });
    await page.getByText('排序原因').first().waitFor();
    await web.screenshot(page, 'worklist-zh');
  }, 240_000);
});
