CREATE SCHEMA "health";
--> statement-breakpoint
CREATE TABLE "health"."insurance_cards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"card_number" text NOT NULL,
	"member_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"beneficiary_group" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"premium" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "insurance_cards_number_idx" ON "health"."insurance_cards" USING btree ("card_number");--> statement-breakpoint
CREATE INDEX "insurance_cards_member_idx" ON "health"."insurance_cards" USING btree ("member_id","valid_from");--> statement-breakpoint
CREATE INDEX "insurance_cards_household_idx" ON "health"."insurance_cards" USING btree ("household_id");