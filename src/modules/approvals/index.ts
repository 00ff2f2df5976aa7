/**
 * Segregation of duties: some actions need a second person. A write-off above the company's threshold, a credit-limit
 * increase above its threshold or a change of a customer's payment terms, and the reversal of a posted document are,
 * when asked for by a user or an API token, stored as approval requests instead of done. Someone else whose role may
 * decide approvals and may do the action approves it (the action then runs, recorded as the requester's with the
 * approver's name) or rejects it. The operator at the command line (no token) acts directly, and is audited.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { can, PERMISSIONS, type Permission } from '../../domain/access.ts';
import { conflict, invalid, notAllowed, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import { appendAudit } from '../audit/index.ts';
import { canonicalJson } from '../hash.ts';
import type { Context } from '../context.ts';
import { getCustomer, updateCustomer, type CustomerPatch } from '../customers/index.ts';
import { applyLimitChange, recordCustomerLimit, releaseHold, reopenHold } from '../credit-limits/index.ts';
import { postDocument, resolveDocument, reverseDocument, type PostDocumentInput } from '../ledger/index.ts';
import { amountText, parseInput } from '../validate.ts';

export const APPROVAL_ACTIONS = {
  'document.reverse': 'documents.reverse',
  'write_off.post': 'write_offs.post',
  'customer.credit': 'customers.credit',
  'credit.limit': 'customers.credit',
  'credit.hold_release': 'credit.hold',
} as const satisfies Record<string, Permission>;
export type ApprovalAction = keyof typeof APPROVAL_ACTIONS;

export interface ApprovalSettings {
  /** Write-offs above this (functional currency) need approval; null: none do. */
  writeOffApproval: string | null;
  /** Credit-limit increases above this need approval (and any change of terms); null: none do. */
  creditLimitApproval: string | null;
  reversalsNeedApproval: boolean;
}

export const approvalSettingsSchema = z.object({
  writeOffApproval: amountText.nullable().optional(),
  creditLimitApproval: amountText.nullable().optional(),
  reversalsNeedApproval: z.boolean().optional(),
});

export async function approvalSettings(sql: Sql, ctx: Context): Promise<ApprovalSettings> {
  const [row] = await sql.query<{ writeOff: bigint | null; creditLimit: bigint | null; reversals: boolean }>(
    `SELECT write_off_approval_minor AS "writeOff", credit_limit_approval_minor AS "creditLimit", reversals_need_approval AS reversals FROM tenants WHERE id = $1`, [ctx.tenant.id]);
  const money = (v: bigint | null) => (v === null ? null : formatAmount(v, ctx.tenant.currency));
  return { writeOffApproval: money(row!.writeOff), creditLimitApproval: money(row!.creditLimit), reversalsNeedApproval: row!.reversals };
}

/** Changes the company's approval thresholds (company.manage); audited with before and after. */
export async function setApprovalSettings(ctx: Context, raw: z.input<typeof approvalSettingsSchema>): Promise<ApprovalSettings> {
  const input = parseInput(approvalSettingsSchema, raw, 'settings');
  const minor = (v: string | null | undefined, field: string) => (v === undefined ? undefined : v === null ? null : parseAmount(v, ctx.tenant.currency, field));
  const writeOff = minor(input.writeOffApproval, 'writeOffApproval');
  const credit = minor(input.creditLimitApproval, 'creditLimitApproval');
  return ctx.db.system(async (sql) => {
    const before = await approvalSettings(sql, ctx);
    await sql.query(
      `UPDATE tenants SET write_off_approval_minor = CASE WHEN $2 THEN $3::int8 ELSE write_off_approval_minor END,
              credit_limit_approval_minor = CASE WHEN $4 THEN $5::int8 ELSE credit_limit_approval_minor END,
              reversals_need_approval = coalesce($6, reversals_need_approval) WHERE id = $1`,
      [ctx.tenant.id, writeOff !== undefined, writeOff ?? null, credit !== undefined, credit ?? null, input.reversalsNeedApproval ?? null]);
    const after = await approvalSettings(sql, ctx);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'company.approval_settings', entityType: 'company', entityId: ctx.tenant.code, before, after });
    return after;
  });
}

export interface Approval {
  id: string;
  action: ApprovalAction;
  permission: Permission;
  summary: string;
  request: unknown;
  requestedBy: string;
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  result: unknown;
}

