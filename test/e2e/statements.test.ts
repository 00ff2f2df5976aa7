/**
 * The statement and confirmation pages in Chromium, on the demo company: the statement's closing balance is its
 * opening + debits − credits (worked out here from the API's lines) and the page shows the API's figures; the PDF
 * downloads; a confirmation's answer shows the difference theirs − ours while typing and lands in the disputed
 * list; a collector gets statements of their own customers and no confirmations; an administrator sets the company's
 * mail server on the company page, a test message and then a statement reach a real SMTP server. Screenshots in both
 * languages.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../web/src/shared/format.ts';
import { apiMinor, formatMinor } from '../../web/src/features/documents/money.ts';
import { BROWSER_TEST, chooseOption, clickUntil, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

interface Section { currency: string; opening: string; debits: string; credits: string; closing: string; lines: { debit: string; credit: string; balance: string }[] }
interface Confirmation { number: string; customer: string; customerName: string; status: string; daysOutstanding: number | null; balances: { currency: string; balance: string }[] }

describe.skipIf(!HAS_CHROMIUM)('web app: statements and confirmations', BROWSER_TEST, () => {
  let web: WebApp;
  // A mail server on a local port that wants a login, for the company's own mail settings (set last, below).
  const received: { user: string | null; from: string; to: string[]; raw: string }[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
    onAuth: (auth, _session, callback) => (auth.username === 'ar-bot' && auth.password === 'smtp password 2026' ? callback(null, { user: 'ar-bot' }) : callback(new Error('535 authentication failed'))),
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
      stream.on('end', () => {
        received.push({ user: (session.user as string | undefined) ?? null, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  const savedKey = process.env.ARFLOW_SECRET_KEY;
  beforeAll(async () => {
    process.env.ARFLOW_SECRET_KEY = 'browser test key, at least thirty-two characters';
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    if (savedKey === undefined) delete process.env.ARFLOW_SECRET_KEY; else process.env.ARFLOW_SECRET_KEY = savedKey;
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
    await page.getByText('未设置邮件服务器：请管理员在「公司设置 → 邮件发送」中设置；现在可下载 PDF 自行发送。').waitFor();
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

  it('lets an administrator set the company\'s mail server, send a test message through it, and then statements go out', async () => {
    const port = (smtp.server.address() as AddressInfo).port;
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'admin@demo.example');
    await page.goto('/admin/company');
    const card = page.locator('.ant-card').filter({ hasText: '邮件发送（SMTP 服务器）' });
    await card.getByText('未设置邮件服务器：无法发送任何邮件。').waitFor();
    await card.getByLabel('SMTP 服务器').fill('127.0.0.1');
    await chooseOption(page, card.getByLabel('加密方式'), '不加密（可信中继）');
    await card.getByRole('spinbutton', { name: '端口' }).fill(String(port));
    await card.getByLabel('用户名').fill('ar-bot');
    await card.getByLabel('密码').fill('smtp password 2026');
    await card.getByLabel('发件地址').fill('ar@demo.example');
    await card.getByLabel('发件人名称').fill('应收账款部');
    await card.getByRole('button', { name: /保\s*存/ }).click();
    await card.getByText('邮件通过下方本公司的服务器发送。').waitFor();
    await card.getByText('已保存。留空则保持不变。').waitFor();
    await card.getByLabel('发送测试邮件至').fill('me@demo.example');
    await card.getByRole('button', { name: '发送测试邮件' }).click();
    await page.getByText('测试邮件已从 "应收账款部" <ar@demo.example> 发送至 me@demo.example。').waitFor();
    expect(received.at(-1)).toMatchObject({ user: 'ar-bot', from: 'ar@demo.example', to: ['me@demo.example'] });
    await web.screenshot(page, 'company-mail-zh');
    // The statement that could not be sent before goes out now, from its page, through the company's server.
    const list = await (await page.request.get('/api/v1/confirmations?limit=50')).json() as { items: Confirmation[] };
    await page.goto(`/statements?customer=${list.items[0]!.customer}&from=2026-06-01&to=2026-06-30`);
    await page.locator('[data-currency]').first().waitFor();
    const before = received.length;
    await page.getByRole('button', { name: /发送邮件/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: /发\s*送/ }).click();
    for (let i = 0; i < 60 && received.length === before; i++) await page.waitForTimeout(500);
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)).toMatchObject({ user: 'ar-bot', from: 'ar@demo.example' });
    expect(received.at(-1)!.raw).toContain('application/pdf');
  });
});
