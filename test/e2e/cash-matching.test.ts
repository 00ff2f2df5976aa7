/**
 * Cash matching in the browser (自动核销): finance@ imports a camt.053 statement made here from two of a demo
 * customer's open invoices; it is matched right after the import. The line naming its invoice (name 30 + invoice
 * number 50 + exact amount 30 = 110 → 100) is applied automatically; the second line pays the other invoice's exact
 * amount but names only the first, paid a moment before (name 30 + exact amount 30 = 60; a paid invoice named stops
 * the sure rule PAYER_AMOUNT: a duplicate payment?), so it waits for review with its reasons as tags; finance@
 * accepts it (with the keyboard: the line, then "a") and it shows as applied. Screenshots
 * in both languages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterResponse, apiGet, BROWSER_TEST, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface OpenItem { itemId: string; kind: string; number: string; installment: number; currency: string; amount: string; open: string }

const entry = (amount: string, ref: string, name: string, text: string) => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-06-29</Dt></BookgDt><ValDt><Dt>2026-06-29</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>${name}</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
/** Exact decimal sum of two amounts with two decimals, as text. */
const add = (a: string, b: string) => {
  const cents = BigInt(a.replace('.', '')) + BigInt(b.replace('.', ''));
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
};
const camt = (name: string, x: OpenItem, y: OpenItem) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>E2E-MATCH</MsgId><CreDtTm>2026-06-29T22:00:00</CreDtTm></GrpHdr>
<Stmt><Id>MATCH-20260629</Id><Acct><Id><Othr><Id>E2E-MATCH-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-29</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${add(x.open, y.open)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-29</Dt></Dt></Bal>
${entry(x.open, 'M-0001', name, `货款 ${x.number}`)}
${entry(y.open, 'M-0002', name, `payment ${x.number}`)}
</Stmt></BkToCstmrStmt></Document>`;

/** Imports a camt.053 statement (no balances) holding one entry on the bank page; answers the import's matching panel. */
async function importOneLine(page: Page, id: string, ntry: string) {
  const file = join(mkdtempSync(join(tmpdir(), `arflow-${id.toLowerCase()}-e2e-`)), `${id.toLowerCase()}-20260629.xml`);
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>E2E-${id}</MsgId><CreDtTm>2026-06-29T22:00:00</CreDtTm></GrpHdr>
<Stmt><Id>${id}-20260629</Id><Acct><Id><Othr><Id>E2E-${id}-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
${ntry}
</Stmt></BkToCstmrStmt></Document>`);
  await page.goto('/bank');
  await page.locator('.ant-upload-drag input[type=file]').first().setInputFiles(file);
  await page.getByTestId('chosen-file').waitFor();
  await page.getByRole('button', { name: /Import$/ }).click();
  const matched = page.getByTestId('import-matching');
  await matched.getByRole('link', { name: 'Cash matching' }).waitFor({ timeout: 60_000 });
  return matched;
}

async function openMatching(page: Page, matched: Locator) {
  await matched.getByRole('link', { name: 'Cash matching' }).click();
  await page.waitForURL('**/bank/matching?statement=*');
}

