/**
 * The caller's area in a programme subgraph (credit, health, housing): the unit ids of the caller's area, resolved
 * once per request from the subgraph's own units (packages/db callerAreaCte), and the row filter for records that
 * belong to a household: the household's unit NOW (the subgraph's copy of the registry) must be in the area. A
 * record follows its household (re-assignments, the 2025 crosswalk); a record outside the area is not found.
 */
import { sql, type SQL } from 'drizzle-orm';
import { callerAreaCte, jsonUuids, rows, type Db } from '@ansinh/db';
import { callerMayReadIndividuals, callerSeesEverywhere, type Caller } from './identity.js';

export type AreaIds = () => Promise<string[] | null>;

/** The unit ids of the caller's area in `pgSchema` (null: everywhere), computed on first use, once per request. */
export function callerAreaIds(db: Db<any>, pgSchema: string, caller: Caller): AreaIds {
  let found: Promise<string[] | null> | undefined;
  return () => (found ??= callerSeesEverywhere(caller) ? Promise.resolve(null)
    : rows<{ id: string }>(db, sql`with recursive ${callerAreaCte(pgSchema, caller.units)} select id from caller_area`).then((r) => r.map((x) => x.id)));
}

/** `column = any(ids)`, the ids travelling as one JSON parameter. */
export function anyOf(column: unknown, ids: readonly string[]): SQL {
  return sql`${column} = any(array(select json_array_elements_text(${JSON.stringify(ids)}::json)))`;
}

/**
 * Row filter for a programme record with a `household_id` column: the caller may read individual records, and the
 * household is placed now in the caller's area. A correlated EXISTS: one primary-key probe per record found.
 */
export async function householdRecordReadable(pgSchema: string, caller: Caller, area: AreaIds, householdColumn: unknown): Promise<SQL> {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  const ids = await area();
  if (ids === null) return sql`true`;
  const registry = sql.raw(`"${pgSchema}"."registry_households"`);
  return sql`exists (select 1 from ${registry} rh where rh.id = ${householdColumn} and ${anyOf(sql`rh.unit_id`, ids)})`;
}

/** The household's unit now, and whether it lies in the caller's area (for writes: authorise against the stored record). */
export async function householdInArea(db: Db<any>, pgSchema: string, area: AreaIds, householdId: string): Promise<{ unitId: string } | null> {
  const registry = sql.raw(`"${pgSchema}"."registry_households"`);
  const [found] = await rows<{ unitId: string }>(db, sql`select unit_id as "unitId" from ${registry} where id = ${householdId}::uuid`);
  if (!found) return null;
  const ids = await area();
  return ids === null || ids.includes(found.unitId) ? found : null;
}

/** The household a member belongs to, from the subgraph's copy of the registry. */
export async function householdOfMember(db: Db<any>, pgSchema: string, memberId: string): Promise<string | null> {
  const registry = sql.raw(`"${pgSchema}"."registry_members"`);
  const [found] = await rows<{ householdId: string }>(db, sql`select household_id as "householdId" from ${registry} where id = ${memberId}::uuid`);
  return found?.householdId ?? null;
}

/**
 * The unit each household is placed in now and that unit's ancestors, province first (a record's `area`), one
 * statement for a DataLoader batch.
 */
export async function householdAreas(db: Db<any>, pgSchema: string, ids: readonly string[]): Promise<string[][]> {
  const s = sql.raw(`"${pgSchema}"`);
  const found = await rows<{ id: string; area: string[] }>(db, sql`
    with recursive chain(household_id, unit_id, depth) as (
      select rh.id, rh.unit_id, 0 from ${s}.registry_households rh where rh.id = any(${jsonUuids(ids)})
      union all select c.household_id, u.parent_id, c.depth + 1 from chain c join ${s}.units u on u.id = c.unit_id where u.parent_id is not null
    )
    select household_id as id, array_agg(unit_id order by depth desc) as area from chain group by household_id`);
  const byId = new Map(found.map((f) => [f.id, f.area]));
  return ids.map((id) => byId.get(id) ?? []);
}
