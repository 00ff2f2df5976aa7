-- What an allocation moved, per item, with the item's facts (issue 4, speed; docs/decisions.md, "Open at a date").
-- Open at a date d = today's open amount + what was applied after d. Reading "what was applied after d" from the
-- allocations means joining each of them to two balances for the items' customer, side, currency and dates: at
-- 1,000,000 invoices and six months back, 633,000 allocations joined to 2.5 million balances, most of a historical
-- aging report's time. Each row here is one side of one allocation (two per allocation) with copies of its item's
-- facts, which never change (items are append-only, like the copies on item_balances, migrations 0012 and 0015),
-- so the movements after a date are one index range read, no join. Derived data, written by the trigger below in
-- the allocation's own statement from the allocation and the balances; never updated or deleted.
CREATE TABLE "item_moves" (
	"tenant_id" uuid NOT NULL,
	"allocation_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"side" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"document_date" date NOT NULL,
	"due_date" date NOT NULL,
	"move_date" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"counter_kind" text NOT NULL,
	"reverses_allocation_id" uuid
);
--> statement-breakpoint
-- No primary key or foreign key: the rows are written only by the trigger below, from the allocation being inserted
-- (one row per side, the trigger checks it wrote both), and at 1,000,000 invoices a key on (allocation, side) is a
-- 220 MB index that every posting would write and no reader uses. The one index serves "what moved after d"; the
-- document date is in its key so that the moves of items dated after an as-of date (most of a historical report's
-- later moves) are dropped in the index, before the table is read.
CREATE INDEX "item_moves_date" ON "item_moves" USING btree ("tenant_id","move_date","document_date");--> statement-breakpoint
INSERT INTO "item_moves" (tenant_id, allocation_id, item_id, customer_id, side, kind, currency, document_date, due_date, move_date,
                          amount_minor, counter_kind, reverses_allocation_id)
SELECT a.tenant_id, a.id, m.item_id, m.customer_id, m.side, m.kind, m.currency, m.document_date, m.due_date, a.allocation_date,
       m.amount_minor, m.counter_kind, a.reverses_allocation_id
  FROM "allocations" a
  JOIN "item_balances" d ON d.tenant_id = a.tenant_id AND d.item_id = a.debit_item_id
  JOIN "item_balances" c ON c.tenant_id = a.tenant_id AND c.item_id = a.credit_item_id
 CROSS JOIN LATERAL (VALUES
   (d.item_id, d.customer_id, d.side, d.kind, d.currency, d.document_date, d.due_date, a.amount_minor, c.kind),
   (c.item_id, c.customer_id, c.side, c.kind, c.currency, c.document_date, c.due_date, a.credit_amount_minor, d.kind)
 ) AS m(item_id, customer_id, side, kind, currency, document_date, due_date, amount_minor, counter_kind);
--> statement-breakpoint
-- One statement-level run per insert statement (an import's batch runs it once), after the statement, so the
-- balances inserted beside the allocation in the same statement (a payment applied as it is posted) are visible.
-- Every allocation gets its two rows or the posting fails: a missing balance is a broken ledger, not a skipped row.
CREATE FUNCTION arflow_item_moves() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
  expected bigint;
BEGIN
  INSERT INTO item_moves (tenant_id, allocation_id, item_id, customer_id, side, kind, currency, document_date, due_date, move_date,
                          amount_minor, counter_kind, reverses_allocation_id)
  SELECT a.tenant_id, a.id, m.item_id, m.customer_id, m.side, m.kind, m.currency, m.document_date, m.due_date, a.allocation_date,
         m.amount_minor, m.counter_kind, a.reverses_allocation_id
    FROM new_rows a
    JOIN item_balances d ON d.tenant_id = a.tenant_id AND d.item_id = a.debit_item_id
    JOIN item_balances c ON c.tenant_id = a.tenant_id AND c.item_id = a.credit_item_id
   CROSS JOIN LATERAL (VALUES
     (d.item_id, d.customer_id, d.side, d.kind, d.currency, d.document_date, d.due_date, a.amount_minor, c.kind),
     (c.item_id, c.customer_id, c.side, c.kind, c.currency, c.document_date, c.due_date, a.credit_amount_minor, d.kind)
   ) AS m(item_id, customer_id, side, kind, currency, document_date, due_date, amount_minor, counter_kind);
  GET DIAGNOSTICS written = ROW_COUNT;
  SELECT 2 * count(*) INTO expected FROM new_rows;
  IF written <> expected THEN
    RAISE EXCEPTION 'item_moves: % rows written for % allocations; an allocated item has no balance row', written, expected / 2;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER item_moves AFTER INSERT ON allocations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION arflow_item_moves();
--> statement-breakpoint
ALTER TABLE item_moves ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON item_moves USING (tenant_id = arflow_current_tenant()) WITH CHECK (tenant_id = arflow_current_tenant());
--> statement-breakpoint
GRANT SELECT, INSERT ON item_moves TO arflow_app;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON item_moves FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();
--> statement-breakpoint
-- Today's open items with every column aging and the KPIs read (the same partial index, now covering): an index-only
-- scan instead of reading 300,000 balances at 1,000,000 invoices. Updating open_minor already writes this index (it
-- is in the predicate), so the wider entry is the only extra write.
DROP INDEX "item_balances_open";--> statement-breakpoint
CREATE INDEX "item_balances_open" ON "item_balances" USING btree ("tenant_id","customer_id")
  INCLUDE ("currency","side","kind","document_date","due_date","open_minor") WHERE "item_balances"."open_minor" > 0;
