ALTER TABLE "documents" DROP CONSTRAINT "documents_tenant_id_tenants_id_fk";
