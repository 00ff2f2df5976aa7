-- Issue 6's speed target (docs/benchmarks.md, "Dunning"). An item's dunning steps become one row per item and run: the
-- step it reached, with the earlier steps it skipped in that run as an array (they were one row each, up to five rows
-- per item). The rows written before are folded the same way: each run's skipped rows into the reached row of that
-- run (the planner reads reached and skipped alike as done, so nothing it plans changes).
-- The foreign keys from the item steps to the items and the runs, and from the outbox to the runs and the customers,
-- go: each cost a lookup per row written (two thirds of the item steps' writing time, a third of the outbox's), and
-- the run writes these rows from the items and customers it has just read and the run it has just created, in its own
-- transaction; items and customers are never deleted (docs/decisions.md).
ALTER TABLE "dunning_item_steps" ADD COLUMN "skipped_seqs" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "dunning_item_steps" DISABLE TRIGGER append_only;--> statement-breakpoint
UPDATE "dunning_item_steps" r SET "skipped_seqs" = s.seqs
  FROM (SELECT tenant_id, item_id, strategy_id, run_id, array_agg(step_seq ORDER BY step_seq) AS seqs FROM "dunning_item_steps" WHERE status = 'skipped'
         GROUP BY tenant_id, item_id, strategy_id, run_id) s
 WHERE r.status = 'reached' AND r.tenant_id = s.tenant_id AND r.item_id = s.item_id AND r.strategy_id = s.strategy_id AND r.run_id = s.run_id;--> statement-breakpoint
DELETE FROM "dunning_item_steps" s WHERE s.status = 'skipped' AND EXISTS (
  SELECT 1 FROM "dunning_item_steps" r WHERE r.status = 'reached' AND r.tenant_id = s.tenant_id AND r.item_id = s.item_id AND r.strategy_id = s.strategy_id AND r.run_id = s.run_id);--> statement-breakpoint
ALTER TABLE "dunning_item_steps" ENABLE TRIGGER append_only;--> statement-breakpoint
ALTER TABLE "dunning_item_steps" DROP CONSTRAINT "dunning_item_steps_status";--> statement-breakpoint
ALTER TABLE "dunning_item_steps" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "dunning_item_steps" DROP CONSTRAINT "dunning_item_steps_item_fk";--> statement-breakpoint
ALTER TABLE "dunning_item_steps" DROP CONSTRAINT "dunning_item_steps_run_fk";--> statement-breakpoint
ALTER TABLE "dunning_outbox" DROP CONSTRAINT "dunning_outbox_run_fk";--> statement-breakpoint
ALTER TABLE "dunning_outbox" DROP CONSTRAINT "dunning_outbox_customer_fk";
