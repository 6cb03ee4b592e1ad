/**
 * Who may read which records: the caller's area as an SQL condition on the record's `area` column (the unit ids
 * of the household's ward and every unit above it, e.g. {79@origin,775@origin,27373@origin}). A record is in the
 * caller's area when one of those units has a code the caller's token lists (any period).
 */
import { sql, type SQL } from 'drizzle-orm';
import { callerMayReadIndividuals, callerSeesEverywhere, type Caller } from '@ansinh/server';

export function recordReadable(caller: Caller, areaColumn: unknown): SQL {
  if (!callerMayReadIndividuals(caller)) return sql`false`;
  if (callerSeesEverywhere(caller)) return sql`true`;
  if (caller.units.length === 0) return sql`false`;
  const codes = sql.join(caller.units.map((c) => sql`${c}`), sql`, `);
  return sql`exists (select 1 from unnest(${areaColumn}) as unit(id) where split_part(unit.id, '@', 1) in (${codes}))`;
}
