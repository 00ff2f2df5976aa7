-- Dunning steps may hand a customer's items over to a collection agency or to legal action: tasks for a person, like
-- calls and visits (the case itself is opened from the escalation page).
ALTER TABLE "dunning_steps" DROP CONSTRAINT "dunning_steps_channel";--> statement-breakpoint
ALTER TABLE "dunning_steps" ADD CONSTRAINT "dunning_steps_channel" CHECK ("dunning_steps"."channel" in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task'));--> statement-breakpoint
ALTER TABLE "dunning_outbox" DROP CONSTRAINT "dunning_outbox_channel";--> statement-breakpoint
ALTER TABLE "dunning_outbox" ADD CONSTRAINT "dunning_outbox_channel" CHECK ("dunning_outbox"."channel" in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task'));--> statement-breakpoint
-- A bounce is reported by the id the message was sent with: found without reading the whole outbox.
CREATE INDEX "dunning_outbox_message_id" ON "dunning_outbox" USING btree ("tenant_id","message_id") WHERE "dunning_outbox"."message_id" is not null;--> statement-breakpoint
CREATE INDEX "dunning_outbox_provider_id" ON "dunning_outbox" USING btree ("tenant_id","provider_id") WHERE "dunning_outbox"."provider_id" is not null;
