CREATE TABLE "allocations" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"credit_item_id" uuid NOT NULL,
	"debit_item_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"credit_amount_minor" bigint NOT NULL,
	"fx_gain_minor" bigint DEFAULT 0 NOT NULL,
	"allocation_date" date NOT NULL,
	"reverses_allocation_id" uuid,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "allocations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "allocations_nonzero" CHECK ("allocations"."amount_minor" <> 0 and sign("allocations"."amount_minor") = sign("allocations"."credit_amount_minor"))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"reason" text,
	"before" jsonb,
	"after" jsonb,
	CONSTRAINT "audit_log_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "customer_contacts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"name" text NOT NULL,
	"role" text,
	"email" text,
	"phone" text,
	"preferred_channel" text DEFAULT 'email' NOT NULL,
	"language" text DEFAULT 'zh-CN' NOT NULL,
	"is_primary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_contacts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "customer_contacts_channel" CHECK ("customer_contacts"."preferred_channel" in ('email', 'sms', 'phone', 'letter'))
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"tax_id" text,
	"parent_id" uuid,
	"segment" text,
	"region" text,
	"industry" text,
	"salesperson" text,
	"collector" text,
	"currency" text NOT NULL,
	"terms_id" uuid,
	"credit_limit_minor" bigint,
	"status" text DEFAULT 'active' NOT NULL,
	"payload_hash" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "customers_status" CHECK ("customers"."status" in ('active', 'on_hold', 'inactive')),
	CONSTRAINT "customers_credit_limit" CHECK ("customers"."credit_limit_minor" is null or "customers"."credit_limit_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "document_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"event" text NOT NULL,
	"event_date" date NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "document_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"side" text NOT NULL,
	"number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"document_date" date NOT NULL,
	"posting_date" date NOT NULL,
	"due_date" date,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fx_rate" numeric(22, 10) NOT NULL,
	"functional_amount_minor" bigint NOT NULL,
	"terms_id" uuid,
	"related_document_id" uuid,
	"reverses_document_id" uuid,
	"reason" text,
	"memo" text,
	"source_system" text DEFAULT 'arflow' NOT NULL,
	"external_id" text,
	"payload_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "documents_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "documents_kind" CHECK ("documents"."kind" in ('invoice', 'debit_note', 'charge', 'refund', 'credit_note', 'payment', 'advance', 'write_off', 'reversal')),
	CONSTRAINT "documents_side" CHECK ("documents"."side" in ('debit', 'credit')),
	CONSTRAINT "documents_amount" CHECK ("documents"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "fx_rates" (
	"tenant_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"rate_date" date NOT NULL,
	"rate" numeric(22, 10) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fx_rates_tenant_id_currency_rate_date_pk" PRIMARY KEY("tenant_id","currency","rate_date"),
	CONSTRAINT "fx_rates_positive" CHECK ("fx_rates"."rate" > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
CREATE TABLE "item_balances" (
	"tenant_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"open_minor" bigint NOT NULL,
	CONSTRAINT "item_balances_tenant_id_item_id_pk" PRIMARY KEY("tenant_id","item_id"),
	CONSTRAINT "item_balances_range" CHECK ("item_balances"."open_minor" >= 0 and "item_balances"."open_minor" <= "item_balances"."amount_minor")
);
--> statement-breakpoint
CREATE TABLE "items" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"side" text NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"due_date" date,
	"discount_date" date,
	"discount_amount_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "items_amount" CHECK ("items"."amount_minor" > 0),
	CONSTRAINT "items_side" CHECK ("items"."side" in ('debit', 'credit'))
);
--> statement-breakpoint
CREATE TABLE "number_sequences" (
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"next_value" bigint NOT NULL,
	CONSTRAINT "number_sequences_tenant_id_kind_pk" PRIMARY KEY("tenant_id","kind")
);
--> statement-breakpoint
CREATE TABLE "payment_terms" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"rule" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_terms_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	"time_zone" text NOT NULL,
	"locale" text NOT NULL,
	"default_terms_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_tenant_id_credit_item_id_items_tenant_id_id_fk" FOREIGN KEY ("tenant_id","credit_item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_tenant_id_debit_item_id_items_tenant_id_id_fk" FOREIGN KEY ("tenant_id","debit_item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_tenant_id_reverses_allocation_id_allocations_tenant_id_id_fk" FOREIGN KEY ("tenant_id","reverses_allocation_id") REFERENCES "public"."allocations"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_contacts" ADD CONSTRAINT "customer_contacts_tenant_id_customer_id_customers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tenant_id_parent_id_customers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","parent_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tenant_id_terms_id_payment_terms_tenant_id_id_fk" FOREIGN KEY ("tenant_id","terms_id") REFERENCES "public"."payment_terms"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_events" ADD CONSTRAINT "document_events_tenant_id_document_id_documents_tenant_id_id_fk" FOREIGN KEY ("tenant_id","document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_customer_id_customers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_related_document_id_documents_tenant_id_id_fk" FOREIGN KEY ("tenant_id","related_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_reverses_document_id_documents_tenant_id_id_fk" FOREIGN KEY ("tenant_id","reverses_document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fx_rates" ADD CONSTRAINT "fx_rates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_balances" ADD CONSTRAINT "item_balances_tenant_id_item_id_items_tenant_id_id_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_tenant_id_document_id_documents_tenant_id_id_fk" FOREIGN KEY ("tenant_id","document_id") REFERENCES "public"."documents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_terms" ADD CONSTRAINT "payment_terms_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "allocations_credit" ON "allocations" USING btree ("tenant_id","credit_item_id");--> statement-breakpoint
CREATE INDEX "allocations_debit" ON "allocations" USING btree ("tenant_id","debit_item_id");--> statement-breakpoint
CREATE INDEX "allocations_batch" ON "allocations" USING btree ("tenant_id","batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "allocations_reverses" ON "allocations" USING btree ("tenant_id","reverses_allocation_id");--> statement-breakpoint
CREATE INDEX "audit_log_entity" ON "audit_log" USING btree ("tenant_id","entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "customer_contacts_customer" ON "customer_contacts" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_code" ON "customers" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "customers_name" ON "customers" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "customers_tax_id" ON "customers" USING btree ("tenant_id","tax_id");--> statement-breakpoint
CREATE INDEX "customers_parent" ON "customers" USING btree ("tenant_id","parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_events_once" ON "document_events" USING btree ("tenant_id","document_id","event");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_number" ON "documents" USING btree ("tenant_id","kind","number");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_external_id" ON "documents" USING btree ("tenant_id","source_system","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_reverses" ON "documents" USING btree ("tenant_id","reverses_document_id");--> statement-breakpoint
CREATE INDEX "documents_customer_date" ON "documents" USING btree ("tenant_id","customer_id","document_date");--> statement-breakpoint
CREATE INDEX "documents_date" ON "documents" USING btree ("tenant_id","document_date");--> statement-breakpoint
CREATE INDEX "item_balances_open" ON "item_balances" USING btree ("tenant_id","customer_id") WHERE "item_balances"."open_minor" > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "items_document_seq" ON "items" USING btree ("tenant_id","document_id","seq");--> statement-breakpoint
CREATE INDEX "items_customer_due" ON "items" USING btree ("tenant_id","customer_id","due_date");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_terms_code" ON "payment_terms" USING btree ("tenant_id","code");