-- Hand-written. Collections, payment plans and escalation (issue 6): installment agreements over a customer's open
-- items (append-only versions: a renegotiation replaces a plan by its next version), their installments and history;
-- collection agencies, agency and legal cases with their items, recoveries (each a payment posted in the ledger),
-- costs and history; the collectors' monthly targets; the plans' settings.
CREATE TABLE "payment_plans" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"number" text NOT NULL,
	"version" integer NOT NULL,
	"previous_id" uuid,
	"customer_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"start_date" date NOT NULL,
	"principal_minor" bigint NOT NULL,
	"down_payment_minor" bigint NOT NULL,
	"rate_bp" integer NOT NULL,
	"interest_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"grace_days" integer NOT NULL,
	"charge_document_id" uuid,
	"ended_on" date,
	"end_reason" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_plans_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "payment_plans_status" CHECK ("payment_plans"."status" in ('active', 'completed', 'cancelled', 'replaced')),
	CONSTRAINT "payment_plans_amounts" CHECK ("payment_plans"."principal_minor" > 0 and "payment_plans"."down_payment_minor" >= 0 and "payment_plans"."down_payment_minor" < "payment_plans"."principal_minor" and "payment_plans"."interest_minor" >= 0 and "payment_plans"."fee_minor" >= 0),
	CONSTRAINT "payment_plans_rate" CHECK ("payment_plans"."rate_bp" >= 0 and "payment_plans"."rate_bp" <= 10000),
	CONSTRAINT "payment_plans_grace" CHECK ("payment_plans"."grace_days" >= 0 and "payment_plans"."grace_days" <= 60),
	CONSTRAINT "payment_plans_ended" CHECK (("payment_plans"."status" = 'active') = ("payment_plans"."ended_on" is null))
);
--> statement-breakpoint
CREATE TABLE "payment_plan_items" (
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"open_minor" bigint NOT NULL,
	CONSTRAINT "payment_plan_items_tenant_id_plan_id_item_id_pk" PRIMARY KEY("tenant_id","plan_id","item_id"),
	CONSTRAINT "payment_plan_items_open" CHECK ("payment_plan_items"."open_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "payment_plan_installments" (
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"due_date" date NOT NULL,
	"principal_minor" bigint NOT NULL,
	"interest_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"amount_minor" bigint NOT NULL,
	"days" integer NOT NULL,
	CONSTRAINT "payment_plan_installments_tenant_id_plan_id_seq_pk" PRIMARY KEY("tenant_id","plan_id","seq"),
	CONSTRAINT "payment_plan_installments_amount" CHECK ("payment_plan_installments"."amount_minor" = "payment_plan_installments"."principal_minor" + "payment_plan_installments"."interest_minor" + "payment_plan_installments"."fee_minor")
);
--> statement-breakpoint
CREATE TABLE "payment_plan_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"event" text NOT NULL,
	"actor" text NOT NULL,
	"on_date" date NOT NULL,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_plan_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "payment_plan_events_event" CHECK ("payment_plan_events"."event" in ('created', 'renegotiated', 'replaced', 'cancelled', 'completed'))
);
--> statement-breakpoint
CREATE TABLE "payment_plan_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"grace_days" integer DEFAULT 3 NOT NULL,
	"auto_cancel_days" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "payment_plan_settings_grace" CHECK ("payment_plan_settings"."grace_days" >= 0 and "payment_plan_settings"."grace_days" <= 60),
	CONSTRAINT "payment_plan_settings_cancel" CHECK ("payment_plan_settings"."auto_cancel_days" is null or ("payment_plan_settings"."auto_cancel_days" >= 1 and "payment_plan_settings"."auto_cancel_days" <= 365))
);
--> statement-breakpoint
CREATE TABLE "collection_agencies" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"commission_bp" integer NOT NULL,
	"contact" text,
	"email" text,
	"phone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collection_agencies_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "collection_agencies_kind" CHECK ("collection_agencies"."kind" in ('agency', 'law_firm')),
	CONSTRAINT "collection_agencies_commission" CHECK ("collection_agencies"."commission_bp" >= 0 and "collection_agencies"."commission_bp" <= 10000)
);
--> statement-breakpoint
CREATE TABLE "escalation_cases" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"agency_id" uuid,
	"lawyer" text,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"commission_bp" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_on" date NOT NULL,
	"closed_on" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalation_cases_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "escalation_cases_kind" CHECK ("escalation_cases"."kind" in ('agency', 'legal')),
	CONSTRAINT "escalation_cases_status" CHECK ("escalation_cases"."status" in ('open', 'in_progress', 'closed_recovered', 'closed_partly', 'closed_unrecoverable')),
	CONSTRAINT "escalation_cases_amount" CHECK ("escalation_cases"."amount_minor" > 0),
	CONSTRAINT "escalation_cases_commission" CHECK ("escalation_cases"."commission_bp" >= 0 and "escalation_cases"."commission_bp" <= 10000),
	CONSTRAINT "escalation_cases_agency" CHECK ("escalation_cases"."kind" = 'legal' or "escalation_cases"."agency_id" is not null),
	CONSTRAINT "escalation_cases_closed" CHECK (("escalation_cases"."status" in ('open', 'in_progress')) = ("escalation_cases"."closed_on" is null))
);
--> statement-breakpoint
CREATE TABLE "escalation_case_items" (
	"tenant_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	CONSTRAINT "escalation_case_items_tenant_id_case_id_item_id_pk" PRIMARY KEY("tenant_id","case_id","item_id"),
	CONSTRAINT "escalation_case_items_amount" CHECK ("escalation_case_items"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "escalation_recoveries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"recovered_on" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"commission_minor" bigint NOT NULL,
	"payment_document_id" uuid NOT NULL,
	"reference" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "escalation_recoveries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "escalation_recoveries_amount" CHECK ("escalation_recoveries"."amount_minor" > 0 and "escalation_recoveries"."commission_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "escalation_costs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"incurred_on" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"description" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "escalation_costs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "escalation_costs_amount" CHECK ("escalation_costs"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "escalation_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"event" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalation_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "escalation_events_event" CHECK ("escalation_events"."event" in ('opened', 'transition', 'recovery', 'cost'))
);
--> statement-breakpoint
CREATE TABLE "collector_targets" (
	"tenant_id" uuid NOT NULL,
	"collector" text NOT NULL,
	"month" date NOT NULL,
	"collected_minor" bigint NOT NULL,
	"cei_bp" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "collector_targets_tenant_id_collector_month_pk" PRIMARY KEY("tenant_id","collector","month"),
	CONSTRAINT "collector_targets_month" CHECK (extract(day from "collector_targets"."month") = 1),
	CONSTRAINT "collector_targets_amounts" CHECK ("collector_targets"."collected_minor" >= 0 and ("collector_targets"."cei_bp" is null or ("collector_targets"."cei_bp" >= 0 and "collector_targets"."cei_bp" <= 10000)))
);
--> statement-breakpoint
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_previous_fk" FOREIGN KEY ("tenant_id","previous_id") REFERENCES "public"."payment_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_charge_fk" FOREIGN KEY ("tenant_id","charge_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_items" ADD CONSTRAINT "payment_plan_items_plan_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."payment_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_items" ADD CONSTRAINT "payment_plan_items_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_installments" ADD CONSTRAINT "payment_plan_installments_plan_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."payment_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_events" ADD CONSTRAINT "payment_plan_events_plan_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."payment_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_settings" ADD CONSTRAINT "payment_plan_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_cases" ADD CONSTRAINT "escalation_cases_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_cases" ADD CONSTRAINT "escalation_cases_agency_fk" FOREIGN KEY ("tenant_id","agency_id") REFERENCES "public"."collection_agencies"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_case_items" ADD CONSTRAINT "escalation_case_items_case_fk" FOREIGN KEY ("tenant_id","case_id") REFERENCES "public"."escalation_cases"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_case_items" ADD CONSTRAINT "escalation_case_items_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_recoveries" ADD CONSTRAINT "escalation_recoveries_case_fk" FOREIGN KEY ("tenant_id","case_id") REFERENCES "public"."escalation_cases"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_recoveries" ADD CONSTRAINT "escalation_recoveries_payment_fk" FOREIGN KEY ("tenant_id","payment_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_costs" ADD CONSTRAINT "escalation_costs_case_fk" FOREIGN KEY ("tenant_id","case_id") REFERENCES "public"."escalation_cases"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_events" ADD CONSTRAINT "escalation_events_case_fk" FOREIGN KEY ("tenant_id","case_id") REFERENCES "public"."escalation_cases"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collector_targets" ADD CONSTRAINT "collector_targets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_plans_number_version" ON "payment_plans" USING btree ("tenant_id","number","version");--> statement-breakpoint
CREATE INDEX "payment_plans_customer" ON "payment_plans" USING btree ("tenant_id","customer_id","status");--> statement-breakpoint
CREATE INDEX "payment_plans_status" ON "payment_plans" USING btree ("tenant_id","status","start_date");--> statement-breakpoint
CREATE INDEX "payment_plan_items_item" ON "payment_plan_items" USING btree ("tenant_id","item_id");--> statement-breakpoint
CREATE INDEX "payment_plan_events_plan" ON "payment_plan_events" USING btree ("tenant_id","plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "collection_agencies_code" ON "collection_agencies" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "escalation_cases_number" ON "escalation_cases" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE INDEX "escalation_cases_customer" ON "escalation_cases" USING btree ("tenant_id","customer_id","status");--> statement-breakpoint
CREATE INDEX "escalation_case_items_item" ON "escalation_case_items" USING btree ("tenant_id","item_id");--> statement-breakpoint
CREATE INDEX "escalation_recoveries_case" ON "escalation_recoveries" USING btree ("tenant_id","case_id");--> statement-breakpoint
CREATE INDEX "escalation_costs_case" ON "escalation_costs" USING btree ("tenant_id","case_id");--> statement-breakpoint
CREATE INDEX "escalation_events_case" ON "escalation_events" USING btree ("tenant_id","case_id");--> statement-breakpoint
-- Row-level security like 0019. Plans and cases change status (an update each, recorded in their events and the
-- audit trail); their items, installments, events, recoveries and costs are append-only.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['payment_plans', 'payment_plan_items', 'payment_plan_installments', 'payment_plan_events', 'payment_plan_settings',
                           'collection_agencies', 'escalation_cases', 'escalation_case_items', 'escalation_recoveries', 'escalation_costs',
                           'escalation_events', 'collector_targets']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "payment_plan_items" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "payment_plan_installments" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "payment_plan_events" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "escalation_case_items" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "escalation_recoveries" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "escalation_costs" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "escalation_events" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "payment_plans", "payment_plan_settings", "collection_agencies", "escalation_cases", "collector_targets" TO arflow_app;
