/**
 * The credit file page (信用档案) and the review queue: a credit manager finds the queue in the menu, opens a
 * customer's credit file from the customer page, sees the ratios and Z-scores the API computed, runs an assessment
 * that takes effect and reads its score, grade and factor chart; the score is the sum of the factor contributions.
 * An auditor reads without the buttons. Both languages, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment, CreditFileView, ReviewQueue, Scorecard } from '../../web/src/features/credit/types.ts';
import { afterResponse, apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

describe.skipIf(!HAS_CHROMIUM)('web app: credit file', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows the review queue, the credit file with ratios and Z-scores, and runs an assessment that takes effect', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    await page.getByRole('link', { name: 'Credit reviews', exact: true }).click();
    await page.waitForURL('**/credit/reviews');
    await page.getByRole('heading', { name: 'Credit review queue', exact: true }).waitFor({ timeout: 60_000 });
    const queue = await apiGet<ReviewQueue>(page, '/api/v1/credit/reviews?limit=200');
    expect(queue.rows.length).toBeGreaterThan(0);
    await page.getByRole('link', { name: queue.rows[0]!.customer, exact: true }).first().waitFor({ timeout: 60_000 });
    await web.screenshot(page, 'credit-reviews-en');

    // From the customer page to its credit file.
    await page.goto('/customers/C0001');
    await page.getByRole('button', { name: 'Credit file', exact: true }).click();
    await page.waitForURL('**/customers/C0001/credit');
    const file = await apiGet<CreditFileView>(page, '/api/v1/customers/C0001/credit');
    await page.getByRole('heading', { name: `Credit file · C0001 ${file.customer.name}`, exact: true }).waitFor({ timeout: 60_000 });
    await page.getByTestId('credit-grade').getByText(file.profile!.grade!, { exact: true }).waitFor();
    const latest = file.statements[0]!;
    expect(file.statements).toHaveLength(2);
    const row = page.getByRole('row').filter({ hasText: latest.periodEnd });
    await row.getByText(latest.ratios.current.value ?? '—', { exact: true }).first().waitFor();
    const zPrime = latest.zScores[1]!;
    if (zPrime.value !== null) await row.getByText(zPrime.value, { exact: true }).waitFor();

    // Run an assessment that takes effect: the page shows the stored score and grade.
    const posted = await afterResponse(page, (r) => r.url().endsWith('/customers/C0001/assessments') && r.request().method() === 'POST', () => page.getByRole('button', { name: 'Run and take effect' }).click());
    const assessment = (await posted.json()) as Assessment;
    await page.getByTestId('assessment-score').getByText(`Score ${assessment.score} · grade ${assessment.grade}`, { exact: true }).waitFor({ timeout: 60_000 });
    // The score is the factors' contributions added up and rounded half-up to a whole number.
    const hundredths = assessment.factors.reduce((s, f) => s + Math.round(Number(f.contribution) * 100), 0);
    expect(assessment.score).toBe(Math.floor((hundredths + 50) / 100));
    await page.getByRole('img', { name: 'Factor points' }).locator('canvas').first().waitFor();
    const after = await apiGet<CreditFileView>(page, '/api/v1/customers/C0001/credit');
    expect(after.profile).toMatchObject({ grade: assessment.grade, score: assessment.score, assessedOn: '2026-06-30' });
    await web.screenshot(page, 'credit-file-en');

    // Enter a statement through the form: current 300,000 / 200,000 = 1.5000; debt 500,000 / 800,000 = 0.6250.
    await page.getByRole('button', { name: 'Add statement' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Current assets' });
    await dialog.getByLabel('Period end').fill('2026-03-31');
    await dialog.getByLabel('Period end').press('Enter');
    const figures: Record<string, string> = {
      'Current assets': '300000', Cash: '50000', Inventory: '100000', Receivables: '120000', 'Total assets': '800000', 'Current liabilities': '200000',
      'Total liabilities': '500000', Equity: '300000', 'Retained earnings': '100000', Sales: '900000', EBIT: '60000', 'Net income': '40000', 'Interest expense': '15000',
    };
    for (const [label, value] of Object.entries(figures)) await dialog.getByLabel(label, { exact: true }).fill(value);
    await dialog.getByRole('button', { name: 'Save' }).click();
    const newRow = page.getByRole('row').filter({ hasText: '2026-03-31' });
    await newRow.getByText('1.5000', { exact: true }).waitFor({ timeout: 60_000 });
    await newRow.getByText('0.6250', { exact: true }).waitFor();
    expect((await apiGet<CreditFileView>(page, '/api/v1/customers/C0001/credit')).statements).toHaveLength(3);
  }, 300_000);

  it('edits the credit file through its form: insurance and a rating become a new version', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    const before = await apiGet<CreditFileView>(page, '/api/v1/customers/C0004/credit');
    await page.goto('/customers/C0004/credit');
    await page.getByRole('heading', { name: /^Credit file · C0004/ }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Edit file' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Credit insurance' });
    await dialog.getByRole('button', { name: 'Add rating' }).click();
    const ratings = before.file.externalRatings.length;
    await dialog.locator(`#externalRatings_${ratings}_agency`).fill('Moody\'s');
    await dialog.locator(`#externalRatings_${ratings}_grade`).fill('Baa2');
    await dialog.locator(`#externalRatings_${ratings}_date`).fill('2026-05-15');
    await dialog.locator(`#externalRatings_${ratings}_date`).press('Enter');
    const insured = dialog.getByRole('switch', { name: 'Insured' });
    if ((await insured.getAttribute('aria-checked')) !== 'true') await insured.click();
    await dialog.getByLabel('Insurer').fill('中国出口信用保险公司');
    // Written with a thousands separator, the limit is refused on its field before anything is sent.
    await dialog.getByLabel('Insured limit').fill('300,000');
    await dialog.getByLabel('Currency').fill('CNY');
    for (const [label, date] of [['Valid from', '2026-01-01'], ['Valid to', '2026-12-31']] as const) {
      await dialog.getByLabel(label).fill(date);
      await dialog.getByLabel(label).press('Enter');
    }
    await dialog.getByLabel('Days to notify an overdue').fill('30');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('An amount like 500000.00').waitFor({ timeout: 30_000 });
    await dialog.getByLabel('Insured limit').fill('300000.00');
    await web.screenshot(page, 'credit-file-form-en');
    const saved = await afterResponse(page, (r) => r.url().endsWith('/customers/C0004/credit') && r.request().method() === 'PUT', () => dialog.getByRole('button', { name: 'Save' }).click());
    expect(saved.status()).toBe(200);
    const after = await apiGet<CreditFileView>(page, '/api/v1/customers/C0004/credit');
    expect(after.version).toBe(before.version + 1);
    expect(after.file.insurance).toEqual({ insurer: '中国出口信用保险公司', insuredLimit: '300000.00', currency: 'CNY', validFrom: '2026-01-01', validTo: '2026-12-31', notificationDays: 30 });
    expect(after.file.externalRatings.at(-1)).toEqual({ agency: 'Moody\'s', grade: 'Baa2', date: '2026-05-15' });
    await page.getByText('中国出口信用保险公司').first().waitFor({ timeout: 30_000 });
  }, 240_000);

  it('lets an auditor read the credit file without the buttons, in Chinese', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'auditor@demo.example');
    await page.goto('/customers/C0002/credit');
    await page.getByRole('heading', { name: /^信用档案 · C0002/ }).waitFor({ timeout: 60_000 });
    await page.getByText('财务报表与比率').waitFor();
    expect(await page.getByRole('button', { name: '评估并生效' }).count()).toBe(0);
    await web.screenshot(page, 'credit-file-zh');
  }, 240_000);

  it('edits the scorecard in its form: weights that do not add up to 100 are refused, a bin\'s points are saved', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    const before = await apiGet<Scorecard>(page, '/api/v1/credit/scorecard');
    await page.goto('/credit/reviews');
    await page.getByRole('button', { name: 'Edit scorecard' }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: 'Factors' });
    await drawer.getByText('The weights add up to 100% (they must add up to 100%)').waitFor({ timeout: 30_000 });
    // The first factor's weight from its value to 5 less: the total shows 95 and the API refuses it.
    const weight = drawer.locator('#factors_0_weight');
    await weight.fill(String(before.factors[0]!.weight - 5));
    await drawer.getByText('The weights add up to 95% (they must add up to 100%)').waitFor();
    await drawer.getByRole('button', { name: 'Save' }).click();
    // The API's refusal is shown in the drawer with the total it found.
    await drawer.locator('.ant-alert-error').filter({ hasText: '95' }).waitFor({ timeout: 30_000 });
    await web.screenshot(page, 'scorecard-form-en');
    expect((await apiGet<Scorecard>(page, '/api/v1/credit/scorecard')).factors[0]!.weight).toBe(before.factors[0]!.weight);
    // Back to 100, and the first bin of the first factor worth one point more.
    await weight.fill(String(before.factors[0]!.weight));
    const points = before.factors[0]!.bins[0]!.points;
    await drawer.locator('#factors_0_bins_0_points').fill(String(points === 100 ? 99 : points + 1));
    const saved = await afterResponse(page, (r) => r.url().endsWith('/api/v1/credit/scorecard') && r.request().method() === 'PUT', () => drawer.getByRole('button', { name: 'Save' }).click());
    expect(saved.status()).toBe(200);
    const after = await apiGet<Scorecard>(page, '/api/v1/credit/scorecard');
    expect(after.factors[0]!.bins[0]!.points).toBe(points === 100 ? 99 : points + 1);
    expect(after.factors.reduce((sum, f) => sum + f.weight, 0)).toBe(100);
  }, 240_000);

  it('imports a statements file on the review page, and shows the line the API refused', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    await page.goto('/credit/reviews');
    await page.getByRole('button', { name: 'Import statements (CSV/XLSX)' }).waitFor({ timeout: 60_000 });
    const header = 'customer,periodEnd,currentAssets,cash,inventory,receivables,totalAssets,currentLiabilities,totalLiabilities,equity,retainedEarnings,sales,ebit,netIncome,interestExpense';
    const input = page.locator('input[type=file]');
    const bad = [header, 'C0001,2021-12-31,x,1,1,1,1,1,1,1,1,1,1,1,1'].join('\n');
    await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.locator('.ant-alert-error').filter({ hasText: 'line 2' }).waitFor({ timeout: 30_000 });
    const good = [header, 'C0001,2021-12-31,500000,100000,150000,200000,1000000,250000,600000,400000,200000,1500000,100000,60000,20000'].join('\n');
    await input.setInputFiles({ name: 'statements.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByText('1 statements of 1 customers recorded').waitFor({ timeout: 30_000 });
    const file = await apiGet<CreditFileView>(page, '/api/v1/customers/C0001/credit');
    // 500,000 / 250,000 = 2.0000
    expect(file.statements.find((x) => x.periodEnd === '2021-12-31')?.ratios.current.value).toBe('2.0000');
  }, 240_000);
});

