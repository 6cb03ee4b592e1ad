/**
 * Housing's part of an area's support-gap counts (credit combines them: packages/server/src/gaps.ts): for each
 * candidate household, whether it is deprived in housing (the HOUSING rule's indicators) with no support proposed on
 * or before the date, kept per unit (summaries) and sent unit by unit as bits.
 */
import { sql } from 'drizzle-orm';
import { recountable } from '@ansinh/db';
import { gapFlags, gapParts, gapRule, type GapFlags } from '@ansinh/server';
import type { HousingDb } from '../context.js';

export function housingGaps(db: HousingDb, unitId: string, on: string): Promise<GapFlags> {
  return gapFlags(db, 'housing', unitId, on, flagged(on));
}
recountable('housing', 'gapFlags', (db, a, units) => gapParts(db, 'housing', units, a.on, flagged(a.on)));

function flagged(on: string) {
  const indicators = gapRule('HOUSING').indicators;
  return sql`
    flagged(unit_id, household_id, gap) as (
      select k.unit_id, k.household_id,
        case when (k.deprived_indicators && array[${sql.join(indicators.map((i) => sql`${i}`), sql`, `)}]::text[])
          and not exists (select 1 from housing.supports s where s.household_id = k.household_id and s.proposed_on <= ${on}) then '1' else '0' end
      from candidates k
    )`;
}
