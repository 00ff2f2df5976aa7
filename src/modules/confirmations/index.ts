/**
 * Balance confirmations (对账函/询证函): our ledger's balance of a customer at a date, per currency, issued with a
 * reference number, printed with a reply slip, sent by email (and re-sent as a reminder); the customer's answer —
 * confirmed, or disputed with their figure and the differences — is recorded once; a correction is a new answer that
 * supersedes it, with a reason. All of it append-only and audited.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import { checkCurrency, formatAmount, parseAmount } from '../../domain/money.ts';
import { confirmationNumber, daysOutstanding } from '../../domain/statement.ts';
import { appendAudit } from '../audit/index.ts';
import { customerScope, scopeCondition } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { decodeCursor, encodeCursor, getCustomerById, MAX_PAGE_SIZE } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';
import { companyDetails, customerInScope, customerLanguage, LANGUAGES, type Language } from '../statements/index.ts';
import type { ConfirmationPrint } from '../statements/render.ts';
import { deliverSend, getSend, listSends, recipientFor, recipientSchema, recordSend, type SendRecord } from '../statements/sends.ts';
import { companyMail, type MailSource } from '../mail/index.ts';

const signedAmountText = z.string().trim().regex(/^-?\d{1,17}(\.\d{1,4})?$/, 'write the amount as a decimal string in major units, like "1234.50" (negative: "-20.00")');

export const issueSchema = z.object({
  customer: z.string().trim().min(1).max(64),
  /** The date of the balance; default the company's today. */
  asOf: localDateText.optional(),
  lang: z.enum(LANGUAGES).optional(),
  note: z.string().trim().max(1000).optional(),
  /** Email it at once (to `recipient`, or the customer's statement contact). */
  send: z.boolean().default(false),
  recipient: recipientSchema.optional(),
});
export type IssueInput = z.input<typeof issueSchema>;

export const answerSchema = z.object({
  status: z.enum(['confirmed', 'disputed']),
  /** The day the reply came; default the company's today. */
  answeredOn: localDateText.optional(),
  /** Their balance per currency (disputed: at least one; confirmed: none, theirs is ours). */
  theirBalances: z.array(z.object({ currency: z.string().trim().length(3), balance: signedAmountText })).max(20).default([]),
  explanation: z.string().trim().max(4000).optional(),
  /** The differences they listed: a document, an amount (theirs − ours), a reason. */
  differences: z.array(z.object({
    document: z.string().trim().max(64).optional(),
    currency: z.string().trim().length(3).optional(),
    amount: signedAmountText,
    reason: z.string().trim().min(1).max(500),
  })).max(200).default([]),
  /** A correction of the answer recorded before: says why. */
  correction: z.boolean().default(false),
  reason: z.string().trim().min(1).max(500).optional(),
});
export type AnswerInput = z.input<typeof answerSchema>;

export const CONFIRMATION_FILTERS = ['unanswered', 'answered', 'confirmed', 'disputed'] as const;
export const confirmationListSchema = z.object({
  status: z.enum(CONFIRMATION_FILTERS).optional(),
  customer: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(500).optional(),
});
export type ConfirmationListQuery = z.input<typeof confirmationListSchema>;

interface ConfirmationRow {
  id: string; number: string; customerId: string; customerCode: string; customerName: string; asOf: LocalDate; language: Language;
  note: string | null; issuedAt: string; issuedOn: LocalDate; issuedBy: string;
  answerId: string | null; answerStatus: 'confirmed' | 'disputed' | null; answeredOn: LocalDate | null;
  sends: number; lastSentAt: string | null;
}

const SELECT = `
  SELECT bc.id, bc.number, bc.customer_id AS "customerId", c.code AS "customerCode", c.name AS "customerName", bc.as_of AS "asOf",
         bc.language, bc.note, bc.issued_at AS "issuedAt", bc.issued_on AS "issuedOn", bc.issued_by AS "issuedBy",
         la.id AS "answerId", la.status AS "answerStatus", la.answered_on AS "answeredOn",
         (SELECT count(*) FROM statement_sends s WHERE s.tenant_id = bc.tenant_id AND s.confirmation_id = bc.id)::int4 AS sends,
         (SELECT max(s.sent_at) FROM statement_sends s WHERE s.tenant_id = bc.tenant_id AND s.confirmation_id = bc.id) AS "lastSentAt"
    FROM balance_confirmations bc
    JOIN customers c ON c.tenant_id = bc.tenant_id AND c.id = bc.customer_id
    LEFT JOIN LATERAL (
      SELECT a.id, a.status, a.answered_on FROM confirmation_answers a
       WHERE a.tenant_id = bc.tenant_id AND a.confirmation_id = bc.id
         AND NOT EXISTS (SELECT 1 FROM confirmation_answers n WHERE n.tenant_id = a.tenant_id AND n.supersedes_answer_id = a.id)
    ) la ON true`;

