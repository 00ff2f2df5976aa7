-- Hand-written. A short payment the customer meant (a deduction: 扣款) becomes a dispute instead of staying open
-- unexplained or being written off (issue 7): the company's deduction tolerance (fixed and a share of the amount due,
-- the larger counts; zero turns it off), each proposal's deductions (the items and amounts that go to a dispute), and
-- the application's deduction with the dispute raised for it.
ALTER TABLE "bank_match_settings" ADD COLUMN "deduction_tolerance_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_match_settings" ADD COLUMN "deduction_tolerance_bp" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_match_settings" ADD CONSTRAINT "bank_match_settings_deduction" CHECK ("bank_match_settings"."deduction_tolerance_minor" >= 0 and "bank_match_settings"."deduction_tolerance_bp" between 0 and 5000);--> statement-breakpoint
-- And the tolerance for the bank's FX rate when a line pays items in another currency (basis points of the converted
-- amount; 50 = 0.5%).
ALTER TABLE "bank_match_settings" ADD COLUMN "fx_tolerance_bp" integer DEFAULT 50 NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_match_settings" ADD CONSTRAINT "bank_match_settings_fx" CHECK ("bank_match_settings"."fx_tolerance_bp" between 0 and 1000);--> statement-breakpoint
ALTER TABLE "bank_match_proposals" ADD COLUMN "deductions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_line_applications" ADD COLUMN "deduction_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_line_applications" ADD COLUMN "dispute_id" uuid;
