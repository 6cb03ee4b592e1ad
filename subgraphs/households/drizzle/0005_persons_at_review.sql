-- Persons are counted as of the review (docs/households.md): rows recorded before this migration get the
-- household's member count now, which is what their reports counted until today.
ALTER TABLE "households"."assessments" ADD COLUMN "persons" smallint;--> statement-breakpoint
UPDATE "households"."assessments" a SET "persons" = (SELECT count(*) FROM "households"."members" m WHERE m."household_id" = a."household_id");--> statement-breakpoint
ALTER TABLE "households"."assessments" ALTER COLUMN "persons" SET NOT NULL;
