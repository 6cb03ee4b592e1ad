/**
 * The registry's part of statistics other subgraphs compute (through @requires, never SQL across schemas).
 *
 * GapStatistics (the support-gaps report, counted in the credit subgraph):
 * the households whose latest review on the date is POOR or NEAR_POOR and was recorded in the unit (or below it),
 * with member count and deprivations. The review's own unit counts, so a household re-assigned later still counts
 * where it was on that date.
 */
import { sql } from 'drizzle-orm';
import { rows } from '@ansinh/db';
import { areaCte } from '../loaders.js';
import type { GapCandidate, RegistryGroup, Resolvers } from '../generated/graphql.js';
import { SUPPORT_MONTHS } from '../domain/transitions.js';

export const gapResolvers: Pick<Resolvers, 'GapStatistics' | 'HealthStatistics'> = {
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
  /**
   * HealthStatistics (BHYT coverage, computed in the health subgraph): the households of the unit in each
   * beneficiary group on the date. A household's status on the date is its latest review then (recorded in the
   * unit or below it): POOR, NEAR_POOR, or, when it is neither, newly escaped while its last escape from either
   * list (a review year after a listed one) is less than SUPPORT_MONTHS old.
   */
  HealthStatistics: {
    __resolveReference: (ref) => ref,
    registryGroups: async (ref, _, ctx) => {
      const found = await rows<{ grp: string; ids: string[]; persons: number }>(ctx.db, sql`
        ${areaCte(ref.unitId)},
        yearly as (
          select distinct on (a.household_id, a.review_year) a.household_id, a.review_year, a.status, a.assessed_on, a.unit_id
          from households.assessments a
          where a.assessed_on <= ${ref.on}
            and a.household_id in (select b.household_id from households.assessments b where b.unit_id in (select id from area))
          order by a.household_id, a.review_year, a.assessed_on desc, a.id desc
        ),
        steps as (select y.*, lag(y.status) over (partition by y.household_id order by y.review_year) as previous from yearly y),
        latest as (select distinct on (household_id) * from steps order by household_id, review_year desc),
        escaped as (
          select household_id, max(assessed_on) as on_date from steps
          where previous in ('POOR', 'NEAR_POOR') and status not in ('POOR', 'NEAR_POOR') group by household_id
        ),
        grouped as (
          select l.household_id, case
            when l.status = 'POOR' then 'POOR_HOUSEHOLD'
            when l.status = 'NEAR_POOR' then 'NEAR_POOR_HOUSEHOLD'
            when (e.on_date + make_interval(months => ${SUPPORT_MONTHS}))::date > ${ref.on}::date then 'NEWLY_ESCAPED_HOUSEHOLD'
          end as grp
          from latest l left join escaped e on e.household_id = l.household_id
          where l.unit_id in (select id from area)
        )
        select g.grp, array_agg(g.household_id::text order by g.household_id) as ids,
               (select count(*)::int from households.members m where m.household_id in (select household_id from grouped g2 where g2.grp = g.grp)) as persons
        from grouped g where g.grp is not null group by g.grp order by g.grp`);
      return found.map((r): RegistryGroup => ({ group: r.grp, householdIds: r.ids, persons: Number(r.persons) }));
    },
  },
};