/** The balance per currency of a customer at a date: every document dated up to it, debits less credits. */
export async function balancesAt(sql: Sql, tenantId: string, customerId: string, asOf: LocalDate): Promise<{ currency: string; balanceMinor: bigint }[]> {
  return sql.query<{ currency: string; balanceMinor: bigint }>(
    `SELECT currency, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::int8 AS "balanceMinor"
       FROM documents WHERE tenant_id = $1 AND customer_id = $2 AND document_date <= $3 GROUP BY currency ORDER BY currency`,
    [tenantId, customerId, asOf]);
}

function presentSummary(r: ConfirmationRow, today: LocalDate, balances: { currency: string; balanceMinor: bigint }[]) {
  return {
    id: r.id, number: r.number, customer: r.customerCode, customerName: r.customerName, asOf: r.asOf, language: r.language, note: r.note,
    issuedOn: r.issuedOn, issuedAt: new Date(r.issuedAt).toISOString(), issuedBy: r.issuedBy,
    balances: balances.map((b) => ({ currency: b.currency, balance: formatAmount(b.balanceMinor, b.currency) })),
    status: (r.answerStatus ?? 'unanswered') as 'unanswered' | 'confirmed' | 'disputed',
    answeredOn: r.answeredOn,
    /** Days since issue while unanswered; null once answered. */
    daysOutstanding: r.answerStatus ? null : daysOutstanding(r.issuedOn, today),
    sends: r.sends,
    lastSentAt: r.lastSentAt ? new Date(r.lastSentAt).toISOString() : null,
  };
}
export type ConfirmationSummary = ReturnType<typeof presentSummary>;

async function balancesOf(sql: Sql, tenantId: string, ids: readonly string[]) {
  const rows = ids.length === 0 ? [] : await sql.query<{ confirmationId: string; currency: string; balanceMinor: bigint }>(
    `SELECT confirmation_id AS "confirmationId", currency, balance_minor AS "balanceMinor" FROM confirmation_balances
      WHERE tenant_id = $1 AND confirmation_id = ANY($2::uuid[]) ORDER BY currency`, [tenantId, ids]);
  const map = new Map<string, { currency: string; balanceMinor: bigint }[]>();
  for (const r of rows) map.set(r.confirmationId, [...(map.get(r.confirmationId) ?? []), { currency: r.currency, balanceMinor: r.balanceMinor }]);
  return map;
}

/** A confirmation by id or reference number, in the caller's customer scope. */
async function findRow(ctx: Context, sql: Sql, ref: string): Promise<ConfirmationRow> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const params: unknown[] = [ctx.tenant.id, ref];
  const scope = customerScope(ctx);
  if (scope) params.push(scope.handle);
  const [row] = await sql.query<ConfirmationRow>(
    `${SELECT} WHERE bc.tenant_id = $1 AND ${isId ? 'bc.id = $2::uuid' : 'bc.number = $2'}${scope ? ` AND ${scopeCondition(scope, 'bc.customer_id', 3)}` : ''}`, params);
  if (!row) throw notFound('CONFIRMATION_NOT_FOUND', `no balance confirmation has reference or id ${ref}; list them with GET /api/v1/confirmations`);
  return row;
}

