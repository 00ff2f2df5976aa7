-- Cash matching reads only the candidate items of a statement's lines: the payers' open items and the items whose
-- numbers the texts name. A number in a text is compared by its letters and digits, upper case, O read as 0 and I as
-- 1 (src/domain/bank/matching.ts, referenceKey and confusableKey), or without its letter prefix (coreKey): these
-- indexes find the documents by those keys.
CREATE INDEX "documents_number_key" ON "documents" USING btree ("tenant_id", translate(regexp_replace(upper("number"), '[^A-Z0-9]', '', 'g'), 'OI', '01'));--> statement-breakpoint
CREATE INDEX "documents_number_core" ON "documents" USING btree ("tenant_id", regexp_replace(regexp_replace(upper("number"), '[^A-Z0-9]', '', 'g'), '^[A-Z]+', ''));
