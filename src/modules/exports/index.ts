/**
 * `arflow export`: customers and documents in the import files' columns (so an export can be imported elsewhere),
 * open items and allocations for analysis. Streams page by page with keyset paging: memory stays flat.
 */
import { csvCell } from '../../domain/csv.ts';
import { formatAmount } from '../../domain/money.ts';
import type { Context } from '../context.ts';
import { appendAudit } from '../audit/index.ts';

export const EXPORT_KINDS = ['customers', 'invoices', 'payments', 'credit-notes', 'advances', 'open-items', 'allocations'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const PAGE = 5000;


interface Spec {
  columns: string[];
  query: string;
  row: (r: Record<string, unknown>) => unknown[];
}

const DOC_KIND: Partial<Record<ExportKind, string>> = { invoices: 'invoice', payments: 'payment', 'credit-notes': 'credit_note', advances: 'advance' };

function spec(kind: ExportKind): Spec {
  const money = (r: Record<string, unknown>, key: string, currency = 'currency') => formatAmount(r[key] as bigint, r[currency] as string);
  switch (kind) {
    case 'customers':
      return {
        columns: ['code', 'name', 'tax_id', 'currency', 'payment_terms', 'credit_limit', 'group_code', 'segment', 'region', 'address', 'salesperson', 'collector', 'email', 'phone', 'language'],
        query: `SELECT c.id AS k, c.code, c.name, c.tax_id, c.currency, t.code AS terms, c.credit_limit_minor, p.code AS parent, c.segment, c.region, c.address,
                       c.salesperson, c.collector, ct.email, ct.phone, ct.language
                  FROM customers c
                  LEFT JOIN payment_terms t ON t.tenant_id = c.tenant_id AND t.id = c.terms_id
                  LEFT JOIN customers p ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
                  LEFT JOIN LATERAL (SELECT email, phone, language FROM customer_contacts x WHERE x.tenant_id = c.tenant_id AND x.customer_id = c.id ORDER BY is_primary DESC, id LIMIT 1) ct ON true
                 WHERE c.tenant_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`,
        row: (r) => [r.code, r.name, r.tax_id, r.currency, r.terms, r.credit_limit_minor === null ? '' : money(r, 'credit_limit_minor'), r.parent, r.segment, r.region, r.address, r.salesperson, r.collector, r.email, r.phone, r.language],
      };
    case 'invoices':
    case 'payments':
    case 'credit-notes':
    case 'advances': {
      const columns = {
        invoices: ['number', 'customer_code', 'document_date', 'due_date', 'payment_terms', 'currency', 'external_id', 'amount'],
        payments: ['reference', 'customer_code', 'date', 'amount', 'currency'],
        'credit-notes': ['number', 'customer_code', 'date', 'amount', 'currency', 'against_invoice'],
        advances: ['reference', 'customer_code', 'date', 'amount', 'currency'],
      }[kind];
      return {
        columns,
        query: `SELECT d.id AS k, d.number, c.code AS customer, d.document_date, d.due_date, t.code AS terms, d.currency, d.external_id, d.amount_minor, r.number AS related,
                       (SELECT count(*) FROM items i WHERE i.tenant_id = d.tenant_id AND i.document_id = d.id)::int4 AS installments
                  FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
                  LEFT JOIN payment_terms t ON t.tenant_id = d.tenant_id AND t.id = d.terms_id
                  LEFT JOIN documents r ON r.tenant_id = d.tenant_id AND r.id = d.related_document_id
                 WHERE d.tenant_id = $1 AND d.kind = '${DOC_KIND[kind]}' AND d.id > $2 ORDER BY d.id LIMIT $3`,
        row: (r) => kind === 'invoices'
          // An invoice in installments leaves due_date empty, so importing it recomputes the schedule from its terms.
          ? [r.number, r.customer, r.document_date, (r.installments as number) > 1 ? '' : r.due_date, r.terms, r.currency, r.external_id, money(r, 'amount_minor')]
          : kind === 'credit-notes'
            ? [r.number, r.customer, r.document_date, money(r, 'amount_minor'), r.currency, r.related]
            : [r.number, r.customer, r.document_date, money(r, 'amount_minor'), r.currency],
      };
    }
    case 'open-items':
      return {
        columns: ['customer_code', 'kind', 'number', 'installment', 'side', 'document_date', 'due_date', 'currency', 'amount', 'open'],
        query: `SELECT i.id AS k, c.code AS customer, d.kind, d.number, i.seq, i.side, d.document_date, i.due_date, i.currency, i.amount_minor, b.open_minor
                  FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
                  JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
                  JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
                 WHERE b.tenant_id = $1 AND b.open_minor > 0 AND i.id > $2 ORDER BY i.id LIMIT $3`,
        row: (r) => [r.customer, r.kind, r.number, r.seq, r.side, r.document_date, r.due_date, r.currency, money(r, 'amount_minor'), money(r, 'open_minor')],
      };
    case 'allocations':
      return {
        columns: ['date', 'customer_code', 'from_kind', 'from_number', 'to_kind', 'to_number', 'installment', 'currency', 'amount', 'credit_currency', 'credit_amount', 'fx_gain', 'reverses', 'reason'],
        query: `SELECT a.id AS k, a.allocation_date, c.code AS customer, cd.kind AS from_kind, cd.number AS from_number, dd.kind AS to_kind,
                       dd.number AS to_number, di.seq, di.currency, a.amount_minor, ci.currency AS credit_currency, a.credit_amount_minor, a.fx_gain_minor, t.currency AS functional, a.reverses_allocation_id, a.reason
                  FROM allocations a
                  JOIN tenants t ON t.id = a.tenant_id
                  JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
                  JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
                  JOIN documents cd ON cd.tenant_id = a.tenant_id AND cd.id = ci.document_id
                  JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
                  JOIN documents dd ON dd.tenant_id = a.tenant_id AND dd.id = di.document_id
                 WHERE a.tenant_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3`,
        row: (r) => [r.allocation_date, r.customer, r.from_kind, r.from_number, r.to_kind, r.to_number, r.seq, r.currency, money(r, 'amount_minor'), r.credit_currency, money(r, 'credit_amount_minor', 'credit_currency'), money(r, 'fx_gain_minor', 'functional'), r.reverses_allocation_id, r.reason],
      };
  }
}

/** Writes `kind` through `write` in chunks; returns the number of rows. */
export async function exportData(ctx: Context, kind: ExportKind, format: 'csv' | 'jsonl', write: (chunk: string) => unknown): Promise<number> {
  const s = spec(kind);
  if (format === 'csv') write(`${s.columns.join(',')}\n`);
  let after = '00000000-0000-0000-0000-000000000000';
  let count = 0;
  for (;;) {
    const rows = await ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<Record<string, unknown>>(s.query, [ctx.tenant.id, after, PAGE]));
    if (rows.length === 0) break;
    const lines = rows.map((r) => {
      const values = s.row(r);
      return format === 'csv' ? values.map(csvCell).join(',') : JSON.stringify(Object.fromEntries(s.columns.map((c, i) => [c, values[i] ?? null])));
    });
    write(`${lines.join('\n')}\n`);
    count += rows.length;
    after = rows[rows.length - 1]!.k as string;
    if (rows.length < PAGE) break;
  }
  // Who took which data out, and how much: exports are part of the trail.
  await ctx.db.tenant(ctx.tenant.id, (sql) => appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'export.run', entityType: 'export', entityId: kind, after: { kind, format, rows: count } }));
  return count;
}