/** One confirmation with its balances, every answer (the current one last) and its sends. */
export async function getConfirmation(ctx: Context, sql: Sql, ref: string) {
  const row = await findRow(ctx, sql, ref);
  const balances = (await balancesOf(sql, ctx.tenant.id, [row.id])).get(row.id) ?? [];
  const answers = await sql.query<{ id: string; status: string; answeredOn: string; explanation: string | null; supersedes: string | null; reason: string | null; recordedAt: string; recordedBy: string; superseded: boolean }>(
    `SELECT a.id, a.status, a.answered_on AS "answeredOn", a.explanation, a.supersedes_answer_id AS supersedes, a.reason,
            a.recorded_at AS "recordedAt", a.recorded_by AS "recordedBy",
            EXISTS (SELECT 1 FROM confirmation_answers n WHERE n.tenant_id = a.tenant_id AND n.supersedes_answer_id = a.id) AS superseded
       FROM confirmation_answers a WHERE a.tenant_id = $1 AND a.confirmation_id = $2 ORDER BY a.recorded_at, a.id`, [ctx.tenant.id, row.id]);
  const ids = answers.map((a) => a.id);
  const figures = ids.length === 0 ? [] : await sql.query<{ answerId: string; currency: string; theirs: bigint; ours: bigint; difference: bigint }>(
    `SELECT answer_id AS "answerId", currency, their_balance_minor AS theirs, our_balance_minor AS ours, difference_minor AS difference
       FROM confirmation_answer_figures WHERE tenant_id = $1 AND answer_id = ANY($2::uuid[]) ORDER BY currency`, [ctx.tenant.id, ids]);
  const items = ids.length === 0 ? [] : await sql.query<{ answerId: string; document: string | null; currency: string; amountMinor: bigint; reason: string }>(
    `SELECT answer_id AS "answerId", document_number AS document, currency, amount_minor AS "amountMinor", reason
       FROM confirmation_answer_items WHERE tenant_id = $1 AND answer_id = ANY($2::uuid[]) ORDER BY seq`, [ctx.tenant.id, ids]);
  return {
    ...presentSummary(row, tenantToday(ctx.tenant, ctx.clock), balances),
    answers: answers.map((a) => ({
      id: a.id, status: a.status, answeredOn: a.answeredOn, explanation: a.explanation, supersedes: a.supersedes, reason: a.reason,
      recordedAt: new Date(a.recordedAt).toISOString(), recordedBy: a.recordedBy, current: !a.superseded,
      figures: figures.filter((f) => f.answerId === a.id).map((f) => ({
        currency: f.currency, theirs: formatAmount(f.theirs, f.currency), ours: formatAmount(f.ours, f.currency), difference: formatAmount(f.difference, f.currency),
      })),
      differences: items.filter((i) => i.answerId === a.id).map((i) => ({ document: i.document, currency: i.currency, amount: formatAmount(i.amountMinor, i.currency), reason: i.reason })),
    })),
    sendLog: await listSends(sql, ctx.tenant.id, { confirmationId: row.id }),
  };
}
export type ConfirmationDetail = Awaited<ReturnType<typeof getConfirmation>>;

/** Confirmations, newest first, filtered by answer and customer; keyset-paged. */
export async function listConfirmations(ctx: Context, sql: Sql, raw: ConfirmationListQuery) {
  const query = parseInput(confirmationListSchema, raw, 'confirmation list');
  const where = ['bc.tenant_id = $1'];
  const params: unknown[] = [ctx.tenant.id];
  if (query.customer) {
    const customer = await customerInScope(ctx, sql, query.customer);
    params.push(customer.id);
    where.push(`bc.customer_id = $${params.length}`);
  }
  const scope = customerScope(ctx);
  if (scope) { params.push(scope.handle); where.push(scopeCondition(scope, 'bc.customer_id', params.length)); }
  if (query.status === 'unanswered') where.push('la.id IS NULL');
  else if (query.status === 'answered') where.push('la.id IS NOT NULL');
  else if (query.status) { params.push(query.status); where.push(`la.status = $${params.length}`); }
  if (query.cursor) {
    const [id] = decodeCursor(query.cursor, 1);
    params.push(id);
    where.push(`bc.id < $${params.length}::uuid`);
  }
  params.push(query.limit + 1);
  const rows = await sql.query<ConfirmationRow>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY bc.id DESC LIMIT $${params.length}`, params);
  const page = rows.slice(0, query.limit);
  const balances = await balancesOf(sql, ctx.tenant.id, page.map((r) => r.id));
  const today = tenantToday(ctx.tenant, ctx.clock);
  return {
    /** The company's today, the date days outstanding count to (and a form's default). */
    today,
    items: page.map((r) => presentSummary(r, today, balances.get(r.id) ?? [])),
    nextCursor: rows.length > query.limit ? encodeCursor([page[page.length - 1]!.id]) : null,
  };
}

/** Issues a confirmation of a customer's balance at a date (and emails it if asked). Idempotent by key. */
export async function issueConfirmation(ctx: Context, raw: IssueInput, key: string | undefined, mail: MailSource = () => companyMail(ctx)) {
  const input = parseInput(issueSchema, raw, 'confirmation');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : today;
  if (asOf > today) throw invalid('AS_OF_IN_FUTURE', `asOf ${asOf} is after today (${today}); confirm a balance at a date that has passed`, [{ field: 'asOf', message: 'in the future' }]);
  if (input.send) await mail();
  let sendId: string | null = null;
  const result = await withIdempotency(ctx, key, 'confirmation.issue', input, async (sql) => {
    const customer = await customerInScope(ctx, sql, input.customer);
    const language = input.lang ?? await customerLanguage(ctx, sql, customer);
    const [seq] = await sql.query<{ value: bigint }>(
      `INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, 'balance_confirmation', 2)
       ON CONFLICT (tenant_id, kind) DO UPDATE SET next_value = number_sequences.next_value + 1
       RETURNING next_value - 1 AS value`, [ctx.tenant.id]);
    const id = uuidv7();
    const number = confirmationNumber(asOf, Number(seq!.value));
    await sql.query(
      `INSERT INTO balance_confirmations (tenant_id, id, number, customer_id, as_of, language, note, issued_on, issued_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ctx.tenant.id, id, number, customer.id, asOf, language, input.note ?? null, today, ctx.actor]);
    let balances = await balancesAt(sql, ctx.tenant.id, customer.id, asOf);
    if (balances.length === 0) balances = [{ currency: customer.currency, balanceMinor: 0n }];
    for (const b of balances) {
      await sql.query(`INSERT INTO confirmation_balances (tenant_id, confirmation_id, currency, balance_minor) VALUES ($1, $2, $3, $4)`, [ctx.tenant.id, id, b.currency, b.balanceMinor]);
    }
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'confirmation.issue', entityType: 'balance_confirmation', entityId: number,
      after: { number, customer: customer.code, asOf, language, balances: balances.map((b) => ({ currency: b.currency, balance: formatAmount(b.balanceMinor, b.currency) })) },
    });
    if (input.send) {
      const recipient = await recipientFor(ctx, sql, customer, input.recipient);
      sendId = await recordSend(ctx, sql, { kind: 'confirmation', customer, confirmationId: id, from: null, to: asOf, language, format: 'pdf', recipient: recipient.email });
    }
    return getConfirmation(ctx, sql, id);
  });
  if (sendId && !ctx.jobs) await deliverSend(ctx.db, ctx.clock, ctx.tenant, sendId, await mail());
  return sendId && !ctx.jobs ? ctx.db.tenant(ctx.tenant.id, (sql) => getConfirmation(ctx, sql, result.id)) : result;
}

