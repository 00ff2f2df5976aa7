-- Cash matching reads only the candidate items of a statement's lines: the payers' open items and the items whose
-- numbers the texts name. A number in a text is compared by its letters and digits, upper case, O read as 0 and I as
-- 1 (src/domain/bank/matching.ts, referenceKey and confusableKey), or without its letter prefix (coreKey). Stored
-- generated columns with plain indexes, not expression indexes: under row-level security PostgreSQL uses an index
-- only for a leakproof condition, and regexp_replace is not, while text equality on a column is.
ALTER TABLE "documents" ADD COLUMN "number_key" text GENERATED ALWAYS AS (translate(regexp_replace(upper("number"), '[^A-Z0-9]', '', 'g'), 'OI', '01')) STORED;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "number_core" text GENERATED ALWAYS AS (regexp_replace(regexp_replace(upper("number"), '[^A-Z0-9]', '', 'g'), '^[A-Z]+', '')) STORED;--> statement-breakpoint
CREATE INDEX "documents_number_key" ON "documents" USING btree ("tenant_id", "number_key");--> statement-breakpoint
CREATE INDEX "documents_number_core" ON "documents" USING btree ("tenant_id", "number_core");
