/**
 * Who may read which households: the caller's area as SQL, applied where rows are fetched (the DataLoaders
 * and the `households` list), so lookups, lists and `_entities` all go through it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { callerSeesEverywhere, callerMayReadIndividuals, type Caller } from '@ansinh/server';

/**
 * The ids of the units in the caller's area: every unit (any period) whose code the token lists, and every unit
 * below those. Null when the caller is not limited to an area (ADMIN).
 */
export function areaUnitIds(caller: Caller): SQL | null {
  if (callerSeesEverywhere(caller)) return null;
  const codes = caller.units.length ? sql.join(caller.units.map((c) => sql`${c}`), sql`, `) : sql`null`;
  return sql`with recursive area(id) as (
      select id from households.units where code in (${codes})
      union select u.id from households.units u join area on u.parent_id = area.id)
    select id from area`;
}

/** Row filter for `households.households`: the caller may read the household (`unitColumn` is its unit_id). */
export function householdReadable(caller: Caller, unitColumn: SQL | unknown): SQL {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  const area = areaUnitIds(caller);
  return area ? sql`${unitColumn} in (${area})` : sql`true`;
}

/** Row filter for rows that belong to a household (`householdColumn` is their household_id). */
export function householdOwnedReadable(caller: Caller, householdColumn: unknown): SQL {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  const area = areaUnitIds(caller);
  return area ? sql`${householdColumn} in (select h.id from households.households h where h.unit_id in (${area}))` : sql`true`;
}
