/**
 * The customer screens in the browser: searching by part of a Chinese name and by tax id, a customer's balance
 * against its open items (added up here from the API in minor units), paging the list forward and back, a new
 * customer with a field error from the API, a terms change that waits for approval, and a collector who sees only
 * their own customers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatAmount } from '../../web/src/shared/format.ts';
import { usccCheckCharacter } from '../../src/domain/tax-id.ts';
import { BROWSER_TEST, chooseOption, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Customer {
  code: string;
  name: string;
  taxId: string | null;
  collector: string | null;
  currency: string;
  paymentTerms: string | null;
  balances: { currency: string; net: string }[];
}
interface OpenItem { side: 'debit' | 'credit'; currency: string; open: string }

/** '1234.5' → 123450n with 2 decimals; the API's amounts are exact decimal strings. */
function toMinor(amount: string, decimals: number): bigint {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const minor = BigInt(whole!) * 10n ** BigInt(decimals) + BigInt((fraction + '0'.repeat(decimals)).slice(0, decimals) || '0');
  return amount.startsWith('-') ? -minor : minor;
}

/** 123450n → '1234.50' with 2 decimals. */
function fromMinor(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return negative ? `-${text}` : text;
}

/** GET an API path with the page's session (its cookies). */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`/api/v1${path}`);
  expect(response.status(), `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

/** Every customer the signed-in user may see, in code order (the small demo has 60: one page of 200). */
async function allCustomers(page: Page): Promise<Customer[]> {
  const list = await apiGet<{ items: Customer[]; nextCursor: string | null }>(page, '/customers?limit=200');
  expect(list.nextCursor).toBeNull();
  return list.items;
}

/** The text of one column of the customer list, row by row (the columns carry the class col-<key>). */
const column = (page: Page, key: string) => page.locator(`.ant-table-tbody tr.ant-table-row td.col-${key}`).allInnerTexts();

/** Waits until the list has loaded and shows exactly these codes. */
async function expectCodes(page: Page, codes: string[]): Promise<void> {
  await expect.poll(async () => (await page.locator('.ant-spin-spinning').count()) === 0 ? column(page, 'code') : null, { timeout: 15_000 }).toEqual(codes);
}

describe.skipIf(!HAS_CHROMIUM)('web app: customers', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('finds a customer by part of its Chinese name and by its tax id, and shows a balance equal to its open items', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/customers');
    await page.getByRole('heading', { name: '客户', exact: true }).waitFor();
    const customers = await allCustomers(page);
    // A domestic customer (Chinese name, tax id) with something open.
    const target = customers.find((c) => c.taxId && /[\u4e00-\u9fff]/.test(c.name) && c.balances.length > 0);
    expect(target, 'the demo has a domestic customer with an open balance').toBeDefined();
    const { code, name, taxId } = target!;

    // Part of the name, from its third character: the API matches code and tax id by prefix, the name anywhere.
    const part = name.slice(2, 6);
    const matches = (q: string) => customers
      .filter((c) => c.name.includes(q) || c.code.toUpperCase().startsWith(q.toUpperCase()) || (c.taxId ?? '').startsWith(q.toUpperCase()))
      .map((c) => c.code);
    const search = page.getByLabel('搜索客户');
    await search.fill(part);
    await search.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === part);
    await expectCodes(page, matches(part));
    expect(matches(part)).toContain(code);
    expect(await column(page, 'name')).toContain(name);

    await search.fill(taxId!);
    await search.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === taxId);
    await expectCodes(page, [code]);
    expect(await column(page, 'taxId')).toEqual([taxId]);
    // The search stays in the address: a reload shows the same list.
    await page.reload();
    await expectCodes(page, [code]);

    await page.getByRole('link', { name: code, exact: true }).click();
    await page.waitForURL(`**/customers/${code}`);
    await page.getByRole('heading', { name: `${code} · ${name}` }).waitFor();

    // Its open items, all pages, added up per currency in minor units: receivable (debits), unapplied (credits), net.
    const items: OpenItem[] = [];
    let cursor: string | null = null;
    do {
      const pageOfItems: { items: OpenItem[]; nextCursor: string | null } =
        await apiGet(page, `/customers/${code}/open-items?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...pageOfItems.items);
      cursor = pageOfItems.nextCursor;
    } while (cursor);
    expect(items.length).toBeGreaterThan(0);
    for (const currency of [...new Set(items.map((i) => i.currency))]) {
      const decimals = currency === 'JPY' ? 0 : 2;
      const sum = (side: OpenItem['side']) => items.filter((i) => i.currency === currency && i.side === side).reduce((s, i) => s + toMinor(i.open, decimals), 0n);
      const receivable = sum('debit');
      const unapplied = sum('credit');
      const block = page.locator(`section.balance-block[data-currency="${currency}"]`);
      const figure = (name: string) => block.locator(`dd[data-figure="${name}"]`).innerText();
      expect(await figure('receivable')).toBe(formatAmount(fromMinor(receivable, decimals), currency, 'zh-CN'));
      expect(await figure('unapplied')).toBe(formatAmount(fromMinor(unapplied, decimals), currency, 'zh-CN'));
      expect(await figure('net')).toBe(formatAmount(fromMinor(receivable - unapplied, decimals), currency, 'zh-CN'));
      // The list showed the same net balance for this customer.
      expect(target!.balances.find((b) => b.currency === currency)?.net).toBe(fromMinor(receivable - unapplied, decimals));
    }
    // The open-items table shows the first 20 of them, each linking to its document.
    const openRows = page.getByRole('table', { name: '未结项目' }).locator('tbody tr.ant-table-row');
    await expect.poll(() => openRows.count()).toBe(Math.min(items.length, 20));
    const firstLink = openRows.first().getByRole('link');
    expect(await firstLink.getAttribute('href')).toMatch(/^\/documents\//);
    await page.evaluate('window.scrollTo(0, 0)');
    await web.screenshot(page, 'customer-page');
  });

  it('pages forward and back through the list, 20 at a time, in code order', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'admin@demo.example');
    await page.goto('/customers');
    const codes = (await allCustomers(page)).map((c) => c.code);
    await expectCodes(page, codes.slice(0, 50));
    await chooseOption(page, page.getByLabel('Rows per page'), '20 / page');
    await page.waitForURL((url) => url.searchParams.get('size') === '20');
    await expectCodes(page, codes.slice(0, 20));
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectCodes(page, codes.slice(20, 40));
    await page.getByText('Page 2', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectCodes(page, codes.slice(40, 60));
    // 60 customers: the third page is the last.
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expectCodes(page, codes.slice(20, 40));
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expectCodes(page, codes.slice(0, 20));
    await page.getByText('Page 1', { exact: true }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await web.screenshot(page, 'customers-list');
  });

  it('creates a customer, showing the tax id the API refuses on its field', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'admin@demo.example');
    await page.goto('/customers');
    await page.getByRole('button', { name: 'New customer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Code', { exact: true }).fill('E2E-NEW');
    await dialog.getByLabel('Name', { exact: true }).fill('测试新建贸易有限公司');
    const body = '91310000MA1FL0E2E';
    const check = usccCheckCharacter(body);
    const wrong = check === '0' ? '1' : '0';
    await dialog.getByLabel('Tax ID (USCC)').fill(body + wrong);
    await dialog.getByLabel('Credit limit').fill('250000');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The API's words about the tax id stand under the field.
    await dialog.getByText(`expected ${check} at the end`).waitFor();
    await dialog.getByLabel('Tax ID (USCC)').fill(body + check);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/customers/E2E-NEW');
    await page.getByRole('heading', { name: 'E2E-NEW · 测试新建贸易有限公司' }).waitFor();
    const created = await apiGet<Customer & { creditLimit: string }>(page, '/customers/E2E-NEW');
    expect([created.taxId, created.creditLimit]).toEqual([body + check, '250000.00']);
  });

  it('tells that a change of terms waits for approval, and leaves the terms as they were', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'credit@demo.example');
    const customer = (await allCustomers(page)).find((c) => c.paymentTerms === 'NET30')!;
    await page.goto(`/customers/${customer.code}`);
    await page.getByRole('button', { name: /\bEdit$/ }).click();
    const dialog = page.getByRole('dialog');
    await chooseOption(page, dialog.getByLabel('Payment terms', { exact: true }), /^NET60/);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Waiting for approval').waitFor();
    await page.getByText(`terms NET30 → NET60`).waitFor();
    expect(await page.getByRole('link', { name: 'Open approvals' }).getAttribute('href')).toBe('/approvals');
    expect((await apiGet<Customer>(page, `/customers/${customer.code}`)).paymentTerms).toBe('NET30');
  });

  it('saves a change with the version it was made against, and refuses it when someone else changed the customer meanwhile', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'admin@demo.example');
    const customer = (await allCustomers(page)).find((c) => c.code.startsWith('C'))!;
    const before = await apiGet<Customer & { region: string | null; industry: string | null; version: number }>(page, `/customers/${customer.code}`);
    const newRegion = before.region === '东北' ? '西北' : '东北';
    await page.goto(`/customers/${customer.code}`);
    await page.getByRole('button', { name: /\bEdit$/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Region', { exact: true }).fill(newRegion);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Customer ${customer.code} saved`).waitFor();
    await page.getByText(`(v${before.version + 1})`).waitFor();
    expect((await apiGet<{ region: string }>(page, `/customers/${customer.code}`)).region).toBe(newRegion);

    // Someone else renames the customer while this user's form is open: saving answers a conflict, nothing changes.
    await page.getByRole('button', { name: /\bEdit$/ }).click();
    await dialog.getByLabel('Industry', { exact: true }).fill('物流');
    const { csrfToken } = await apiGet<{ csrfToken: string }>(page, '/session');
    const other = await page.request.patch(`/api/v1/customers/${customer.code}`, { data: { name: `${customer.name}（新）` }, headers: { 'x-csrf-token': csrfToken } });
    expect(other.status()).toBe(200);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Someone else changed this customer meanwhile').waitFor();
    expect((await apiGet<{ industry: string | null }>(page, `/customers/${customer.code}`)).industry).toBe(before.industry ?? null);
  });

  it("shows a collector only their own customers, and another collector's customer as not found", async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'collector@demo.example');
    await page.goto('/customers');
    await page.getByText('您只能看到由您（赵敏）负责催收的客户').waitFor();
    const own = await allCustomers(page);
    expect(own.length).toBeGreaterThan(0);
    await expectCodes(page, own.map((c) => c.code).slice(0, 50));
    const collectors = await column(page, 'collector');
    expect(collectors.length).toBe(Math.min(own.length, 50));
    expect(new Set(collectors)).toEqual(new Set(['赵敏']));

    // Another collector's customer, found with an administrator's eyes.
    const { page: adminPage } = await web.newPage('zh-CN');
    await web.signIn(adminPage, 'admin@demo.example');
    const other = (await allCustomers(adminPage)).find((c) => c.collector !== '赵敏')!;
    await page.goto(`/customers/${other.code}`);
    await page.getByText('未找到客户', { exact: true }).waitFor();
    await page.getByText(`没有编码为 ${other.code} 的客户，或您无权查看该客户。`).waitFor();
    await page.getByRole('link', { name: '全部客户' }).click();
    await page.waitForURL('**/customers');
  });
});
