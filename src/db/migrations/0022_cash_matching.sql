-- Hand-written. Cash matching (issue 7, matching half): the company's matching settings, payer accounts known per
-- customer (learned when a user confirms a match), each matched bank line's state, its ranked proposals with the
-- reasons and score, and its application (a payment document with its allocations, posted through the ledger). A line
-- is applied at most once at a time (a partial unique index); an undo marks the application undone after reversing
-- its documents in the ledger.
CREATE TABLE "bank_match_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"auto_apply_score" smallint DEFAULT 80 NOT NULL,
	"suggest_score" smallint DEFAULT 40 NOT NULL,
	"ambiguity_margin" smallint DEFAULT 10 NOT NULL,
	"charge_tolerance_minor" bigint DEFAULT 0 NOT NULL,
	"charge_tolerance_bp" integer DEFAULT 0 NOT NULL,
	"max_items" smallint DEFAULT 5 NOT NULL,
	"max_combinations" integer DEFAULT 20000 NOT NULL,
	"auto_apply" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "bank_match_settings_scores" CHECK ("bank_match_settings"."suggest_score" between 0 and 100 and "bank_match_settings"."auto_apply_score" between "bank_match_settings"."suggest_score" and 101 and "bank_match_settings"."ambiguity_margin" between 0 and 100),
	CONSTRAINT "bank_match_settings_tolerance" CHECK ("bank_match_settings"."charge_tolerance_minor" >= 0 and "bank_match_settings"."charge_tolerance_bp" between 0 and 1000),
	CONSTRAINT "bank_match_settings_bounds" CHECK ("bank_match_settings"."max_items" between 1 and 10 and "bank_match_settings"."max_combinations" between 1 and 1000000)
);
--> statement-breakpoint
CREATE TABLE "customer_bank_accounts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"account_key" text NOT NULL,
	"account" text NOT NULL,
	"source" text NOT NULL,
	"confirmations" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_bank_accounts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "customer_bank_accounts_source" CHECK ("customer_bank_accounts"."source" in ('learned', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "bank_line_matches" (
	"tenant_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"statement_id" uuid NOT NULL,
	"status" text NOT NULL,
	"best_score" smallint,
	"note" text NOT NULL,
	"matched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "bank_line_matches_tenant_id_entry_id_pk" PRIMARY KEY("tenant_id","entry_id"),
	CONSTRAINT "bank_line_matches_status" CHECK ("bank_line_matches"."status" in ('auto_applied', 'applied', 'suggested', 'unmatched', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "bank_match_proposals" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"rank" smallint NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"score" smallint NOT NULL,
	"reasons" jsonb NOT NULL,
	"allocations" jsonb NOT NULL,
	"write_off_minor" bigint DEFAULT 0 NOT NULL,
	"write_off_reason" text,
	"unapplied_minor" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	CONSTRAINT "bank_match_proposals_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "bank_match_proposals_status" CHECK ("bank_match_proposals"."status" in ('proposed', 'accepted', 'rejected', 'auto_applied', 'superseded')),
	CONSTRAINT "bank_match_proposals_score" CHECK ("bank_match_proposals"."score" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "bank_line_applications" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"proposal_id" uuid,
	"customer_id" uuid NOT NULL,
	"mode" text NOT NULL,
	"payment_document_id" uuid NOT NULL,
	"write_off_document_id" uuid,
	"amount_minor" bigint NOT NULL,
	"applied_minor" bigint NOT NULL,
	"write_off_minor" bigint DEFAULT 0 NOT NULL,
	"unapplied_minor" bigint DEFAULT 0 NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_by" text NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" text,
	"undo_reason" text,
	CONSTRAINT "bank_line_applications_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "bank_line_applications_mode" CHECK ("bank_line_applications"."mode" in ('auto', 'manual')),
	CONSTRAINT "bank_line_applications_amounts" CHECK ("bank_line_applications"."amount_minor" > 0 and "bank_line_applications"."applied_minor" + "bank_line_applications"."unapplied_minor" = "bank_line_applications"."amount_minor")
);
--> statement-breakpoint
ALTER TABLE "bank_match_settings" ADD CONSTRAINT "bank_match_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_bank_accounts" ADD CONSTRAINT "customer_bank_accounts_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_line_matches" ADD CONSTRAINT "bank_line_matches_entry_fk" FOREIGN KEY ("tenant_id","entry_id") REFERENCES "public"."bank_entries"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_match_proposals" ADD CONSTRAINT "bank_match_proposals_entry_fk" FOREIGN KEY ("tenant_id","entry_id") REFERENCES "public"."bank_entries"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_match_proposals" ADD CONSTRAINT "bank_match_proposals_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_line_applications" ADD CONSTRAINT "bank_line_applications_entry_fk" FOREIGN KEY ("tenant_id","entry_id") REFERENCES "public"."bank_entries"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_line_applications" ADD CONSTRAINT "bank_line_applications_payment_fk" FOREIGN KEY ("tenant_id","payment_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_bank_accounts_key" ON "customer_bank_accounts" USING btree ("tenant_id","account_key","customer_id");--> statement-breakpoint
CREATE INDEX "bank_line_matches_statement" ON "bank_line_matches" USING btree ("tenant_id","statement_id","status");--> statement-breakpoint
CREATE INDEX "bank_match_proposals_entry" ON "bank_match_proposals" USING btree ("tenant_id","entry_id","status","rank");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_line_applications_once" ON "bank_line_applications" USING btree ("tenant_id","entry_id") WHERE "bank_line_applications"."undone_at" is null;--> statement-breakpoint
-- Row-level security like 0020. Nothing here is deleted: proposals are superseded, applications undone.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bank_match_settings', 'customer_bank_accounts', 'bank_line_matches', 'bank_match_proposals', 'bank_line_applications']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO arflow_app', t);
  END LOOP;
END
$$;
