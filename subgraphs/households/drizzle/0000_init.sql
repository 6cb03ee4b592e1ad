CREATE SCHEMA "households";
--> statement-breakpoint
CREATE TABLE "households"."assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"review_year" smallint NOT NULL,
	"kind" text NOT NULL,
	"assessed_on" date NOT NULL,
	"standard_code" text NOT NULL,
	"income_per_capita" bigint NOT NULL,
	"income_period" text NOT NULL,
	"deprived_indicators" text[] NOT NULL,
	"status" text NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households"."households" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"address" text NOT NULL,
	"unit_id" text NOT NULL,
	"area_type" text NOT NULL,
	"registered_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households"."members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"full_name" text NOT NULL,
	"date_of_birth" date NOT NULL,
	"gender" text NOT NULL,
	"relation_to_head" text NOT NULL,
	"national_id" text,
	"ethnicity" text
);
--> statement-breakpoint
CREATE TABLE "households"."poverty_standards" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"legal_basis" text NOT NULL,
	"jurisdiction" text,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"income_period" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households"."unit_links" (
	"new_unit_id" text NOT NULL,
	"old_unit_id" text NOT NULL,
	"coverage" text NOT NULL,
	CONSTRAINT "unit_links_new_unit_id_old_unit_id_pk" PRIMARY KEY("new_unit_id","old_unit_id")
);
--> statement-breakpoint
CREATE TABLE "households"."unit_totals" (
	"unit_id" text NOT NULL,
	"year" smallint NOT NULL,
	"households" integer NOT NULL,
	"persons" integer NOT NULL,
	CONSTRAINT "unit_totals_unit_id_year_pk" PRIMARY KEY("unit_id","year")
);
--> statement-breakpoint
CREATE TABLE "households"."units" (
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
ALTER TABLE "households"."assessments" ADD CONSTRAINT "assessments_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "households"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."assessments" ADD CONSTRAINT "assessments_standard_code_poverty_standards_code_fk" FOREIGN KEY ("standard_code") REFERENCES "households"."poverty_standards"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."households" ADD CONSTRAINT "households_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."members" ADD CONSTRAINT "members_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "households"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."unit_links" ADD CONSTRAINT "unit_links_new_unit_id_units_id_fk" FOREIGN KEY ("new_unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."unit_links" ADD CONSTRAINT "unit_links_old_unit_id_units_id_fk" FOREIGN KEY ("old_unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."unit_totals" ADD CONSTRAINT "unit_totals_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assessments_household_idx" ON "households"."assessments" USING btree ("household_id","review_year","assessed_on");--> statement-breakpoint
CREATE INDEX "assessments_year_idx" ON "households"."assessments" USING btree ("review_year","status");--> statement-breakpoint
CREATE UNIQUE INDEX "households_code_idx" ON "households"."households" USING btree ("code");--> statement-breakpoint
CREATE INDEX "households_unit_idx" ON "households"."households" USING btree ("unit_id","code");--> statement-breakpoint
CREATE INDEX "members_household_idx" ON "households"."members" USING btree ("household_id","position");--> statement-breakpoint
CREATE INDEX "unit_links_old_idx" ON "households"."unit_links" USING btree ("old_unit_id");--> statement-breakpoint
CREATE INDEX "units_code_idx" ON "households"."units" USING btree ("code");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "households"."units" USING btree ("parent_id");