ALTER TABLE "credit"."area_units" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "credit"."area_units" CASCADE;--> statement-breakpoint
DROP INDEX "credit"."loans_area_idx";--> statement-breakpoint
DROP INDEX "credit"."loans_code_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "loans_household_code_idx" ON "credit"."loans" USING btree ("household_id","code");--> statement-breakpoint
CREATE INDEX "loans_code_idx" ON "credit"."loans" USING btree ("code");--> statement-breakpoint
ALTER TABLE "credit"."loans" DROP COLUMN "area";--> statement-breakpoint
ALTER TABLE "credit"."savings_groups" DROP COLUMN "area";
--> statement-breakpoint
CREATE TABLE "credit"."registry_households" (
	"id" uuid PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."registry_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"household_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."registry_placements" (
	"household_id" uuid NOT NULL,
	"unit_id" text NOT NULL,
	"valid_from" date,
	"valid_to" date
);
--> statement-breakpoint
CREATE TABLE "credit"."registry_reviews" (
	"household_id" uuid NOT NULL,
	"review_year" smallint NOT NULL,
	"assessed_on" date NOT NULL,
	"status" text NOT NULL,
	"deprived_indicators" text[] NOT NULL,
	"persons" smallint NOT NULL,
	CONSTRAINT "registry_reviews_household_id_review_year_pk" PRIMARY KEY("household_id","review_year")
);
--> statement-breakpoint
CREATE TABLE "credit"."unit_links" (
	"new_unit_id" text NOT NULL,
	"old_unit_id" text NOT NULL,
	"coverage" text NOT NULL,
	CONSTRAINT "unit_links_new_unit_id_old_unit_id_pk" PRIMARY KEY("new_unit_id","old_unit_id")
);
--> statement-breakpoint
CREATE TABLE "credit"."units" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"level" smallint NOT NULL,
	"parent_id" text,
	"valid_from" date,
	"valid_to" date
);
--> statement-breakpoint
ALTER TABLE "credit"."unit_links" ADD CONSTRAINT "unit_links_new_unit_id_units_id_fk" FOREIGN KEY ("new_unit_id") REFERENCES "credit"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit"."unit_links" ADD CONSTRAINT "unit_links_old_unit_id_units_id_fk" FOREIGN KEY ("old_unit_id") REFERENCES "credit"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registry_households_unit_idx" ON "credit"."registry_households" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "registry_members_household_idx" ON "credit"."registry_members" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "registry_placements_household_idx" ON "credit"."registry_placements" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "registry_placements_unit_idx" ON "credit"."registry_placements" USING btree ("unit_id","valid_from");--> statement-breakpoint
CREATE INDEX "unit_links_old_idx" ON "credit"."unit_links" USING btree ("old_unit_id");--> statement-breakpoint
CREATE INDEX "units_code_idx" ON "credit"."units" USING btree ("code");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "credit"."units" USING btree ("parent_id");