-- Hand-written. Collections, first part (issue 6): disputes on open items with their append-only history, promises to
-- pay (optionally on named items) decided from the allocations, the collector's activities on a customer's timeline,
-- and the company's collection settings (the promises' default grace days).
CREATE TABLE "disputes" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"owner_team" text NOT NULL,
	"owner_user" text,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"accepted_minor" bigint,
	"credit_note_document_id" uuid,
	"raised_on" date NOT NULL,
	"due_date" date NOT NULL,
	"closed_on" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disputes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "disputes_reason" CHECK ("disputes"."reason" in ('price', 'quantity', 'quality', 'not_received', 'duplicate_billing', 'tax_invoice_error', 'other')),
	CONSTRAINT "disputes_status" CHECK ("disputes"."status" in ('open', 'investigating', 'resolved_credit_note', 'rejected', 'partly_accepted')),
	CONSTRAINT "disputes_owner_team" CHECK ("disputes"."owner_team" in ('sales', 'logistics', 'finance')),
	CONSTRAINT "disputes_amount" CHECK ("disputes"."amount_minor" > 0),
	CONSTRAINT "disputes_accepted" CHECK ("disputes"."accepted_minor" is null or ("disputes"."accepted_minor" >= 0 and "disputes"."accepted_minor" <= "disputes"."amount_minor")),
	CONSTRAINT "disputes_closed" CHECK (("disputes"."status" in ('open', 'investigating')) = ("disputes"."closed_on" is null))
);
--> statement-breakpoint
CREATE TABLE "dispute_items" (
	"tenant_id" uuid NOT NULL,
	"dispute_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"open_at_raise_minor" bigint NOT NULL,
	CONSTRAINT "dispute_items_tenant_id_dispute_id_item_id_pk" PRIMARY KEY("tenant_id","dispute_id","item_id"),
	CONSTRAINT "dispute_items_amount" CHECK ("dispute_items"."amount_minor" > 0 and "dispute_items"."amount_minor" <= "dispute_items"."open_at_raise_minor")
);
--> statement-breakpoint
CREATE TABLE "dispute_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"dispute_id" uuid NOT NULL,
	"event" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dispute_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "dispute_events_event" CHECK ("dispute_events"."event" in ('raised', 'transition'))
);
--> statement-breakpoint
CREATE TABLE "promises" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"promised_date" date NOT NULL,
	"grace_days" integer NOT NULL,
	"created_on" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"kept_minor" bigint,
	"decided_on" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promises_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "promises_status" CHECK ("promises"."status" in ('open', 'kept', 'partly_kept', 'broken')),
	CONSTRAINT "promises_amount" CHECK ("promises"."amount_minor" > 0),
	CONSTRAINT "promises_grace" CHECK ("promises"."grace_days" >= 0 and "promises"."grace_days" <= 60),
	CONSTRAINT "promises_dates" CHECK ("promises"."promised_date" >= "promises"."created_on"),
	CONSTRAINT "promises_decided" CHECK (("promises"."status" = 'open') = ("promises"."decided_on" is null))
);
--> statement-breakpoint
CREATE TABLE "promise_items" (
	"tenant_id" uuid NOT NULL,
	"promise_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	CONSTRAINT "promise_items_tenant_id_promise_id_item_id_pk" PRIMARY KEY("tenant_id","promise_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "collection_activities" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"activity_date" date NOT NULL,
	"channel" text NOT NULL,
	"outcome" text NOT NULL,
	"contact" text,
	"note" text,
	"follow_up_on" date,
	"promise_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "collection_activities_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "collection_activities_channel" CHECK ("collection_activities"."channel" in ('phone', 'email', 'sms', 'visit', 'letter')),
	CONSTRAINT "collection_activities_outcome" CHECK ("collection_activities"."outcome" in ('reached', 'no_answer', 'promised', 'refused', 'wrong_contact', 'left_message'))
);
--> statement-breakpoint
CREATE TABLE "collection_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"promise_grace_days" integer DEFAULT 3 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "collection_settings_grace" CHECK ("collection_settings"."promise_grace_days" >= 0 and "collection_settings"."promise_grace_days" <= 60)
);
--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_credit_note_fk" FOREIGN KEY ("tenant_id","credit_note_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_items" ADD CONSTRAINT "dispute_items_dispute_fk" FOREIGN KEY ("tenant_id","dispute_id") REFERENCES "public"."disputes"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_items" ADD CONSTRAINT "dispute_items_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_events" ADD CONSTRAINT "dispute_events_dispute_fk" FOREIGN KEY ("tenant_id","dispute_id") REFERENCES "public"."disputes"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises" ADD CONSTRAINT "promises_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promise_items" ADD CONSTRAINT "promise_items_promise_fk" FOREIGN KEY ("tenant_id","promise_id") REFERENCES "public"."promises"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promise_items" ADD CONSTRAINT "promise_items_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_activities" ADD CONSTRAINT "collection_activities_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_activities" ADD CONSTRAINT "collection_activities_promise_fk" FOREIGN KEY ("tenant_id","promise_id") REFERENCES "public"."promises"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_settings" ADD CONSTRAINT "collection_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "disputes_board" ON "disputes" USING btree ("tenant_id","status","due_date");--> statement-breakpoint
CREATE INDEX "disputes_customer" ON "disputes" USING btree ("tenant_id","customer_id","raised_on");--> statement-breakpoint
CREATE INDEX "disputes_raised" ON "disputes" USING btree ("tenant_id","raised_on");--> statement-breakpoint
CREATE INDEX "dispute_items_item" ON "dispute_items" USING btree ("tenant_id","item_id");--> statement-breakpoint
CREATE INDEX "dispute_events_dispute" ON "dispute_events" USING btree ("tenant_id","dispute_id");--> statement-breakpoint
CREATE INDEX "promises_open" ON "promises" USING btree ("tenant_id","status","promised_date");--> statement-breakpoint
CREATE INDEX "promises_customer" ON "promises" USING btree ("tenant_id","customer_id","created_on");--> statement-breakpoint
CREATE INDEX "collection_activities_customer" ON "collection_activities" USING btree ("tenant_id","customer_id","activity_date");--> statement-breakpoint
-- Row-level security like 0018. Disputes and promises change status (an update each, recorded in the events and the
-- audit trail); their items, the dispute events and the activities are append-only.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['disputes', 'dispute_items', 'dispute_events', 'promises', 'promise_items', 'collection_activities', 'collection_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "dispute_items" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "dispute_events" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "promise_items" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "collection_activities" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "disputes", "promises", "collection_settings" TO arflow_app;
