/**
 * The demo company's payment plans, escalation cases and collector targets (issue 6):
 * - collector@ (赵敏) agreed a plan with one of her customers 70 days ago: a down payment and three monthly
 *   installments with 4.35% interest; the down payment and the first installment were paid, the second (10 days ago)
 *   was not, so the plan shows a missed installment and the alert rule raises it;
 * - a plan agreed 20 days ago in good standing (down payment paid, the first installment still to come);
 * - a plan agreed 50 days ago and renegotiated 15 days ago (two versions, with the history);
 * - credit@ handed a long-overdue customer over to 信达商账 (15% commission) 40 days ago; the agency remitted part of it
 *   10 days ago (a payment posted and applied to the case's items); and took another customer to court 5 days ago
 *   (a legal case with the court fee recorded);
 * - finance@ set this month's and last month's targets for every collector.
 */
import type { Database } from '../db/database.ts';
import { addDays, addMonths, type LocalDate } from '../domain/dates.ts';
import { formatAmount } from '../domain/money.ts';
import type { Context } from '../modules/context.ts';
import { openCase, recordCost, recordRecovery, saveAgency } from '../modules/escalation/index.ts';
import { postDocument } from '../modules/ledger/index.ts';
import { createPlan, renegotiatePlan } from '../modules/payment-plans/index.ts';
import { setTarget } from '../modules/targets/index.ts';
import { tenantToday } from '../modules/tenants/index.ts';

type As = (email: string, hoursAgo: number) => Context;
const DAY = 24;

interface Candidate { customer: string; collector: string | null; number: string; dueDate: LocalDate; openMinor: bigint }

