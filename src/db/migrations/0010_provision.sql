CREATE TABLE "provision_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provision_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"period_end" date NOT NULL,
	"method" text NOT NULL,
	"currency" text NOT NULL,
	"allowance_minor" bigint NOT NULL,
	"charge_minor" bigint NOT NULL,
	"supersedes_run_id" uuid,
	"reason" text,
	"report" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "provision_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "provision_runs_method" CHECK ("provision_runs"."method" in ('aging', 'ecl')),
	CONSTRAINT "provision_runs_reason" CHECK ("provision_runs"."supersedes_run_id" is null or "provision_runs"."reason" is not null)
);
--> statement-breakpoint
CREATE TABLE "provision_recoveries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"write_off_document_id" uuid NOT NULL,
	"reinstatement_document_id" uuid NOT NULL,
	"payment_document_id" uuid NOT NULL,
	"recovery_date" date NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "provision_recoveries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "provision_recoveries_positive" CHECK ("provision_recoveries"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "provision_settings" ADD CONSTRAINT "provision_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_runs" ADD CONSTRAINT "provision_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_runs" ADD CONSTRAINT "provision_runs_supersedes_fk" FOREIGN KEY ("tenant_id","supersedes_run_id") REFERENCES "public"."provision_runs"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_recoveries" ADD CONSTRAINT "provision_recoveries_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_recoveries" ADD CONSTRAINT "provision_recoveries_write_off_fk" FOREIGN KEY ("tenant_id","write_off_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_recoveries" ADD CONSTRAINT "provision_recoveries_reinstatement_fk" FOREIGN KEY ("tenant_id","reinstatement_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provision_recoveries" ADD CONSTRAINT "provision_recoveries_payment_fk" FOREIGN KEY ("tenant_id","payment_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provision_runs_period" ON "provision_runs" USING btree ("tenant_id","period_end");--> statement-breakpoint
CREATE UNIQUE INDEX "provision_runs_supersedes" ON "provision_runs" USING btree ("tenant_id","supersedes_run_id");--> statement-breakpoint
CREATE INDEX "provision_recoveries_date" ON "provision_recoveries" USING btree ("tenant_id","recovery_date");--> statement-breakpoint
CREATE INDEX "provision_recoveries_write_off" ON "provision_recoveries" USING btree ("tenant_id","write_off_document_id");--> statement-breakpoint
-- Hand-written: row-level security like 0001. Settings are master data (changed, audited with before and after);
-- runs and recoveries are records: append-only, a run is superseded by a new run that names it, never edited.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['provision_settings', 'provision_runs', 'provision_recoveries']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['provision_runs', 'provision_recoveries']
  LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change()', t);
  END LOOP;
END
$$;
--> statement-breakpoint
GRANT UPDATE ON provision_settings TO arflow_app;
