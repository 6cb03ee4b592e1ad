/**
 * Who may read which households: the caller's area, resolved once per request into the ids of its units
 * (packages/db callerAreaCte: the token's units now in force, the units below them and the old units the 2025
 * crosswalk links to them), then applied as `unit_id = any(ids)` where rows are fetched (the DataLoaders and the
 * lists), so lookups, lists and `_entities` all go through it and the households index is used.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@ansinh/db';
import { anyOf, callerAreaIds, callerMayReadIndividuals, type Caller } from '@ansinh/server';

/** The unit ids of the caller's area (null: everywhere); computed on first use, once per request. */
export function callerArea(db: Db<any>, caller: Caller): () => Promise<string[] | null> {
  return callerAreaIds(db, 'households', caller);
}

/** `column = any(ids)`, the ids as one array constant PostgreSQL hashes (packages/server area.ts anyOf). */
export function oneOf(column: unknown, ids: readonly string[]): SQL {
  return anyOf(column, ids);
}

/** Row filter for `households.households`: the caller may read the household (`unitColumn` is its unit_id). */
export async function householdReadable(caller: Caller, area: () => Promise<string[] | null>, unitColumn: unknown): Promise<SQL> {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  const ids = await area();
  return ids ? oneOf(unitColumn, ids) : sql`true`;
}

/** Row filter for rows that belong to a household (`householdColumn` is their household_id). */
export async function householdOwnedReadable(caller: Caller, area: () => Promise<string[] | null>, householdColumn: unknown): Promise<SQL> {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  const ids = await area();
  // a correlated EXISTS: one primary-key probe per row found, never a scan of the area's households
  return ids ? sql`exists (select 1 from households.households h where h.id = ${householdColumn} and ${oneOf(sql`h.unit_id`, ids)})` : sql`true`;
}

/** Whether a unit lies in the caller's area (a re-assignment's target, for instance). */
export async function unitInArea(caller: Caller, area: () => Promise<string[] | null>, unitId: string): Promise<boolean> {
  const ids = await area();
  return ids === null || ids.includes(unitId);
}
