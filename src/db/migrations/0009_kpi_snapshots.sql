-- KPI snapshots (issue 4): the KPI figures of one company at one as-of date, so that monthly trends are cheap to
-- read. A snapshot is a cache, never a record: it is deleted when the ledger changes under it, and recomputed.
CREATE TABLE "kpi_snapshots" (
	"tenant_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"currency" text NOT NULL,
	"period_days" smallint NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_snapshots_tenant_id_as_of_currency_period_days_pk" PRIMARY KEY("tenant_id","as_of","currency","period_days")
);
--> statement-breakpoint
ALTER TABLE "kpi_snapshots" ADD CONSTRAINT "kpi_snapshots_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- Hand-written: row-level security like the other tenant tables. The application may delete snapshots (they are a
-- cache, deleted by the trigger below in the posting's transaction).
ALTER TABLE kpi_snapshots ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON kpi_snapshots USING (tenant_id = arflow_current_tenant()) WITH CHECK (tenant_id = arflow_current_tenant());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_snapshots TO arflow_app;
--> statement-breakpoint
-- A snapshot must not go stale silently: a document or allocation dated on or before a snapshot's date changes what
-- was true then, so posting one deletes the company's snapshots of that date and later, in the posting's own
-- transaction. One statement-level trigger run per insert statement (an import's batch of thousands of rows runs it
-- once), reading the earliest business date among the new rows.
--
-- A posting in flight must not slip past a snapshot being computed: the trigger takes the company's KPI advisory
-- lock in shared mode (postings never wait on each other) and keeps it to its commit; a writer of snapshots takes it
-- exclusively before computing (src/modules/kpis/snapshots.ts). The writer thus waits for postings that already ran
-- their trigger (and then sees their rows), and a posting reaching its trigger meanwhile waits until the snapshot
-- is stored, then deletes it if it is affected. Lock key: (7301, hashtext(tenant id)); a hash collision between
-- two companies only makes one wait for the other.
CREATE FUNCTION arflow_kpi_stale_documents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  company uuid;
  from_date date;
BEGIN
  FOR company, from_date IN SELECT tenant_id, min(document_date) FROM new_rows GROUP BY tenant_id LOOP
    PERFORM pg_advisory_xact_lock_shared(7301, hashtext(company::text));
    DELETE FROM kpi_snapshots WHERE tenant_id = company AND as_of >= from_date;
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION arflow_kpi_stale_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  company uuid;
  from_date date;
BEGIN
  FOR company, from_date IN SELECT tenant_id, min(allocation_date) FROM new_rows GROUP BY tenant_id LOOP
    PERFORM pg_advisory_xact_lock_shared(7301, hashtext(company::text));
    DELETE FROM kpi_snapshots WHERE tenant_id = company AND as_of >= from_date;
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER kpi_snapshots_stale AFTER INSERT ON documents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION arflow_kpi_stale_documents();
--> statement-breakpoint
CREATE TRIGGER kpi_snapshots_stale AFTER INSERT ON allocations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION arflow_kpi_stale_allocations();
