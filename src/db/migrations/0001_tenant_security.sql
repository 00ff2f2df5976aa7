-- Tenant isolation and the append-only ledger, enforced by the database itself.
--
-- The application runs every tenant query as the role arflow_app, which is not a superuser, owns nothing and so is
-- subject to row-level security: each policy lets it see and write only rows of the tenant named in the
-- transaction-local setting app.tenant_id. Roles are cluster-wide, so creating it tolerates another database (or a
-- parallel test) having created it first.
DO $$
BEGIN
  CREATE ROLE arflow_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
--> statement-breakpoint
GRANT arflow_app TO CURRENT_USER;
--> statement-breakpoint
CREATE FUNCTION arflow_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE FUNCTION arflow_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'arflow: % is append-only; post a reversal instead of %', TG_TABLE_NAME, lower(TG_OP)
    USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['payment_terms', 'customers', 'customer_contacts', 'fx_rates', 'documents', 'items',
                           'item_balances', 'allocations', 'document_events', 'idempotency_keys', 'number_sequences',
                           'audit_log']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = arflow_current_tenant()) '
                   'WITH CHECK (tenant_id = arflow_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO arflow_app', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['documents', 'items', 'allocations', 'document_events', 'audit_log']
  LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION arflow_forbid_change()', t);
  END LOOP;
END
$$;
--> statement-breakpoint
-- Master data and caches the application may change (every change is audited by the service).
GRANT UPDATE ON payment_terms, customers, customer_contacts, item_balances, number_sequences, fx_rates, idempotency_keys
  TO arflow_app;
--> statement-breakpoint
GRANT DELETE ON customer_contacts TO arflow_app;
--> statement-breakpoint
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_self ON tenants USING (id = arflow_current_tenant());
--> statement-breakpoint
GRANT SELECT ON tenants TO arflow_app;
