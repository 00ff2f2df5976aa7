ALTER TABLE "approvals" ALTER COLUMN "requested_by" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ALTER COLUMN "write_off_approval_minor" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ALTER COLUMN "credit_limit_approval_minor" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "requested_by_actor" text NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "decided_by_actor" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "reversals_need_approval" boolean DEFAULT true NOT NULL;