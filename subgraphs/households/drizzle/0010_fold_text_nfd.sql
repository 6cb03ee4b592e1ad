-- fold_text by decomposition (NFD) and dropping the combining marks, as fold() in src/resolvers/search.ts does for the
-- text asked for: 6 µs a call against 27 µs for translate() over the 134 Vietnamese letters (translate scans its
-- whole multibyte list for every character), and search_text computes it twice for every household written
-- (docs/performance.md: the import). Same result on every Vietnamese text; letters of other languages now fold too.
CREATE OR REPLACE FUNCTION "households"."fold_text"(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(translate(regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g'), 'đĐ', 'dd')) $$;--> statement-breakpoint
-- a stored generated column keeps what the old function computed: rewrite only the rows that fold differently now
UPDATE "households"."households" SET "address" = "address"
  WHERE "search_text" IS DISTINCT FROM households.fold_text(address) || E'\n' || coalesce(households.fold_text(head_name), '');
--> statement-breakpoint
-- an import defers the head's name (ansinh.head_names_deferred, set in its transaction): it writes members by
-- thousands a statement, and rewriting their households chunk by chunk doubled the households' writes (every index
-- and the trigram index again); the import sets the names of the households it touched once at its end
CREATE OR REPLACE FUNCTION "households"."members_set_head_name"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids uuid[];
BEGIN
  IF current_setting('ansinh.head_names_deferred', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    ids := array(SELECT DISTINCT household_id FROM new_rows WHERE relation_to_head = 'HEAD');
  ELSIF TG_OP = 'DELETE' THEN
    ids := array(SELECT DISTINCT household_id FROM old_rows WHERE relation_to_head = 'HEAD');
  ELSE
    ids := array(SELECT household_id FROM old_rows WHERE relation_to_head = 'HEAD'
                 UNION SELECT household_id FROM new_rows WHERE relation_to_head = 'HEAD');
  END IF;
  IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
  PERFORM households.set_head_names(ids);
  RETURN NULL;
END $$;--> statement-breakpoint
-- the head's name (the first HEAD member by position) of these households, rewriting only those that change
CREATE OR REPLACE FUNCTION "households"."set_head_names"(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE households.households h SET head_name = x.name
    FROM (SELECT i.id, (SELECT m.full_name FROM households.members m WHERE m.household_id = i.id
                          AND m.relation_to_head = 'HEAD' ORDER BY m.position LIMIT 1) AS name
          FROM unnest(ids) AS i(id)) x
    WHERE h.id = x.id AND h.head_name IS DISTINCT FROM x.name $$;
