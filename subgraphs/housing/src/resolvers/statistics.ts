/**
 * housingStatistics: a unit's housing support over a period, from the supports of the households placed in the
 * unit at the end of the period (this subgraph's copy of the registry, rolled up through the 2025 crosswalk:
 * docs/areas.md), by their lifecycle dates.
 */
import { sql } from 'drizzle-orm';
import { placedInTree, placedOn, rows } from '@ansinh/db';
import { callerSeesSmallCells, hiddenInTree, isSmall, SMALL_CELL, suppressGroup, treeOfRows, type Caller, type Hidden, type UnitTree } from '@ansinh/server';
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
 * The counts of every unit of the report's tree (packages/db placedInTree), in one statement, for the small-cell
 * rules that decide each unit's figures in its parent's group: `houses` completed, `kind.<kind>` and
 * `beneficiary.<status>` of them, and `status.<status>` of the supports proposed.
 */
export async function housingTree(db: HousingDb, unitId: string, from: string, to: string): Promise<{ tree: UnitTree<string>; measures: string[] }> {
  const found = await rows<{ node: boolean; node_id: string; parent_id: string | null; measure: string; n: number }>(db, sql`
    with recursive ${placedInTree('housing', unitId, to)},
    s as (
      select t.node_id, s.kind, s.beneficiary_status, s.completed_on between ${from} and ${to} as completed,
        case when s.handed_over_on <= ${to} then 'HANDED_OVER' when s.completed_on <= ${to} then 'COMPLETED'
             when s.construction_started_on <= ${to} then 'UNDER_CONSTRUCTION' when s.approved_on <= ${to} then 'APPROVED'
             else 'PROPOSED' end as status
      from housing.supports s join tree_placed t on t.household_id = s.household_id where s.proposed_on <= ${to}
    )
    select true as node, id as node_id, parent_id, '' as measure, 0 as n from tree_nodes
    union all select false, node_id, null, 'houses', count(*)::int from s where completed group by node_id
    union all select false, node_id, null, 'kind.' || kind, count(*)::int from s where completed group by node_id, kind
    union all select false, node_id, null, 'beneficiary.' || beneficiary_status, count(*)::int from s where completed group by node_id, beneficiary_status
    union all select false, node_id, null, 'status.' || status, count(*)::int from s group by node_id, status`);
  const measures = [...new Set(['houses', ...STATUSES.map((x) => `status.${x}`), ...found.filter((r) => !r.node).map((r) => r.measure)])].sort();
  return { tree: treeOfRows(found, measures, (r) => [[r.measure, r.n]]), measures };
}

/**
 * Small-cell protection (docs/security.md, packages/server suppression.ts): ANALYST gets each count decided in the
 * group of the unit's parent and the units below it (`hiddenInTree`), so a ward is withheld alike alone, in its
 * district or in a breakdown by ward; each breakdown of the houses (by kind, beneficiary) is a group under the
 * unit's total, so a small part is withheld with its complement, a part withheld in the tree is complemented there
 * too, and a withheld total withholds its parts; no funding figures when the total is withheld. The statuses have
 * no published total: each is decided in the tree only. Other roles get exact figures.
 */
export async function suppressSmallCells(caller: Caller, stats: HousingStatisticsModel, tree: () => ReturnType<typeof housingTree>): Promise<HousingStatisticsView> {
  if (callerSeesSmallCells(caller)) return stats;
  const { tree: t, measures } = await tree();
  const memo = new Map<string, Promise<Partial<Record<string, Hidden>>>>();
  const inTree = await hiddenInTree(t, measures, stats.unit.id, memo);
  const totalHidden = inTree.houses !== undefined;
  const breakdown = <R extends { houses: number }>(list: R[], prefix: string, key: (r: R) => string) => {
    const forced = new Map(list.flatMap((r) => (inTree[prefix + key(r)] ? [[key(r), inTree[prefix + key(r)]!] as const] : [])));
    const hidden = suppressGroup(stats.houses, list.map((r) => ({ key: key(r), value: r.houses })), totalHidden, SMALL_CELL, forced);
    return list.map((r) => ({ ...r, houses: hidden.has(key(r)) ? null : r.houses }));
  };
  // a ward of the breakdown by ward is the ward's own figure: withheld as the ward is (a unit outside the tree, an
  // old ward rolled up through the 2025 crosswalk, by rule 1 only)
  const byWard = await Promise.all(stats.byWard.map(async (r) => {
    const node = (await t.parentOf(r.unit.id)) !== null || r.unit.id === stats.unit.id;
    const hidden = totalHidden || (node ? (await hiddenInTree(t, measures, r.unit.id, memo)).houses !== undefined : isSmall(r.houses));
    return { ...r, houses: hidden ? null : r.houses };
  }));
  return {
    ...stats,
    houses: totalHidden ? null : stats.houses,
    byKind: breakdown(stats.byKind, 'kind.', (r) => r.kind),
    byBeneficiary: breakdown(stats.byBeneficiary, 'beneficiary.', (r) => r.beneficiaryStatus),
    byWard,
    byStatus: stats.byStatus.map((r) => ({ ...r, supports: inTree[`status.${r.status}`] ? null : r.supports })),
    funding: totalHidden ? null : stats.funding,
  };
}

