-- Aging reads one table: each balance carries its item's facts that never change (items are append-only): side,
-- currency, document date and the date it is aged from (the installment's due date, else the document's, else its
-- date). The report then reads the open balances (partial index item_balances_open) without joining 2 items and
-- documents per open item (docs/decisions.md, Aging).
ALTER TABLE "item_balances" ADD COLUMN "side" text;--> statement-breakpoint
ALTER TABLE "item_balances" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "item_balances" ADD COLUMN "document_date" date;--> statement-breakpoint
ALTER TABLE "item_balances" ADD COLUMN "due_date" date;--> statement-breakpoint
UPDATE "item_balances" b SET "side" = i.side, "currency" = i.currency, "document_date" = d.document_date,
       "due_date" = coalesce(i.due_date, d.due_date, d.document_date)
  FROM "items" i JOIN "documents" d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
 WHERE i.tenant_id = b.tenant_id AND i.id = b.item_id;--> statement-breakpoint
ALTER TABLE "item_balances" ALTER COLUMN "side" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "item_balances" ALTER COLUMN "currency" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "item_balances" ALTER COLUMN "document_date" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "item_balances" ALTER COLUMN "due_date" SET NOT NULL;--> statement-breakpoint
-- Aging at a past date reads the allocations dated after it (what was applied since), not every allocation.
CREATE INDEX "allocations_date" ON "allocations" USING btree ("tenant_id","allocation_date");