const SELECT = `SELECT id, action, permission, summary, request, requested_by_actor AS "requestedBy", requested_at AS "requestedAt", status,
  decided_by_actor AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason", result FROM approvals`;

/** Whether this request needs a second person, and if so a one-line summary for the inbox. */
export async function needsApproval(sql: Sql, ctx: Context, action: ApprovalAction, request: unknown): Promise<string | null> {
  // The operator at the machine (no token) is the database's owner in effect: their actions are audited, not held.
  if (!ctx.principal || ctx.principal.via === 'cli') return null;
  const settings = await approvalSettings(sql, ctx);
  const currency = ctx.tenant.currency;
  if (action === 'document.reverse') {
    const r = request as { ref: string; reason: string };
    if (!settings.reversalsNeedApproval) return null;
    const doc = await resolveDocument(sql, ctx.tenant.id, r.ref);
    return `reverse ${doc.kind} ${doc.number} (${doc.customerCode}, ${formatAmount(doc.amountMinor, doc.currency)} ${doc.currency}): ${r.reason}`;
  }
  if (action === 'write_off.post') {
    const r = request as PostDocumentInput;
    if (settings.writeOffApproval === null) return null;
    const customer = await getCustomer(sql, ctx.tenant.id, r.customer, 'customer');
    const docCurrency = r.currency ?? customer.currency;
    // Thresholds are in the functional currency; a foreign-currency write-off always asks (its rate is the approver's to check).
    if (docCurrency === currency && parseAmount(r.amount, currency, 'amount') <= parseAmount(settings.writeOffApproval, currency, 'threshold')) return null;
    return `write off ${r.amount} ${docCurrency} of ${r.customer}${r.reason ? `: ${r.reason}` : ''}`;
  }
  const r = request as { code: string; patch: CustomerPatch };
  if (settings.creditLimitApproval === null) return null;
  const customer = await getCustomer(sql, ctx.tenant.id, r.code);
  const parts: string[] = [];
  if (r.patch.paymentTerms !== undefined && r.patch.paymentTerms !== customer.termsCode) parts.push(`terms ${customer.termsCode ?? 'none'} → ${r.patch.paymentTerms}`);
  if (r.patch.creditLimit !== undefined) {
    const before = customer.creditLimitMinor ?? 0n;
    const after = parseAmount(r.patch.creditLimit, customer.currency, 'creditLimit');
    // A lower limit lowers risk: only an increase above the threshold waits for a second person.
    if (after - before > parseAmount(settings.creditLimitApproval, customer.currency, 'threshold')) {
      parts.push(`credit limit ${formatAmount(before, customer.currency)} → ${formatAmount(after, customer.currency)} ${customer.currency}`);
    }
  }
  return parts.length ? `${r.code}: ${parts.join('; ')}` : null;
}

