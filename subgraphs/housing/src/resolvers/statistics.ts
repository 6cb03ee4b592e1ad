/**
 * housingStatistics: a unit's housing support over a period, from the supports of the households placed in the
 * unit at the end of the period (this subgraph's copy of the registry, rolled up through the 2025 crosswalk:
 * docs/areas.md), by their lifecycle dates.
 */
import { sql } from 'drizzle-orm';
import { countingUnits, placedIn, recountable, summarised, summaryTree, sumFigures, type UnitFigures } from '@ansinh/db';
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

/**
 * A unit's figures (its summary rows, packages/db summaries.ts): one row per measure, `n` its count or amount —
 * `houses` completed in the period, `kind.<kind>` and `beneficiary.<status>` of them, `status.<status>` of the
 * supports proposed by `to` (their step on `to`), `funding.<source>` the amounts of the houses completed.
 */
interface Figures { measure: string; n: number; [k: string]: unknown }

const statusOn = (to: string) => sql`case when s.handed_over_on <= ${to} then 'HANDED_OVER' when s.completed_on <= ${to} then 'COMPLETED'
                when s.construction_started_on <= ${to} then 'UNDER_CONSTRUCTION' when s.approved_on <= ${to} then 'APPROVED'
                else 'PROPOSED' end`;

/**
 * The housing figures of each of `units` (the units households are placed in on `to`), from their summaries: the
 * missing ones counted in one statement, grouped by unit.
 */
recountable('housing', 'housingStatistics', (db, a, units) => unitFigures(db, units, a.from, a.to));
function unitFigures(db: HousingDb, units: readonly string[], from: string, to: string): Promise<UnitFigures<Figures>> {
  return summarised<Figures>(db, 'housing', 'housingStatistics', { from, to }, units, (wanted) => sql`
    ${placedIn('housing', wanted, to)},
    -- joined, not "in (select …)": the unit travels with each support (see credit's loansOn)
    s as (
      select p.unit_id, s.id, s.kind, s.beneficiary_status, s.completed_on between ${from} and ${to} as completed,
             s.proposed_on <= ${to} as proposed, ${statusOn(to)} as status
      from placed p join housing.supports s on s.household_id = p.household_id
    ),
    f as (
      select s.unit_id, f.source, sum(f.amount)::bigint as amount
      from s join housing.funding_lines f on f.support_id = s.id where s.completed group by 1, 2
    ),
    m(unit_id, measure, n) as (
      select unit_id, 'houses', count(*)::bigint from s where completed group by unit_id
      union all select unit_id, 'kind.' || kind, count(*)::bigint from s where completed group by 1, 2
      union all select unit_id, 'beneficiary.' || beneficiary_status, count(*)::bigint from s where completed group by 1, 2
      union all select unit_id, 'status.' || status, count(*)::bigint from s where proposed group by 1, 2
      union all select unit_id, 'funding.' || source, amount from f
    ),
    computed(unit_id, figures) as (
      select unit_id, jsonb_agg(jsonb_build_object('measure', measure, 'n', n) order by measure) from m group by unit_id
    )`);
}

const KEYS = ['measure'] as const;

/** The measures of `prefix` in summed rows, by name: [name, n], sorted by name. */
const part = (rows: readonly Figures[], prefix: string) => rows.filter((r) => r.measure.startsWith(prefix))
  .map((r) => [r.measure.slice(prefix.length), Number(r.n)] as const).sort(([a], [b]) => a.localeCompare(b));

/**
 * The supports of the households placed in the unit on `to`: the sum of its counting units' summaries. `byWard` is
 * per unit the households are placed in (a ward, or an old ward rolled up through the 2025 crosswalk).
 */
export async function housingStatistics(db: HousingDb, unitId: string, from: string, to: string): Promise<HousingStatisticsModel> {
  const figures = await unitFigures(db, await countingUnits(db, 'housing', unitId), from, to);
  const result = sumFigures(figures.values(), KEYS);
  const status = new Map(part(result, 'status.'));
  const funding = new Map(part(result, 'funding.'));
  return {
    unit: { id: unitId }, from, to,
    houses: Number(result.find((r) => r.measure === 'houses')?.n ?? 0),
    byKind: part(result, 'kind.').map(([kind, houses]) => ({ kind, houses })),
    byBeneficiary: part(result, 'beneficiary.').map(([beneficiaryStatus, houses]) => ({ beneficiaryStatus, houses })),
    byWard: [...figures].flatMap(([id, rows]) => {
      const houses = Number(rows.find((r) => r.measure === 'houses')?.n ?? 0);
      return houses > 0 ? [{ unit: { id }, houses }] : [];
    }).sort((a, b) => a.unit.id.localeCompare(b.unit.id)),
    byStatus: STATUSES.map((s) => ({ status: s, supports: status.get(s) ?? 0 })),
    funding: SOURCES.filter((s) => funding.has(s)).map((s) => ({ source: s, amount: funding.get(s)! })),
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
 * The counts of every unit of the report's tree (packages/db placedInTree), summed from the same summaries, for the
 * small-cell rules that decide each unit's figures in its parent's group: `houses` completed, `kind.<kind>` and
 * `beneficiary.<status>` of them, and `status.<status>` of the supports proposed.
 */
export async function housingTree(db: HousingDb, unitId: string, from: string, to: string): Promise<{ tree: UnitTree<string>; measures: string[] }> {
  const found = await summaryTree(db, 'housing', unitId, to, (units) => unitFigures(db, units, from, to), KEYS);
  const counted = (m: string | undefined) => m !== undefined && !m.startsWith('funding.');
  const measures = [...new Set(['houses', ...STATUSES.map((x) => `status.${x}`), ...found.filter((r) => !r.node && counted(r.measure)).map((r) => r.measure!)])].sort();
  return { tree: treeOfRows(found, measures, (r) => (counted(r.measure) ? [[r.measure!, Number(r.n ?? 0)]] : [])), measures };
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

