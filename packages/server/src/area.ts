/**
 * The caller's area in a programme subgraph (credit, health, housing): the unit ids of the caller's area, resolved
 * once per request from the subgraph's own units (packages/db callerAreaCte), and the row filter for records that
 * belong to a household: the household's unit NOW (the subgraph's copy of the registry) must be in the area. A
 * record follows its household (re-assignments, the 2025 crosswalk); a record outside the area is not found.
 */
import { sql, type SQL } from 'drizzle-orm';
import { callerAreaCte, jsonUuids, rows, unitListsChanged, type Db } from '@ansinh/db';
import { callerMayReadIndividuals, callerSeesEverywhere, type Caller } from './identity.js';

export type AreaIds = () => Promise<string[] | null>;

/**
 * How long the unit ids of an area are reused across requests (ms). They follow from the unit lists only, which
 * change by the units import: in the process that writes them the cache is dropped at once (`unitsChanged`), in
 * other processes after this long at most. A household's own unit is always read fresh.
 */
export const AREA_CACHE_MS = 30_000;
const AREA_CACHE_ENTRIES = 1_000;
const areaCaches = new WeakMap<object, Map<string, { until: number; ids: Promise<string[]> }>>();
let unitsGeneration = 0;

/** The unit lists of this process's databases have changed: areas are computed afresh. */
export function unitsChanged(): void {
  unitsGeneration += 1;
  unitListsChanged();
}

/** The unit ids an area of `codes` covers in `pgSchema`, from the cache when computed lately (one statement otherwise). */
export function areaUnitIds(db: Db<any>, pgSchema: string, codes: readonly string[]): Promise<string[]> {
  let cache = areaCaches.get(db);
  if (!cache) areaCaches.set(db, (cache = new Map()));
  const key = `${unitsGeneration}|${pgSchema}|${[...codes].sort().join(',')}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.ids;
  if (cache.size >= AREA_CACHE_ENTRIES) cache.clear();
  const ids = rows<{ id: string }>(db, sql`with recursive ${callerAreaCte(pgSchema, codes)} select id from caller_area`).then((r) => r.map((x) => x.id).sort());
  cache.set(key, { until: now + AREA_CACHE_MS, ids });
  // a failed lookup (database down, statement cancelled) is not kept
  ids.catch(() => { if (cache.get(key)?.ids === ids) cache.delete(key); });
  return ids;
}

/** The unit ids of the caller's area in `pgSchema` (null: everywhere), resolved on first use, once per request. */
export function callerAreaIds(db: Db<any>, pgSchema: string, caller: Caller): AreaIds {
  let found: Promise<string[] | null> | undefined;
  return () => (found ??= callerSeesEverywhere(caller) ? Promise.resolve(null) : areaUnitIds(db, pgSchema, caller.units));
}

/**
 * `column = any('{…}'::text[])` with the ids written into the statement as one array constant. A constant lets
 * PostgreSQL hash the list (a province is hundreds of unit ids): a members lookup for 50 households filtered by a
 * province's area took 19 ms with the ids as a parameter-built array, searched linearly for each row, and under 1 ms
 * with the constant. The ids are the subgraph's own unit ids (never client input), quoted all the same. The text is
 * the same for the same area, so prepared statements are reused per area.
 */
export function anyOf(column: unknown, ids: readonly string[]): SQL {
  return sql`${column} = any(${sql.raw(textArrayConstant(ids))})`;
}

/** A text[] constant for SQL: each element double-quoted (array syntax), the whole single-quoted (SQL syntax). */
export function textArrayConstant(values: readonly string[]): string {
  const array = `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  return `'${array.replace(/'/g, "''")}'::text[]`;
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
