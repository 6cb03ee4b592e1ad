/**
 * The households subgraph's part of GapStatistics (the support-gaps report, counted in the credit subgraph):
 * the households whose latest review on the date is POOR or NEAR_POOR and was recorded in the unit (or below it),
 * with member count and deprivations. The review's own unit counts, so a household re-assigned later still counts
 * where it was on that date.
 */
import { sql } from 'drizzle-orm';
import { rows } from '@ansinh/db';
import { areaCte } from '../loaders.js';
import type { GapCandidate, Resolvers } from '../generated/graphql.js';

export const gapResolvers: Pick<Resolvers, 'GapStatistics'> = {
  GapStatistics: {
    __resolveReference: (ref) => ref,
    candidates: (ref, _, ctx) => rows<GapCandidate>(ctx.db, sql`
      ${areaCte(ref.unitId)},
      latest as (
        select distinct on (a.household_id) a.household_id, a.status, a.deprived_indicators, a.unit_id
        from households.assessments a
        where a.assessed_on <= ${ref.on}
          and a.household_id in (select b.household_id from households.assessments b where b.unit_id in (select id from area))
        order by a.household_id, a.review_year desc, a.assessed_on desc
      )
      select l.household_id as "householdId", l.deprived_indicators as "deprivedIndicators",
             (select count(*)::int from households.members m where m.household_id = l.household_id) as "memberCount"
      from latest l where l.status in ('POOR', 'NEAR_POOR') and l.unit_id in (select id from area) order by l.household_id`),
  },
};