/** Stores a request for approval (in the caller's transaction) and returns it. */
export async function requestApproval(sql: Sql, ctx: Context, action: ApprovalAction, request: unknown, summary: string): Promise<Approval> {
  const id = uuidv7();
  const [row] = await sql.query<Approval>(
    `INSERT INTO approvals (tenant_id, id, action, permission, summary, request, requested_by, requested_by_actor, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) RETURNING id`,
    [ctx.tenant.id, id, action, APPROVAL_ACTIONS[action], summary, JSON.stringify(request), ctx.principal?.userId ?? null, ctx.actor, ctx.clock.now().toISOString()]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'approval.request', entityType: 'approval', entityId: row!.id, after: { action, summary, request } });
  const [approval] = await sql.query<Approval>(`${SELECT} WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id]);
  return approval!;
}

export const approvalListSchema = z.object({
  /** One status, or `decided`: approved, rejected or cancelled (the history). */
  status: z.enum(['pending', 'approved', 'rejected', 'cancelled', 'decided']).optional(),
  /** `me`: one's own requests; `others`: everyone else's (what one may decide). Those who may not decide see only their own. */
  requester: z.enum(['me', 'others']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[0-9a-f-]{36}$/).optional(),
});

/**
 * What a request is about, as facts a screen can word in its own language: the document, customer and amounts.
 * Credit requests give the customer's limit and terms as they are now (before the change, while it is pending).
 */
export type ApprovalSubject =
  | { kind: 'reversal'; document: { id: string; kind: string; number: string; amount: string; currency: string }; customer: { code: string; name: string }; reason: string }
  | { kind: 'write_off'; customer: { code: string; name: string }; amount: string; currency: string; documents: string[]; reason: string | null }
  | {
    kind: 'credit'; customer: { code: string; name: string; currency: string };
    creditLimit: { now: string | null; requested: string } | null; terms: { now: string | null; requested: string | null } | null;
  };

async function subjectOf(sql: Sql, ctx: Context, approval: Approval): Promise<ApprovalSubject | null> {
  try {
    // Credit limit and hold requests carry their own summary; their facts are on the customer's credit panel.
    if (approval.action === 'credit.limit' || approval.action === 'credit.hold_release') return null;
    if (approval.action === 'document.reverse') {
      const r = approval.request as { ref: string; reason: string };
      const doc = await resolveDocument(sql, ctx.tenant.id, r.ref);
      return {
        kind: 'reversal', reason: r.reason, customer: { code: doc.customerCode, name: doc.customerName },
        document: { id: doc.id, kind: doc.kind, number: doc.number, amount: formatAmount(doc.amountMinor, doc.currency), currency: doc.currency },
      };
    }
    if (approval.action === 'write_off.post') {
      const r = approval.request as PostDocumentInput;
      const customer = await getCustomer(sql, ctx.tenant.id, r.customer);
      return {
        kind: 'write_off', customer: { code: customer.code, name: customer.name }, amount: r.amount, currency: r.currency?.toUpperCase() ?? customer.currency,
        documents: (r.appliesTo ?? []).map((a) => a.document), reason: r.reason ?? null,
      };
    }
    const r = approval.request as { code: string; patch: CustomerPatch };
    const customer = await getCustomer(sql, ctx.tenant.id, r.code);
    const limit = r.patch.creditLimit;
    return {
      kind: 'credit', customer: { code: customer.code, name: customer.name, currency: customer.currency },
      creditLimit: limit === undefined ? null : {
        now: customer.creditLimitMinor === null ? null : formatAmount(customer.creditLimitMinor, customer.currency),
        requested: formatAmount(parseAmount(limit, customer.currency, 'creditLimit'), customer.currency),
      },
      terms: r.patch.paymentTerms === undefined ? null : { now: customer.termsCode, requested: r.patch.paymentTerms ?? null },
    };
  } catch {
    // The summary still says what was asked; the facts are a convenience.
    return null;
  }
}

/** The inbox: everyone's requests for those who may decide, one's own for the others; newest first, with their subjects. */
export async function listApprovals(ctx: Context, sql: Sql, raw: z.input<typeof approvalListSchema>): Promise<{ items: (Approval & { requestedByName: string | null; decidedByName: string | null; subject: ApprovalSubject | null })[]; nextCursor: string | null }> {
  const input = parseInput(approvalListSchema, raw, 'list');
  const everyone = !ctx.principal || can(ctx.principal.role, 'approvals.decide');
  const requester = !everyone || input.requester === 'me' ? 'me' : input.requester ?? null;
  const rows = await sql.query<Approval>(
    `${SELECT} WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2 OR ($2 = 'decided' AND status <> 'pending'))
        AND ($3::text IS NULL OR ($3 = 'me' AND requested_by_actor = $4) OR ($3 = 'others' AND requested_by_actor <> $4))
        AND ($5::uuid IS NULL OR id < $5) ORDER BY id DESC LIMIT ${input.limit + 1}`,
    [ctx.tenant.id, input.status ?? null, requester, ctx.actor, input.cursor ?? null]);
  const page = rows.slice(0, input.limit);
  // Who asked and who decided, by name as well as by the email the trail records.
  const actors = [...new Set(page.flatMap((a) => [a.requestedBy, a.decidedBy]).filter((a): a is string => a !== null))];
  const names = new Map((await sql.query<{ email: string; name: string }>(
    `SELECT email, name FROM users WHERE tenant_id = $1 AND email = ANY($2::text[])`, [ctx.tenant.id, actors])).map((u) => [u.email, u.name]));
  const items = [];
  for (const approval of page) {
    items.push({
      ...approval, requestedByName: names.get(approval.requestedBy) ?? null, decidedByName: approval.decidedBy ? names.get(approval.decidedBy) ?? null : null,
      subject: await subjectOf(sql, ctx, approval),
    });
  }
  return { items, nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}

export const decisionSchema = z.object({ reason: z.string().trim().max(500).optional() });

/**
 * Approves (and performs) or rejects a pending request. The decider may not be the requester and must hold both
 * approvals.decide and the action's own permission.
 */
export async function decideApproval(ctx: Context, id: string, decision: 'approve' | 'reject' | 'cancel', raw: z.input<typeof decisionSchema>): Promise<Approval> {
  const input = parseInput(decisionSchema, raw, 'decision');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound('APPROVAL_NOT_FOUND', `no approval request has id ${id}`);
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const [approval] = await sql.query<Approval>(`${SELECT} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [ctx.tenant.id, id]);
    if (!approval) throw notFound('APPROVAL_NOT_FOUND', `no approval request has id ${id}`);
    if (approval.status !== 'pending') throw conflict('APPROVAL_DECIDED', `this request was already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}`);
    const own = approval.requestedBy === ctx.actor;
    if (decision === 'cancel') {
      if (!own) throw notAllowed('FORBIDDEN', 'only the requester may withdraw a request; reject it instead');
    } else {
      if (own) throw notAllowed('SELF_APPROVAL', 'you made this request: someone else must approve or reject it (segregation of duties)');
      const role = ctx.principal?.role ?? 'admin';
      for (const needed of ['approvals.decide', approval.permission] as Permission[]) {
        if (!can(role, needed)) throw notAllowed('FORBIDDEN', `your role (${role}) may not decide this request: it needs ${needed} (${PERMISSIONS[needed]})`);
      }
      if (decision === 'reject' && !input.reason) throw invalid('VALIDATION_FAILED', 'reason: say why the request is rejected', [{ field: 'reason', message: 'required to reject' }]);
    }
    let result: unknown = null;
    if (decision === 'approve') {
      // The action runs as the requester's, in this transaction: if it fails now (the document was reversed since),
      // nothing is approved and the answer says why.
      const as: Context = { ...ctx, actor: `${approval.requestedBy} (approved by ${ctx.actor})` };
      result = await perform(as, sql, approval);
    } else if (approval.action === 'credit.hold_release') {
      await reopenHold(sql, ctx.tenant.id, (approval.request as { holdId: string }).holdId);
    }
    const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'cancelled';
    await sql.query(
      `UPDATE approvals SET status = $3, decided_by = $4, decided_by_actor = $5, decided_at = $6, decision_reason = $7, result = $8::jsonb WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, id, status, ctx.principal?.userId ?? null, ctx.actor, ctx.clock.now().toISOString(), input.reason ?? null, canonicalJson(result)]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: `approval.${decision}`, entityType: 'approval', entityId: id, reason: input.reason ?? null, after: { action: approval.action, summary: approval.summary } });
    const [after] = await sql.query<Approval>(`${SELECT} WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id]);
    return after!;
  });
}

