/**
 * Statements of account and balance confirmations on a real database: hand-computed balances, the PDF's text read
 * back with pdfjs, the workbook read back with exceljs, and email through a real SMTP server on a local port.
 */
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { agingReport } from '../src/modules/aging/index.ts';
import { answerConfirmation, getConfirmation, issueConfirmation, listConfirmations, sendConfirmation } from '../src/modules/confirmations/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { loadStatement, type Statement } from '../src/modules/statements/index.ts';
import { confirmationPdf, statementPdf, statementXlsx } from '../src/modules/statements/render.ts';
import { requestMonthlyStatements, requestStatementSend, setStatementSettings } from '../src/modules/statements/sends.ts';
import { startJobs } from '../src/jobs/index.ts';
import { createUser, createApiToken } from '../src/modules/access/index.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, pdfText, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

interface Received { from: string; to: string[]; raw: string }
let smtp: SMTPServer;
const received: Received[] = [];
let smtpUrl = '';

beforeAll(async () => {
  t = await openTestDatabase();
  const acme = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, acme, CLOCK);
  await setStatementSettings(ctx, { address: '上海市浦东新区世纪大道100号', statementDay: 5 });
  await createCustomer(ctx, {
    code: 'C1', name: '上海一号', collector: 'zhao', contacts: [
      { name: '张总', email: 'boss@c1.example.cn', isPrimary: true },
      { name: '李会计', role: 'billing', email: 'billing@c1.example.cn', language: 'zh-CN' },
    ],
  });
  await createCustomer(ctx, { code: 'C2', name: 'Busy Trading Ltd', contacts: [{ name: 'Ann', email: 'ap@busy.example.com', language: 'en', isPrimary: true }] });
  await createCustomer(ctx, { code: 'C3', name: '无联系人公司' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  await post({ kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-10', dueDate: '2026-04-09', amount: '1000.00' });
  await post({ kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-03-25', amount: '400.00', appliesTo: [{ document: 'INV-1' }] });
  await post({ kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-04-05', dueDate: '2026-04-10', amount: '2500.00' });
  await post({ kind: 'credit_note', number: 'CN-1', customer: 'C1', documentDate: '2026-04-12', amount: '300.00', appliesTo: [{ document: 'INV-2' }] });
  await post({ kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-04-20', amount: '1000.00', appliesTo: [{ document: 'INV-1', amount: '600.00' }, { document: 'INV-2', amount: '400.00' }] });
  await post({ kind: 'invoice', number: 'INV-3', customer: 'C1', documentDate: '2026-04-28', dueDate: '2026-05-28', amount: '800.00' });
  await post({ kind: 'invoice', number: 'INV-USD-1', customer: 'C1', documentDate: '2026-04-15', dueDate: '2026-04-15', currency: 'USD', fxRate: '7.1', amount: '100.00' });
  await post({ kind: 'payment', number: 'PAY-3', customer: 'C1', documentDate: '2026-05-02', amount: '500.00' });
  // C2: 150 invoices of 10.00 in May, enough lines for several pages.
  for (let n = 1; n <= 150; n++) {
    await post({ kind: 'invoice', number: `B-${String(n).padStart(3, '0')}`, customer: 'C2', documentDate: `2026-05-${String(1 + (n % 28)).padStart(2, '0')}`, dueDate: '2026-06-30', amount: '10.00' });
  }
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await t?.drop();
});

const statementOf = (code: string, query: Parameters<typeof loadStatement>[3]) => t.db.tenant(ctx.tenant.id, (sql) => loadStatement(ctx, sql, code, query));
const mail = () => ({ transport: smtpUrl, from: 'AR <ar@acme.example>' });

/** The base64 attachment of a raw message, decoded. */
function attachmentOf(raw: string): { filename: string; content: Buffer } {
  const m = /filename="?([^"\r\n;]+)"?[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw.slice(raw.search(/Content-Disposition: attachment/i)));
  if (!m) throw new Error('no attachment in the message');
  return { filename: m[1]!, content: Buffer.from(m[2]!.replace(/\r\n/g, ''), 'base64') };
}

describe('statement of account', () => {
  let april: Statement;
  beforeAll(async () => { april = await statementOf('C1', { from: '2026-04-01', to: '2026-04-30' }); });

  it('opens with everything before the period, runs the balance line by line and closes at opening + debits − credits', () => {
    expect(april.sections.map((s) => s.currency)).toEqual(['CNY', 'USD']);
    const cny = april.sections[0]!;
    // Before 04-01: INV-1 1,000.00 − PAY-1 400.00 = 600.00 (closed and open documents alike).
    expect(cny.opening).toBe('600.00');
    // April: INV-2 2,500.00 + INV-3 800.00 = 3,300.00 debits; CN-1 300.00 + PAY-2 1,000.00 = 1,300.00 credits.
    expect([cny.debits, cny.credits]).toEqual(['3300.00', '1300.00']);
    // 600.00 + 3,300.00 − 1,300.00 = 2,600.00.
    expect(cny.closing).toBe('2600.00');
    expect(cny.lines.map((l) => [l.date, l.type, l.number, l.reference, l.debit, l.credit, l.applied, l.balance])).toEqual([
      ['2026-04-05', 'document', 'INV-2', null, '2500.00', '0.00', '0.00', '3100.00'], // 600 + 2,500
      ['2026-04-12', 'document', 'CN-1', null, '0.00', '300.00', '0.00', '2800.00'], // 3,100 − 300
      ['2026-04-12', 'allocation', 'CN-1', 'INV-2', '0.00', '0.00', '300.00', '2800.00'], // applying moves no balance
      ['2026-04-20', 'document', 'PAY-2', null, '0.00', '1000.00', '0.00', '1800.00'], // 2,800 − 1,000
      ['2026-04-20', 'allocation', 'PAY-2', 'INV-1', '0.00', '0.00', '600.00', '1800.00'],
      ['2026-04-20', 'allocation', 'PAY-2', 'INV-2', '0.00', '0.00', '400.00', '1800.00'],
      ['2026-04-28', 'document', 'INV-3', null, '800.00', '0.00', '0.00', '2600.00'], // 1,800 + 800
    ]);
    // USD on its own: nothing before, INV-USD-1 100.00.
    expect(april.sections[1]).toMatchObject({ opening: '0.00', debits: '100.00', credits: '0.00', closing: '100.00' });
  });

  it('ages what was open at the period end, net equal to the closing balance and to the aging report\'s row', async () => {
    const cny = april.sections[0]!;
    // At 04-30: INV-1 paid in full (400 + 600); INV-2 2,500 − 300 − 400 = 1,800.00 due 04-10, 20 days past due;
    // INV-3 800.00 due 05-28, current. PAY-3 (05-02) is later and left out.
    expect(cny.aging).toMatchObject({ current: '800.00', outstanding: '2600.00', unapplied: '0.00', net: '2600.00' });
    expect(cny.aging.byBucket['1-30']).toBe('1800.00');
    expect(cny.aging.net).toBe(cny.closing);
    // USD: 100.00 due 04-15, 15 days past due.
    expect(april.sections[1]!.aging.byBucket['1-30']).toBe('100.00');
    const report = await t.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, { asOf: '2026-04-30' }));
    const row = report.rows.find((r) => r.key === 'C1')!;
    expect({ current: row.current, b: row.buckets['1-30'], net: row.net }).toEqual({ current: cny.aging.current, b: cny.aging.byBucket['1-30'], net: cny.aging.net });
  });

  it('closes every month at the next month\'s opening, and a later period counts the unapplied payment', async () => {
    const may = await statementOf('C1', { from: '2026-05-01', to: '2026-05-31' });
    expect(may.sections[0]!.opening).toBe('2600.00');
    // May: PAY-3 500.00 credit: 2,600.00 − 500.00 = 2,100.00; its 500.00 unapplied in the aging, net the same.
    expect(may.sections[0]).toMatchObject({ credits: '500.00', closing: '2100.00' });
    expect(may.sections[0]!.aging).toMatchObject({ outstanding: '2600.00', unapplied: '500.00', net: '2100.00' });
  });

  it('refuses a reversed period, one longer than five years, and another collector\'s customer', async () => {
    await expect(statementOf('C1', { from: '2026-05-01', to: '2026-04-30' })).rejects.toMatchObject({ code: 'INVALID_PERIOD' });
    await expect(statementOf('C1', { from: '2020-01-01', to: '2026-04-30' })).rejects.toMatchObject({ code: 'PERIOD_TOO_LONG' });
    const other = { ...ctx, principal: { tenantId: ctx.tenant.id, userId: 'x', actor: 'wang', name: 'Wang', role: 'collector' as const, handle: 'wang', via: 'session' as const } };
    await expect(t.db.tenant(ctx.tenant.id, (sql) => loadStatement(other, sql, 'C1', {}))).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    const own = { ...other, principal: { ...other.principal, handle: 'zhao' } };
    expect((await t.db.tenant(ctx.tenant.id, (sql) => loadStatement(own, sql, 'C1', { from: '2026-04-01', to: '2026-04-30' }))).sections[0]!.closing).toBe('2600.00');
  });

  it('prints a PDF in Chinese with the company header, the figures and page numbers', async () => {
    const pdf = await statementPdf(april);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The font is embedded as a subset: the whole Noto Sans SC is 10 MB.
    expect(pdf.length).toBeLessThan(400_000);
    const [page, ...more] = await pdfText(pdf);
    expect(more).toEqual([]);
    for (const text of ['Test company', '上海市浦东新区世纪大道100号', '对账单', '上海一号', '2026-04-01 – 2026-04-30', '期初余额', '期末余额', '600.00', '3,100.00', '2,600.00', '3,300.00', '1,300.00', 'INV-2', '核销', '币种', 'USD', '第 1 页 / 共 1 页']) {
      expect(page, text).toContain(text);
    }
  });

  it('breaks a long statement across pages, repeating the table header, in English', async () => {
    const may = await statementOf('C2', { from: '2026-05-01', to: '2026-05-31' });
    expect(may.language).toBe('en');
    // 150 invoices of 10.00: 1,500.00.
    expect(may.sections[0]!.closing).toBe('1500.00');
    const pages = await pdfText(await statementPdf(may));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((text, n) => expect(text).toContain(`Page ${n + 1} of ${pages.length}`));
    // Every page the lines run over starts with the table's header row again.
    const withLines = pages.filter((text) => text.includes('B-'));
    expect(withLines.length).toBeGreaterThanOrEqual(3);
    for (const text of withLines) expect(text.indexOf('Date')).toBeLessThan(text.indexOf('B-'));
    for (const text of withLines) expect(text).toContain('Balance');
    expect(pages.at(-1)).toContain('1,500.00');
  });

  it('writes the same statement to XLSX', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await statementXlsx(april) as never);
    const sheet = book.worksheets[0]!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]![0]).toMatch(/^Test company/);
    const closing = rows.filter((r) => r[1] === '期末余额');
    expect(closing.map((r) => r[8])).toEqual([2600, 100]);
    const opening = rows.find((r) => r[1] === '期初余额')!;
    expect(opening[8]).toBe(600);
    expect(rows.find((r) => r[2] === 'PAY-2' && r[1] === '收款')![6]).toBe(1000);
  });
});

describe('sending statements', () => {
  it('says email is not set up when it is not', async () => {
    const saved = process.env.ARFLOW_SMTP_URL;
    delete process.env.ARFLOW_SMTP_URL;
    await expect(requestStatementSend(ctx, 'C1', { from: '2026-04-01', to: '2026-04-30' }, undefined)).rejects.toMatchObject({ code: 'SMTP_NOT_CONFIGURED' });
    if (saved) process.env.ARFLOW_SMTP_URL = saved;
  });

  it('mails the PDF to the billing contact, records the message id and audits it', async () => {
    const before = received.length;
    const send = await requestStatementSend(ctx, 'C1', { from: '2026-04-01', to: '2026-04-30' }, 'send-1', mail);
    expect(send).toMatchObject({ status: 'sent', recipient: 'billing@c1.example.cn', kind: 'statement', from: '2026-04-01', to: '2026-04-30' });
    expect(send.messageId).toMatch(/^<.+>$/);
    const message = received[before]!;
    expect(message.to).toEqual(['billing@c1.example.cn']);
    expect(message.raw).toContain(send.messageId!);
    const attachment = attachmentOf(message.raw);
    expect(attachment.filename).toBe('statement-C1-2026-04-01-2026-04-30.pdf');
    expect((await pdfText(attachment.content))[0]).toContain('2,600.00');
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY occurred_at, id`, [send.id]));
    expect(audit.map((a) => a.action)).toEqual(['statement.send', 'statement.sent']);
    // The same key again: the same send, no second email.
    const again = await requestStatementSend(ctx, 'C1', { from: '2026-04-01', to: '2026-04-30' }, 'send-1', mail);
    expect(again.id).toBe(send.id);
    expect(received.length).toBe(before + 1);
  });

  it('sends XLSX to an address given, and refuses a customer without an email contact', async () => {
    const send = await requestStatementSend(ctx, 'C1', { from: '2026-04-01', to: '2026-04-30', format: 'xlsx', recipient: 'cfo@c1.example.cn', lang: 'en' }, undefined, mail);
    expect(send).toMatchObject({ status: 'sent', recipient: 'cfo@c1.example.cn', format: 'xlsx', language: 'en' });
    expect(attachmentOf(received.at(-1)!.raw).filename).toBe('statement-C1-2026-04-01-2026-04-30.xlsx');
    await expect(requestStatementSend(ctx, 'C3', {}, undefined, mail)).rejects.toMatchObject({ code: 'NO_RECIPIENT' });
  });

  it('on the server, queues the send in the request\'s transaction and the statements.send job delivers it', async () => {
    process.env.ARFLOW_SMTP_URL = smtpUrl;
    const jobs = await startJobs(t.db, { clock: CLOCK, work: true });
    try {
      const before = received.length;
      const queued = await requestStatementSend({ ...ctx, jobs }, 'C2', { from: '2026-05-01', to: '2026-05-31' }, undefined);
      expect(queued).toMatchObject({ status: 'queued', recipient: 'ap@busy.example.com', language: 'en' });
      let status = 'queued';
      for (let i = 0; i < 90 && status === 'queued'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const [row] = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ status: string }>(`SELECT status FROM statement_sends WHERE id = $1`, [queued.id]));
        status = row!.status;
      }
      expect(status).toBe('sent');
      expect(received.length).toBe(before + 1);
      expect(received.at(-1)!.raw).toMatch(/Subject: Test company \d+: statement of account 2026-05-01 to 2026-05-31/);
    } finally {
      await jobs.stop();
      delete process.env.ARFLOW_SMTP_URL;
    }
  }, 90_000);

  it('on the statement day queues last month\'s statement for customers with a balance and an email, once', async () => {
    const fifth = { ...ctx, clock: fixedClock('2026-07-05T02:00:00Z'), actor: 'job:statements.monthly' };
    const first = await t.db.tenant(ctx.tenant.id, (sql) => requestMonthlyStatements(fifth, sql));
    // C1 (open INV-2, INV-3, USD; PAY-3 unapplied) and C2 (150 open invoices); C3 has no contact.
    expect(first).toBe(2);
    expect(await t.db.tenant(ctx.tenant.id, (sql) => requestMonthlyStatements(fifth, sql))).toBe(0);
    const sixth = { ...fifth, clock: fixedClock('2026-07-06T02:00:00Z') };
    expect(await t.db.tenant(ctx.tenant.id, (sql) => requestMonthlyStatements(sixth, sql))).toBe(0);
    const queued = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ recipient: string; period_from: string; period_to: string; status: string }>(
      `SELECT recipient, period_from, period_to, status FROM statement_sends WHERE requested_by = 'job:statements.monthly' ORDER BY recipient`));
    expect(queued).toEqual([
      { recipient: 'ap@busy.example.com', period_from: '2026-06-01', period_to: '2026-06-30', status: 'queued' },
      { recipient: 'billing@c1.example.cn', period_from: '2026-06-01', period_to: '2026-06-30', status: 'queued' },
    ]);
  });
});

describe('balance confirmations', () => {
  let number = '';
  it('issues one with our balance per currency and a reference number, idempotently', async () => {
    const c = await issueConfirmation(ctx, { customer: 'C1', asOf: '2026-04-30', note: '请于收到后十日内回函' }, 'bc-1');
    // At 04-30: CNY 2,600.00 (the April statement's closing), USD 100.00.
    expect(c.balances).toEqual([{ currency: 'CNY', balance: '2600.00' }, { currency: 'USD', balance: '100.00' }]);
    expect(c).toMatchObject({ number: 'BC-2026-000001', status: 'unanswered', daysOutstanding: 0, customer: 'C1', language: 'zh-CN' });
    number = c.number;
    expect((await issueConfirmation(ctx, { customer: 'C1', asOf: '2026-04-30', note: '请于收到后十日内回函' }, 'bc-1')).id).toBe(c.id);
    await expect(issueConfirmation(ctx, { customer: 'C1', asOf: '2026-07-30' }, undefined)).rejects.toMatchObject({ code: 'AS_OF_IN_FUTURE' });
  });

  it('prints the letter with its reply slip', async () => {
    const print = await t.db.tenant(ctx.tenant.id, async (sql) => (await import('../src/modules/confirmations/index.ts')).confirmationPrintOf(ctx, sql, number));
    const [page] = await pdfText(await confirmationPdf(print));
    for (const text of ['往来账款询证函', number, '上海一号', '2,600.00', '100.00', '回函', '信息证明无误', '信息不符', '请于收到后十日内回函']) expect(page, text).toContain(text);
  });

  it('lists the unanswered with days outstanding, records a dispute with the difference, and refuses a second answer', async () => {
    const later = { ...ctx, clock: fixedClock('2026-07-15T04:00:00Z') };
    const issued2 = await issueConfirmation(ctx, { customer: 'C2', asOf: '2026-05-31' }, undefined);
    const unanswered = await t.db.tenant(ctx.tenant.id, (sql) => listConfirmations(later, sql, { status: 'unanswered' }));
    // Issued 06-30, seen 07-15: 15 days outstanding.
    expect(unanswered.items.map((i) => [i.number, i.daysOutstanding])).toEqual([[issued2.number, 15], [number, 15]]);
    const disputed = await answerConfirmation(later, number, {
      status: 'disputed', answeredOn: '2026-07-10', theirBalances: [{ currency: 'CNY', balance: '2300.00' }],
      explanation: '我方未收到 INV-3 的发票', differences: [{ document: 'INV-3', amount: '-800.00', reason: '发票未收到' }, { document: 'PAY-X', amount: '500.00', reason: '我方多记付款' }],
    }, 'ans-1');
    // Difference = theirs − ours: CNY 2,300.00 − 2,600.00 = −300.00; USD not disputed: theirs = ours.
    expect(disputed.status).toBe('disputed');
    expect(disputed.answers[0]!.figures).toEqual([
      { currency: 'CNY', theirs: '2300.00', ours: '2600.00', difference: '-300.00' },
      { currency: 'USD', theirs: '100.00', ours: '100.00', difference: '0.00' },
    ]);
    expect(disputed.answers[0]!.differences.map((d) => d.amount)).toEqual(['-800.00', '500.00']);
    await expect(answerConfirmation(later, number, { status: 'confirmed' }, undefined)).rejects.toMatchObject({ code: 'CONFIRMATION_ALREADY_ANSWERED' });
    await expect(answerConfirmation(later, issued2.number, { status: 'confirmed', answeredOn: '2026-07-16' }, undefined)).rejects.toMatchObject({ code: 'ANSWER_IN_FUTURE' });
    await expect(answerConfirmation(later, number, { status: 'confirmed', correction: true }, undefined)).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const byStatus = async (status: 'disputed' | 'confirmed' | 'answered' | 'unanswered') =>
      (await t.db.tenant(ctx.tenant.id, (sql) => listConfirmations(later, sql, { status }))).items.map((i) => i.number);
    expect(await byStatus('disputed')).toEqual([number]);
    expect(await byStatus('unanswered')).toEqual([issued2.number]);
  });

  it('takes a correction with a reason, superseding the first answer, both kept', async () => {
    const corrected = await answerConfirmation({ ...ctx, clock: fixedClock('2026-07-20T04:00:00Z') }, number, { status: 'confirmed', answeredOn: '2026-07-20', correction: true, reason: '客户补收到 INV-3 后重新确认' }, undefined);
    expect(corrected.status).toBe('confirmed');
    expect(corrected.answers.map((a) => [a.status, a.current, a.reason])).toEqual([['disputed', false, null], ['confirmed', true, '客户补收到 INV-3 后重新确认']]);
    expect(corrected.answers[1]!.figures.map((f) => f.difference)).toEqual(['0.00', '0.00']);
    // Records stay as they were: the application's role may not change one, and not even the owner can.
    await expect(t.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE confirmation_answers SET status = 'confirmed'`))).rejects.toThrow(/permission denied/);
    await expect(t.db.system((sql) => sql.query(`UPDATE confirmation_answers SET status = 'confirmed'`))).rejects.toThrow(/append-only/);
    await expect(t.db.system((sql) => sql.query(`DELETE FROM confirmation_balances`))).rejects.toThrow(/append-only/);
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY occurred_at, id`, [number]));
    expect(audit.map((a) => a.action)).toEqual(['confirmation.issue', 'confirmation.answer', 'confirmation.answer.correct']);
  });

  it('emails a reminder with the letter attached and logs it on the confirmation', async () => {
    const send = await sendConfirmation(ctx, number, {}, undefined, mail);
    expect(send).toMatchObject({ status: 'sent', kind: 'confirmation', recipient: 'billing@c1.example.cn', confirmation: number });
    const attachment = attachmentOf(received.at(-1)!.raw);
    expect(attachment.filename).toBe(`${number}.pdf`);
    expect((await pdfText(attachment.content))[0]).toContain('2,600.00');
    const detail = await t.db.tenant(ctx.tenant.id, (sql) => getConfirmation(ctx, sql, number));
    expect(detail.sends).toBe(1);
    expect(detail.sendLog[0]!.messageId).toBe(send.messageId);
  });
});

describe('through the API', () => {
  it('serves the statement as JSON, PDF and XLSX, confirmations to whom may see them, and hides other collectors\' customers', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const get = (url: string, token = admin) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const json = await get('/api/v1/customers/C1/statement?from=2026-04-01&to=2026-04-30');
      expect(json.statusCode).toBe(200);
      expect(json.json().sections[0].closing).toBe('2600.00');
      const pdf = await get('/api/v1/customers/C1/statement?from=2026-04-01&to=2026-04-30&format=pdf&lang=en');
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toBe('attachment; filename="statement-C1-2026-04-01-2026-04-30.pdf"');
      expect((await pdfText(pdf.rawPayload))[0]).toContain('Statement of account');
      const xlsx = await get('/api/v1/customers/C1/statement?from=2026-04-01&to=2026-04-30&format=xlsx');
      expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
      const bad = await get('/api/v1/customers/C1/statement?from=2026-04-30&to=2026-04-01');
      expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_PERIOD']);
      // The letterhead and the statement day: read by whoever reads the company, changed by an administrator.
      const put = (body: Record<string, unknown>, token = admin) => app.inject({ method: 'PUT', url: '/api/v1/company/statement-settings', headers: { authorization: `Bearer ${token}` }, payload: body });
      const tooLate = await put({ statementDay: 29 });
      expect([tooLate.statusCode, tooLate.json().details[0].field]).toEqual([400, 'body.statementDay']);
      expect((await put({ address: '上海市浦东新区世纪大道 100 号', statementDay: 5 })).json()).toEqual({ address: '上海市浦东新区世纪大道 100 号', statementDay: 5 });
      expect((await get('/api/v1/company/statement-settings', await adminToken(ctx, 'viewer'))).json()).toEqual({ address: '上海市浦东新区世纪大道 100 号', statementDay: 5 });
      expect((await put({ statementDay: null }, await adminToken(ctx, 'finance_manager'))).statusCode).toBe(403);
      const list = await get('/api/v1/confirmations?status=confirmed');
      expect(list.json().items.map((i: { customer: string }) => i.customer)).toEqual(['C1']);
      const letter = await get('/api/v1/confirmations/BC-2026-000001/pdf');
      expect(letter.headers['content-disposition']).toBe('attachment; filename="BC-2026-000001.pdf"');
      // A collector who owns no customer: C1 is not found, as if it did not exist.
      const { user } = await createUser(ctx, { email: 'wang@acme.example', name: 'Wang', role: 'collector', handle: 'wang', password: 'a long test password' });
      const { token } = await createApiToken(ctx, { tenantId: ctx.tenant.id, userId: user.id, actor: user.email, name: user.name, role: 'collector', handle: 'wang', via: 'session' }, { name: 'wang', role: 'collector' });
      expect((await get('/api/v1/customers/C1/statement', token)).statusCode).toBe(404);
      // A collector (by API token here: a token has no handle, so it sees no customer) may not issue confirmations.
      expect((await app.inject({ method: 'POST', url: '/api/v1/confirmations', headers: { authorization: `Bearer ${token}` }, payload: { customer: 'C1' } })).statusCode).toBe(403);
      // Sending follows the customer scope: a collector sends their own customers' statements, not another's.
      const collector = (handle: string) => ({ ...ctx, actor: `${handle}@acme.example`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.example`, name: handle, role: 'collector' as const, handle, via: 'session' as const } });
      await expect(requestStatementSend(collector('wang'), 'C1', { from: '2026-04-01', to: '2026-04-30' }, undefined, mail)).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
      const sent = await requestStatementSend(collector('zhao'), 'C1', { from: '2026-04-01', to: '2026-04-30' }, undefined, mail);
      expect([sent.status, sent.requestedBy]).toEqual(['sent', 'zhao@acme.example']);
    } finally {
      await app.close();
    }
  });
});

