CREATE TABLE "housing"."access_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "housing"."access_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"subject" text NOT NULL,
	"role" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"household_id" uuid,
	"fields" text[] NOT NULL,
	"operation_name" text,
	"request_id" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "housing"."access_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "access_log_request_idx" ON "housing"."access_log" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "access_log_household_idx" ON "housing"."access_log" USING btree ("household_id","at");--> statement-breakpoint
-- The access log is append-only: UPDATE, DELETE and TRUNCATE are refused (docs/security.md).
CREATE FUNCTION "housing"."access_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'housing.access_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "housing"."access_log"
  FOR EACH ROW EXECUTE FUNCTION "housing"."access_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "housing"."access_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "housing"."access_log_append_only"();
