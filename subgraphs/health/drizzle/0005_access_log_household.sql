DROP INDEX "health"."access_log_at_idx";--> statement-breakpoint
ALTER TABLE "health"."access_log" ADD COLUMN "household_id" uuid;--> statement-breakpoint
CREATE INDEX "access_log_household_idx" ON "health"."access_log" USING btree ("household_id","at");--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "health"."access_log" USING btree ("at","id");