-- Remittance advices (付款通知): a customer's list of the invoices a payment covers (CSV or XLSX), kept so that cash
-- matching applies a bank line to exactly the invoices and amounts the customer named. An advice is used once: the
-- bank entry it explained is recorded on it (the only column updated).
CREATE TABLE "remittance_advices" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"file_hash" text NOT NULL,
	"file_name" text,
	"customer_id" uuid,
	"currency" text NOT NULL,
	"total_minor" bigint NOT NULL,
	"line_count" integer NOT NULL,
	"reference" text,
	"payment_date" date,
	"bank_entry_id" uuid,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_by" text NOT NULL,
	CONSTRAINT "remittance_advices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "remittance_advice_lines" (
	"tenant_id" uuid NOT NULL,
	"advice_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"invoice_number" text NOT NULL,
	"document_id" uuid,
	"amount_minor" bigint NOT NULL,
	"deduction_minor" bigint NOT NULL,
	"reference" text,
	"payment_date" date,
	CONSTRAINT "remittance_advice_lines_tenant_id_advice_id_line_pk" PRIMARY KEY("tenant_id","advice_id","line")
);
--> statement-breakpoint
ALTER TABLE "remittance_advices" ADD CONSTRAINT "remittance_advices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remittance_advices" ADD CONSTRAINT "remittance_advices_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remittance_advice_lines" ADD CONSTRAINT "remittance_advice_lines_advice_fk" FOREIGN KEY ("tenant_id","advice_id") REFERENCES "public"."remittance_advices"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "remittance_advices_file" ON "remittance_advices" USING btree ("tenant_id","file_hash");--> statement-breakpoint
CREATE INDEX "remittance_advices_open" ON "remittance_advices" USING btree ("tenant_id","currency","total_minor") WHERE "remittance_advices"."bank_entry_id" is null;--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['remittance_advices', 'remittance_advice_lines']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "remittance_advice_lines" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ("bank_entry_id") ON "remittance_advices" TO arflow_app;