describe('from the command line', () => {
  const cli = (argv: string[], env: Record<string, string> = {}) => cliRunner(t.db, CLOCK, 'ACME')(argv, env);

  it('prints the statement, writes it to a file, emails it, and works the confirmations', async () => {
    const shown = await cli(['statement', '--customer', 'C1', '--from', '2026-04-01', '--to', '2026-04-30']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('CNY: opening 600.00, debits 3300.00, credits 1300.00, closing 2600.00');
    const json = await cli(['statement', '--customer', 'C1', '--from', '2026-04-01', '--to', '2026-04-30', '--format', 'json']);
    expect(JSON.parse(json.out).sections[1].closing).toBe('100.00');
    const file = path.join(os.tmpdir(), `statement-${process.pid}.pdf`);
    expect((await cli(['statement', '--customer', 'C1', '--from', '2026-04-01', '--to', '2026-04-30', '--out', file, '--lang', 'en'])).code).toBe(0);
    expect((await pdfText(fs.readFileSync(file)))[0]).toContain('Closing balance');
    fs.rmSync(file);
    const before = received.length;
    const sent = await cli(['statement', '--customer', 'C1', '--from', '2026-04-01', '--to', '2026-04-30', '--send', '--email', 'cli@c1.example.cn'], { ARFLOW_SMTP_URL: smtpUrl });
    expect(sent.out).toContain('sent to cli@c1.example.cn');
    expect(received.length).toBe(before + 1);
    const noSmtp = await cli(['statement', '--customer', 'C1', '--send']);
    expect([noSmtp.code, noSmtp.err]).toEqual([1, expect.stringContaining('ARFLOW_SMTP_URL')]);
    const issued = await cli(['confirmations', 'issue', '--customer', 'C1', '--as-of', '2026-03-31', '--format', 'json']);
    // At 03-31: INV-1 1,000.00 − PAY-1 400.00 = 600.00 (the April statement's opening).
    const c = JSON.parse(issued.out);
    expect(c.balances).toEqual([{ currency: 'CNY', balance: '600.00' }]);
    const answered = await cli(['confirmations', 'answer', c.number, '--status', 'disputed', '--their', 'CNY=650.00', '--difference', 'INV-9:50.00:their invoice we do not have']);
    expect(answered.out).toContain('CNY theirs 650.00, ours 600.00, difference 50.00');
    expect((await cli(['confirmations', 'list', '--status', 'disputed'])).out).toContain(c.number);
  });
});
