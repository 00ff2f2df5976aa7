/**
 * Control screens in the browser: a reversal asked for by one person and approved by another (the requester cannot
 * approve their own), its effect on the ledger, the approval found in the audit trail, and an administrator creating
 * a user whose one-time password leads to the password-change screen.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { afterResponse, BROWSER_TEST, clickUntil, chooseOption, HAS_CHROMIUM, startWebApp, type WebApp } from './support.ts';

/** The API as the browser's signed-in user: the context's cookie, and its CSRF token on changes. */
async function apiOf(page: Page) {
  const session = await (await page.request.get('/api/v1/session')).json() as { csrfToken: string };
  return {
    async get<T>(path: string): Promise<T> {
      const response = await page.request.get(`/api/v1${path}`);
      expect(response.status(), path).toBe(200);
      return response.json() as Promise<T>;
    },
    async post(path: string, body: unknown) {
      const response = await page.request.post(`/api/v1${path}`, { data: body, headers: { 'x-csrf-token': session.csrfToken, 'idempotency-key': randomUUID() } });
      return { status: response.status(), body: await response.json() };
    },
  };
}

/** CNY decimal strings as integer fen, and back: the test adds money exactly, as the ledger does. */
const fen = (amount: string) => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
};
const yuan = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

interface Doc {
  id: string;
  number: string;
  kind: string;
  open: string;
  status: string;
  currency: string;
  allocations: { amount: string; to: { id: string; kind: string; number: string }; reversedByAllocationId: string | null }[];
}

