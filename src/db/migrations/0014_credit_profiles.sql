-- Hand-written. Each customer's current credit standing (issue 5), one row per graded customer: the grade and score
-- of the assessment in force and when the next review is due. Credit scoring writes it when an assessment takes
-- effect; credit holds, the review queue and early-warning rules read it. The history is in the assessments and the
-- audit log, not here.
CREATE TABLE "credit_profiles" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"grade" text,
	"score" smallint,
	"assessed_on" date,
	"review_due" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "credit_profiles_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id"),
	CONSTRAINT "credit_profiles_score" CHECK ("credit_profiles"."score" is null or "credit_profiles"."score" between 0 and 100),
	CONSTRAINT "credit_profiles_grade" CHECK ("credit_profiles"."grade" is null or length("credit_profiles"."grade") between 1 and 8)
);
--> statement-breakpoint
ALTER TABLE "credit_profiles" ADD CONSTRAINT "credit_profiles_customer_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_profiles_review_due" ON "credit_profiles" USING btree ("tenant_id","review_due");--> statement-breakpoint
ALTER TABLE "credit_profiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON "credit_profiles" USING (tenant_id = arflow_current_tenant()) WITH CHECK (tenant_id = arflow_current_tenant());--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "credit_profiles" TO arflow_app;
