-- Hand-written. The uniqueness of a reversal per allocation only concerns reversals: every other allocation (nearly
-- all of them) carried a NULL entry in this index that nothing reads, one index insert per allocation posted or
-- imported. The partial index keeps the same rule (at most one reversal per allocation) and the same lookups
-- (`reverses_allocation_id = x` implies it is not null), like documents_reverses since 0003.
DROP INDEX "allocations_reverses";--> statement-breakpoint
CREATE UNIQUE INDEX "allocations_reverses" ON "allocations" USING btree ("tenant_id","reverses_allocation_id") WHERE "allocations"."reverses_allocation_id" is not null;
