-- The access log is append-only: UPDATE and DELETE are refused (docs/security.md).
CREATE FUNCTION "households"."access_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'households.access_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "households"."access_log"
  FOR EACH ROW EXECUTE FUNCTION "households"."access_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "households"."access_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "households"."access_log_append_only"();
