-- Hand-written. Issue 5's credit file, scorecard, assessments and reviews. The credit file (ratings, insurance,
-- qualitative factors, documents' metadata) is kept as numbered versions, never edited: the history is the rows.
-- Financial statements are records per period: a correction is a newer row for the same period (the latest wins).
-- Assessments and reviews are records (append-only). The scorecard is per-tenant settings, audited before/after.
CREATE TABLE "credit_files" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"file" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "credit_files_tenant_id_customer_id_version_pk" PRIMARY KEY("tenant_id","customer_id","version"),
	CONSTRAINT "credit_files_version" CHECK ("credit_files"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "credit_financials" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"period_end" date NOT NULL,
	"currency" text NOT NULL,
	"figures" jsonb NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "credit_financials_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "credit_scorecards" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"scorecard" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_assessments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"score" smallint NOT NULL,
	"grade" text NOT NULL,
	"currency" text NOT NULL,
	"recommended_limit_minor" bigint,
	"took_effect" boolean NOT NULL,
	"report" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "credit_assessments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "credit_assessments_score" CHECK ("credit_assessments"."score" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "credit_reviews" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"decision" text NOT NULL,
	"proposed_grade" text,
	"currency" text NOT NULL,
	"proposed_limit_minor" bigint,
	"note" text,
	"assessment_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "credit_reviews_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "credit_reviews_decision" CHECK ("credit_reviews"."decision" in ('approve', 'change', 'hold'))
);
--> statement-breakpoint
ALTER TABLE "credit_files" ADD CONSTRAINT "credit_files_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_financials" ADD CONSTRAINT "credit_financials_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_scorecards" ADD CONSTRAINT "credit_scorecards_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_assessments" ADD CONSTRAINT "credit_assessments_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_reviews" ADD CONSTRAINT "credit_reviews_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_reviews" ADD CONSTRAINT "credit_reviews_assessment_fk" FOREIGN KEY ("tenant_id","assessment_id") REFERENCES "public"."credit_assessments"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_financials_period" ON "credit_financials" USING btree ("tenant_id","customer_id","period_end");--> statement-breakpoint
CREATE INDEX "credit_assessments_customer" ON "credit_assessments" USING btree ("tenant_id","customer_id","as_of");--> statement-breakpoint
CREATE INDEX "credit_reviews_customer" ON "credit_reviews" USING btree ("tenant_id","customer_id","as_of");--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['credit_files', 'credit_financials', 'credit_scorecards', 'credit_assessments', 'credit_reviews']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['credit_files', 'credit_financials', 'credit_assessments', 'credit_reviews']
  LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change()', t);
  END LOOP;
END
$$;
--> statement-breakpoint
GRANT UPDATE ON credit_scorecards TO arflow_app;