async function perform(ctx: Context, sql: Sql, approval: Approval): Promise<unknown> {
  switch (approval.action) {
    case 'document.reverse': {
      const r = approval.request as { ref: string; reason: string; date?: string };
      const doc = await resolveDocument(sql, ctx.tenant.id, r.ref);
      return reverseDocument(ctx, doc.id, { reason: r.reason, ...(r.date ? { date: r.date } : {}) }, sql);
    }
    case 'write_off.post':
      return postDocument(ctx, approval.request as PostDocumentInput, sql);
    case 'customer.credit': {
      const r = approval.request as { code: string; patch: CustomerPatch };
      const { version: _stale, ...patch } = r.patch;
      const updated = await updateCustomer(ctx, r.code, patch, sql);
      // The limit history (credit control) gets the approved limit as a version too.
      if (patch.creditLimit !== undefined) {
        await recordCustomerLimit(ctx, sql, updated, { requestedBy: approval.requestedBy, approvedBy: ctx.principal?.actor ?? ctx.actor, approvalId: approval.id, reason: approval.summary });
      }
      return updated;
    }
    case 'credit.limit':
      return applyLimitChange(ctx, sql, approval.request, approval, { role: ctx.principal?.role ?? 'admin', actor: ctx.principal?.actor ?? ctx.actor });
    case 'credit.hold_release':
      return releaseHold(ctx, sql, approval.request as { holdId: string; reason: string }, ctx.principal?.actor ?? ctx.actor);
  }
}
