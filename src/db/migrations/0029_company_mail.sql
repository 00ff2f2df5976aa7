-- A company's own outgoing mail server (SMTP), used for its statements, confirmations, dunning and alert digests
-- instead of the installation's ARFLOW_SMTP_URL. The password is stored encrypted (AES-256-GCM, src/modules/mail/secret.ts).
CREATE TABLE "company_mail_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"security" text NOT NULL,
	"username" text,
	"password_sealed" text,
	"from_address" text NOT NULL,
	"from_name" text,
	"reply_to" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "company_mail_settings_port" CHECK ("company_mail_settings"."port" between 1 and 65535),
	CONSTRAINT "company_mail_settings_security" CHECK ("company_mail_settings"."security" in ('tls', 'starttls', 'none'))
);
--> statement-breakpoint
ALTER TABLE "company_mail_settings" ADD CONSTRAINT "company_mail_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_mail_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON "company_mail_settings" USING (tenant_id = arflow_current_tenant()) WITH CHECK (tenant_id = arflow_current_tenant());--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "company_mail_settings" TO arflow_app;
