-- Hand-written. Credit limits, commitments and holds (issue 5, "Limits, checks and holds").
-- credit_settings: the tenant's exposure parts, warn band, hold rules, what a hold blocks, and the approval authority
-- of each role (master data: changed, audited with before and after).
-- credit_limit_versions: every approved limit, per customer or per group (scope 'group' on the group's head), with
-- its optional temporary increase; append-only, the highest version is in force.
-- credit_commitments: open orders and shipments registered by the order system; status moves open → closed, audited.
-- credit_holds: manual or rule holds; a release is asked for, approved by a second person, then recorded here.
CREATE TABLE "credit_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_limit_versions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"version" integer NOT NULL,
	"currency" text NOT NULL,
	"limit_minor" bigint NOT NULL,
	"temporary_minor" bigint,
	"temporary_from" date,
	"temporary_to" date,
	"temporary_reason" text,
	"reason" text NOT NULL,
	"requested_by" text NOT NULL,
	"approved_by" text NOT NULL,
	"approval_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_limit_versions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "credit_limit_versions_scope" CHECK ("credit_limit_versions"."scope" in ('customer', 'group')),
	CONSTRAINT "credit_limit_versions_amounts" CHECK ("credit_limit_versions"."limit_minor" >= 0 and ("credit_limit_versions"."temporary_minor" is null or "credit_limit_versions"."temporary_minor" > 0)),
	CONSTRAINT "credit_limit_versions_window" CHECK (("credit_limit_versions"."temporary_minor" is null) = ("credit_limit_versions"."temporary_from" is null) and ("credit_limit_versions"."temporary_from" is null) = ("credit_limit_versions"."temporary_to" is null) and ("credit_limit_versions"."temporary_from" is null or "credit_limit_versions"."temporary_from" <= "credit_limit_versions"."temporary_to"))
);
--> statement-breakpoint
CREATE TABLE "credit_commitments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"reference" text NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "credit_commitments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "credit_commitments_kind" CHECK ("credit_commitments"."kind" in ('order', 'shipment')),
	CONSTRAINT "credit_commitments_status" CHECK ("credit_commitments"."status" in ('open', 'closed')),
	CONSTRAINT "credit_commitments_amount" CHECK ("credit_commitments"."amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_holds" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"reason" text NOT NULL,
	"placed_on" date NOT NULL,
	"placed_by" text NOT NULL,
	"status" text NOT NULL,
	"release_approval_id" uuid,
	"released_on" date,
	"released_by" text,
	"release_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_holds_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "credit_holds_status" CHECK ("credit_holds"."status" in ('active', 'release_requested', 'released')),
	CONSTRAINT "credit_holds_rule" CHECK ("credit_holds"."rule" in ('manual', 'overdue_days', 'overdue_amount', 'grade_e', 'review_expired'))
);
--> statement-breakpoint
ALTER TABLE "credit_settings" ADD CONSTRAINT "credit_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_limit_versions" ADD CONSTRAINT "credit_limit_versions_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_commitments" ADD CONSTRAINT "credit_commitments_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_limit_versions_version" ON "credit_limit_versions" USING btree ("tenant_id","customer_id","scope","version");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_commitments_reference" ON "credit_commitments" USING btree ("tenant_id","kind","reference");--> statement-breakpoint
CREATE INDEX "credit_commitments_open" ON "credit_commitments" USING btree ("tenant_id","customer_id") WHERE "credit_commitments"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "credit_holds_one_per_rule" ON "credit_holds" USING btree ("tenant_id","customer_id","rule") WHERE "credit_holds"."status" <> 'released';--> statement-breakpoint
CREATE INDEX "credit_holds_customer" ON "credit_holds" USING btree ("tenant_id","customer_id");--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['credit_settings', 'credit_limit_versions', 'credit_commitments', 'credit_holds']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "credit_limit_versions" FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change();--> statement-breakpoint
GRANT UPDATE ON "credit_settings", "credit_commitments", "credit_holds" TO arflow_app;
