/**
 * Bank statement import in the browser (导入银行流水): finance@ uploads a camt.053 statement and sees it balance with
 * its three new entries, uploads it again and is told nothing was added, then opens it from the history with its
 * entries; in English, an MT940 file whose own balances do not add up is shown as not balancing, with the difference.
 * A remittance advice is imported from its card and listed with its lines. Screenshots in both languages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, BROWSER_TEST, chooseOption, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'arflow-bank-e2e-'));
const entry = (amount: string, side: string, ref: string, name: string, text: string) => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>${side}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-06-29</Dt></BookgDt><ValDt><Dt>2026-06-29</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><${side === 'CRDT' ? 'Dbtr' : 'Cdtr'}><Pty><Nm>${name}</Nm></Pty></${side === 'CRDT' ? 'Dbtr' : 'Cdtr'}></RltdPties><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
// 250,000.00 + 86,000.00 + 12,345.67 − 1,200.00 = 347,145.67
const CAMT = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>E2E</MsgId><CreDtTm>2026-06-29T22:00:00</CreDtTm></GrpHdr>
<Stmt><Id>CMB-20260629</Id><ElctrncSeqNb>88</ElctrncSeqNb><Acct><Id><Othr><Id>755912345610001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">250000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-29</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">347145.67</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-29</Dt></Dt></Bal>
${entry('86000.00', 'CRDT', 'CMB-0001', '上海华东贸易有限公司', '货款 INV-2026-0031')}
${entry('12345.67', 'CRDT', 'CMB-0002', '杭州西湖科技有限公司', 'INV-2026-0032 INV-2026-0033')}
${entry('1200.00', 'DBIT', 'CMB-0003', '招商银行', '账户管理费')}
</Stmt></BkToCstmrStmt></Document>`;
// 5,000.00 + 1,250.00 = 6,250.00, but the bank's closing says 6,200.00: a difference of −50.00.
const MT940 = ':20:E2E\r\n:25:NL91ABNA0417164300\r\n:28C:12/1\r\n:60F:C260629EUR5000,00\r\n:61:2606290629C1250,00NTRFNONREF//B1\r\n' +
  ':86:/EREF/INV-2026-0040/NAME/ACME TRADING BV/REMI/Invoice INV-2026-0040/\r\n:62F:C260629EUR6200,00\r\n-\r\n';
const camtFile = join(dir, 'cmb-20260629.xml');
const mt940File = join(dir, 'abn-20260629.sta');
// A bank's CSV export: opening = 336,000.00 − 86,000.00 = 250,000.00; 250,000.00 + 86,000.00 − 1,200.00 = 334,800.00 closing.
const CSV = '交易日期,金额,余额,对方户名,摘要,流水号\n2026-06-29,"86,000.00","336,000.00",上海华东贸易有限公司,货款 INV-2026-0031,ICBC-1\n' +
  '2026-06-29,-1200.00,"334,800.00",工商银行,账户管理费,ICBC-2\n';
const csvFile = join(dir, 'icbc-20260629.csv');
// A remittance advice naming two invoice numbers the demo company never issued: 1,000.00 + 234.50 = 1,234.50, the
// payer unknown.
const adviceFile = join(dir, 'advice-hx88.csv');
writeFileSync(adviceFile, 'Invoice number,Amount,Reference\nNO-SUCH-1,1000.00,HX-88\nNO-SUCH-2,234.50,HX-88\n');
writeFileSync(camtFile, CAMT);
writeFileSync(mt940File, MT940);
writeFileSync(csvFile, CSV);

describe.skipIf(!HAS_CHROMIUM)('web app: bank statement import', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('imports a camt.053 statement that balances, refuses to add it twice, and shows it in the history', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'finance@demo.example');
    await page.getByRole('link', { name: '导入银行流水', exact: true }).click();
    await page.waitForURL('**/bank');
    await page.getByRole('heading', { name: '导入银行对账单', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('.ant-upload-drag input[type=file]').setInputFiles(camtFile);
    await page.getByTestId('chosen-file').waitFor();
    await page.getByRole('button', { name: /(^|\s)导\s*入$/ }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    await result.getByText('camt.053：1 张对账单，3 笔流水中新增 3 笔').waitFor();
    await result.getByText('余额平衡').waitFor();
    expect(await result.getByTestId('new-entries').innerText()).toBe('3');
    await web.screenshot(page, 'bank-import-zh');

    // The same file again: nothing is added.
    await page.locator('.ant-upload-drag input[type=file]').setInputFiles(camtFile);
    await page.getByRole('button', { name: /(^|\s)导\s*入$/ }).click();
    await page.getByText('该文件的全部内容此前已导入，本次未新增数据。').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('new-entries').innerText()).toBe('0');

    await page.getByRole('link', { name: '银行对账单', exact: true }).first().click();
    await page.waitForURL('**/bank/statements');
    await page.getByRole('link', { name: 'CMB-20260629' }).click();
    await page.getByRole('heading', { name: '对账单 CMB-20260629' }).waitFor({ timeout: 60_000 });
    // The entries table (the statement page also shows the cash-matching workbench above it).
    const rows = page.getByTestId('statement-entries').locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    await rows.nth(0).getByText('上海华东贸易有限公司').waitFor();
    await rows.nth(1).getByText('INV-2026-0032 INV-2026-0033').waitFor();
    await web.screenshot(page, 'bank-statement-zh');
  }, 240_000);

  it('shows an MT940 statement whose own balances do not add up as not balancing, in English', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/bank');
    await page.getByRole('heading', { name: 'Import a bank statement', exact: true }).waitFor({ timeout: 60_000 });
    await page.locator('.ant-upload-drag input[type=file]').setInputFiles(mt940File);
    await page.getByRole('button', { name: /Import$/ }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    await result.getByText(/Does not balance · difference\s+-€50\.00/).waitFor();
    await web.screenshot(page, 'bank-import-en');
    await page.goto('/bank/statements');
    // Newest first: the MT940 just imported, marked as not balancing; then the camt.053 of the first test.
    const first = page.locator('tbody tr.ant-table-row').first();
    await first.getByRole('link', { name: 'E2E/12' }).waitFor({ timeout: 60_000 });
    await first.getByText(/Does not balance/).waitFor();
    await page.locator('tbody tr.ant-table-row').nth(1).getByRole('link', { name: 'CMB-20260629' }).waitFor();
    await page.locator('.ant-spin-spinning').waitFor({ state: 'detached' });
    await web.screenshot(page, 'bank-history-en');
  }, 240_000);

  it('makes a CSV mapping profile in the form, its columns read from a sample file, and imports the bank\'s CSV with it', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/bank');
    await page.getByRole('heading', { name: 'Import a bank statement', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'New profile' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('ICBC 1234');
    await dialog.getByLabel('Account', { exact: true }).fill('6222020200001234');
    await chooseOption(page, dialog.getByLabel('Thousands'), ',');
    // The sample's headers become the column choices.
    await dialog.locator('input[type=file]').setInputFiles(csvFile);
    await dialog.getByTestId('sample-headers').getByText('6 columns: 交易日期 · 金额 · 余额 · 对方户名 · 摘要 · 流水号').waitFor();
    await dialog.getByLabel('Booking date').fill('交易日期');
    await dialog.getByLabel('Amount', { exact: true }).fill('金额');
    await dialog.getByLabel('Running balance').fill('余额');
    await dialog.getByLabel('Payer / payee name').fill('对方户名');
    await dialog.getByLabel('Bank reference').fill('流水号');
    await dialog.getByLabel('Remittance text').fill('摘要');
    await page.keyboard.press('Enter');
    await web.screenshot(page, 'bank-csv-profile-en');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('cell', { name: 'ICBC 1234', exact: true }).waitFor({ timeout: 30_000 });
    const saved = await apiGet<{ rows: { name: string; thousandsSeparator: string; columns: Record<string, unknown> }[] }>(page, '/api/v1/bank/profiles');
    expect(saved.rows.find((p) => p.name === 'ICBC 1234')).toMatchObject({
      thousandsSeparator: ',', columns: { bookingDate: '交易日期', amount: '金额', balance: '余额', counterpartyName: '对方户名', bankReference: '流水号', remittance: ['摘要'] },
    });

    // The export imported with the profile: two entries, and the running balance column gives balances that add up.
    await page.locator('.ant-upload-drag input[type=file]').setInputFiles(csvFile);
    await chooseOption(page, page.getByLabel('CSV mapping profile'), /^ICBC 1234/);
    await page.getByRole('button', { name: /Import$/ }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    await result.getByText('Balances', { exact: true }).waitFor();
    expect(await result.getByTestId('new-entries').innerText()).toBe('2');
  }, 240_000);

  it('imports a remittance advice from its card and lists it with its lines, the invoices not found marked', async () => {
    const { page } = await web.newPage('en');
    await web.signIn(page, 'finance@demo.example');
    await page.goto('/bank');
    const card = page.getByTestId('remittances');
    await card.locator('input[type=file]').setInputFiles(adviceFile);
    await card.getByRole('button', { name: 'Import advice' }).click();
    // 1,000.00 + 234.50 = 1,234.50; neither number is one of the company's invoices.
    await card.getByTestId('remittance-result').getByText(/Imported: 2 invoices, .*1,234\.50, payer not known\./).waitFor({ timeout: 30_000 });
    await card.getByText('2 invoice number(s) name none of the payer’s invoices; matching uses the others.').waitFor();
    const row = card.getByRole('row').filter({ hasText: 'advice-hx88.csv' });
    await row.getByText('Waiting for its payment').waitFor();
    await row.locator('.ant-table-row-expand-icon').click();
    await card.getByRole('cell', { name: 'NO-SUCH-2', exact: true }).waitFor();
    expect(await card.getByText('not found', { exact: true }).count()).toBe(2);
    await web.screenshot(page, 'bank-remittance-en');
  });
});