/** Records the customer's answer (or, with correction and a reason, a new answer superseding the current one). */
export async function answerConfirmation(ctx: Context, ref: string, raw: AnswerInput, key: string | undefined) {
  const input = parseInput(answerSchema, raw, 'answer');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const answeredOn = input.answeredOn ? parseDate(input.answeredOn, 'answeredOn') : today;
  if (answeredOn > today) throw invalid('ANSWER_IN_FUTURE', `answeredOn ${answeredOn} is after today (${today}); give the day the answer came`, [{ field: 'answeredOn', message: 'in the future' }]);
  if (input.correction && !input.reason) throw invalid('REASON_REQUIRED', 'reason: say why the answer recorded before is corrected', [{ field: 'reason', message: 'required for a correction' }]);
  if (input.status === 'disputed' && input.theirBalances.length === 0) {
    throw invalid('THEIR_BALANCE_REQUIRED', 'theirBalances: a disputed answer gives the balance in the customer\'s records, e.g. [{"currency":"CNY","balance":"1200.00"}]', [{ field: 'theirBalances', message: 'required when disputed' }]);
  }
  if (input.status === 'confirmed' && input.theirBalances.length > 0) {
    throw invalid('THEIR_BALANCE_NOT_EXPECTED', 'theirBalances: a confirmed answer agrees with our balance; record a disputed answer to give another figure', [{ field: 'theirBalances', message: 'only when disputed' }]);
  }
  return withIdempotency(ctx, key, 'confirmation.answer', { ref, ...input, answeredOn }, async (sql) => {
    const row = await findRow(ctx, sql, ref);
    if (answeredOn < row.issuedOn) throw invalid('ANSWER_BEFORE_ISSUE', `answeredOn ${answeredOn} is before the confirmation was issued (${row.issuedOn})`, [{ field: 'answeredOn', message: 'before issue' }]);
    if (row.answerId && !input.correction) {
      throw conflict('CONFIRMATION_ALREADY_ANSWERED', `${row.number} was answered already (${row.answerStatus} on ${row.answeredOn}); to change it, record a correction with a reason`);
    }
    if (!row.answerId && input.correction) throw invalid('NOTHING_TO_CORRECT', `${row.number} has no answer yet; record the answer without correction`, [{ field: 'correction', message: 'no answer yet' }]);
    const ours = (await balancesOf(sql, ctx.tenant.id, [row.id])).get(row.id) ?? [];
    const figures = ours.map((o) => ({ currency: o.currency, ours: o.balanceMinor, theirs: o.balanceMinor }));
    input.theirBalances.forEach((t, n) => {
      const currency = checkCurrency(t.currency.toUpperCase(), `theirBalances.${n}.currency`);
      const theirs = parseAmount(t.balance, currency, `theirBalances.${n}.balance`, { allowNegative: true });
      const figure = figures.find((f) => f.currency === currency);
      if (figure) figure.theirs = theirs;
      else figures.push({ currency, ours: 0n, theirs });
    });
    const id = uuidv7();
    await sql.query(
      `INSERT INTO confirmation_answers (tenant_id, id, confirmation_id, status, answered_on, explanation, supersedes_answer_id, reason, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ctx.tenant.id, id, row.id, input.status, answeredOn, input.explanation ?? null, input.correction ? row.answerId : null, input.correction ? input.reason : null, ctx.actor]);
    for (const f of figures) {
      await sql.query(
        `INSERT INTO confirmation_answer_figures (tenant_id, answer_id, currency, their_balance_minor, our_balance_minor, difference_minor) VALUES ($1, $2, $3, $4, $5, $6)`,
        [ctx.tenant.id, id, f.currency, f.theirs, f.ours, f.theirs - f.ours]);
    }
    let seq = 0;
    for (const d of input.differences) {
      const currency = checkCurrency((d.currency ?? figures[0]?.currency ?? ctx.tenant.currency).toUpperCase(), `differences.${seq}.currency`);
      const amount = parseAmount(d.amount, currency, `differences.${seq}.amount`, { allowNegative: true });
      seq += 1;
      await sql.query(
        `INSERT INTO confirmation_answer_items (tenant_id, answer_id, seq, document_number, currency, amount_minor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [ctx.tenant.id, id, seq, d.document ?? null, currency, amount, d.reason]);
    }
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: input.correction ? 'confirmation.answer.correct' : 'confirmation.answer', entityType: 'balance_confirmation', entityId: row.number,
      reason: input.correction ? input.reason ?? null : null,
      before: input.correction ? { status: row.answerStatus, answeredOn: row.answeredOn } : null,
      after: { status: input.status, answeredOn, figures: figures.map((f) => ({ currency: f.currency, theirs: formatAmount(f.theirs, f.currency), ours: formatAmount(f.ours, f.currency), difference: formatAmount(f.theirs - f.ours, f.currency) })), differences: input.differences.length },
    });
    return getConfirmation(ctx, sql, row.id);
  });
}