describe.skipIf(!HAS_CHROMIUM)('web app: approvals, audit trail, users', BROWSER_TEST, () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 240_000);
  afterAll(async () => {
    await web?.close();
  });

  it('holds a reversal asked for by finance, which finance cannot approve, and applies it when the administrator approves', async () => {
    const finance = await web.newPage('zh-CN');
    await web.signIn(finance.page, 'finance@demo.example');
    const financeApi = await apiOf(finance.page);

    // A payment applied in full to one invoice, not already waiting for a decision.
    const pending = await financeApi.get<{ items: { subject: { kind: string; document?: { id: string } } | null }[] }>('/approvals?status=pending');
    const waiting = new Set(pending.items.map((a) => a.subject?.document?.id));
    const payments = await financeApi.get<{ items: Doc[] }>('/documents?kind=payment&status=closed&currency=CNY&limit=50');
    let payment: Doc | undefined;
    for (const candidate of payments.items) {
      if (waiting.has(candidate.id)) continue;
      const doc = await financeApi.get<Doc>(`/documents/${candidate.id}`);
      const live = doc.allocations.filter((a) => !a.reversedByAllocationId);
      if (live.length === 1 && live[0]!.to.kind === 'invoice') {
        payment = doc;
        break;
      }
    }
    expect(payment, 'a closed CNY payment applied to one invoice').toBeDefined();
    const applied = payment!.allocations.find((a) => !a.reversedByAllocationId)!;
    const invoiceBefore = await financeApi.get<Doc>(`/documents/${applied.to.id}`);

    // Finance asks; reversals need a second person in the demo company, so the answer is a request, not a reversal.
    const asked = await financeApi.post(`/documents/${payment!.id}/reverse`, { reason: '银行回单重复登记' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ outcome: 'approval_requested', approval: { status: 'pending', requestedBy: 'finance@demo.example' } });
    expect((await financeApi.get<Doc>(`/documents/${payment!.id}`)).status).toBe('closed');

    // Finance sees it among their requests, told why there is no approve button; it is not in their "to decide" list.
    await finance.page.goto('/approvals?tab=mine');
    const mine = finance.page.getByRole('row').filter({ hasText: payment!.number });
    await mine.getByText('这是您的申请，须由他人审批。').waitFor();
    await mine.getByText('原因：银行回单重复登记').waitFor();
    expect(await mine.getByRole('button', { name: '批准' }).count()).toBe(0);
    await finance.page.getByRole('tab', { name: '待我审批' }).click();
    await finance.page.waitForURL('**/approvals?tab=decide');
    // The demo's credit-limit request by credit@ waits for finance's decision.
    await finance.page.getByRole('row').filter({ hasText: 'credit@demo.example' }).first().waitFor();
    expect(await finance.page.getByRole('row').filter({ hasText: payment!.number }).count()).toBe(0);
    // And the API refuses finance's own approval.
    expect((await financeApi.post(`/approvals/${asked.body.approval.id}/approve`, {})).body.code).toBe('SELF_APPROVAL');

    // The administrator, in another browser, approves it from the inbox.
    const admin = await web.newPage('en');
    await web.signIn(admin.page, 'admin@demo.example');
    await admin.page.goto('/approvals');
    const row = admin.page.getByRole('row').filter({ hasText: payment!.number });
    await row.getByText(`Reverse ${payment!.number} (Payment,`).waitFor();
    await row.getByText('finance@demo.example').waitFor();
    await web.screenshot(admin.page, 'approvals');
    const dialog = admin.page.getByRole('dialog');
    await clickUntil(row.getByRole('button', { name: 'Approve' }), dialog.getByLabel('Comment (optional)'));
    await dialog.getByLabel('Comment (optional)').fill('Checked the bank statement: entered twice');
    await clickUntil(dialog.getByRole('button', { name: 'Approve' }), admin.page.getByText('Approved and done.'));
    await row.waitFor({ state: 'detached' });
    await admin.page.getByRole('tab', { name: 'Decided' }).click();
    const decided = admin.page.getByRole('row').filter({ hasText: payment!.number });
    await decided.getByText('Approved').waitFor();
    await decided.getByText('“Checked the bank statement: entered twice”').waitFor();

    // The effect: the payment is reversed and the invoice is open again by what the payment had paid of it.
    const adminApi = await apiOf(admin.page);
    expect((await adminApi.get<Doc>(`/documents/${payment!.id}`)).status).toBe('reversed');
    const invoiceAfter = await adminApi.get<Doc>(`/documents/${applied.to.id}`);
    expect(invoiceAfter.open).toBe(yuan(fen(invoiceBefore.open) + fen(applied.amount)));
    // Done as finance's, with the approver's name.
    const history = await adminApi.get<{ items: { actor: string }[] }>(`/audit?action=document.reverse&document=payment:${payment!.number}`);
    expect(history.items.map((e) => e.actor)).toEqual(['finance@demo.example (approved by admin@demo.example)']);

    // The audit trail finds the approval by action and user.
    await admin.page.goto('/audit');
    await admin.page.getByLabel('User', { exact: true }).fill('admin@demo.example');
    await admin.page.getByLabel('Action', { exact: true }).fill('approval.approve');
    await admin.page.keyboard.press('Escape');
    await admin.page.getByRole('button', { name: 'Search' }).click();
    await admin.page.waitForURL((url) => url.searchParams.get('action') === 'approval.approve' && url.searchParams.get('actor') === 'admin@demo.example');
    const entries = admin.page.locator('tr.ant-table-row');
    await entries.filter({ hasText: 'Request approved' }).filter({ hasText: 'Checked the bank statement: entered twice' }).waitFor();
    // The demo's own approval is the other one: two approvals by the administrator, nothing else.
    await expect.poll(() => entries.count()).toBe(2);
    // "Export CSV" carries the same filters: the file holds the same two entries under its header.
    const href = await admin.page.getByRole('link', { name: /Export CSV/ }).getAttribute('href');
    expect(new URL(href!, web.baseUrl).searchParams.get('action')).toBe('approval.approve');
    const csv = (await (await admin.page.request.get(href!)).text()).trim().split('\n');
    expect(csv[0]).toMatch(/^occurred_at,actor,/);
    expect(csv.slice(1).filter((line) => line.includes('approval.approve'))).toHaveLength(2);
    await admin.page.getByRole('button', { name: 'Show the values' }).first().click();
    await admin.page.getByRole('cell', { name: 'summary', exact: true }).waitFor();
    await web.screenshot(admin.page, 'audit');
  }, 120_000);

  it('lets an administrator create a user, whose one-time password leads straight to choosing their own', async () => {
    const admin = await web.newPage('en');
    await web.signIn(admin.page, 'admin@demo.example');
    await admin.page.goto('/admin/users');
    await admin.page.getByRole('button', { name: 'New user' }).click();
    const dialog = admin.page.getByRole('dialog');

    // An email that already has an account is refused, in words, on the field.
    await dialog.getByLabel('Email').fill('viewer@demo.example');
    await dialog.getByLabel('Name').fill('李雷');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('This email already has an account').waitFor();

    await dialog.getByLabel('Email').fill('li.lei@demo.example');
    await chooseOption(admin.page, dialog.getByLabel('Role'), 'Auditor');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const shown = admin.page.getByRole('dialog').filter({ hasText: 'One-time password for li.lei@demo.example' });
    const password = (await shown.getByTestId('shown-secret').textContent())!.trim();
    expect(password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
    await shown.getByRole('button', { name: 'I have handed it over' }).click();
    const row = admin.page.getByRole('row').filter({ hasText: 'li.lei@demo.example' });
    await row.getByText('Auditor').waitFor();
    await row.getByText('Must choose a password').waitFor();
    await web.screenshot(admin.page, 'users');

    const newcomer = await web.newPage('en');
    await web.signIn(newcomer.page, 'li.lei@demo.example', password);
    await newcomer.page.waitForURL('**/password');
    await newcomer.page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await newcomer.page.getByText('You signed in with a one-time password').waitFor();
  }, 90_000);

  it('lets an administrator set the letterhead and statement day on the company settings page, in Chinese', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'admin@demo.example');
    await page.getByRole('link', { name: '公司设置', exact: true }).click();
    await page.waitForURL('**/admin/company');
    const card = page.locator('.ant-card').filter({ hasText: '每月对账单日' });
    const day = card.getByLabel('每月对账单日');
    await day.waitFor({ timeout: 30_000 });
    await day.fill('12');
    const saved = await afterResponse(page, (r) => r.url().endsWith('/api/v1/company/statement-settings') && r.request().method() === 'PUT', () => card.getByRole('button', { name: /保\s*存/ }).click());
    expect(saved.status()).toBe(200);
    await page.getByText('已保存。').first().waitFor({ timeout: 30_000 });
    const after = await (await page.request.get('/api/v1/company/statement-settings')).json() as { statementDay: number | null };
    expect(after.statementDay).toBe(12);
    await web.screenshot(page, 'company-settings-zh');
    // Finance reads the company but has no menu entry for these settings.
    const finance = await web.newPage('zh-CN');
    await web.signIn(finance.page, 'finance@demo.example');
    expect(await finance.page.getByRole('link', { name: '公司设置', exact: true }).count()).toBe(0);
  });

  it('lets the auditor verify the hash chain, and names the entry someone changed behind arflow\'s back', async () => {
    const { page } = await web.newPage('zh-CN');
    await web.signIn(page, 'auditor@demo.example');
    await page.goto('/audit');
    await page.getByRole('button', { name: '验证哈希链' }).click();
    const result = page.getByRole('dialog');
    await result.getByText('审计日志验证结果').waitFor();
    await result.getByText('哈希链完整').waitFor();
    await result.locator('.ant-modal-footer').getByRole('button').click();
    await result.waitFor({ state: 'detached' });

    // An intruder with the database owner's password rewrites the reason of the approval made in the first test.
    const [entry] = await web.db.db.system((sql) => sql.query<{ id: string }>(`SELECT id FROM audit_log WHERE action = 'approval.approve' AND actor = 'admin@demo.example' ORDER BY id DESC LIMIT 1`));
    await web.db.db.system(async (sql) => {
      await sql.query(`ALTER TABLE audit_log DISABLE TRIGGER append_only`);
      await sql.query(`UPDATE audit_log SET reason = 'nothing to see here' WHERE id = $1`, [entry!.id]);
      await sql.query(`ALTER TABLE audit_log ENABLE TRIGGER append_only`);
    });
    await page.getByRole('button', { name: '验证哈希链' }).click();
    await result.getByText('哈希链已被破坏').waitFor();
    const problem = result.getByRole('row').filter({ hasText: entry!.id });
    await problem.getByText('封存后被修改').waitFor();
    await web.screenshot(page, 'audit-verify-broken');
  }, 90_000);
});
