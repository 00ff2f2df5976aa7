-- Hand-written. What cash matching learns from a user's decision besides the payer's account (issue 7): how a
-- customer quotes the invoices it pays when no signal recognised them (the last digits of the number after a marker
-- such as 尾号 or "INV"), one row per customer, marker and number of digits, counted up on each confirmation. A user
-- may forget a learned account or pattern (audited): both tables may be deleted from.
CREATE TABLE "customer_reference_patterns" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"marker" text NOT NULL,
	"digits" smallint NOT NULL,
	"example" text NOT NULL,
	"confirmations" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_reference_patterns_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "customer_reference_patterns_digits" CHECK ("customer_reference_patterns"."digits" between 4 and 12 and length("customer_reference_patterns"."marker") <= 8)
);
--> statement-breakpoint
ALTER TABLE "customer_reference_patterns" ADD CONSTRAINT "customer_reference_patterns_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_reference_patterns_key" ON "customer_reference_patterns" USING btree ("tenant_id","customer_id","marker","digits");--> statement-breakpoint
ALTER TABLE "customer_reference_patterns" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON "customer_reference_patterns" USING (tenant_id = arflow_current_tenant()) WITH CHECK (tenant_id = arflow_current_tenant());--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "customer_reference_patterns" TO arflow_app;--> statement-breakpoint
GRANT DELETE ON "customer_bank_accounts" TO arflow_app;