/** Emails a confirmation (again: a reminder) to `recipient` or the customer's statement contact. Idempotent by key. */
export async function sendConfirmation(ctx: Context, ref: string, raw: { recipient?: string | undefined }, key: string | undefined, mail: MailSource = () => companyMail(ctx)): Promise<SendRecord> {
  const input = parseInput(z.object({ recipient: recipientSchema.optional() }), raw, 'confirmation send');
  await mail();
  const record = await withIdempotency(ctx, key, 'confirmation.send', { ref, ...input }, async (sql) => {
    const row = await findRow(ctx, sql, ref);
    const customer = await getCustomerById(sql, ctx.tenant.id, row.customerId);
    const recipient = await recipientFor(ctx, sql, customer, input.recipient);
    const id = await recordSend(ctx, sql, { kind: 'confirmation', customer, confirmationId: row.id, from: null, to: row.asOf, language: row.language, format: 'pdf', recipient: recipient.email });
    return getSend(sql, ctx.tenant.id, id);
  });
  return ctx.jobs ? record : deliverSend(ctx.db, ctx.clock, ctx.tenant, record.id, await mail());
}

/** What the confirmation's PDF prints. */
export async function confirmationPrintOf(ctx: Context, sql: Sql, ref: string): Promise<ConfirmationPrint> {
  const row = await findRow(ctx, sql, ref);
  const customer = await getCustomerById(sql, ctx.tenant.id, row.customerId);
  const company = await companyDetails(ctx, sql);
  const balances = (await balancesOf(sql, ctx.tenant.id, [row.id])).get(row.id) ?? [];
  return {
    number: row.number, company: { name: company.name, address: company.address },
    customer: { code: customer.code, name: customer.name, taxId: customer.taxId, address: customer.address },
    asOf: row.asOf, issuedOn: row.issuedOn, language: row.language,
    balances: balances.map((b) => ({ currency: b.currency, balance: formatAmount(b.balanceMinor, b.currency) })),
    note: row.note,
  };
}
