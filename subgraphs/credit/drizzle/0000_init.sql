CREATE SCHEMA "credit";
--> statement-breakpoint
CREATE TABLE "credit"."loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"household_id" uuid NOT NULL,
	"borrower_member_id" uuid NOT NULL,
	"programme" text NOT NULL,
	"lender" text NOT NULL,
	"principal" bigint NOT NULL,
	"outstanding" bigint NOT NULL,
	"disbursed_on" date NOT NULL,
	"maturity_on" date,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "loans_code_idx" ON "credit"."loans" USING btree ("code");--> statement-breakpoint
CREATE INDEX "loans_household_idx" ON "credit"."loans" USING btree ("household_id","disbursed_on");--> statement-breakpoint
CREATE INDEX "loans_borrower_idx" ON "credit"."loans" USING btree ("borrower_member_id");