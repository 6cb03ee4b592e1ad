CREATE TABLE "households"."household_unit_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"from_unit_id" text NOT NULL,
	"to_unit_id" text NOT NULL,
	"effective_on" date NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households"."poverty_indicators" (
	"standard_code" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"dimension_code" text NOT NULL,
	"dimension_name" text NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "poverty_indicators_standard_code_code_pk" PRIMARY KEY("standard_code","code")
);
--> statement-breakpoint
CREATE TABLE "households"."poverty_lines" (
	"standard_code" text NOT NULL,
	"area_type" text NOT NULL,
	"poverty_line" bigint NOT NULL,
	"near_poor_line" bigint NOT NULL,
	"average_line" bigint,
	CONSTRAINT "poverty_lines_standard_code_area_type_pk" PRIMARY KEY("standard_code","area_type")
);
--> statement-breakpoint
CREATE TABLE "households"."reduction_targets" (
	"unit_id" text NOT NULL,
	"year" smallint NOT NULL,
	"poor_households" integer,
	"near_poor_households" integer,
	CONSTRAINT "reduction_targets_unit_id_year_pk" PRIMARY KEY("unit_id","year")
);
--> statement-breakpoint
ALTER TABLE "households"."assessments" ADD COLUMN "unit_id" text;--> statement-breakpoint
ALTER TABLE "households"."poverty_standards" ADD COLUMN "deprivation_cutoff" smallint;--> statement-breakpoint
ALTER TABLE "households"."poverty_standards" ADD COLUMN "poor_requires_deprivation" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "households"."poverty_standards" ADD COLUMN "poor_also_below_near_poor_line" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "households"."household_unit_changes" ADD CONSTRAINT "household_unit_changes_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "households"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."household_unit_changes" ADD CONSTRAINT "household_unit_changes_from_unit_id_units_id_fk" FOREIGN KEY ("from_unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."household_unit_changes" ADD CONSTRAINT "household_unit_changes_to_unit_id_units_id_fk" FOREIGN KEY ("to_unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."poverty_indicators" ADD CONSTRAINT "poverty_indicators_standard_code_poverty_standards_code_fk" FOREIGN KEY ("standard_code") REFERENCES "households"."poverty_standards"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."poverty_lines" ADD CONSTRAINT "poverty_lines_standard_code_poverty_standards_code_fk" FOREIGN KEY ("standard_code") REFERENCES "households"."poverty_standards"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households"."reduction_targets" ADD CONSTRAINT "reduction_targets_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "household_unit_changes_household_idx" ON "households"."household_unit_changes" USING btree ("household_id","effective_on");--> statement-breakpoint
ALTER TABLE "households"."assessments" ADD CONSTRAINT "assessments_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "households"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assessments_unit_idx" ON "households"."assessments" USING btree ("unit_id","review_year");--> statement-breakpoint
UPDATE "households"."assessments" a SET "unit_id" = h."unit_id" FROM "households"."households" h WHERE h."id" = a."household_id" AND a."unit_id" IS NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "households"."fold_text"(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT lower(translate(normalize(t, NFC), 'AàÀáÁảẢãÃạẠăĂằẰắẮẳẲẵẴặẶâÂầẦấẤẩẨẫẪậẬEèÈéÉẻẺẽẼẹẸêÊềỀếẾểỂễỄệỆIìÌíÍỉỈĩĨịỊOòÒóÓỏỎõÕọỌôÔồỒốỐổỔỗỖộỘơƠờỜớỚởỞỡỠợỢUùÙúÚủỦũŨụỤưƯừỪứỨửỬữỮựỰYỳỲýÝỷỶỹỸỵỴDđĐ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyyddd')) $$;