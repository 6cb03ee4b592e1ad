CREATE TABLE "health"."area_units" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"area" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."voluntary_contributions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"member_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"beneficiary_group" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"contribution" bigint NOT NULL,
	"area" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"input_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."support_layers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"card_id" uuid,
	"contribution_id" uuid,
	"funder" text NOT NULL,
	"percent" numeric(5, 2) NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."support_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scheme" text NOT NULL,
	"beneficiary_group" text NOT NULL,
	"jurisdiction" text,
	"funder" text NOT NULL,
	"percent" numeric(5, 2) NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date
);
--> statement-breakpoint
ALTER TABLE "health"."insurance_cards" ADD COLUMN "renews" uuid;--> statement-breakpoint
ALTER TABLE "health"."insurance_cards" ADD COLUMN "area" text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "health"."support_layers" ADD CONSTRAINT "support_layers_card_id_insurance_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "health"."insurance_cards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health"."support_layers" ADD CONSTRAINT "support_layers_contribution_id_voluntary_contributions_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "health"."voluntary_contributions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "area_units_code_idx" ON "health"."area_units" USING btree ("code");--> statement-breakpoint
CREATE INDEX "voluntary_contributions_member_idx" ON "health"."voluntary_contributions" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "voluntary_contributions_area_idx" ON "health"."voluntary_contributions" USING gin ("area");--> statement-breakpoint
CREATE INDEX "support_layers_card_idx" ON "health"."support_layers" USING btree ("card_id");--> statement-breakpoint
CREATE INDEX "support_layers_contribution_idx" ON "health"."support_layers" USING btree ("contribution_id");--> statement-breakpoint
CREATE INDEX "insurance_cards_area_idx" ON "health"."insurance_cards" USING gin ("area");