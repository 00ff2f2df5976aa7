DROP INDEX "documents_by_number";--> statement-breakpoint
DROP INDEX "documents_number";--> statement-breakpoint
DROP INDEX "documents_external_id";--> statement-breakpoint
DROP INDEX "documents_reverses";--> statement-breakpoint
CREATE UNIQUE INDEX "documents_number" ON "documents" USING btree ("tenant_id","number","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_external_id" ON "documents" USING btree ("tenant_id","source_system","external_id") WHERE "documents"."external_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_reverses" ON "documents" USING btree ("tenant_id","reverses_document_id") WHERE "documents"."reverses_document_id" is not null;