CREATE TABLE "credit"."access_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit"."access_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"subject" text NOT NULL,
	"role" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"fields" text[] NOT NULL,
	"operation_name" text,
	"request_id" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "credit"."access_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "access_log_request_idx" ON "credit"."access_log" USING btree ("request_id");