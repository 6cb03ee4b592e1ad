/**
 * housingStatistics: a unit's housing support over a period, from the supports of the households placed in the
 * unit at the end of the period (this subgraph's copy of the registry, rolled up through the 2025 crosswalk:
 * docs/areas.md), by their lifecycle dates.
 */
import { sql } from 'drizzle-orm';
import { gapCandidates, placedOn, rows } from '@ansinh/db';
import { callerSeesSmallCells, candidatesChecksum, gapRule, isSmall, packFlags, suppressGroup, type Caller, type GapFlags } from '@ansinh/server';
import type { HousingDb } from '../context.js';

export interface HousingStatisticsModel {
  unit: { id: string }; from: string; to: string; houses: number;
  byKind: { kind: string; houses: number }[];
  byBeneficiary: { beneficiaryStatus: string; houses: number }[];
  byWard: { unit: { id: string }; houses: number }[];
  byStatus: { status: string; supports: number }[];
  funding: { source: string; amount: number }[];
}

export const STATUSES = ['PROPOSED', 'APPROVED', 'UNDER_CONSTRUCTION', 'COMPLETED', 'HANDED_OVER'];
const SOURCES = ['CENTRAL_BUDGET', 'PROVINCE_BUDGET', 'DISTRICT_BUDGET', 'POLICY_BANK_LOAN', 'FUND_FOR_THE_POOR', 'DONATION', 'HOUSEHOLD'];

export async function housingStatistics(db: HousingDb, unitId: string, from: string, to: string): Promise<HousingStatisticsModel> {
  const placed = sql`with recursive ${placedOn('housing', unitId, to)}`;
  const inArea = sql`s.household_id in (select household_id from placed)`;
  const done = await rows<{ kind: string; beneficiary_status: string; ward: string; houses: number }>(db, sql`
    ${placed}
    select s.kind, s.beneficiary_status, p.unit_id as ward, count(*)::int as houses
    from housing.supports s join placed p on p.household_id = s.household_id where s.completed_on between ${from} and ${to}
    group by 1, 2, 3`);
  const funding = await rows<{ source: string; amount: string }>(db, sql`
    ${placed}
    select f.source, sum(f.amount)::bigint as amount
    from housing.supports s join housing.funding_lines f on f.support_id = s.id
    where ${inArea} and s.completed_on between ${from} and ${to} group by f.source`);
  const status = await rows<{ status: string; supports: number }>(db, sql`
    ${placed}
    select case when s.handed_over_on <= ${to} then 'HANDED_OVER' when s.completed_on <= ${to} then 'COMPLETED'
                when s.construction_started_on <= ${to} then 'UNDER_CONSTRUCTION' when s.approved_on <= ${to} then 'APPROVED'
                else 'PROPOSED' end as status, count(*)::int as supports
    from housing.supports s where ${inArea} and s.proposed_on <= ${to} group by 1`);
  const sum = (pick: (r: (typeof done)[number]) => string) => {
    const m = new Map<string, number>();
    for (const r of done) m.set(pick(r), (m.get(pick(r)) ?? 0) + r.houses);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  return {
    unit: { id: unitId }, from, to,
    houses: done.reduce((s, r) => s + r.houses, 0),
    byKind: sum((r) => r.kind).map(([kind, houses]) => ({ kind, houses })),
    byBeneficiary: sum((r) => r.beneficiary_status).map(([beneficiaryStatus, houses]) => ({ beneficiaryStatus, houses })),
    byWard: sum((r) => r.ward).map(([id, houses]) => ({ unit: { id }, houses })),
    byStatus: STATUSES.map((s) => ({ status: s, supports: status.find((r) => r.status === s)?.supports ?? 0 })),
    funding: SOURCES.filter((s) => funding.some((f) => f.source === s)).map((s) => ({ source: s, amount: Number(funding.find((f) => f.source === s)!.amount) })),
  };
}

/** The statistics as a caller may see them: counts may be null (small-cell suppression). */
export interface HousingStatisticsView {
  unit: { id: string }; from: string; to: string; houses: number | null;
  byKind: { kind: string; houses: number | null }[];
  byBeneficiary: { beneficiaryStatus: string; houses: number | null }[];
  byWard: { unit: { id: string }; houses: number | null }[];
  byStatus: { status: string; supports: number | null }[];
  funding: { source: string; amount: number }[] | null;
}

/**
 * Small-cell protection (docs/security.md, packages/server suppression.ts): ANALYST gets the houses completed when
 * 5 or more; each breakdown of them (by kind, beneficiary, ward) is a group under that total, so a small part is
 * withheld with its complement and a withheld total withholds its parts; no funding figures when the total is
 * withheld. The statuses have no published total: primary only. Other roles get exact figures.
 */
export function suppressSmallCells(caller: Caller, stats: HousingStatisticsModel): HousingStatisticsView {
  if (callerSeesSmallCells(caller)) return stats;
  const totalHidden = isSmall(stats.houses);
  const breakdown = <R extends { houses: number }>(list: R[], key: (r: R) => string) => {
    const hidden = suppressGroup(stats.houses, list.map((r) => ({ key: key(r), value: r.houses })), totalHidden);
    return list.map((r) => ({ ...r, houses: hidden.has(key(r)) ? null : r.houses }));
  };
  const statuses = suppressGroup(null, stats.byStatus.map((r) => ({ key: r.status, value: r.supports })));
  return {
    ...stats,
    houses: totalHidden ? null : stats.houses,
    byKind: breakdown(stats.byKind, (r) => r.kind),
    byBeneficiary: breakdown(stats.byBeneficiary, (r) => r.beneficiaryStatus),
    byWard: breakdown(stats.byWard, (r) => r.unit.id),
    byStatus: stats.byStatus.map((r) => ({ ...r, supports: statuses.has(r.status) ? null : r.supports })),
    funding: totalHidden ? null : stats.funding,
  };
}

/**
 * Housing's part of an area's support-gap counts (credit combines them): for each candidate household (packages/db
 * gapCandidates, in id order), whether it is deprived in housing (the HOUSING rule's indicators) with no support
 * proposed on or before the date (packages/server/src/gaps.ts).
 */
export async function housingGaps(db: HousingDb, unitId: string, on: string): Promise<GapFlags> {
  const indicators = gapRule('HOUSING').indicators;
  const found = await rows<{ id: string; gap: boolean }>(db, sql`
    with recursive ${gapCandidates('housing', unitId, on)}
    select k.household_id as id,
      (k.deprived_indicators && array[${sql.join(indicators.map((i) => sql`${i}`), sql`, `)}]::text[])
        and not exists (select 1 from housing.supports s where s.household_id = k.household_id and s.proposed_on <= ${on}) as gap
    from candidates k order by k.household_id`);
  return packFlags(found.map((r) => (r.gap ? '1' : '0')).join(''), candidatesChecksum(found.map((r) => r.id)));
}
