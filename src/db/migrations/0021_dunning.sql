-- Hand-written. Dunning (issue 6, "Strategies and dunning"): strategies of ordered steps with their assignment rule,
-- templates per key and language, the company's dunning settings (late interest rate, bank details), a customer's
-- dunning settings (pinned strategy, do not dun, in legal), the runs, the steps each item reached (once per item and
-- step, so nothing repeats), and the outbox of messages and tasks (once per run day, customer and step).
CREATE TABLE "dunning_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"interest_rate_percent" numeric(9, 4),
	"bank_name" text,
	"bank_account" text,
	"bank_account_name" text,
	"statement_link" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "dunning_settings_rate" CHECK ("dunning_settings"."interest_rate_percent" is null or ("dunning_settings"."interest_rate_percent" >= 0 and "dunning_settings"."interest_rate_percent" <= 100))
);
--> statement-breakpoint
CREATE TABLE "dunning_strategies" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"match_segment" text,
	"match_grades" text[],
	"match_min_open_minor" bigint,
	"match_min_broken_promises" integer,
	"is_default" boolean DEFAULT false NOT NULL,
	"min_amount_minor" bigint DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dunning_strategies_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "dunning_strategies_min" CHECK ("dunning_strategies"."min_amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "dunning_steps" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"strategy_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"offset_days" integer NOT NULL,
	"channel" text NOT NULL,
	"template_key" text NOT NULL,
	"fee_minor" bigint,
	"fee_currency" text,
	"late_interest" boolean DEFAULT false NOT NULL,
	CONSTRAINT "dunning_steps_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "dunning_steps_channel" CHECK ("dunning_steps"."channel" in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter')),
	CONSTRAINT "dunning_steps_fee" CHECK (("dunning_steps"."fee_minor" is null) = ("dunning_steps"."fee_currency" is null) and ("dunning_steps"."fee_minor" is null or "dunning_steps"."fee_minor" > 0))
);
--> statement-breakpoint
CREATE TABLE "dunning_templates" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"key" text NOT NULL,
	"language" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "dunning_templates_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "dunning_templates_language" CHECK ("dunning_templates"."language" in ('zh-CN', 'en'))
);
--> statement-breakpoint
CREATE TABLE "dunning_customers" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"pinned_strategy_id" uuid,
	"do_not_dun" boolean DEFAULT false NOT NULL,
	"in_legal" boolean DEFAULT false NOT NULL,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "dunning_customers_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "dunning_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"messages" integer NOT NULL,
	"tasks" integer NOT NULL,
	"items" integer NOT NULL,
	"skipped" integer NOT NULL,
	"fees" integer NOT NULL,
	"summary" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "dunning_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "dunning_item_steps" (
	"tenant_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"strategy_id" uuid NOT NULL,
	"step_seq" integer NOT NULL,
	"status" text NOT NULL,
	"run_id" uuid NOT NULL,
	"outbox_id" uuid,
	"as_of" date NOT NULL,
	"open_minor" bigint NOT NULL,
	"interest_minor" bigint DEFAULT 0 NOT NULL,
	"interest_to" date,
	CONSTRAINT "dunning_item_steps_tenant_id_item_id_strategy_id_step_seq_pk" PRIMARY KEY("tenant_id","item_id","strategy_id","step_seq"),
	CONSTRAINT "dunning_item_steps_status" CHECK ("dunning_item_steps"."status" in ('reached', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "dunning_outbox" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"key" text NOT NULL,
	"as_of" date NOT NULL,
	"customer_id" uuid NOT NULL,
	"strategy_id" uuid NOT NULL,
	"step_seq" integer NOT NULL,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"recipient" text,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"totals" jsonb NOT NULL,
	"items" jsonb NOT NULL,
	"fee_documents" text[],
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"claim_token" uuid,
	"message_id" text,
	"provider_id" text,
	"error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dunning_outbox_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "dunning_outbox_channel" CHECK ("dunning_outbox"."channel" in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter')),
	CONSTRAINT "dunning_outbox_status" CHECK ("dunning_outbox"."status" in ('queued', 'sending', 'sent', 'failed', 'bounced', 'task', 'done'))
);
--> statement-breakpoint
ALTER TABLE "dunning_settings" ADD CONSTRAINT "dunning_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_strategies" ADD CONSTRAINT "dunning_strategies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_steps" ADD CONSTRAINT "dunning_steps_strategy_fk" FOREIGN KEY ("tenant_id","strategy_id") REFERENCES "public"."dunning_strategies"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_templates" ADD CONSTRAINT "dunning_templates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_customers" ADD CONSTRAINT "dunning_customers_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_customers" ADD CONSTRAINT "dunning_customers_strategy_fk" FOREIGN KEY ("tenant_id","pinned_strategy_id") REFERENCES "public"."dunning_strategies"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_runs" ADD CONSTRAINT "dunning_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_item_steps" ADD CONSTRAINT "dunning_item_steps_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_item_steps" ADD CONSTRAINT "dunning_item_steps_run_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."dunning_runs"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_outbox" ADD CONSTRAINT "dunning_outbox_run_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."dunning_runs"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_outbox" ADD CONSTRAINT "dunning_outbox_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_strategies_code" ON "dunning_strategies" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_strategies_one_default" ON "dunning_strategies" USING btree ("tenant_id") WHERE "dunning_strategies"."is_default";--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_steps_seq" ON "dunning_steps" USING btree ("tenant_id","strategy_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_templates_key" ON "dunning_templates" USING btree ("tenant_id","key","language");--> statement-breakpoint
CREATE INDEX "dunning_runs_as_of" ON "dunning_runs" USING btree ("tenant_id","as_of");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_outbox_key" ON "dunning_outbox" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE INDEX "dunning_outbox_run" ON "dunning_outbox" USING btree ("tenant_id","run_id");--> statement-breakpoint
CREATE INDEX "dunning_outbox_due" ON "dunning_outbox" USING btree ("tenant_id","status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "dunning_outbox_customer" ON "dunning_outbox" USING btree ("tenant_id","customer_id","as_of");--> statement-breakpoint
-- Row-level security like 0019. Item steps are append-only; a run's figures are filled in within its own transaction; the outbox changes status (claimed, sent, failed: each
-- audited); strategies, steps, templates and the settings are edited (audited); steps are replaced with their strategy.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dunning_settings', 'dunning_strategies', 'dunning_steps', 'dunning_templates', 'dunning_customers', 'dunning_runs', 'dunning_item_steps', 'dunning_outbox']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "dunning_item_steps" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "dunning_runs", "dunning_settings", "dunning_strategies", "dunning_steps", "dunning_templates", "dunning_customers", "dunning_outbox" TO arflow_app;--> statement-breakpoint
GRANT DELETE ON "dunning_steps" TO arflow_app;
