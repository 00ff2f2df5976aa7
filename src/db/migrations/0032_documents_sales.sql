-- Credit sales by day for the KPIs (src/modules/kpis/figures.ts, loadSales) from an index alone: the sales documents
-- and reversals by date, with the columns the sum reads, so a period of sales is an index-only range read of the
-- sales documents rather than a heap read of every document in the period (payments included: two thirds of them at
-- 1,000,000 invoices). Partial: payments, credit notes and the other credits never count as sales.
CREATE INDEX "documents_sales" ON "documents" USING btree ("tenant_id", "document_date") INCLUDE ("currency", "kind", "amount_minor", "reverses_document_id") WHERE "kind" IN ('invoice', 'debit_note', 'charge', 'reversal');
