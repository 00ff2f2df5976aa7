-- Hand-written. Bank statement import (issue 7, import half): the company's bank accounts, each imported statement
-- with its balance check, one row per bank entry (unique per account and entry key, so importing a file again adds
-- nothing), and the saved CSV mapping profiles. Statements and entries are append-only.
CREATE TABLE "bank_accounts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_accounts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "bank_accounts_currency" CHECK ("bank_accounts"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "bank_statements" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"content_hash" text NOT NULL,
	"file_hash" text NOT NULL,
	"file_name" text,
	"format" text NOT NULL,
	"format_version" text NOT NULL,
	"statement_id" text NOT NULL,
	"sequence" text,
	"opening_minor" bigint,
	"opening_date" date,
	"closing_minor" bigint,
	"closing_date" date,
	"balance_check" text NOT NULL,
	"difference_minor" bigint NOT NULL,
	"entries_total_minor" bigint NOT NULL,
	"entry_count" integer NOT NULL,
	"new_entry_count" integer NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_by" text NOT NULL,
	CONSTRAINT "bank_statements_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "bank_statements_format" CHECK ("bank_statements"."format" in ('camt.053', 'camt.052', 'camt.054', 'mt940', 'bai2', 'csv')),
	CONSTRAINT "bank_statements_balance_check" CHECK ("bank_statements"."balance_check" in ('ok', 'mismatch', 'not_given')),
	CONSTRAINT "bank_statements_counts" CHECK ("bank_statements"."new_entry_count" between 0 and "bank_statements"."entry_count")
);
--> statement-breakpoint
CREATE TABLE "bank_entries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"statement_id" uuid NOT NULL,
	"entry_key" text NOT NULL,
	"seq" integer NOT NULL,
	"booking_date" date,
	"value_date" date,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"bank_reference" text,
	"customer_reference" text,
	"end_to_end_id" text,
	"remittance_text" text,
	"creditor_reference" text,
	"counterparty_name" text,
	"counterparty_account" text,
	"transaction_code" text,
	"reversal" boolean NOT NULL,
	"booked" boolean NOT NULL,
	"details" jsonb,
	"position" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "bank_csv_profiles" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"profile" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "bank_csv_profiles_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_statements" ADD CONSTRAINT "bank_statements_account_fk" FOREIGN KEY ("tenant_id","bank_account_id") REFERENCES "public"."bank_accounts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_entries" ADD CONSTRAINT "bank_entries_account_fk" FOREIGN KEY ("tenant_id","bank_account_id") REFERENCES "public"."bank_accounts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_entries" ADD CONSTRAINT "bank_entries_statement_fk" FOREIGN KEY ("tenant_id","statement_id") REFERENCES "public"."bank_statements"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_csv_profiles" ADD CONSTRAINT "bank_csv_profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_accounts_number" ON "bank_accounts" USING btree ("tenant_id","account_id","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_statements_content" ON "bank_statements" USING btree ("tenant_id","bank_account_id","content_hash");--> statement-breakpoint
CREATE INDEX "bank_statements_history" ON "bank_statements" USING btree ("tenant_id","imported_at");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_entries_key" ON "bank_entries" USING btree ("tenant_id","bank_account_id","entry_key");--> statement-breakpoint
CREATE INDEX "bank_entries_statement" ON "bank_entries" USING btree ("tenant_id","statement_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_csv_profiles_name" ON "bank_csv_profiles" USING btree ("tenant_id","name");--> statement-breakpoint
-- Row-level security like 0018. Statements and entries are append-only; accounts and profiles may be renamed or
-- edited (audited), never deleted.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bank_accounts', 'bank_statements', 'bank_entries', 'bank_csv_profiles']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "bank_statements" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "bank_entries" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "bank_accounts", "bank_csv_profiles" TO arflow_app;