describe.skipIf(!HAS_CHROMIUM)('web app: cash matching', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('matches an imported statement: one line applied automatically, one suggested and accepted', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    // A CNY customer with two open single-installment invoices whose amounts no other open invoice of theirs has.
    const customers = await apiGet<{ items: { code: string; name: string; currency: string }[] }>(page, '/api/v1/customers?limit=200');
    let chosen: { name: string; x: OpenItem; y: OpenItem } | null = null;
    for (const c of customers.items.filter((x) => x.currency === 'CNY')) {
      const open = (await apiGet<{ items: OpenItem[] }>(page, `/api/v1/customers/${encodeURIComponent(c.code)}/open-items?side=debit&limit=200`)).items
        .filter((i) => i.kind === 'invoice' && i.currency === 'CNY');
      const single = open.filter((i) => i.installment === 1 && i.open === i.amount && open.filter((j) => j.number === i.number).length === 1
        && open.filter((j) => j.open === i.open).length === 1);
      if (single.length >= 2) {
        chosen = { name: c.name, x: single[0]!, y: single[1]! };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    const { name, x, y } = chosen!;
    const file = join(mkdtempSync(join(tmpdir(), 'arflow-match-e2e-')), 'match-20260629.xml');
    writeFileSync(file, camt(name, x, y));

    await page.goto('/bank');
    await page.getByRole('heading', { name: 'Import a bank statement', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('.ant-upload-drag input[type=file]').setInputFiles(file);
    await page.getByTestId('chosen-file').waitFor();
    await page.getByRole('button', { name: /Import$/ }).click();
    const matched = page.getByTestId('import-matching');
    await matched.waitFor({ timeout: 60_000 });
    await matched.getByText('1 applied automatically, 1 to review, 0 unmatched').waitFor();
    await matched.getByRole('link', { name: 'Cash matching' }).click();
    await page.waitForURL('**/bank/matching?statement=*');

    const rows = page.locator('tbody tr.ant-table-row');
    const auto = rows.filter({ hasText: `货款 ${x.number}` });
    await auto.getByTestId('line-status').filter({ hasText: 'Applied automatically' }).waitFor({ timeout: 60_000 });
    await auto.getByText(/^PAY-/).first().waitFor();
    const suggested = rows.filter({ hasText: 'payment' });
    await suggested.getByTestId('line-status').filter({ hasText: 'To review' }).waitFor();
    const reasons = await suggested.getByTestId('reason').allInnerTexts();
    expect(reasons).toEqual(['Payer name +30', 'Exact amount +30']);
    await suggested.getByTestId('score').filter({ hasText: 'score 60' }).waitFor();
    await suggested.getByText(y.number, { exact: false }).first().waitFor();
    await web.screenshot(page, 'cash-matching-en');

    // Accepted from the keyboard: the line chosen by a click, then "a".
    await suggested.locator('td').nth(1).click();
    await page.locator('tr.ant-table-row-selected').filter({ hasText: 'payment' }).waitFor();
    const response = await afterResponse(page, (r) => r.url().includes('/accept') && r.request().method() === 'POST',
      () => page.keyboard.press('a'));
    expect(response.status()).toBe(200);
    await suggested.getByTestId('line-status').filter({ hasText: /^Applied$/ }).waitFor({ timeout: 60_000 });
    const open = (await apiGet<{ items: OpenItem[] }>(page, `/api/v1/customers/${encodeURIComponent(customers.items.find((c) => c.name === name)!.code)}/open-items?side=debit&limit=200`)).items;
    expect(open.some((i) => i.number === x.number || i.number === y.number)).toBe(false);
    await web.screenshot(page, 'cash-matching-accepted-en');

    // The same workbench in Chinese, from the menu.
    const zh = (await web.newPage('zh-CN')).page;
    await web.signIn(zh, 'finance@demo.example');
    await zh.getByRole('link', { name: '自动核销', exact: true }).click();
    await zh.waitForURL('**/bank/matching');
    await zh.getByTestId('line-status').filter({ hasText: '已自动核销' }).first().waitFor({ timeout: 60_000 });
    await web.screenshot(zh, 'cash-matching-zh');
  }, 300_000);

  it('the matching settings card turns deductions on; a payment 5% short of the invoice it names is applied and the rest disputed', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/bank/matching');
    const card = page.getByTestId('match-settings');
    await card.getByText('Deduction tolerance').waitFor({ timeout: 60_000 });
    const bp = card.getByLabel('…or share (basis points)').nth(1);
    await bp.fill('1000');
    const saved = await afterResponse(page, (r) => r.url().includes('/bank/matching-settings') && r.request().method() === 'PUT',
      () => card.getByRole('button', { name: 'Save settings' }).click());
    expect(saved.status()).toBe(200);
    expect(await apiGet<{ deductionToleranceBasisPoints: number }>(page, '/api/v1/bank/matching-settings')).toMatchObject({ deductionToleranceBasisPoints: 1000 });
    await web.screenshot(page, 'cash-matching-settings-en');

    // A CNY customer's open single-installment invoice, paid 5% short with its number quoted.
    const customers = await apiGet<{ items: { code: string; name: string; currency: string }[] }>(page, '/api/v1/customers?limit=200');
    let chosen: { code: string; name: string; z: OpenItem } | null = null;
    for (const c of customers.items.filter((x) => x.currency === 'CNY')) {
      const open = (await apiGet<{ items: OpenItem[] }>(page, `/api/v1/customers/${encodeURIComponent(c.code)}/open-items?side=debit&limit=200`)).items;
      const z = open.find((i) => i.kind === 'invoice' && i.currency === 'CNY' && i.installment === 1 && i.open === i.amount && open.filter((j) => j.number === i.number).length === 1);
      if (z) { chosen = { code: c.code, name: c.name, z }; break; }
    }
    expect(chosen).not.toBeNull();
    const { code, name, z } = chosen!;
    // Deducted: 5% of the open amount, in fen, rounded down; paid: the rest (both within the 10% tolerance).
    const cents = BigInt(z.open.replace('.', ''));
    const deducted = (cents * 5n) / 100n;
    const text = (v: bigint) => `${v / 100n}.${(v % 100n).toString().padStart(2, '0')}`;
    const paid = text(cents - deducted);
    const matched = await importOneLine(page, 'DEDUCT', entry(paid, 'D-0001', name, `${z.number} 扣质量款`));
    await matched.getByText('1 applied automatically, 0 to review, 0 unmatched').waitFor({ timeout: 60_000 });
    await openMatching(page, matched);
    const tag = page.getByTestId('deduction-dispute');
    // As the page writes it: "deduction CN¥1,234.50 disputed" (Intl reads the decimal string exactly).
    const shown = new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY' }).format(text(deducted) as Intl.StringNumericLiteral);
    await tag.getByText(`deduction ${shown} disputed`).waitFor({ timeout: 60_000 });
    const disputes = await apiGet<{ rows: { customer: string; amount: string; status: string }[] }>(page, `/api/v1/disputes?customer=${encodeURIComponent(code)}`);
    expect(disputes.rows.find((d) => d.amount === text(deducted))).toMatchObject({ customer: code, status: 'open' });
    await web.screenshot(page, 'cash-matching-deduction-en');
    // The customer's page shows what matching learned: nothing from an automatic application.
    await page.goto(`/customers/${encodeURIComponent(code)}`);
    const knowledge = page.getByTestId('matching-knowledge');
    await knowledge.getByText('What cash matching has learned').waitFor({ timeout: 60_000 });
    await knowledge.getByText(/Nothing learned yet/).waitFor();
  }, 300_000);

  it('a CNY payment applied by hand to a USD invoice at a rate typed in the workbench settles it in full', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    const customers = await apiGet<{ items: { code: string; name: string; currency: string }[] }>(page, '/api/v1/customers?limit=200');
    let chosen: { code: string; z: OpenItem } | null = null;
    for (const c of customers.items.filter((x) => x.currency === 'USD')) {
      const open = (await apiGet<{ items: OpenItem[] }>(page, `/api/v1/customers/${encodeURIComponent(c.code)}/open-items?side=debit&limit=200`)).items;
      const z = open.find((i) => i.currency === 'USD' && open.filter((j) => j.number === i.number).length === 1);
      if (z) { chosen = { code: c.code, z }; break; }
    }
    expect(chosen).not.toBeNull();
    const { code, z } = chosen!;
    // At 7.0000 CNY per USD the invoice's open amount in fen is its cents × 7.
    const fen = BigInt(z.open.replace('.', '')) * 7n;
    const cny = `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
    const matched = await importOneLine(page, 'FX', entry(cny, 'F-0001', 'Unknown Payer Ltd', 'misc transfer'));
    await openMatching(page, matched);
    const row = page.locator('tbody tr.ant-table-row').filter({ hasText: 'misc transfer' });
    await row.getByRole('button', { name: 'Other items…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Customer code').fill(code);
    await dialog.getByRole('button', { name: 'Show open items' }).click();
    await dialog.getByRole('checkbox', { name: z.number, exact: true }).check();
    await dialog.getByLabel(`Apply ${z.number}`).fill(cny);
    await dialog.getByLabel(`Rate ${z.number}`).fill('7.0000');
    await web.screenshot(page, 'cash-matching-fx-choose-en');
    const accepted = await afterResponse(page, (r) => r.url().includes('/accept') && r.request().method() === 'POST',
      () => dialog.getByRole('button', { name: 'Apply to the chosen items' }).click());
    expect(accepted.status()).toBe(200);
    const open = (await apiGet<{ items: OpenItem[] }>(page, `/api/v1/customers/${encodeURIComponent(code)}/open-items?side=debit&limit=200`)).items;
    expect(open.some((i) => i.itemId === z.itemId)).toBe(false);
  }, 300_000);

  it('the unapplied cash page shows the same totals as the API, oldest first, in both languages', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: 'Unapplied cash', exact: true }).click();
    await page.waitForURL('**/bank/unapplied');
    const report = await apiGet<{ asOf: string; rows: { document: string }[]; page: { total: number }; totals: { currency: string; count: number; unapplied: string }[] }>(page, '/api/v1/reports/unapplied?limit=50');
    expect(report.page.total).toBeGreaterThan(0);
    const cny = report.totals.find((x) => x.currency === 'CNY')!;
    const totals = page.getByTestId('unapplied-totals');
    await totals.getByText(`CNY · ${cny.count} credits`).waitFor({ timeout: 60_000 });
    const shown = new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY' }).format(cny.unapplied as Intl.StringNumericLiteral);
    await totals.getByText(shown, { exact: true }).waitFor();
    // The first row is the API's oldest credit.
    await page.locator('tbody tr.ant-table-row').first().getByText(report.rows[0]!.document, { exact: true }).waitFor();
    await web.screenshot(page, 'unapplied-en');
    const zh = (await web.newPage('zh-CN')).page;
    await web.signIn(zh, 'finance@demo.example');
    await zh.goto('/bank/unapplied');
    await zh.getByTestId('unapplied-totals').getByText(`CNY · ${cny.count} 笔`).waitFor({ timeout: 60_000 });
    await web.screenshot(zh, 'unapplied-zh');
  }, 300_000);
});
