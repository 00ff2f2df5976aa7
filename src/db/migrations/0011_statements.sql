-- Statements of account and balance confirmations (issue 4). Hand-written.
--
-- Company settings: the address printed on statements, and the day of the month the monthly statements go out
-- (null: no schedule).
ALTER TABLE "tenants" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "statement_day" smallint;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_statement_day" CHECK ("statement_day" IS NULL OR "statement_day" BETWEEN 1 AND 28);--> statement-breakpoint
-- Balance confirmations (对账函/询证函): what our ledger said a customer owed at a date, per currency. Records,
-- append-only.
CREATE TABLE "balance_confirmations" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"language" text NOT NULL,
	"note" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"issued_on" date NOT NULL,
	"issued_by" text NOT NULL,
	CONSTRAINT "balance_confirmations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "balance_confirmations_language" CHECK ("language" in ('zh-CN', 'en'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "balance_confirmations_number" ON "balance_confirmations" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE INDEX "balance_confirmations_customer" ON "balance_confirmations" USING btree ("tenant_id","customer_id","as_of");--> statement-breakpoint
ALTER TABLE "balance_confirmations" ADD CONSTRAINT "balance_confirmations_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id");--> statement-breakpoint
CREATE TABLE "confirmation_balances" (
	"tenant_id" uuid NOT NULL,
	"confirmation_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"balance_minor" bigint NOT NULL,
	CONSTRAINT "confirmation_balances_pk" PRIMARY KEY("tenant_id","confirmation_id","currency")
);
--> statement-breakpoint
ALTER TABLE "confirmation_balances" ADD CONSTRAINT "confirmation_balances_confirmation_fk" FOREIGN KEY ("tenant_id","confirmation_id") REFERENCES "public"."balance_confirmations"("tenant_id","id");--> statement-breakpoint
-- The customer's answers. One per confirmation; a correction is a new answer that supersedes it, with a reason.
CREATE TABLE "confirmation_answers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"confirmation_id" uuid NOT NULL,
	"status" text NOT NULL,
	"answered_on" date NOT NULL,
	"explanation" text,
	"supersedes_answer_id" uuid,
	"reason" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text NOT NULL,
	CONSTRAINT "confirmation_answers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "confirmation_answers_status" CHECK ("status" in ('confirmed', 'disputed')),
	CONSTRAINT "confirmation_answers_correction" CHECK ("supersedes_answer_id" IS NULL OR "reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "confirmation_answers_first" ON "confirmation_answers" USING btree ("tenant_id","confirmation_id") WHERE "supersedes_answer_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "confirmation_answers_supersedes" ON "confirmation_answers" USING btree ("tenant_id","supersedes_answer_id") WHERE "supersedes_answer_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "confirmation_answers" ADD CONSTRAINT "confirmation_answers_confirmation_fk" FOREIGN KEY ("tenant_id","confirmation_id") REFERENCES "public"."balance_confirmations"("tenant_id","id");--> statement-breakpoint
ALTER TABLE "confirmation_answers" ADD CONSTRAINT "confirmation_answers_supersedes_fk" FOREIGN KEY ("tenant_id","supersedes_answer_id") REFERENCES "public"."confirmation_answers"("tenant_id","id");--> statement-breakpoint
-- Their figure per currency beside ours; difference = theirs − ours.
CREATE TABLE "confirmation_answer_figures" (
	"tenant_id" uuid NOT NULL,
	"answer_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"their_balance_minor" bigint NOT NULL,
	"our_balance_minor" bigint NOT NULL,
	"difference_minor" bigint NOT NULL,
	CONSTRAINT "confirmation_answer_figures_pk" PRIMARY KEY("tenant_id","answer_id","currency"),
	CONSTRAINT "confirmation_answer_figures_difference" CHECK ("difference_minor" = "their_balance_minor" - "our_balance_minor")
);
--> statement-breakpoint
ALTER TABLE "confirmation_answer_figures" ADD CONSTRAINT "confirmation_answer_figures_answer_fk" FOREIGN KEY ("tenant_id","answer_id") REFERENCES "public"."confirmation_answers"("tenant_id","id");--> statement-breakpoint
-- The itemised differences the customer gave: a document, an amount, a reason.
CREATE TABLE "confirmation_answer_items" (
	"tenant_id" uuid NOT NULL,
	"answer_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"document_number" text,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "confirmation_answer_items_pk" PRIMARY KEY("tenant_id","answer_id","seq")
);
--> statement-breakpoint
ALTER TABLE "confirmation_answer_items" ADD CONSTRAINT "confirmation_answer_items_answer_fk" FOREIGN KEY ("tenant_id","answer_id") REFERENCES "public"."confirmation_answers"("tenant_id","id");--> statement-breakpoint
-- Statements and confirmations sent by email: queued in the request's transaction, marked sent (with the SMTP
-- message id) or failed by the job. A delivery log, so its status is updated; who asked and when never changes.
CREATE TABLE "statement_sends" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"confirmation_id" uuid,
	"period_from" date,
	"period_to" date NOT NULL,
	"language" text NOT NULL,
	"format" text NOT NULL,
	"recipient" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"message_id" text,
	"error" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"requested_by" text NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "statement_sends_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "statement_sends_kind" CHECK ("kind" in ('statement', 'confirmation')),
	CONSTRAINT "statement_sends_status" CHECK ("status" in ('queued', 'sent', 'failed')),
	CONSTRAINT "statement_sends_format" CHECK ("format" in ('pdf', 'xlsx'))
);
--> statement-breakpoint
CREATE INDEX "statement_sends_customer" ON "statement_sends" USING btree ("tenant_id","customer_id","requested_at");--> statement-breakpoint
CREATE INDEX "statement_sends_confirmation" ON "statement_sends" USING btree ("tenant_id","confirmation_id") WHERE "confirmation_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "statement_sends" ADD CONSTRAINT "statement_sends_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id");--> statement-breakpoint
ALTER TABLE "statement_sends" ADD CONSTRAINT "statement_sends_confirmation_fk" FOREIGN KEY ("tenant_id","confirmation_id") REFERENCES "public"."balance_confirmations"("tenant_id","id");--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['balance_confirmations', 'confirmation_balances', 'confirmation_answers',
                           'confirmation_answer_figures', 'confirmation_answer_items', 'statement_sends']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['balance_confirmations', 'confirmation_balances', 'confirmation_answers',
                           'confirmation_answer_figures', 'confirmation_answer_items']
  LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change()', t);
  END LOOP;
END
$$;
--> statement-breakpoint
GRANT UPDATE (status, message_id, error, sent_at) ON statement_sends TO arflow_app;
