CREATE TABLE "credit"."area_units" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"area" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"input_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."interest_rates" (
	"programme" text NOT NULL,
	"lender" text NOT NULL,
	"valid_from" date NOT NULL,
	"annual_rate" numeric(6, 2) NOT NULL,
	CONSTRAINT "interest_rates_programme_lender_valid_from_pk" PRIMARY KEY("programme","lender","valid_from")
);
--> statement-breakpoint
CREATE TABLE "credit"."lenders" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."loan_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"occurred_on" date NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit"."savings_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"entrusting_organisation" text NOT NULL,
	"unit_id" text NOT NULL,
	"area" text[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD COLUMN "savings_group_id" uuid;--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD COLUMN "entrusting_organisation" text;--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD COLUMN "overdue" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD COLUMN "overdue_since" date;--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD COLUMN "area" text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "credit"."interest_rates" ADD CONSTRAINT "interest_rates_lender_lenders_code_fk" FOREIGN KEY ("lender") REFERENCES "credit"."lenders"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit"."loan_transactions" ADD CONSTRAINT "loan_transactions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "credit"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "area_units_code_idx" ON "credit"."area_units" USING btree ("code");--> statement-breakpoint
CREATE INDEX "loan_transactions_loan_idx" ON "credit"."loan_transactions" USING btree ("loan_id","occurred_on");--> statement-breakpoint
CREATE UNIQUE INDEX "savings_groups_code_idx" ON "credit"."savings_groups" USING btree ("code");--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD CONSTRAINT "loans_lender_lenders_code_fk" FOREIGN KEY ("lender") REFERENCES "credit"."lenders"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit"."loans" ADD CONSTRAINT "loans_savings_group_id_savings_groups_id_fk" FOREIGN KEY ("savings_group_id") REFERENCES "credit"."savings_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "loans_area_idx" ON "credit"."loans" USING gin ("area");