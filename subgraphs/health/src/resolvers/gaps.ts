/**
 * Health's part of an area's support-gap counts (credit combines them: packages/server/src/gaps.ts): for each
 * candidate household, whether fewer of its members hold a BHYT card valid on the date than it had persons at its
 * review (the HEALTH_INSURANCE rule), kept per unit (summaries) and sent unit by unit as bits.
 */
import { sql } from 'drizzle-orm';
import { recountable } from '@ansinh/db';
import { gapFlags, gapParts, type GapFlags } from '@ansinh/server';
import type { HealthDb } from '../context.js';

export function healthGaps(db: HealthDb, unitId: string, on: string): Promise<GapFlags> {
  return gapFlags(db, 'health', unitId, on, flagged(on));
}
recountable('health', 'gapFlags', (db, a, units) => gapParts(db, 'health', units, a.on, flagged(a.on)));

function flagged(on: string) {
  return sql`
    holders as (
      select c.household_id, count(distinct c.member_id)::int as n
      from candidates k join health.insurance_cards c on c.household_id = k.household_id
      where c.valid_from <= ${on} and c.valid_to >= ${on}
      group by c.household_id
    ),
    flagged(unit_id, household_id, gap) as (
      select k.unit_id, k.household_id, case when coalesce(h.n, 0) < k.persons then '1' else '0' end
      from candidates k left join holders h on h.household_id = k.household_id
    )`;
}
