/**
 * Administrative units, the same tables in every subgraph's schema (docs/areas.md): public reference data (the
 * national lists and the 2025 crosswalk, data/admin-units), loaded into each subgraph by the same loader, so a
 * programme subgraph can roll units up and check areas without reading another schema.
 *
 * A unit is keyed by code *and* validity period ([validFrom, validTo)): `<code>@origin` for a unit in force since
 * before the records begin, `<code>@<validFrom>` otherwise. The same code names different units before and after
 * the reform of 2025-07-01.
 */
import { sql, type SQL } from 'drizzle-orm';
import { date, index, primaryKey, smallint, text, type PgSchema } from 'drizzle-orm/pg-core';

export const unitId = (code: string, validFrom: string | null) => `${code}@${validFrom ?? 'origin'}`;

export function unitTables(schema: PgSchema) {
  /** Administrative units, one row per code and validity period ([validFrom, validTo)). */
  const units = schema.table('units', {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    level: smallint('level').notNull(),
    parentId: text('parent_id'),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
  }, (t) => [index('units_code_idx').on(t.code), index('units_parent_idx').on(t.parentId)]);

  /** The 2025 crosswalk: which old units each new unit was made from, wholly or in part. */
  const unitLinks = schema.table('unit_links', {
    newUnitId: text('new_unit_id').notNull().references(() => units.id),
    oldUnitId: text('old_unit_id').notNull().references(() => units.id),
    coverage: text('coverage').notNull(),
  }, (t) => [primaryKey({ columns: [t.newUnitId, t.oldUnitId] }), index('unit_links_old_idx').on(t.oldUnitId)]);

  return { units, unitLinks };
}

export type UnitRow = { id: string; code: string; name: string; kind: string; level: number; parentId: string | null; validFrom: string | null; validTo: string | null };
export type UnitLinkRow = { newUnitId: string; oldUnitId: string; coverage: string };

/** Kinds of unit a household can belong to (a ward or commune, before or after the reform). */
export const HOUSEHOLD_UNIT_KINDS = ['ward', 'commune', 'township', 'special_zone'] as const;
/** Whether a unit of this stored kind (units.kind) can hold households: the mutations and the import ask the same. */
export const holdsHouseholds = (kind: string): boolean => (HOUSEHOLD_UNIT_KINDS as readonly string[]).includes(kind);

const ident = (pgSchema: string) => {
  if (!/^[a-z_]+$/.test(pgSchema)) throw new Error(`not a schema name: ${pgSchema}`);
  return sql.raw(`"${pgSchema}"`);
};

/**
 * The one unit-hierarchy query (docs/areas.md), as a CTE body named `scope(id, how)`, for the unit `unitId`:
 *  - `direct`: the unit and every unit below it;
 *  - `full`: old units linked in FULL to any of those by the crosswalk, and the units below them: their records
 *    roll up into the unit;
 *  - `partial`: old units linked only in PART: their households count once re-assigned one by one.
 * Use it as `with recursive ${unitScope('credit', id)} select … where unit_id in (select id from scope where how <> 'partial')`.
 */
export function unitScope(pgSchema: string, unitId: string | SQL): SQL {
  const s = ident(pgSchema);
  return sql`scope_direct(id) as (
      select id from ${s}.units where id = ${unitId}
      union select u.id from ${s}.units u join scope_direct d on u.parent_id = d.id
    ),
    scope_rolled(id) as (
      select l.old_unit_id from ${s}.unit_links l join scope_direct d on l.new_unit_id = d.id where l.coverage = 'full'
      union select u.id from ${s}.units u join scope_rolled r on u.parent_id = r.id
    ),
    -- "not exists", not "not in (select …)": the recursive CTEs are estimated at a million rows or more, too many to
    -- hash for "not in", which then scans scope_rolled once per link (province 31 at 1M: 200 ms, 44 ms so)
    scope(id, how) as (
      select id, 'direct' from scope_direct
      union all select r.id, 'full' from scope_rolled r where not exists (select 1 from scope_direct d where d.id = r.id)
      union all select distinct l.old_unit_id, 'partial' from ${s}.unit_links l join scope_direct d on l.new_unit_id = d.id
        where l.coverage = 'partial' and not exists (select 1 from scope_direct x where x.id = l.old_unit_id)
          and not exists (select 1 from scope_rolled r where r.id = l.old_unit_id)
    )`;
}

/**
 * `unitScope` for several units at once, as a CTE body named `scope(root, id, how)`: each row says which of
 * `rootIds` (a SQL text[] expression) it is the scope of. One statement for every node of a report's tree, where
 * `unitScope` would be one statement a node.
 */
export function unitScopes(pgSchema: string, rootIds: SQL): SQL {
  const s = ident(pgSchema);
  return sql`scope_direct(root, id) as (
      select id, id from ${s}.units where id = any(${rootIds})
      union select d.root, u.id from ${s}.units u join scope_direct d on u.parent_id = d.id
    ),
    scope_rolled(root, id) as (
      select d.root, l.old_unit_id from ${s}.unit_links l join scope_direct d on l.new_unit_id = d.id where l.coverage = 'full'
      union select r.root, u.id from ${s}.units u join scope_rolled r on u.parent_id = r.id
    ),
    scope(root, id, how) as (
      select root, id, 'direct' from scope_direct
      union all select r.root, r.id, 'full' from scope_rolled r where not exists (select 1 from scope_direct d where d.root = r.root and d.id = r.id)
      union all select distinct d.root, l.old_unit_id, 'partial' from ${s}.unit_links l join scope_direct d on l.new_unit_id = d.id
        where l.coverage = 'partial' and not exists (select 1 from scope_direct x where x.root = d.root and x.id = l.old_unit_id)
          and not exists (select 1 from scope_rolled r where r.root = d.root and r.id = l.old_unit_id)
    )`;
}

/**
 * The unit ids of a caller's area (docs/security.md), as a CTE body named `caller_area(id)`: for each code the
 * token lists, the most recent unit with that code and every unit below it, and the old units the crosswalk links
 * to any of those (in full or in part: households of an old unit linked in part wait to be re-assigned by one of
 * the new units' officers) with the units below them. A code reused across the reform therefore means the unit in
 * force now; an abolished unit (a district) keeps its old meaning.
 */
export function callerAreaCte(pgSchema: string, codes: readonly string[]): SQL {
  const s = ident(pgSchema);
  const list = codes.length ? sql`array[${sql.join(codes.map((c) => sql`${c}`), sql`, `)}]::text[]` : sql`array[]::text[]`;
  return sql`caller_roots(id) as (
      select distinct on (code) id from ${s}.units where code = any(${list}) order by code, valid_from desc nulls last
    ),
    caller_tree(id) as (
      select id from caller_roots
      union select u.id from ${s}.units u join caller_tree t on u.parent_id = t.id
    ),
    caller_linked(id) as (
      select l.old_unit_id from ${s}.unit_links l join caller_tree t on l.new_unit_id = t.id
      union select u.id from ${s}.units u join caller_linked k on u.parent_id = k.id
    ),
    caller_area(id) as (select id from caller_tree union select id from caller_linked)`;
}

/** `d` falls in a unit's period [validFrom, validTo). */
export const inForceSql = (validFrom: SQL | unknown, validTo: SQL | unknown, on: string) =>
  sql`(${validFrom} is null or ${validFrom} <= ${on}::date) and (${validTo} is null or ${validTo} > ${on}::date)`;
