-- Hand-written. Early warning (issue 5): the company's rule thresholds and routing, the alerts the rules raise (one
-- open alert per rule and subject: a unique partial index), each alert's history as append-only events, and the grade
-- each customer had at the last evaluation (what "grade downgrade" compares with).
CREATE TABLE "alert_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"rule" text NOT NULL,
	"subject_type" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"owner" text,
	"figures" jsonb NOT NULL,
	"first_seen_on" date NOT NULL,
	"last_seen_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"resolution_note" text,
	CONSTRAINT "alerts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "alerts_severity" CHECK ("alerts"."severity" in ('info', 'warning', 'critical')),
	CONSTRAINT "alerts_status" CHECK ("alerts"."status" in ('open', 'acknowledged', 'resolved')),
	CONSTRAINT "alerts_subject_type" CHECK ("alerts"."subject_type" in ('customer', 'group')),
	CONSTRAINT "alerts_resolved" CHECK (("alerts"."status" = 'resolved') = ("alerts"."resolved_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "alert_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"alert_id" uuid NOT NULL,
	"event" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"figures" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "alert_events_event" CHECK ("alert_events"."event" in ('opened', 'refreshed', 'acknowledged', 'assigned', 'resolved', 'auto_resolved'))
);
--> statement-breakpoint
CREATE TABLE "alert_grades_seen" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"grade" text NOT NULL,
	"seen_on" date NOT NULL,
	CONSTRAINT "alert_grades_seen_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_alert_fk" FOREIGN KEY ("tenant_id","alert_id") REFERENCES "public"."alerts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_grades_seen" ADD CONSTRAINT "alert_grades_seen_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open" ON "alerts" USING btree ("tenant_id","rule","subject_type","customer_id") WHERE "alerts"."status" in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX "alerts_inbox" ON "alerts" USING btree ("tenant_id","status","owner");--> statement-breakpoint
CREATE INDEX "alerts_customer" ON "alerts" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "alert_events_alert" ON "alert_events" USING btree ("tenant_id","alert_id");--> statement-breakpoint
-- Row-level security like 0010. Alerts change status (open → acknowledged → resolved), so they may be updated, never
-- deleted; their events are append-only.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['alert_settings', 'alerts', 'alert_events', 'alert_grades_seen']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "alert_events" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "alert_settings", "alerts", "alert_grades_seen" TO arflow_app;