export async function seedPlans(db: Database, ctx: Context, as: As): Promise<void> {
  const tenantId = ctx.tenant.id;
  const today = tenantToday(ctx.tenant, ctx.clock);
  // Customers with CNY invoices overdue more than 75 days, open in full in the period the demo plays out (nothing
  // applied since 75 days ago), in no dispute and no promise: one invoice each, largest first.
  const candidates = await db.tenant(tenantId, (sql) => sql.query<Candidate>(
    `SELECT DISTINCT ON (c.code) c.code AS customer, c.collector, d.number, b.due_date::text AS "dueDate", b.open_minor AS "openMinor"
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
       JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
      WHERE b.tenant_id = $1 AND b.side = 'debit' AND d.kind = 'invoice' AND b.currency = 'CNY' AND i.seq = 1 AND b.open_minor >= 1000000
        AND b.due_date < $2 AND c.status <> 'inactive'
        AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.tenant_id = b.tenant_id AND a.debit_item_id = b.item_id AND a.allocation_date >= $2)
        AND NOT EXISTS (SELECT 1 FROM dispute_items di WHERE di.tenant_id = b.tenant_id AND di.item_id = b.item_id)
        AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.tenant_id = b.tenant_id AND p.customer_id = c.id AND p.status = 'open')
      ORDER BY c.code, b.open_minor DESC`, [tenantId, addDays(today, -75)]));
  const byOpen = [...candidates].sort((a, b) => (a.openMinor > b.openMinor ? -1 : a.openMinor < b.openMinor ? 1 : a.customer < b.customer ? -1 : 1));
  const used = new Set<string>();
  const take = (filter: (c: Candidate) => boolean) => {
    const c = byOpen.find((x) => !used.has(x.customer) && filter(x));
    if (c) used.add(c.customer);
    return c;
  };
  // The collector makes plans for her own customers; the credit manager for the others.
  const maker = (c: Candidate) => (hoursAgo: number) => as(c.collector === '赵敏' ? 'collector@demo.example' : 'credit@demo.example', hoursAgo);
  const credit = (hoursAgo: number) => as('credit@demo.example', hoursAgo);
  const pay = async (customer: string, number: string, date: LocalDate, amount: string, hoursAgo: number) => {
    await postDocument(as('finance@demo.example', hoursAgo), { kind: 'payment', customer, documentDate: date, amount, appliesTo: [{ document: number, amount }], memo: '分期还款' });
  };

  // 1. Missed: agreed 70 days ago; down payment 20% on the day, 3 monthly installments from 40 days ago at 4.35% a year.
  const missed = take((c) => c.collector === '赵敏') ?? take(() => true);
  if (missed) {
    const start = addDays(today, -70);
    const down = formatAmount((missed.openMinor * 20n) / 100n, 'CNY');
    const plan = await createPlan(maker(missed)(70 * DAY), {
      customer: missed.customer, items: [{ document: missed.number }], downPayment: down, installments: 3, firstDate: addDays(today, -40), interestRate: '4.35',
      note: '客户资金紧张，经财务经理同意分三期偿还',
    });
    await pay(missed.customer, missed.number, start, down, 70 * DAY - 4);
    const first = plan.installments.find((i) => i.seq === 1)!;
    await pay(missed.customer, missed.number, addDays(first.dueDate, 1), first.amount, 39 * DAY);
  }
  // 2. In good standing: agreed 20 days ago, 10% down, 4 installments from 10 days ahead, no interest.
  const good = take((c) => c.collector === '赵敏') ?? take(() => true);
  if (good) {
    const down = formatAmount((good.openMinor * 10n) / 100n, 'CNY');
    await createPlan(maker(good)(20 * DAY), { customer: good.customer, items: [{ document: good.number }], downPayment: down, installments: 4, firstDate: addDays(today, 10), note: '按月等额还款' });
    await pay(good.customer, good.number, addDays(today, -20), down, 20 * DAY - 3);
  }
  // 3. Renegotiated: agreed 50 days ago in 2 installments; 15 days ago the customer asked for 4 smaller ones and a fee.
  const reneg = take(() => true);
  if (reneg) {
    const plan = await createPlan(credit(50 * DAY), { customer: reneg.customer, items: [{ document: reneg.number }], installments: 2, firstDate: addDays(today, -20) });
    await renegotiatePlan(credit(15 * DAY), plan.number, { installments: 4, firstDate: addDays(today, 15), fee: '500.00', reason: '客户主要下游客户延迟回款，申请延长至四期' });
  }

  // Escalation: the agencies; the largest remaining long-overdue customer to the agency, the next to court.
  await saveAgency(credit(60 * DAY), { code: 'XD', name: '信达商账管理有限公司', kind: 'agency', commissionRate: '15.00', contact: '刘经理', phone: '021-6555-0101', email: 'liu@xinda.example' });
  await saveAgency(credit(60 * DAY), { code: 'JT', name: '金通律师事务所', kind: 'law_firm', commissionRate: '8.00', contact: '陈律师', phone: '010-8555-0202' });
  const toAgency = take(() => true);
  if (toAgency) {
    const c = await openCase(credit(40 * DAY), { customer: toAgency.customer, kind: 'agency', agency: 'XD', documents: [toAgency.number], note: '多次催收无果，移交信达商账' });
    const recovered = formatAmount(((toAgency.openMinor * 40n) / 100n / 100n) * 100n, 'CNY');
    await recordRecovery(credit(10 * DAY), c.id, { amount: recovered, reference: 'XD-2026-0317', note: '信达首笔回款' });
  }
  const toCourt = take(() => true);
  if (toCourt) {
    const c = await openCase(credit(5 * DAY), { customer: toCourt.customer, kind: 'legal', agency: 'JT', lawyer: '陈律师', documents: [toCourt.number], note: '已发律师函未回复，提起诉讼' });
    await recordCost(credit(4 * DAY), c.id, { amount: '3850.00', description: '法院诉讼费' });
  }

  // Targets: this month and last, per collector: last month's cash collected rounded up to 10,000.00, plus 10%.
  const months = [addMonths(`${today.slice(0, 7)}-01`, -1), `${today.slice(0, 7)}-01`];
  const collected = await db.tenant(tenantId, (sql) => sql.query<{ collector: string; collected: string }>(
    `SELECT c.collector, coalesce(sum(a.amount_minor), 0)::text AS collected FROM customers c
       LEFT JOIN allocations a ON a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.allocation_date >= $2 AND a.allocation_date < $3
        AND EXISTS (SELECT 1 FROM item_balances cr WHERE cr.tenant_id = a.tenant_id AND cr.item_id = a.credit_item_id AND cr.kind IN ('payment', 'advance'))
        AND EXISTS (SELECT 1 FROM item_balances dr WHERE dr.tenant_id = a.tenant_id AND dr.item_id = a.debit_item_id AND dr.currency = 'CNY')
      WHERE c.tenant_id = $1 AND c.collector IS NOT NULL GROUP BY c.collector ORDER BY c.collector`, [tenantId, months[0], months[1]]));
  const finance = as('finance@demo.example', 12 * DAY);
  for (const row of collected) {
    const base = BigInt(row.collected) * 11n / 10n;
    const target = ((base + 999_999n) / 1_000_000n) * 1_000_000n || 1_000_000n;
    for (const month of months) await setTarget(finance, { collector: row.collector, month: month.slice(0, 7), collected: formatAmount(target, 'CNY'), cei: '85.00' });
  }
}
