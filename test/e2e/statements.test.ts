/**
 * The statement and confirmation pages in Chromium, on the demo company: the statement's closing balance is its
 * opening + debits − credits (worked out here from the API's lines) and the page shows the API's figures; the PDF
 * downloads; a confirmation's answer shows the difference theirs − ours while typing and lands in the disputed
 * list; a collector gets statements of their own customers and no confirmations. Screenshots in both languages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../web/src/shared/format.ts';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import { BROWSER_TEST, clickUntil, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Section { currency: string; opening: string; debits: string; credits: string; closing: string; lines: { debit: string; credit: string; balance: string }[] }
interface Confirmation { number: string; customer: string; customerName: string; status: string; daysOutstanding: number | null; balances: { currency: string; balance: string }[] }

describe.skipIf(!HAS_CHROMIUM)('web app: statements and confirmations', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows a statement whose closing is opening + debits − credits, to the cent, and downloads its PDF', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    const list = await (await page.request.get('/api/v1/confirmations?limit=50')).json() as { items: Confirmation[] };
    const customer = list.items.find((c) => c.status === 'disputed')!.customer;
    await page.getByRole('link', { name: '对账单', exact: true }).click();
    await page.waitForURL('**/statements');
    await page.getByText('请选择客户和对账期间。').waitFor();
    await page.goto(`/statements?customer=${customer}&from=2026-01-01&to=2026-06-30`);
    const api = await (await page.request.get(`/api/v1/customers/${customer}/statement?from=2026-01-01&to=2026-06-30`)).json() as { sections: Section[] };
    const cny = api.sections.find((s) => s.currency === 'CNY')!;
    // By hand: opening + every debit − every credit of the period's lines.
    const debits = cny.lines.reduce((sum, l) => sum + apiMinor(l.debit, 'CNY'), 0n);
    const credits = cny.lines.reduce((sum, l) => sum + apiMinor(l.credit, 'CNY'), 0n);
    const closing = apiMinor(cny.opening, 'CNY') + debits - credits;
    expect(formatMinor(closing, 'CNY')).toBe(cny.closing);
    expect(cny.lines.at(-1)?.balance ?? cny.opening).toBe(cny.closing);
    const card = page.locator('[data-currency="CNY"]');
    const closingRow = card.getByRole('row').filter({ hasText: '期末余额' });
    await closingRow.getByText(formatNumber(cny.closing, 'CNY', 'zh-CN'), { exact: true }).waitFor();
    await closingRow.getByText(formatNumber(formatMinor(debits, 'CNY'), 'CNY', 'zh-CN'), { exact: true }).waitFor();
    await card.getByRole('row').filter({ hasText: '期初余额' }).getByText(formatNumber(cny.opening, 'CNY', 'zh-CN'), { exact: true }).waitFor();
    await card.getByText(/^截至 .* 账龄$/).waitFor();
    await web.screenshot(page, 'statement-zh');
    const pdf = await page.request.get(await page.getByRole('link', { name: /PDF/ }).getAttribute('href') ?? '');
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    // Email is not set up in this test server: the dialog says so, in words.
    await page.getByRole('button', { name: /发送邮件/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: /发\s*送/ }).click();
    await page.getByText('服务器未配置邮件（ARFLOW_SMTP_URL）。请下载 PDF 自行发送。').waitFor();
  });

  it('lists unanswered confirmations with days waiting, records a dispute showing theirs − ours, and files it as disputed', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: 'Confirmations', exact: true }).click();
    await page.waitForURL('**/confirmations');
    await page.getByRole('heading', { name: 'Balance confirmations' }).waitFor();
    const filter = (name: string) => page.locator('label.ant-radio-button-wrapper', { hasText: name }).click();
    await filter('Unanswered');
    await page.waitForURL('**/confirmations?status=unanswered');
    const unanswered = (await (await page.request.get('/api/v1/confirmations?status=unanswered')).json() as { items: Confirmation[] }).items;
    expect(unanswered.length).toBeGreaterThan(0);
    const target = unanswered.find((c) => c.balances[0]!.currency === 'CNY')!;
    const row = page.getByRole('row').filter({ hasText: target.number });
    // Issued 2026-04-05 for the quarter-end; today is 2026-06-30: 86 days.
    await row.getByRole('cell', { name: String(target.daysOutstanding), exact: true }).waitFor();
    expect(target.daysOutstanding).toBe(86);
    await web.screenshot(page, 'confirmations-en');
    await row.getByRole('button', { name: 'Record answer…' }).click();
    const dialog = page.getByRole('dialog');
    // Their balance is asked for once the answer is "disputed" (a click as the dialog opens can be lost: retried).
    const theirs = dialog.getByLabel('Their balance (CNY)');
    await clickUntil(dialog.locator('label.ant-radio-button-wrapper', { hasText: 'Disputed' }), theirs);
    // Their figure is 1,000.00 less than ours: the difference shown is −1,000.00.
    const ours = apiMinor(target.balances[0]!.balance, 'CNY');
    await theirs.fill(formatMinor(ours - 100_000n, 'CNY'));
    await dialog.getByText(`Difference (theirs − ours): CNY ${formatNumber('-1000.00', 'CNY', 'en')}`).waitFor();
    await web.screenshot(page, 'confirmation-answer-en');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByText(`Answer recorded for ${target.number}`).waitFor();
    const detail = await (await page.request.get(`/api/v1/confirmations/${target.number}`)).json() as { status: string; answers: { figures: { difference: string }[] }[] };
    expect(detail.status).toBe('disputed');
    expect(detail.answers[0]!.figures[0]!.difference).toBe('-1000.00');
    await filter('Disputed');
    await page.waitForURL('**/confirmations?status=disputed');
    await page.getByRole('row').filter({ hasText: target.number }).waitFor();
  });

  it('gives a collector their own customers\' statements and no confirmations', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'collector@demo.example');
    await expect(page.getByRole('link', { name: 'Confirmations', exact: true }).count()).resolves.toBe(0);
    const own = (await (await page.request.get('/api/v1/customers?limit=1')).json() as { items: { code: string }[] }).items[0]!.code;
    await page.goto(`/statements?customer=${own}&from=2026-06-01&to=2026-06-30`);
    await page.getByText('Your own customers only (赵敏).').waitFor();
    await page.locator('[data-currency]').first().waitFor();
    expect((await page.request.get('/api/v1/confirmations')).status()).toBe(403);
  });
});
