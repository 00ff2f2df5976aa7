/**
 * Dunning on a real database (both engines): strategies, templates, runs over a sequence of dates, the outbox, the
 * fee documents in the ledger, and delivery (a real SMTP server on loopback, an HTTP SMS provider on loopback), with a
 * crash injected between a send and its record. Every figure is worked out by hand below.
 *
 * Company ACME (CNY, Asia/Shanghai), late interest 12% a year.
 * Strategy `standard` (the default): 1: −3 email · 2: +7 email · 3: +21 SMS with interest · 4: +35 final notice with a
 * 50.00 CNY fee and interest · 5: +50 call. Strategy `key` (segment key_account): 1: +10 email · 2: +30 call.
 *   A  INV-A  10,000.00 due 03-10; English contact with email.
 *   B  INV-B  20,000.00 due 03-10; segment key_account, collector wang.
 *   C  INV-C   5,000.00 due 03-10; marked do-not-dun.
 *   D  INV-D1  8,000.00 due 03-10, disputed (raised 03-15); INV-D2 3,000.00 due 03-10.
 *   E  INV-E   4,000.00 due 03-10; promise made 03-12 for 03-20, grace 3 → excluded until 03-23.
 *   F  INV-F   6,000.00 due 03-20; contact with email and phone.
 *
 * Run 03-17: A step 2 (+7; step 1 of 03-07 skipped), D step 2 for INV-D2 only, F step 1 (−3). B nothing yet (+10 is
 *   03-20). Skipped: C do-not-dun, INV-D1 disputed, INV-E promised. → 3 messages.
 * Run 03-17 again: nothing.
 * Run 04-15 (36 days after 03-10): A step 4 (step 3 of 03-31 missed: skipped), interest 1,000,000 × 12 × 36 / 36,500 =
 *   11,835.6 → 118.36, fee 50.00, total 10,168.36. B key step 2 (call, +30 = 04-09): a task. D step 4 for INV-D2:
 *   300,000 × 12 × 36 / 36,500 = 3,550.7 → 35.51. E (promise over) step 4: 400,000 × 12 × 36 / 36,500 = 4,734.2 →
 *   47.34. F step 3 (+21 = 04-10; +26 today) by SMS: 600,000 × 12 × 26 / 36,500 = 5,128.8 → 51.29.
 *   → 5 messages (1 task); charges: A fee + interest, D fee + interest, E fee + interest, F interest = 7 documents.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db/database.ts';
import { AppError } from '../src/domain/errors.ts';
import { recordPromise } from '../src/modules/collections/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { raiseDispute } from '../src/modules/disputes/index.ts';
import {
  completeTask, listOutbox, listRuns, getRun, previewTemplate, recordBounce, runDunning, saveStrategy, saveTemplate, setCustomerDunning, setDunningSettings,
} from '../src/modules/dunning/index.ts';
import { httpSmsProvider, smtpChannel } from '../src/modules/dunning/channels.ts';
import { letterOf, sendOutbox, type Channels } from '../src/modules/dunning/sender.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { createTerms } from '../src/modules/terms/index.ts';
import { cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, pdfText, type TestDatabase } from './support.ts';

const day = (date: string, time = '04:00:00') => fixedClock(`${date}T${time}Z`);
let t: TestDatabase;
let ctx: Context;
const on = (date: string, time?: string): Context => ({ ...ctx, clock: day(date, time) });
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));
const read = <T>(fn: (sql: import('../src/db/database.ts').Sql) => Promise<T>) => t.db.tenant(ctx.tenant.id, fn);

const received: { to: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const smsRequests: { key: string; to: string; text: string }[] = [];
const smsDelivered = new Map<string, string>();
let smsServer: http.Server;
let smsUrl = '';

const EN_REMIND = 'Dear {{contact.name}},\n{{#items}}{{document}} due {{dueDate}}: {{currency}} {{open}} ({{daysOverdue}} days)\n{{/items}}{{#totals}}Total {{currency}} {{total}}\n{{/totals}}Please pay to {{bank.name}} {{bank.account}}.';
const EN_FINAL = 'Final notice to {{customer.name}}.\n{{#items}}{{document}}: {{open}} + interest {{interest}} ({{daysOverdue}} days overdue)\n{{/items}}{{#hasFee}}Fee: {{fee}}\n{{/hasFee}}{{#totals}}Total due {{currency}} {{total}}\n{{/totals}}';

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'ACME' }), day('2026-02-01'));
  await setDunningSettings(ctx, { interestRatePercent: '12', bankName: 'ICBC Shanghai', bankAccount: '1001 2002 3003' });
  await saveTemplate(ctx, { key: 'remind', language: 'en', subject: 'Payment reminder {{reference}}', body: EN_REMIND });
  await saveTemplate(ctx, { key: 'remind', language: 'zh-CN', subject: '付款提醒 {{reference}}', body: '{{contact.name}}您好：{{#items}}{{document}} 到期 {{dueDate}} 未付 {{open}}；{{/items}}{{#totals}}合计 {{currency}} {{total}}{{/totals}}' });
  await saveTemplate(ctx, { key: 'final', language: 'en', subject: 'Final notice {{reference}}', body: EN_FINAL });
  await saveTemplate(ctx, { key: 'final', language: 'zh-CN', subject: '最后催款通知 {{reference}}', body: '{{customer.name}}：{{#totals}}应付合计 {{currency}} {{total}}{{/totals}}' });
  await saveTemplate(ctx, { key: 'sms', language: 'zh-CN', subject: '', body: '【ACME】{{customer.name}}逾期 {{#totals}}{{currency}} {{total}}{{/totals}}，请尽快付款。' });
  await saveTemplate(ctx, { key: 'call', language: 'zh-CN', subject: '电话催收 {{customer.name}}', body: '{{#items}}{{document}} {{open}}；{{/items}}' });
  await saveStrategy(ctx, {
    code: 'standard', name: 'Standard', isDefault: true, priority: 100, minAmount: '100.00',
    steps: [
      { offsetDays: -3, channel: 'email', templateKey: 'remind' },
      { offsetDays: 7, channel: 'email', templateKey: 'remind' },
      { offsetDays: 21, channel: 'sms', templateKey: 'sms', lateInterest: true },
      { offsetDays: 35, channel: 'final_notice', templateKey: 'final', fee: '50.00', feeCurrency: 'CNY', lateInterest: true },
      { offsetDays: 50, channel: 'call_task', templateKey: 'call' },
    ],
  });
  await saveStrategy(ctx, {
    code: 'key', name: 'Key accounts', priority: 1, match: { segment: 'key_account' },
    steps: [{ offsetDays: 10, channel: 'email', templateKey: 'remind' }, { offsetDays: 30, channel: 'call_task', templateKey: 'call' }],
  });
  const contact = (name: string, extra: object = {}) => [{ name, email: `${name.toLowerCase()}@example.com`, isPrimary: true, ...extra }];
  await createCustomer(ctx, { code: 'A', name: 'Alpha Ltd', address: '1 Harbour Road\nHong Kong', contacts: contact('Alice', { language: 'en' }) });
  await createCustomer(ctx, { code: 'B', name: 'Beta 公司', segment: 'key_account', collector: 'wang', contacts: contact('Bo') });
  await createCustomer(ctx, { code: 'C', name: 'Gamma', contacts: contact('Cai') });
  await createCustomer(ctx, { code: 'D', name: 'Delta', contacts: contact('Du') });
  await createCustomer(ctx, { code: 'E', name: 'Epsilon', contacts: contact('Er') });
  await createCustomer(ctx, { code: 'F', name: 'Foxtrot', contacts: contact('Fang', { phone: '+86 138 0000 0000' }) });
  await setCustomerDunning(ctx, { customer: 'C', doNotDun: true, note: 'parent company guarantee' });
  for (const [number, customer, dueDate, amount] of [
    ['INV-A', 'A', '2026-03-10', '10000.00'], ['INV-B', 'B', '2026-03-10', '20000.00'], ['INV-C', 'C', '2026-03-10', '5000.00'],
    ['INV-D1', 'D', '2026-03-10', '8000.00'], ['INV-D2', 'D', '2026-03-10', '3000.00'], ['INV-E', 'E', '2026-03-10', '4000.00'], ['INV-F', 'F', '2026-03-20', '6000.00'],
  ] as const) await postDocument(ctx, { kind: 'invoice', number, customer, documentDate: '2026-02-08', dueDate, amount });
  await recordPromise(on('2026-03-12'), { customer: 'E', amount: '4000.00', promisedDate: '2026-03-20', graceDays: 3 });
  await raiseDispute(on('2026-03-15'), { customer: 'D', reason: 'quality', ownerTeam: 'sales', items: [{ document: 'INV-D1', amount: '8000.00' }] });

  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
      stream.on('end', () => { received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw }); callback(); });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  // An SMS provider as real ones behave: a repeated Idempotency-Key is answered with the first message's id, not sent again.
  smsServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const parsed = JSON.parse(body) as { to: string; text: string };
      smsRequests.push({ key, ...parsed });
      if (!smsDelivered.has(key)) smsDelivered.set(key, `sms-${smsDelivered.size + 1}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: smsDelivered.get(key) }));
    });
  });
  await new Promise<void>((resolve) => smsServer.listen(0, '127.0.0.1', resolve));
  smsUrl = `http://127.0.0.1:${(smsServer.address() as AddressInfo).port}/send`;
}, 120_000);
afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (smsServer ? smsServer.close(() => resolve()) : resolve()));
  await t?.drop();
});

const channels = (): Channels => ({
  email: smtpChannel({ transport: `smtp://127.0.0.1:${smtpPort}`, from: 'ACME AR <ar@acme.example>' }, { host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }),
  sms: httpSmsProvider(smsUrl),
});
const summary = async () => (await read((sql) => listOutbox(ctx, sql, { limit: 200 }))).rows.map((m) => `${m.asOf} ${m.customer} ${m.stepSeq} ${m.channel} ${m.status}`).sort();

describe('dunning runs', () => {
  it('on 03-17 sends the steps now due, skipping do-not-dun, disputed and promised items', async () => {
    const r = await runDunning(on('2026-03-17'), {});
    expect(r).toMatchObject({ asOf: '2026-03-17', dryRun: false, messages: 3, tasks: 0, items: 3, alreadySent: 0, feeDocuments: [] });
    expect(r.skipped).toMatchObject({ do_not_dun: 1, disputed: 1, promise: 1, payment_plan: 0 });
    expect(r.preview.map((m) => `${m.customer} ${m.stepSeq} ${m.items.map((i) => i.document).join('+')}`)).toEqual(['A 2 INV-A', 'D 2 INV-D2', 'F 1 INV-F']);
    const a = r.preview[0]!;
    expect(a.language).toBe('en');
    expect(a.subject).toBe('Payment reminder DUN-20260317-A-2');
    expect(a.body).toBe('Dear Alice,\nINV-A due 2026-03-10: CNY 10,000.00 (7 days)\nTotal CNY 10,000.00\nPlease pay to ICBC Shanghai 1001 2002 3003.');
    expect(r.preview[2]!.body).toBe('Fang您好：INV-F 到期 2026-03-20 未付 6,000.00；合计 CNY 6,000.00');
  });

  it('a second run the same day sends nothing twice', async () => {
    const r = await runDunning(on('2026-03-17', '09:00:00'), {});
    expect(r).toMatchObject({ messages: 0, items: 0 });
    expect(await summary()).toEqual(['2026-03-17 A 2 email queued', '2026-03-17 D 2 email queued', '2026-03-17 F 1 email queued']);
  });

  it('a dry run at 04-15 shows what would go (the step now due after missed days, interest, fee) and writes nothing', async () => {
    const r = await runDunning(on('2026-03-17'), { asOf: '2026-04-15', dryRun: true });
    expect(r).toMatchObject({ runId: null, dryRun: true, messages: 5, tasks: 1 });
    expect(r.preview.map((m) => `${m.customer} ${m.stepSeq} ${m.channel}`)).toEqual(['A 4 final_notice', 'B 2 call_task', 'D 4 final_notice', 'E 4 final_notice', 'F 3 sms']);
    expect(r.preview[0]!.totals).toEqual([{ currency: 'CNY', open: '10,000.00', interest: '118.36', fee: '50.00', total: '10,168.36' }]);
    expect(r.preview[0]!.body).toBe('Final notice to Alpha Ltd.\nINV-A: 10,000.00 + interest 118.36 (36 days overdue)\nFee: 50.00\nTotal due CNY 10,168.36\n');
    expect(r.preview.map((m) => m.totals[0]!.interest)).toEqual(['118.36', '0.00', '35.51', '47.34', '51.29']);
    expect(await summary()).toHaveLength(3);
    expect(await codeOf(runDunning(on('2026-03-17'), { asOf: '2026-04-15' }))).toBe('invalid DUNNING_RUN_IN_FUTURE');
    // Planned in slices of two customers (the run's memory bound), the answer is the same.
    expect(await runDunning(on('2026-03-17'), { asOf: '2026-04-15', dryRun: true }, undefined, { sliceCustomers: 2 })).toEqual(r);
  });

  it('the real run on 04-15 writes the outbox, the item steps and the fee and interest documents, once', async () => {
    // In slices of two customers: A+B, C+D, E+F (one transaction all the same).
    const r = await runDunning(on('2026-04-15'), {}, undefined, { sliceCustomers: 2 });
    expect(r).toMatchObject({ messages: 5, tasks: 1, items: 5 });
    expect(r.feeDocuments).toHaveLength(7);
    const charges = await read((sql) => sql.query<{ customer: string; amount: string; memo: string }>(
      `SELECT c.code AS customer, (d.amount_minor)::text AS amount, d.memo FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
        WHERE d.tenant_id = $1 AND d.kind = 'charge' AND d.source_system = 'dunning' ORDER BY c.code, d.amount_minor`, [ctx.tenant.id]));
    expect(charges.map((c) => `${c.customer} ${c.amount}`)).toEqual(['A 5000', 'A 11836', 'D 3551', 'D 5000', 'E 4734', 'E 5000', 'F 5129']);
    // A owes 10,000.00 + 50.00 + 118.36 = 10,168.36 now.
    const [open] = await read((sql) => sql.query<{ open: string }>(`SELECT sum(open_minor)::text AS open FROM item_balances b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id WHERE b.tenant_id = $1 AND c.code = 'A'`, [ctx.tenant.id]));
    expect(open!.open).toBe('1016836');
    const steps = await read((sql) => sql.query<{ seq: number; status: string }>(
      `SELECT x.seq, x.status FROM dunning_item_steps s JOIN items i ON i.tenant_id = s.tenant_id AND i.id = s.item_id
         JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
         CROSS JOIN LATERAL (SELECT s.step_seq AS seq, 'reached' AS status UNION ALL SELECT unnest(s.skipped_seqs), 'skipped') x
        WHERE s.tenant_id = $1 AND d.number = 'INV-A' ORDER BY x.seq`, [ctx.tenant.id]));
    expect(steps.map((s) => `${s.seq} ${s.status}`)).toEqual(['1 skipped', '2 reached', '3 skipped', '4 reached']);
    // Again the same day: nothing new, no second fee.
    const again = await runDunning(on('2026-04-15', '10:00:00'), {});
    expect(again).toMatchObject({ messages: 0, feeDocuments: [] });
    const runs = await read((sql) => listRuns(ctx, sql));
    expect(runs.map((x) => `${x.asOf} ${x.messages} ${x.tasks} ${x.fees}`)).toEqual(['2026-04-15 0 0 0', '2026-04-15 4 1 7', '2026-03-17 0 0 0', '2026-03-17 3 0 0']);
    const run = await read((sql) => getRun(ctx, sql, runs[1]!.id));
    expect(run.outbox).toHaveLength(5);
    // A's final notice lists INV-A as a letter prints it: 36 days after 03-10, interest from the due date (never charged
    // before), no early-payment discount. The outbox keeps the empty discount fields out; they read back all the same.
    const a = run.outbox.find((m) => m.customer === 'A')!;
    expect(a.items).toEqual([{ document: 'INV-A', installment: 1, dueDate: '2026-03-10', daysOverdue: 36, currency: 'CNY', open: '10,000.00', interest: '118.36',
      interestFrom: '2026-03-10', itemId: expect.stringMatching(/^[0-9a-f-]{36}$/), hasDiscount: false, discount: '', discountUntil: '', payWithDiscount: '' }]);
    const [stored] = await read((sql) => sql.query<{ keys: string[] }>(`SELECT ARRAY(SELECT jsonb_object_keys(items->0) ORDER BY 1) AS keys FROM dunning_outbox WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, a.id]));
    expect(stored!.keys).toEqual(['currency', 'daysOverdue', 'document', 'dueDate', 'installment', 'interest', 'interestFrom', 'itemId', 'open']);
  });

  it('a collector sees their own customers\' messages, and marks the call task done', async () => {
    const wang: Context = { ...ctx, clock: day('2026-04-15'), actor: 'wang@acme.cn', principal: { tenantId: ctx.tenant.id, userId: null, actor: 'wang@acme.cn', name: 'wang', role: 'collector', handle: 'wang', via: 'session' } };
    const mine = await read((sql) => listOutbox(wang, sql, {}));
    expect(mine.rows.map((m) => `${m.customer} ${m.channel} ${m.status} ${m.recipient}`)).toEqual(['B call_task task wang']);
    const done = await completeTask(wang, mine.rows[0]!.id);
    expect(done.status).toBe('done');
    expect(await codeOf(completeTask(wang, mine.rows[0]!.id))).toBe('conflict DUNNING_NOT_A_TASK');
  });
});

describe('delivery', () => {
  it('emails over SMTP with the stable Message-ID; the final notice carries its PDF; a crash after an SMS is sent does not send it twice', async () => {
    const smsId = (await read((sql) => listOutbox(ctx, sql, { channel: 'sms' }))).rows[0]!.id;
    // The crash: the SMS went out, then the process died before recording it.
    await expect(sendOutbox(t.db, day('2026-04-15', '05:00:00'), ctx.tenant, channels(), {
      afterSend: (id) => { if (id === smsId) throw new Error('crash after send'); },
    })).rejects.toThrow('crash after send');
    expect(smsRequests).toHaveLength(1);
    expect(await summary()).toContain('2026-04-15 F 3 sms sending');
    // Still claimed: a sender running now leaves it alone.
    expect(await sendOutbox(t.db, day('2026-04-15', '05:05:00'), ctx.tenant, channels())).toEqual({ claimed: 0, sent: 0, failed: 0 });
    // After the claim timeout (10 minutes) it is claimed again and re-sent with the same key: the provider drops the repeat.
    expect(await sendOutbox(t.db, day('2026-04-15', '05:11:00'), ctx.tenant, channels())).toEqual({ claimed: 1, sent: 1, failed: 0 });
    expect(smsRequests.map((r) => r.key)).toEqual([smsId, smsId]);
    expect(smsDelivered.size).toBe(1);
    expect(smsRequests[0]!.text).toBe('【ACME】Foxtrot逾期 CNY 6,051.29，请尽快付款。');
    const sms = (await read((sql) => listOutbox(ctx, sql, { channel: 'sms' }))).rows[0]!;
    expect(sms).toMatchObject({ status: 'sent', attempts: 2 });
    // Six emails: A, D, F on 03-17; A, D, E final notices on 04-15.
    expect(received).toHaveLength(6);
    const finalA = received.find((m) => m.raw.includes('Subject: Final notice DUN-20260415-A-4'))!;
    expect(finalA.to).toEqual(['alice@example.com']);
    expect(finalA.raw).toContain('Total due CNY 10,168.36');
    expect(finalA.raw).toContain('application/pdf');
    expect(finalA.raw).toMatch(/Message-ID: <dunning-[0-9a-f-]{36}@arflow>/);
    expect(await summary()).toEqual([
      '2026-03-17 A 2 email sent', '2026-03-17 D 2 email sent', '2026-03-17 F 1 email sent',
      '2026-04-15 A 4 final_notice sent', '2026-04-15 B 2 call_task done', '2026-04-15 D 4 final_notice sent', '2026-04-15 E 4 final_notice sent', '2026-04-15 F 3 sms sent',
    ]);
    expect(await sendOutbox(t.db, day('2026-04-15', '06:00:00'), ctx.tenant, channels())).toEqual({ claimed: 0, sent: 0, failed: 0 });
  });

  it('a failed send is retried with backoff; a letter prints as PDF', async () => {
    // 04-29 = 03-10 + 50: calls for A, D, E; F (due 03-20, +40) gets its final notice.
    const calls = await runDunning(on('2026-04-29'), {});
    expect(calls.preview.map((m) => `${m.customer} ${m.stepSeq} ${m.channel}`)).toEqual(['A 5 call_task', 'D 5 call_task', 'E 5 call_task', 'F 4 final_notice']);
    const pdf = await read(async (sql) => letterOf(ctx, sql, (await listOutbox(ctx, sql, { customer: 'A', channel: 'final_notice' })).rows[0]!.id));
    expect(pdf.filename).toBe('DUN-20260415-A-4.pdf');
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    // Addressed as a letter must be: the customer's postal address under its name, with the reference and date.
    const [letterText] = await pdfText(pdf.content);
    expect(letterText).toMatch(/Customer：Alpha Ltd \(A\).*Address：1 Harbour Road.*Hong Kong.*Reference：DUN-20260415-A-4/s);
    // The open call tasks are on the worklist, as a reason of their own (+15).
    const { collectorWorklist } = await import('../src/modules/worklist/index.ts');
    const list = await read((sql) => collectorWorklist(on('2026-04-29'), sql, { asOf: '2026-04-29' }));
    expect(list.rows.find((r) => r.customer === 'A')!.reasons.find((x) => x.code === 'dunning_task')).toEqual({
      code: 'dunning_task', points: 15, text: 'dunning call due since 2026-04-29', values: { channel: 'call_task', date: '2026-04-29' },
    });
    expect(list.rows.find((r) => r.customer === 'B')!.reasons.some((x) => x.code === 'dunning_task')).toBe(false); // B's was done
    // A message to an address the server refuses: failed, retried 5 minutes later.
    await saveTemplate(ctx, { key: 'remind', language: 'zh-CN', subject: '付款提醒 {{reference}}', body: '{{#items}}{{document}} {{open}}；{{/items}}' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-F2', customer: 'F', documentDate: '2026-04-01', dueDate: '2026-05-02', amount: '900.00' });
    await runDunning(on('2026-04-29'), {}); // F: INV-F2 step 1 (05-02 − 3 = 04-29)
    const broken: Channels = { email: { send: async () => { throw new Error('450 mailbox busy'); } }, sms: null };
    expect(await sendOutbox(t.db, day('2026-04-29', '05:00:00'), ctx.tenant, broken)).toEqual({ claimed: 2, sent: 0, failed: 2 });
    const failed = (await read((sql) => listOutbox(ctx, sql, { status: 'failed' }))).rows;
    expect(failed.map((m) => `${m.customer} ${m.stepSeq} ${m.attempts} ${m.error} ${m.nextAttemptAt}`).sort()).toEqual([
      'F 1 1 450 mailbox busy 2026-04-29T05:05:00.000Z', 'F 4 1 450 mailbox busy 2026-04-29T05:05:00.000Z',
    ]);
    expect(await sendOutbox(t.db, day('2026-04-29', '05:04:00'), ctx.tenant, channels())).toMatchObject({ claimed: 0 });
    expect(await sendOutbox(t.db, day('2026-04-29', '05:05:00'), ctx.tenant, channels())).toEqual({ claimed: 2, sent: 2, failed: 0 });
  });

  it('a bounce reported by the email\'s Message-ID marks the message bounced with the reason, once; other reports are refused', async () => {
    const sentA = (await read((sql) => listOutbox(ctx, sql, { customer: 'A', status: 'sent' }))).rows.find((m) => m.channel === 'email')!;
    expect(sentA.messageId).toMatch(/^<dunning-[0-9a-f-]{36}@arflow>$/);
    // As a mail server's notice quotes it, without the angle brackets.
    const bounced = await recordBounce(ctx, { messageId: sentA.messageId!.slice(1, -1), reason: '550 5.1.1 mailbox unavailable' }, 'bounce-1');
    expect([bounced.id, bounced.status, bounced.error]).toEqual([sentA.id, 'bounced', '550 5.1.1 mailbox unavailable']);
    // The same report again (a webhook retried): the same answer, one audit entry.
    expect((await recordBounce(ctx, { messageId: sentA.messageId!, reason: '550 5.1.1 mailbox unavailable' })).status).toBe('bounced');
    const audits = await read((sql) => sql.query(`SELECT 1 FROM audit_log WHERE action = 'dunning.bounced' AND entity_id = $1`, [sentA.id]));
    expect(audits).toHaveLength(1);
    // A bounced message is not sent again.
    expect(await sendOutbox(t.db, day('2026-04-29', '06:00:00'), ctx.tenant, channels())).toMatchObject({ claimed: 0 });
    await expect(recordBounce(ctx, { messageId: '<nobody@elsewhere>', reason: 'x' })).rejects.toMatchObject({ code: 'DUNNING_MESSAGE_NOT_FOUND' });
    await expect(recordBounce(ctx, { reason: 'no id' })).rejects.toMatchObject({ details: [expect.objectContaining({ field: 'messageId' })] });
  });
});

describe('templates and strategies', () => {
  it('a template with an unknown variable is refused naming it; the preview renders sample figures escaped for HTML', async () => {
    expect(await codeOf(saveTemplate(ctx, { key: 'bad', language: 'en', subject: 'x', body: 'Hi {{customer.nmae}}' }))).toBe('invalid DUNNING_TEMPLATE_INVALID');
    const p = await read((sql) => previewTemplate(ctx, sql, { language: 'en', subject: 'To {{customer.name}}', body: '<b>{{customer.name}}</b> {{#totals}}{{total}}{{/totals}}', asOf: '2026-04-15' }));
    expect(p.subject).toBe('To Example Trading Co., Ltd.');
    // The template's own markup stays; the values are escaped (none here needs it).
    expect(p.html).toBe('<b>Example Trading Co., Ltd.</b> 12,668.36');
  });
  it('a strategy naming a template that does not exist, or with steps out of order, is refused', async () => {
    expect(await codeOf(saveStrategy(ctx, { code: 'x', name: 'X', steps: [{ offsetDays: 1, channel: 'email', templateKey: 'nope' }] }))).toBe('invalid DUNNING_TEMPLATE_MISSING');
    expect(await codeOf(saveStrategy(ctx, { code: 'x', name: 'X', steps: [{ offsetDays: 5, channel: 'email', templateKey: 'remind' }, { offsetDays: 5, channel: 'sms', templateKey: 'sms' }] }))).toBe('invalid DUNNING_STEPS_INVALID');
  });
});

describe('the daily job', () => {
  it('runs every company at its today, once (the key is the day)', async () => {
    const { runDailyDunning } = await import('../src/modules/dunning/index.ts');
    await runDailyDunning(t.db, day('2026-05-10'));
    await runDailyDunning(t.db, day('2026-05-10', '06:00:00'));
    const runs = (await read((sql) => listRuns(ctx, sql))).filter((r) => r.asOf === '2026-05-10');
    // 05-10 = 03-10 + 61: A, D, E are done. INV-F (03-20 + 51): F's call (+50), a task; INV-F2 (05-02 + 8): its step 2
    // email (+7). One run, replayed the second time.
    expect(runs.map((r) => `${r.createdBy} ${r.messages} ${r.tasks}`)).toEqual(['job:dunning.daily 1 1']);
  });
});

describe('the command line', () => {
  const run = (...argv: string[]) => cliRunner(t.db, day('2026-05-10'), 'ACME')(argv);
  it('arflow dunning run --dry-run --format json previews a date; strategies lists both', async () => {
    // 05-20 = INV-F2's due 05-02 + 18: nothing new (step 3 is +21 = 05-23); 05-23: INV-F2's SMS.
    const quiet = await run('--format', 'json', 'dunning', 'run', '--as-of', '2026-05-20', '--dry-run');
    expect(quiet.code, quiet.err).toBe(0);
    expect(JSON.parse(quiet.out)).toMatchObject({ dryRun: true, messages: 0 });
    const sms = await run('--format', 'json', 'dunning', 'run', '--as-of', '2026-05-23', '--dry-run');
    expect(JSON.parse(sms.out).preview.map((m: { customer: string; channel: string }) => `${m.customer} ${m.channel}`)).toEqual(['F sms']);
    const strategies = await run('dunning', 'strategies');
    expect(strategies.out).toMatch(/key\s+Key accounts\s+1/);
    expect(strategies.out).toContain('+35 final_notice fee 50.00 CNY +interest');
    const future = await run('dunning', 'run', '--as-of', '2026-05-23');
    expect(future.code).not.toBe(0);
    expect(future.err).toContain('asOf: 2026-05-23 is after today (2026-05-10)');
  });
});

describe('a run on a pool of one PostgreSQL connection', () => {
  // The run reads each slice on a second connection when one is free; with a pool of one there is none, and waiting
  // for it would never end: the run reads on its own connection instead.
  it.runIf(Boolean(process.env.DATABASE_URL))('reads on its own connection and writes the one message due (INV-F2\'s SMS on 05-23)', async () => {
    const single = await openPostgres(t.url!, 1);
    try {
      // 05-23 = INV-F2's due 05-02 + 21: step 3, the SMS; nothing else is newly due since the job's run on 05-10.
      const r = await runDunning({ ...ctx, db: single, clock: day('2026-05-23') }, {}, undefined, { sliceCustomers: 1 });
      expect(r).toMatchObject({ messages: 1, tasks: 0, items: 1, alreadySent: 0 });
      expect(r.preview.map((m) => `${m.customer} ${m.stepSeq} ${m.channel} ${m.items.map((i) => i.document).join('+')}`)).toEqual(['F 3 sms INV-F2']);
    } finally {
      await single.close();
    }
  });
});

describe('an early-payment discount in the outbox', () => {
  it('is kept with the item and reads back as rendered', async () => {
    // Its own company: invoice INV-K 10,000.00 of 04-01 on terms 2/10 net 30: due 05-01, 2% = 200.00 off if paid by
    // 04-01 + 10 = 04-11. One step, 30 days before the due date (04-01), an email; the run on 04-05 (−26 days) sends
    // it, offering 10,000.00 − 200.00 = 9,800.00 by 04-11.
    const k = contextFor(t.db, await makeTenant(t.db, { code: 'KAPPA' }), day('2026-04-05'));
    await saveTemplate(k, { key: 'early', language: 'zh-CN', subject: '{{reference}}', body: '{{#items}}{{document}} {{#hasDiscount}}{{discountUntil}} 前付 {{payWithDiscount}}{{/hasDiscount}}{{/items}}' });
    await saveStrategy(k, { code: 'early', name: 'Early', isDefault: true, steps: [{ offsetDays: -30, channel: 'email', templateKey: 'early' }] });
    await createTerms(k, { code: 'D2N30', net: '30', discount: '2/10' });
    await createCustomer(k, { code: 'K', name: 'Kappa', contacts: [{ name: 'Kai', email: 'kai@example.com', isPrimary: true }] });
    await postDocument(k, { kind: 'invoice', number: 'INV-K', customer: 'K', documentDate: '2026-04-01', amount: '10000.00', paymentTerms: 'D2N30' });
    const r = await runDunning(k, {});
    expect(r).toMatchObject({ messages: 1, items: 1 });
    const m = await t.db.tenant(k.tenant.id, (sql) => listOutbox(k, sql, {}));
    expect(m.rows[0]!.body).toBe('INV-K 2026-04-11 前付 9,800.00');
    expect(m.rows[0]!.items).toEqual([{ document: 'INV-K', installment: 1, dueDate: '2026-05-01', daysOverdue: -26, currency: 'CNY', open: '10,000.00', interest: '0.00',
      interestFrom: null, itemId: expect.stringMatching(/^[0-9a-f-]{36}$/), hasDiscount: true, discount: '200.00', discountUntil: '2026-04-11', payWithDiscount: '9,800.00' }]);
  });
});
