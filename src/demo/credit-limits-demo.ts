/**
 * The demo company's credit limits, checks and holds (issue 5): credit settings with each role's approval authority,
 * two group limits and a temporary increase (asked for by credit@, approved by finance@), open orders and shipments,
 * the hold rules run once (the customer with the largest overdue amount is held by rule), a manual hold, and its
 * release waiting for a second person.
 */
import type { Database } from '../db/database.ts';
import { addDays, type LocalDate } from '../domain/dates.ts';
import { formatAmount } from '../domain/money.ts';
import { decideApproval } from '../modules/approvals/index.ts';
import type { Context } from '../modules/context.ts';
import { getCustomer } from '../modules/customers/index.ts';
import {
  DEFAULT_CREDIT_SETTINGS, evaluateHolds, placeManualHold, registerCommitment, requestHoldRelease, requestLimitChange, setCreditSettings,
} from '../modules/credit-limits/index.ts';
import type { random } from './random.ts';

type As = (email: string, hoursAgo: number) => Context;

export async function seedCreditLimits(db: Database, ctx: Context, as: As, rng: ReturnType<typeof random>, customers: readonly { code: string; currency?: string; salesperson?: string }[], asOf: LocalDate): Promise<void> {
  const tenantId = ctx.tenant.id;
  // The rule on the overdue amount is set just under the largest customer's overdue, so it holds exactly that one.
  // Foreign-currency overdue counts at its latest rate, as the rule converts it (rounded per item here: close enough
  // for choosing a threshold between the largest and the second largest).
  const overdue = await db.tenant(tenantId, (sql) => sql.query<{ code: string; overdue: bigint }>(
    `SELECT c.code, sum(round(b.open_minor * coalesce(r.rate, 1)))::int8 AS overdue
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
       LEFT JOIN LATERAL (SELECT rate FROM fx_rates f WHERE f.tenant_id = $1 AND f.currency = i.currency AND f.rate_date <= $2
                           ORDER BY f.rate_date DESC LIMIT 1) r ON i.currency <> 'CNY'
      WHERE b.tenant_id = $1 AND b.open_minor > 0 AND i.side = 'debit' AND i.due_date < $2
      GROUP BY c.code ORDER BY 2 DESC, 1 LIMIT 2`, [tenantId, asOf]));
  const threshold = overdue.length === 2 ? overdue[1]!.overdue : 100_000_000n;
  await setCreditSettings(as('admin@demo.example', 30 * 24), {
    ...DEFAULT_CREDIT_SETTINGS,
    // Not on an expired review: the credit file's demo leaves reviews due on purpose, for the review queue.
    holdRules: { overdueDays: null, overdueAmount: formatAmount(threshold, 'CNY'), gradeE: true, reviewExpired: false },
    approvalLimits: { credit_manager: '500000.00', finance_manager: '5000000.00' },
  });

  // Group limits for the two largest groups, and a temporary increase for the season; credit@ asks, finance@ approves.
  const heads = ['C0001', 'C0002'].filter((code) => customers.some((c) => c.code === code));
  for (const [n, head] of heads.entries()) {
    const { approvalId } = await requestLimitChange(as('credit@demo.example', 20 * 24 - n), { customer: head, scope: 'group', limit: n === 0 ? '3000000.00' : '1500000.00', reason: '集团授信：按集团合并风险敞口控制' });
    await decideApproval(as('finance@demo.example', 19 * 24 - n), approvalId, 'approve', { reason: '已审阅集团合并报表' });
  }
  const seasonal = customers.some((c) => c.code === 'C0003')
    ? await db.tenant(tenantId, (sql) => getCustomer(sql, tenantId, 'C0003')) : null;
  if (seasonal && seasonal.creditLimitMinor !== null) {
    const { approvalId } = await requestLimitChange(as('credit@demo.example', 5 * 24), {
      customer: seasonal.code, limit: formatAmount(seasonal.creditLimitMinor, seasonal.currency), reason: '旺季备货',
      temporary: { amount: '200000.00', validFrom: addDays(asOf, -5), validTo: addDays(asOf, 25), reason: '旺季备货临时额度' },
    });
    await decideApproval(as('finance@demo.example', 4 * 24), approvalId, 'approve', { reason: '旺季结束后自动失效' });
  }

  // Open orders and shipments from the order system, for domestic customers.
  const domestic = customers.filter((c) => !c.currency);
  for (let i = 1; i <= 16; i++) {
    const c = domestic[rng.int(0, domestic.length - 1)]!;
    // The sales person registers their own customers' orders (row scope); finance registers the rest.
    await registerCommitment(as(c.salesperson === '王磊' ? 'sales@demo.example' : 'finance@demo.example', 48 - i), { kind: i % 4 === 0 ? 'shipment' : 'order', reference: `${i % 4 === 0 ? 'SH' : 'SO'}-${String(2026000 + i)}`, customer: c.code, amount: `${rng.int(20, 400) * 1000}.00` });
  }

  // The hold rules, as the hourly job runs them; then a manual hold by credit@ whose release waits for a second person.
  await evaluateHolds({ ...ctx, actor: 'job:credit.holds' }, { asOf });
  const held = [...domestic].reverse().find((c) => !overdue.some((o) => o.code === c.code));
  if (held) {
    const hold = await placeManualHold(as('credit@demo.example', 72), { customer: held.code, reason: '客户经营异常（法人变更、涉诉），暂停发货' });
    await requestHoldRelease(as('credit@demo.example', 4), hold.id, { reason: '客户已提供担保函，申请解除' });
  }
}
