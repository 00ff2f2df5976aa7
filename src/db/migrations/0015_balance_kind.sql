-- The KPIs read one table too: each balance carries its document's kind (items and documents are append-only, so
-- the copy never changes), so unapplied cash and the payments of sales (kinds payment/advance and invoice/debit
-- note/charge) are told apart without joining 2.5 million items and documents (docs/decisions.md, Open at a date).
ALTER TABLE "item_balances" ADD COLUMN "kind" text;--> statement-breakpoint
UPDATE "item_balances" b SET "kind" = d.kind
  FROM "items" i JOIN "documents" d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
 WHERE i.tenant_id = b.tenant_id AND i.id = b.item_id;--> statement-breakpoint
ALTER TABLE "item_balances" ALTER COLUMN "kind" SET NOT NULL;
