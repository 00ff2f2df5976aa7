/**
 * The ledger's screens as finance uses them: pay part of an open invoice through "record a payment", see the
 * invoice's open amount go down by exactly that much and the allocation listed, find the payment in the filtered
 * documents list, ask to reverse it; and a viewer, who may do none of that, is offered none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatAmount } from '../../web/src/shared/format.ts';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import { BROWSER_TEST, chooseOption, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Doc { id: string; kind: string; number: string; customer: string; customerName: string; currency: string; amount: string; open: string }

async function getJson<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`/api/v1${path}`);
  expect(response.status(), path).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(!HAS_CHROMIUM)('web app: documents and payments', BROWSER_TEST, () => {
  let web: WebApp;
  /** The invoice paid in part, its open amount before, and the payment. */
  let invoice: Doc;
  let openBeforeMinor: bigint;
  let paidMinor: bigint;
  let paymentNumber: string;

  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('records a payment of part of an open invoice, and the invoice then shows the rest open', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');

    // An open invoice in the company's currency, of a customer who pays in it.
    const open = await getJson<{ items: Doc[] }>(page, '/documents?kind=invoice&status=open&currency=CNY&limit=50');
    let found: Doc | undefined;
    for (const doc of open.items) {
      const customer = await getJson<{ currency: string }>(page, `/customers/${doc.customer}`);
      if (customer.currency === 'CNY' && apiMinor(doc.open, 'CNY') >= 1000n) { found = doc; break; }
    }
    expect(found, 'an open CNY invoice of a CNY customer').toBeDefined();
    invoice = found!;
    openBeforeMinor = apiMinor(invoice.open, 'CNY');
    paidMinor = openBeforeMinor / 3n;
    const paid = formatMinor(paidMinor, 'CNY');
    const paymentsBefore = (await getJson<{ items: Doc[] }>(page, `/documents?customer=${invoice.customer}&kind=payment&limit=200`)).items.length;

    await page.getByRole('link', { name: 'Record a payment', exact: true }).click();
    await page.getByRole('heading', { name: 'Record a payment' }).waitFor();
    await chooseOption(page, page.getByLabel('Customer'), `${invoice.customer} · ${invoice.customerName}`, invoice.customer);
    await page.getByLabel('Amount received').fill(paid);
    const line = page.getByLabel(`Amount to apply to ${invoice.number}`);

    // More than the payment is refused here, before the API sees it.
    await line.fill(formatMinor(paidMinor + 1n, 'CNY'));
    await page.getByRole('alert').filter({ hasText: 'more than the' }).waitFor();
    await page.getByRole('button', { name: 'Post payment' }).click();
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe('/payments/new');

    await line.fill(paid);
    expect(await page.getByTestId('applied-total').textContent()).toBe(formatAmount(paid, 'CNY', 'en'));
    expect(await page.getByTestId('unapplied-total').textContent()).toBe(formatAmount('0', 'CNY', 'en'));
    await web.screenshot(page, 'record-payment-en');

    // A double click posts one payment: the form keeps one idempotency key.
    await page.getByRole('button', { name: 'Post payment' }).dblclick();
    await page.waitForURL(/\/documents\/payment:/);
    paymentNumber = decodeURIComponent(new URL(page.url()).pathname.replace('/documents/payment:', ''));
    await page.getByRole('heading', { name: `Payment ${paymentNumber}` }).waitFor();
    const paymentsAfter = (await getJson<{ items: Doc[] }>(page, `/documents?customer=${invoice.customer}&kind=payment&limit=200`)).items;
    expect(paymentsAfter.length).toBe(paymentsBefore + 1);
    expect(paymentsAfter.find((d) => d.number === paymentNumber)?.amount).toBe(paid);

    // From the payment to the invoice it paid: open O − P, and the allocation listed.
    await page.getByRole('link', { name: `Invoice ${invoice.number}`, exact: true }).click();
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    const expectedOpen = formatAmount(formatMinor(openBeforeMinor - paidMinor, 'CNY'), 'CNY', 'en');
    await expect.poll(() => page.getByTestId('open-amount').textContent()).toBe(expectedOpen);
    const allocation = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Payment ${paymentNumber}`, exact: true }) });
    await allocation.waitFor();
    expect(await allocation.textContent()).toContain(formatAmount(paid, 'CNY', 'en'));
    await web.screenshot(page, 'document-page-en');
  });

  it('finds the payment in the documents list filtered by customer and kind (kept in the address)', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/documents');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await chooseOption(page, page.getByLabel('Kind'), 'Payment');
    await chooseOption(page, page.getByLabel('Customer'), `${invoice.customer} · ${invoice.customerName}`, invoice.customer);
    await page.waitForURL((url) => url.searchParams.get('customer') === invoice.customer && url.searchParams.get('kind') === 'payment');
    await page.getByRole('link', { name: paymentNumber, exact: true }).waitFor();
    // Every row is this customer's payment.
    const kinds = await page.locator('tbody tr.ant-table-row td:nth-child(2)').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['Payment']));
    await page.reload();
    await page.getByRole('link', { name: paymentNumber, exact: true }).waitFor();
    await web.screenshot(page, 'documents-list-en');
  });

  it('asks to reverse the payment with a reason; when the company wants approval, says it awaits approval', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const settings = await getJson<{ reversalsNeedApproval: boolean }>(page, '/company/approval-settings');
    await page.goto(`/documents/payment:${paymentNumber}`);
    await page.getByRole('button', { name: 'Reverse this document' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reverse', exact: true }).click();
    await dialog.getByText('Say why, in at least 3 characters').waitFor();
    await dialog.getByLabel('Reason').fill('Cheque returned unpaid by the bank');
    await dialog.getByRole('button', { name: 'Reverse', exact: true }).click();
    if (settings.reversalsNeedApproval) {
      await page.getByText('Your request awaits approval by a second person.').waitFor();
      await page.getByRole('link', { name: 'See approvals' }).waitFor();
      // Nothing reversed yet: the payment still applies to the invoice.
      const payment = await getJson<{ status: string }>(page, `/documents/payment:${paymentNumber}`);
      expect(payment.status).not.toBe('reversed');
    } else {
      await page.getByText('Reversed.', { exact: true }).first().waitFor();
      expect((await getJson<{ status: string }>(page, `/documents/payment:${paymentNumber}`)).status).toBe('reversed');
    }
  });

  it('verifies an advance receipt, applies it oldest first, and undoes the allocation with a reason', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const { csrfToken } = await getJson<{ csrfToken: string }>(page, '/session');
    const advanceMinor = 10000n;
    const posted = await page.request.post('/api/v1/documents', {
      headers: { 'x-csrf-token': csrfToken },
      data: { kind: 'advance', customer: invoice.customer, documentDate: '2026-06-30', amount: formatMinor(advanceMinor, 'CNY') },
    });
    expect(posted.status()).toBe(201);
    const advance = ((await posted.json()) as { document: Doc }).document;
    const items = await getJson<{ items: { number: string; open: string; currency: string }[] }>(page, `/customers/${invoice.customer}/open-items?side=debit&limit=200`);
    const oldest = items.items.find((i) => i.currency === 'CNY')!;
    const oldestOpenMinor = items.items.filter((i) => i.number === oldest.number).reduce((sum, i) => sum + apiMinor(i.open, 'CNY'), 0n);
    const appliedMinor = advanceMinor < oldestOpenMinor ? advanceMinor : oldestOpenMinor;

    await page.goto(`/documents/advance:${advance.number}`);
    await page.getByText('Awaiting verification').waitFor();
    // Not verified yet: nothing to apply.
    expect(await page.getByRole('button', { name: 'Apply to open items' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Mark as verified' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Mark as verified' }).click();
    await page.getByText('Verified. The advance can now be applied.').waitFor();

    await page.getByRole('button', { name: 'Apply to open items' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(`Amount to apply to ${oldest.number}`).waitFor();
    await dialog.getByRole('button', { name: 'Apply oldest first' }).click();
    expect(await dialog.getByLabel(`Amount to apply to ${oldest.number}`).inputValue()).toBe(formatMinor(appliedMinor, 'CNY'));
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText(`Applied ${formatAmount(formatMinor(appliedMinor, 'CNY'), 'CNY', 'en')}.`).waitFor();
    await expect.poll(() => page.getByTestId('open-amount').textContent()).toBe(formatAmount(formatMinor(advanceMinor - appliedMinor, 'CNY'), 'CNY', 'en'));

    await page.getByRole('button', { name: /^Undo the allocation/ }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('Applied to the wrong invoice');
    await page.getByRole('dialog').getByRole('button', { name: 'Undo allocation' }).click();
    await page.getByText(/Allocation undone\.|awaits approval/).first().waitFor();
    if (await page.getByText('Allocation undone.').count()) {
      await expect.poll(() => page.getByTestId('open-amount').textContent()).toBe(formatAmount(formatMinor(advanceMinor, 'CNY'), 'CNY', 'en'));
      await page.getByText('Reversal entry').waitFor();
    }
  });

  it('applies a CNY payment to a USD invoice at a rate typed in the dialog, and shows both amounts and the rate', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const { csrfToken } = await getJson<{ csrfToken: string }>(page, '/session');
    const usd = (await getJson<{ items: Doc[] }>(page, '/documents?kind=invoice&status=open&currency=USD&limit=50')).items
      .find((d) => apiMinor(d.open, 'USD') >= 10000n);
    expect(usd, 'an open USD invoice of at least 100.00').toBeDefined();
    const posted = await page.request.post('/api/v1/documents', {
      headers: { 'x-csrf-token': csrfToken },
      data: { kind: 'payment', customer: usd!.customer, currency: 'CNY', documentDate: '2026-06-30', amount: '715.00' },
    });
    expect(posted.status()).toBe(201);
    const payment = ((await posted.json()) as { document: Doc }).document;

    await page.goto(`/documents/payment:${payment.number}`);
    await page.getByRole('button', { name: 'Apply to open items' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Documents in other currencies, paid in CNY').waitFor();
    await dialog.getByLabel(`Rate for ${usd!.number}, CNY per USD`).fill('7.15');
    await dialog.getByLabel(`Amount to apply to ${usd!.number}`).fill('715.00');
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText(`Applied ${formatAmount('715.00', 'CNY', 'en')}.`).waitFor();
    // 715.00 CNY ÷ 7.15 = 100.00 USD settled.
    const after = await getJson<{ allocations: { amount: string; currency: string; creditAmount: string; rate: string | null }[] }>(page, `/documents/payment:${payment.number}`);
    expect(after.allocations).toEqual([expect.objectContaining({ amount: '100.00', currency: 'USD', creditAmount: '715.00', rate: '7.15' })]);
    await page.getByRole('cell', { name: '7.15', exact: true }).waitFor();
  });

  it('offers a viewer no payment to record and no reversal or undo', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'viewer@demo.example');
    await page.goto('/documents');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await page.getByRole('link', { name: /^(INV|BANK|PAY|CN)-/ }).first().waitFor();
    expect(await page.getByRole('link', { name: 'Record a payment', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record a payment' }).count()).toBe(0);
    await page.goto(`/documents/invoice:${invoice.number}`);
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    await page.getByRole('link', { name: `Payment ${paymentNumber}`, exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Reverse this document' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Undo/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record a payment' }).count()).toBe(0);
  });

  it('reads in Chinese: list, document, and a payment filled oldest first', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.goto(`/documents?customer=${invoice.customer}`);
    await page.getByRole('link', { name: invoice.number, exact: true }).waitFor();
    await web.screenshot(page, 'documents-list-zh');
    await page.goto(`/documents/invoice:${invoice.number}`);
    await page.getByRole('heading', { name: `发票 ${invoice.number}` }).waitFor();
    await expect.poll(() => page.getByTestId('open-amount').textContent())
      .toBe(formatAmount(formatMinor(openBeforeMinor - paidMinor, 'CNY'), 'CNY', 'zh-CN'));
    await web.screenshot(page, 'document-page-zh');

    // "Oldest first" fills the oldest open document first, up to the payment.
    const items = await getJson<{ items: { number: string; open: string; currency: string }[] }>(page, `/customers/${invoice.customer}/open-items?side=debit&limit=200`);
    const oldest = items.items.filter((i) => i.currency === 'CNY')[0]!;
    const oldestOpenMinor = items.items.filter((i) => i.number === oldest.number).reduce((sum, i) => sum + apiMinor(i.open, 'CNY'), 0n);
    const amountMinor = 1234567n;
    await page.goto(`/payments/new?customer=${invoice.customer}`);
    await page.getByLabel('收款金额').fill(formatMinor(amountMinor, 'CNY'));
    await page.getByLabel(`核销至 ${oldest.number} 的金额`).waitFor();
    await page.getByRole('button', { name: '按账龄从早到晚核销' }).click();
    const first = amountMinor < oldestOpenMinor ? amountMinor : oldestOpenMinor;
    expect(await page.getByLabel(`核销至 ${oldest.number} 的金额`).inputValue()).toBe(formatMinor(first, 'CNY'));
    await web.screenshot(page, 'record-payment-zh');
  });
});
