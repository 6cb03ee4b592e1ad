-- searchHouseholds through a trigram index (docs/households.md): pg_trgm is in PostgreSQL's contrib (a trusted
-- extension) and in PGlite's (packages/db loads it)
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
ALTER TABLE "households"."households" ADD COLUMN "head_name" text;--> statement-breakpoint
-- the head's name of the households already stored: the first HEAD member by position, as searchHouseholds read it
UPDATE "households"."households" h SET "head_name" = m.full_name
  FROM (SELECT DISTINCT ON (household_id) household_id, full_name FROM "households"."members"
        WHERE relation_to_head = 'HEAD' ORDER BY household_id, position) m
  WHERE m.household_id = h.id;--> statement-breakpoint
ALTER TABLE "households"."households" ADD COLUMN "search_text" text GENERATED ALWAYS AS (households.fold_text(address) || E'\n' || coalesce(households.fold_text(head_name), '')) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "households_search_idx" ON "households"."households" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
-- households.head_name follows the members: after each statement that inserts, updates or deletes members, once for
-- the households whose HEAD rows it touched (set-based: the import writes members by thousands in one statement)
CREATE FUNCTION "households"."members_set_head_name"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := array(SELECT DISTINCT household_id FROM new_rows WHERE relation_to_head = 'HEAD');
  ELSIF TG_OP = 'DELETE' THEN
    ids := array(SELECT DISTINCT household_id FROM old_rows WHERE relation_to_head = 'HEAD');
  ELSE
    ids := array(SELECT household_id FROM old_rows WHERE relation_to_head = 'HEAD'
                 UNION SELECT household_id FROM new_rows WHERE relation_to_head = 'HEAD');
  END IF;
  IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
  UPDATE households.households h SET head_name = x.name
    FROM (SELECT i.id, (SELECT m.full_name FROM households.members m WHERE m.household_id = i.id
                          AND m.relation_to_head = 'HEAD' ORDER BY m.position LIMIT 1) AS name
          FROM unnest(ids) AS i(id)) x
    WHERE h.id = x.id AND h.head_name IS DISTINCT FROM x.name;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "members_head_name_insert" AFTER INSERT ON "households"."members"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "households"."members_set_head_name"();--> statement-breakpoint
CREATE TRIGGER "members_head_name_update" AFTER UPDATE ON "households"."members"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "households"."members_set_head_name"();--> statement-breakpoint
CREATE TRIGGER "members_head_name_delete" AFTER DELETE ON "households"."members"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "households"."members_set_head_name"();--> statement-breakpoint
-- finer statistics for the planner's estimate of "search_text like '%…%'" (a common name or a rare one)
ALTER TABLE "households"."households" ALTER COLUMN "search_text" SET STATISTICS 1000;--> statement-breakpoint
ANALYZE "households"."households";
