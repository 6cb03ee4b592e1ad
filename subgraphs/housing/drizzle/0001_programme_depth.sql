CREATE TABLE "housing"."area_units" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"area" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "housing"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"input_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "housing"."programmes" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"jurisdiction" text
);
--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD COLUMN "beneficiary_status" text NOT NULL;--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD COLUMN "approved_on" date;--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD COLUMN "construction_started_on" date;--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD COLUMN "handed_over_on" date;--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD COLUMN "area" text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "area_units_code_idx" ON "housing"."area_units" USING btree ("code");--> statement-breakpoint
ALTER TABLE "housing"."supports" ADD CONSTRAINT "supports_programme_programmes_code_fk" FOREIGN KEY ("programme") REFERENCES "housing"."programmes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "supports_area_idx" ON "housing"."supports" USING gin ("area");