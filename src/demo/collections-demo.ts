/**
 * The demo company's collections work (issue 6, first part): disputes in each state (raised by the sales person and
 * the collector, moved on by the credit manager), promises to pay by the collector's customers (one kept by a payment
 * the ledger already holds, one broken, one still open), and the collector's calls on their timelines.
 */
import type { Database } from '../db/database.ts';
import { addDays, type LocalDate } from '../domain/dates.ts';
import { formatAmount } from '../domain/money.ts';
import { evaluatePromises, recordActivity, recordPromise } from '../modules/collections/index.ts';
import type { Context } from '../modules/context.ts';
import { raiseDispute, transitionDispute } from '../modules/disputes/index.ts';
import { tenantToday } from '../modules/tenants/index.ts';

type As = (email: string, hoursAgo: number) => Context;

interface OpenInvoice { customer: string; number: string; seq: number; openMinor: bigint; lastPaid: LocalDate | null }

const DAY = 24;

export async function seedCollections(db: Database, ctx: Context, as: As): Promise<void> {
  const tenantId = ctx.tenant.id;
  const today = tenantToday(ctx.tenant, ctx.clock);
  // Open CNY invoices dated at least 31 days ago (so they were open when the older disputes were raised), largest first,
  // not in a dispute already.
  const openOf = (field: 'collector' | 'salesperson', handle: string) => db.tenant(tenantId, (sql) => sql.query<OpenInvoice>(
    `SELECT c.code AS customer, d.number, i.seq, b.open_minor AS "openMinor",
            (SELECT max(a.allocation_date)::text FROM allocations a WHERE a.tenant_id = b.tenant_id AND a.debit_item_id = b.item_id) AS "lastPaid"
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
       JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
      WHERE b.tenant_id = $1 AND b.open_minor >= 100000 AND i.side = 'debit' AND d.kind = 'invoice' AND i.currency = 'CNY'
        AND d.document_date <= $2 AND c.${field} = $3
        -- Not one cash matching has already put in dispute (a customer's deduction: the bank demo).
        AND NOT EXISTS (SELECT 1 FROM dispute_items di JOIN disputes x ON x.tenant_id = di.tenant_id AND x.id = di.dispute_id
                         WHERE di.tenant_id = b.tenant_id AND di.item_id = b.item_id AND x.status IN ('open', 'investigating'))
      ORDER BY b.open_minor DESC, d.number LIMIT 12`, [tenantId, addDays(today, -31), handle]));
  const collectorItems = await openOf('collector', '赵敏');
  const salesItems = (await openOf('salesperson', '王磊')).filter((s) => !collectorItems.some((c) => c.number === s.number));
  const share = (item: OpenInvoice, percent: bigint) => formatAmount((item.openMinor * percent) / 100n, 'CNY');
  const collector = (hoursAgo: number) => as('collector@demo.example', hoursAgo);
  const credit = (hoursAgo: number) => as('credit@demo.example', hoursAgo);

  // Disputes. Open: the sales person's customer says the unit price is wrong (2 days ago).
  const [s1] = salesItems;
  if (s1) {
    await raiseDispute(as('sales@demo.example', 2 * DAY), {
      customer: s1.customer, reason: 'price', ownerTeam: 'sales', ownerUser: '王磊', items: [{ document: `invoice:${s1.number}`, installment: s1.seq, amount: share(s1, 15n) }],
      note: '客户称合同单价为 38 元，发票按 45 元开具',
    });
  }
  const [c1, c2, c3] = collectorItems;
  // Investigating and overdue: short delivery, raised 12 days ago, due 5 days ago; logistics is checking the waybills.
  if (c1) {
    const d = await raiseDispute(collector(12 * DAY), {
      customer: c1.customer, reason: 'quantity', ownerTeam: 'logistics', dueDate: addDays(today, -5),
      items: [{ document: `invoice:${c1.number}`, installment: c1.seq, amount: share(c1, 10n) }], note: '客户称到货少 2 箱，签收单注明短少',
    });
    await transitionDispute(credit(11 * DAY), d.id, { to: 'investigating', note: '已请物流部调取签收单和运单' });
  }
  // Rejected: a quality claim not borne out by the inspection report.
  if (c2) {
    const d = await raiseDispute(collector(30 * DAY), {
      customer: c2.customer, reason: 'quality', ownerTeam: 'logistics', dueDate: addDays(today, -16),
      items: [{ document: `invoice:${c2.number}`, installment: c2.seq, amount: share(c2, 20n) }], note: '客户称部分货物外包装破损',
    });
    await transitionDispute(credit(28 * DAY), d.id, { to: 'investigating', note: '已要求客户提供照片' });
    await transitionDispute(credit(20 * DAY), d.id, { to: 'rejected', note: '第三方验货报告显示货物完好，争议不成立' });
  }
  // Partly accepted: a tax invoice with the wrong rate on some lines; finance accepts part of it.
  if (c3) {
    const d = await raiseDispute(collector(25 * DAY), {
      customer: c3.customer, reason: 'tax_invoice_error', ownerTeam: 'finance', dueDate: addDays(today, -10),
      items: [{ document: `invoice:${c3.number}`, installment: c3.seq, amount: share(c3, 12n) }], note: '部分行次税率开错',
    });
    await transitionDispute(credit(24 * DAY), d.id, { to: 'investigating', note: '财务核对开票明细' });
    await transitionDispute(credit(18 * DAY), d.id, { to: 'partly_accepted', acceptedAmount: share(c3, 4n), note: '两行税率确有错误，其余无误；红字发票另开' });
  }

  // Promises to pay and calls. Kept: a customer of the collector who paid in the last month; the promise was made
  // five days before that payment, for its amount, and the payment came before the promised date.
  const [paid] = await db.tenant(tenantId, (sql) => sql.query<{ customer: string; date: LocalDate; amount: bigint }>(
    `SELECT c.code AS customer, a.allocation_date::text AS date, sum(a.amount_minor)::int8 AS amount
       FROM allocations a JOIN item_balances cr ON cr.tenant_id = a.tenant_id AND cr.item_id = a.credit_item_id AND cr.kind = 'payment'
       JOIN item_balances dr ON dr.tenant_id = a.tenant_id AND dr.item_id = a.debit_item_id AND dr.currency = 'CNY'
       JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id AND c.collector = '赵敏'
      WHERE a.tenant_id = $1 AND a.allocation_date BETWEEN $2 AND $3 AND a.reverses_allocation_id IS NULL
      GROUP BY c.code, a.allocation_date ORDER BY a.allocation_date DESC, c.code LIMIT 1`, [tenantId, addDays(today, -30), addDays(today, -6)]));
  if (paid) {
    const madeDaysAgo = Math.round((Date.parse(today) - Date.parse(paid.date)) / 86_400_000) + 5;
    await recordActivity(collector(madeDaysAgo * DAY), { customer: paid.customer, outcome: 'no_answer', note: '财务电话无人接听' });
    const p = await recordPromise(collector(madeDaysAgo * DAY - 2), { customer: paid.customer, amount: formatAmount(BigInt(paid.amount), 'CNY'), promisedDate: addDays(paid.date, 2), note: '财务主管承诺本周内付款' });
    await recordActivity(collector(madeDaysAgo * DAY - 3), { customer: paid.customer, channel: 'phone', outcome: 'promised', contact: '财务主管', promiseId: p.id, followUpOn: addDays(paid.date, 3) });
  }
  // Broken: a customer with nothing paid lately promised 12 days ago to pay 8 days ago (grace 3: until 5 days ago).
  // (The rejected dispute's invoice may carry a promise too: that dispute is closed.)
  const broken = [...collectorItems.slice(3), c2].find((i) => i && (i.lastPaid === null || i.lastPaid < addDays(today, -12)));
  if (broken) {
    await recordActivity(collector(13 * DAY), { customer: broken.customer, outcome: 'left_message', note: '已给采购经理留言，请其转告财务' });
    const p = await recordPromise(collector(12 * DAY), { customer: broken.customer, amount: share(broken, 50n), promisedDate: addDays(today, -8), items: [{ document: `invoice:${broken.number}`, installment: broken.seq }], note: '对方称月中资金到位后付一半' });
    await recordActivity(collector(12 * DAY - 1), { customer: broken.customer, outcome: 'promised', contact: '财务 李女士', promiseId: p.id, followUpOn: addDays(today, -7) });
    await recordActivity(collector(4 * DAY), { customer: broken.customer, outcome: 'refused', note: '承诺未兑现；对方称需等上游回款', followUpOn: addDays(today, 3) });
  }
  // Open: promised today for next week.
  const open = collectorItems.find((i) => i.customer !== broken?.customer) ?? collectorItems[0];
  if (open) {
    const p = await recordPromise(collector(3), { customer: open.customer, amount: share(open, 30n), promisedDate: addDays(today, 7), note: '下周一安排付款' });
    await recordActivity(collector(2), { customer: open.customer, outcome: 'reached', contact: '财务经理', promiseId: p.id, followUpOn: addDays(today, 8), note: '确认下周付款，剩余部分月底前结清' });
  }
  // The daily decision, as the job runs it.
  await evaluatePromises({ ...ctx, actor: 'job:promises.evaluate' });
}
