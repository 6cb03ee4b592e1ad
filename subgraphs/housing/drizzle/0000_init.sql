CREATE SCHEMA "housing";
--> statement-breakpoint
CREATE TABLE "housing"."funding_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"support_id" uuid NOT NULL,
	"source" text NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "housing"."supports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"household_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"programme" text NOT NULL,
	"status" text NOT NULL,
	"proposed_on" date NOT NULL,
	"completed_on" date
);
--> statement-breakpoint
ALTER TABLE "housing"."funding_lines" ADD CONSTRAINT "funding_lines_support_id_supports_id_fk" FOREIGN KEY ("support_id") REFERENCES "housing"."supports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "funding_lines_support_idx" ON "housing"."funding_lines" USING btree ("support_id");--> statement-breakpoint
CREATE UNIQUE INDEX "supports_code_idx" ON "housing"."supports" USING btree ("code");--> statement-breakpoint
CREATE INDEX "supports_household_idx" ON "housing"."supports" USING btree ("household_id","proposed_on");