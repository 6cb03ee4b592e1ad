DROP INDEX "credit"."access_log_at_idx";--> statement-breakpoint
ALTER TABLE "credit"."access_log" ADD COLUMN "household_id" uuid;--> statement-breakpoint
CREATE INDEX "access_log_household_idx" ON "credit"."access_log" USING btree ("household_id","at");--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "credit"."access_log" USING btree ("at","id");