/**
 * Dunning in the browser: finance@ opens Collections → Dunning and sees the demo's two strategies with their steps;
 * edits a template and watches the English and Chinese previews follow; previews a run (dry run) whose figures are the
 * API's; sees today's run in the history with its outbox. The collector sees only her own customers' messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterResponse, apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Strategy { code: string; steps: unknown[] }
interface Message { customer: string; collector: string | null; channel: string }
interface RunResult { messages: number; tasks: number; items: number; dryRun: boolean }

describe.skipIf(!HAS_CHROMIUM)('web app: dunning', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('finance sees the strategies, edits a template with live previews in both languages, previews a run, and reads the outbox', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const strategies = await apiGet<{ items: Strategy[] }>(page, '/api/v1/dunning/strategies');
    expect(strategies.items.map((s) => s.code).sort()).toEqual(['key-accounts', 'standard']);
    await page.getByRole('link', { name: 'Dunning', exact: true }).click();
    await page.waitForURL('**/dunning');
    await page.getByRole('heading', { name: 'Dunning', exact: true }).waitFor({ timeout: 60_000 });
    const strategyRows = page.getByRole('table', { name: 'Strategies', exact: true }).locator('tbody tr.ant-table-row');
    await expect.poll(() => strategyRows.count(), { timeout: 60_000 }).toBe(2);
    // key-accounts (priority 10) first: +10 email, +30 call, +60 visit, +90 final notice.
    expect(await strategyRows.first().innerText()).toContain('+10 d Email');
    expect(await strategyRows.nth(1).innerText()).toContain('fee 50.00 CNY');
    await web.screenshot(page, 'dunning-strategies-en');

    // Templates: the first key opens; typing in the English subject changes the English preview (sample figures).
    await page.getByRole('tab', { name: 'Templates' }).click();
    const subject = page.locator('#subject-en');
    await expect.poll(() => subject.inputValue(), { timeout: 60_000 }).not.toBe('');
    await subject.fill('Reminder for {{customer.name}} ({{reference}})');
    await expect.poll(() => page.getByTestId('preview-subject-en').innerText(), { timeout: 30_000 }).toMatch(/^Reminder for Example Trading Co\., Ltd\. \(DUN-\d{8}-C001-2\)$/);
    await expect.poll(() => page.getByTestId('preview-body-zh-CN').innerText(), { timeout: 30_000 }).toContain('INV-2026-0101');
    // An unknown variable is named in the preview's error, before anything is saved.
    await subject.fill('Reminder for {{customer.nmae}}');
    await page.getByRole('alert').filter({ hasText: 'customer.nmae' }).waitFor({ timeout: 30_000 });
    await web.screenshot(page, 'dunning-templates-en');

    // Run preview at today: the page shows what the API planned.
    await page.getByRole('tab', { name: 'Run preview' }).click();
    const response = await afterResponse(page, (r) => r.url().endsWith('/api/v1/dunning/runs') && r.request().method() === 'POST',
      () => page.getByRole('button', { name: 'Preview (dry run)' }).click());
    const run = (await response.json()) as RunResult;
    expect(run.dryRun).toBe(true);
    const summary = page.getByTestId('run-summary');
    await summary.waitFor();
    // The demo's run was today: a second look the same day finds nothing new due.
    expect(await summary.innerText()).toBe(run.messages ? `${run.messages} messages (${run.tasks} tasks) for ${run.items} items` : 'Nothing due on this date');
    await page.getByText('Dry run: nothing was written').waitFor();

    // History: today's run by finance@, its messages in the outbox.
    await page.getByRole('tab', { name: 'Runs and outbox' }).click();
    const runRows = page.getByRole('table', { name: 'Runs and outbox', exact: true }).locator('tbody tr.ant-table-row');
    await expect.poll(() => runRows.count(), { timeout: 60_000 }).toBe(1);
    expect(await runRows.first().innerText()).toContain('finance@demo.example');
    const outbox = await apiGet<{ total: number; rows: Message[] }>(page, '/api/v1/dunning/outbox?limit=200');
    const outboxRows = page.getByRole('table', { name: 'Outbox', exact: true }).locator('tbody tr.ant-table-row');
    await expect.poll(() => outboxRows.count(), { timeout: 60_000 }).toBe(Math.min(outbox.total, 50));
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    await web.screenshot(page, 'dunning-history-en');
  }, 240_000);

  it('the collector, in Chinese, sees only her own customers\' messages', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'collector@demo.example');
    const outbox = await apiGet<{ total: number; rows: Message[] }>(page, '/api/v1/dunning/outbox?limit=200');
    expect(new Set(outbox.rows.map((m) => m.collector))).toEqual(outbox.total ? new Set(['赵敏']) : new Set());
    await page.goto(`${web.baseUrl}/dunning`);
    await page.getByRole('heading', { name: '催收提醒', exact: true }).waitFor({ timeout: 60_000 });
    // No run tab for a collector; the history opens first.
    expect(await page.getByRole('tab', { name: '运行预览' }).count()).toBe(0);
    const rows = page.getByRole('table', { name: '发件箱', exact: true }).locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(Math.min(outbox.total, 50));
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    await web.screenshot(page, 'dunning-history-zh');
  }, 240_000);
});
