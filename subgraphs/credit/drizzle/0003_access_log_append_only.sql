-- The access log is append-only: UPDATE, DELETE and TRUNCATE are refused (docs/security.md).
CREATE FUNCTION "credit"."access_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credit.access_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "credit"."access_log"
  FOR EACH ROW EXECUTE FUNCTION "credit"."access_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "credit"."access_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "credit"."access_log_append_only"();
