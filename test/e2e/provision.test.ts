/**
 * The provision page (坏账准备): its total is the API's and the sum of the customers' allowances, to the cent; the
 * movement since the demo's April run shows the recovery; the ECL derivation is on the page; a finance manager
 * records a run and downloads its journal, whose debits equal the run's charge; an auditor reads without the
 * buttons; a collector has no entry. Both languages, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAmount } from '../../web/src/shared/format.ts';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import type { ProvisionReport, Run } from '../../web/src/features/provision/types.ts';
import { afterResponse, apiGet, BROWSER_TEST, clickUntil, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: provision', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows the allowance by bucket and customer, the movement with the recovery, and the ECL derivation', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: 'Bad-debt provision', exact: true }).click();
    await page.waitForURL('**/provision');
    await page.goto('/provision?asOf=2026-05-31');
    await page.getByRole('heading', { name: 'Bad-debt provision', exact: true }).waitFor();

    const report = await apiGet<ProvisionReport>(page, '/api/v1/provision/preview?asOf=2026-05-31&method=aging');
    // The total is the sum of the customers' allowances, worked out here from the API's rows.
    const sum = report.customers.reduce((s, c) => s + apiMinor(c.allowance, 'CNY'), 0n);
    expect(formatMinor(sum, 'CNY')).toBe(report.totals.allowance);
    expect(apiMinor(report.totals.allowance, 'CNY')).toBeGreaterThan(0n);
    const cards = page.getByRole('region', { name: 'Totals' });
    await cards.getByRole('group', { name: 'Allowance' }).getByText(formatAmount(report.totals.allowance, 'CNY', 'en'), { exact: true }).waitFor();
    await page.locator('.provision-totals .total-allowance').getByText(formatAmount(report.totals.allowance, 'CNY', 'en'), { exact: true }).waitFor();
    // The over-365 bucket is provided for in full (100%).
    const over = report.byBucket.find((b) => b.bucket === 'over-365')!;
    expect(over.rate).toBe('100');
    expect(over.allowance).toBe(over.balance);

    // The movement since the April run: the recovery recorded in May, and closing = opening + charge − used + recovered.
    const m = report.movement;
    expect(m.previousRun?.periodEnd).toBe('2026-04-30');
    expect(apiMinor(m.recovered, 'CNY')).toBeGreaterThan(0n);
    const minor = (v: string) => apiMinor(v, 'CNY');
    expect(minor(m.opening) + minor(m.charge) - minor(m.utilised) + minor(m.recovered)).toBe(minor(m.closing));
    await page.getByRole('group', { name: 'Recoveries' }).getByText(formatAmount(m.recovered, 'CNY', 'en'), { exact: true }).waitFor();
    await page.getByRole('group', { name: 'Opening' }).getByText(formatAmount(m.opening, 'CNY', 'en'), { exact: true }).waitFor();
    await web.screenshot(page, 'provision-en');

    // The run history lists the demo's two runs.
    const runs = page.locator('.provision-runs');
    await runs.getByText('Current').first().waitFor();
    expect(await runs.locator('tbody tr.ant-table-row').count()).toBe(2);

    // ECL: the roll rates and the loss-rate chain, as the API derived them.
    await page.locator('.provision-toolbar label').filter({ hasText: 'Expected credit loss' }).click();
    await page.waitForURL('**/provision?asOf=2026-05-31&method=ecl');
    const ecl = await apiGet<ProvisionReport>(page, '/api/v1/provision/preview?asOf=2026-05-31&method=ecl');
    await page.getByText('How the ECL rates were derived').waitFor();
    expect(await page.locator('.provision-roll tbody tr.ant-table-row').count()).toBe(ecl.matrix!.rollRates.length);
    const first = ecl.matrix!.rollRates[0]!;
    await page.locator('.provision-roll').getByText(first.fraction, { exact: true }).waitFor();
    // The terminal bucket's loss rate is 100%; every loss rate is at most 100%.
    expect(ecl.matrix!.lossRates.at(-1)!.rate).toBe('100');
    expect(ecl.matrix!.lossRates.every((l) => Number(l.rate) <= 100)).toBe(true);
    await page.locator('.provision-cards').getByText(formatAmount(ecl.totals.allowance, 'CNY', 'en'), { exact: true }).waitFor();
    await web.screenshot(page, 'provision-ecl-en');
  }, 240_000);

  it('records a run for the period end and exports its journal, debits equal to the charge', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/provision?asOf=2026-06-30');
    await page.getByRole('heading', { name: '坏账准备', exact: true }).waitFor();
    const preview = await apiGet<ProvisionReport>(page, '/api/v1/provision/preview?asOf=2026-06-30&method=aging');
    // The dialog's button is clicked until the run is recorded (a click while the dialog opens can be lost under load).
    await clickUntil(page.getByRole('button', { name: '记录计提' }), page.getByRole('dialog'));
    await clickUntil(page.getByRole('dialog').getByRole('button', { name: '记 录' }).or(page.getByRole('dialog').getByRole('button', { name: '记录' })), page.getByText('计提已记录'));

    const { items } = await apiGet<{ items: Run[] }>(page, '/api/v1/provision/runs');
    const june = items.find((r) => r.periodEnd === '2026-06-30')!;
    expect(june.allowance).toBe(preview.totals.allowance);
    expect(june.createdBy).toBe('finance@demo.example');
    // The June run's opening is the May run's closing; its charge is the preview's.
    expect(june.charge).toBe(preview.movement.charge);
    await page.locator('.provision-runs tbody tr').filter({ hasText: '2026' }).first().waitFor();
    expect(await page.locator('.provision-runs tbody tr.ant-table-row').count()).toBe(3);

    // The journal (CSV from the row's link): per customer a debit and a credit of its charge; debits = credits = |charge| summed.
    const href = await page.getByRole('link', { name: /凭证 CSV 2026-06-30/ }).getAttribute('href');
    const csv = await (await page.request.get(href!)).text();
    const lines = csv.replace(/^\ufeff/, '').trim().split('\r\n').slice(1).map((l) => l.split(','));
    const debit = lines.reduce((s, l) => s + (l[7] ? apiMinor(l[7], 'CNY') : 0n), 0n);
    const credit = lines.reduce((s, l) => s + (l[8] ? apiMinor(l[8], 'CNY') : 0n), 0n);
    expect(debit).toBe(credit);
    const run = await apiGet<Run & { report: ProvisionReport }>(page, `/api/v1/provision/runs/${june.id}`);
    const absCharges = run.report.movement.customers.reduce((s, c) => s + (apiMinor(c.charge.replace('-', ''), 'CNY')), 0n);
    expect(debit).toBe(absCharges);
    await web.screenshot(page, 'provision-zh');
  }, 240_000);

  it('records a recovery on a write-off from its document page, and adds a segment\'s rate set in the settings', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const writeOffs = await apiGet<{ items: { number: string; amount: string; customer: string; status: string }[] }>(page, '/api/v1/documents?kind=write_off&limit=50');
    const writeOff = writeOffs.items.find((d) => d.status !== 'reversed')!;
    await page.goto(`/documents/${encodeURIComponent(`write_off:${writeOff.number}`)}`);
    await page.getByRole('button', { name: 'Record a recovery' }).click();
    const dialog = page.getByRole('dialog');
    // More than was written off is refused on the field, before anything is sent.
    const over = formatMinor(apiMinor(writeOff.amount, 'CNY') + 1n, 'CNY');
    await dialog.getByLabel('Amount received (CNY)').fill(over);
    await dialog.getByRole('button', { name: 'Record recovery' }).click();
    await dialog.getByText(`More than zero and at most ${writeOff.amount}, like 1234.50.`).waitFor({ timeout: 30_000 });
    await dialog.getByLabel('Amount received (CNY)').fill('100.00');
    const posted = await afterResponse(page, (r) => r.url().endsWith('/api/v1/provision/recoveries') && r.request().method() === 'POST', () => dialog.getByRole('button', { name: 'Record recovery' }).click());
    const recovery = (await posted.json()) as { debitNote: string; payment: string; amount: string };
    expect(recovery.amount).toBe('100.00');
    await page.getByText('Recovery recorded.').waitFor({ timeout: 30_000 });
    // The debit note reinstates 100.00 and the payment of 100.00 settles it: nothing of it stays open.
    const note = await apiGet<{ amount: string; open: string }>(page, `/api/v1/documents/${encodeURIComponent(`debit_note:${recovery.debitNote}`)}`);
    expect([note.amount, note.open]).toEqual(['100.00', '0.00']);

    // A segment's own rate set: added from the customers' segments, filled from the default rates, saved.
    await page.goto('/provision');
    await page.getByRole('button', { name: 'Rates and accounts' }).click();
    const before = await apiGet<{ segments: Record<string, Record<string, string>>; rates: Record<string, string> }>(page, '/api/v1/provision/settings');
    const facets = await apiGet<{ segments: string[] }>(page, '/api/v1/customer-filters');
    const segment = facets.segments.find((sg) => !(sg in before.segments))!;
    const label: Record<string, string> = { key: 'Key account', mid: 'Mid-size', small: 'Small' };
    // The picker empties itself once a segment is added: the new segment's rate fields are what shows the choice.
    await clickUntil(page.getByLabel('Add a rate set for a segment…'), page.locator('.ant-select-dropdown:visible').getByTitle(label[segment] ?? segment, { exact: true }));
    await clickUntil(page.locator('.ant-select-dropdown:visible').getByTitle(label[segment] ?? segment, { exact: true }), page.locator(`#provision-segment-${segment}-current`));
    await page.locator(`#provision-segment-${segment}-current`).fill('2');
    const saved = await afterResponse(page, (r) => r.url().endsWith('/api/v1/provision/settings') && r.request().method() === 'PUT', () => page.getByRole('button', { name: 'Save' }).click());
    expect(saved.status()).toBe(200);
    const after = await apiGet<{ segments: Record<string, Record<string, string>> }>(page, '/api/v1/provision/settings');
    expect(after.segments[segment]!.current).toBe('2');
  });

  it('lets an auditor read without recording, and gives a collector no entry', async () => {
    const auditor = await web.newPage('en');
    await web.signIn(auditor.page, 'auditor@demo.example');
    await auditor.page.goto('/provision?asOf=2026-05-31');
    await auditor.page.getByRole('heading', { name: 'Bad-debt provision', exact: true }).waitFor();
    await auditor.page.locator('.provision-cards').getByRole('group', { name: 'Allowance' }).waitFor();
    expect(await auditor.page.getByRole('button', { name: 'Record run' }).count()).toBe(0);
    const collector = await web.newPage('en');
    await web.signIn(collector.page, 'collector@demo.example');
    await collector.page.getByRole('link', { name: 'Aging', exact: true }).waitFor();
    expect(await collector.page.getByRole('link', { name: 'Bad-debt provision' }).count()).toBe(0);
  }, 240_000);
});
