/**
 * healthStatistics: a unit's BHYT cards valid on a date, per beneficiary group, with cost by funder, and the BHYT
 * coverage of the registry's poor, near-poor and newly-escaped members; all from the cards of the households placed
 * in the unit on that date (this subgraph's copy of the registry: docs/areas.md), in SQL.
 */
import { sql } from 'drizzle-orm';
import { placedInTree, placedOn, reviewedOn, rows } from '@ansinh/db';
import { callerSeesSmallCells, hiddenInTree, isSmall, SMALL_CELL, suppressGroup, treeOfRows, type Caller, type UnitTree } from '@ansinh/server';
import type { HealthDb } from '../context.js';

export interface GroupCardsModel {
  beneficiaryGroup: string | null; cards: number; holders: number; premium: number; cost: number;
  byFunder: { funder: string; amount: number }[];
}
export interface HealthStatisticsModel { unitId: string; unit: { id: string }; on: string; groups: GroupCardsModel[]; total: GroupCardsModel }

const GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER'];

export async function healthStatistics(db: HealthDb, unitId: string, on: string): Promise<HealthStatisticsModel> {
  const valid = sql`c.household_id in (select household_id from placed) and c.valid_from <= ${on} and c.valid_to >= ${on}`;
  const cards = await rows<{ grp: string | null; cards: number; holders: number; premium: string }>(db, sql`
    with recursive ${placedOn('health', unitId, on)}
    select c.beneficiary_group as grp, count(*)::int as cards, count(distinct c.member_id)::int as holders, coalesce(sum(c.premium), 0)::bigint as premium
    from health.insurance_cards c where ${valid} group by grouping sets ((c.beneficiary_group), ())`);
  const layers = await rows<{ grp: string | null; funder: string; amount: string }>(db, sql`
    with recursive ${placedOn('health', unitId, on)}
    select c.beneficiary_group as grp, l.funder, sum(l.amount)::bigint as amount
    from health.insurance_cards c join health.support_layers l on l.card_id = c.id
    where ${valid} group by grouping sets ((c.beneficiary_group, l.funder), (l.funder)) order by l.funder`);
  const model = (group: string | null): GroupCardsModel => {
    const c = cards.find((r) => r.grp === group);
    const byFunder = layers.filter((l) => l.grp === group).map((l) => ({ funder: l.funder, amount: Number(l.amount) }));
    return {
      beneficiaryGroup: group, cards: Number(c?.cards ?? 0), holders: Number(c?.holders ?? 0), premium: Number(c?.premium ?? 0),
      cost: byFunder.reduce((s, l) => s + l.amount, 0), byFunder,
    };
  };
  return { unitId, unit: { id: unitId }, on, groups: GROUPS.filter((g) => cards.some((c) => c.grp === g)).map(model), total: model(null) };
}

/** A group's figures as a caller may see them: counts may be null (small-cell suppression). */
export type GroupCardsView = Omit<GroupCardsModel, 'cards' | 'holders' | 'premium' | 'cost' | 'byFunder'> & {
  cards: number | null; holders: number | null; premium: number | null; cost: number | null;
  byFunder: { funder: string; amount: number }[] | null;
};
export interface HealthStatisticsView {
  unitId: string; unit: { id: string }; on: string; groups: GroupCardsView[]; total: GroupCardsView;
}

/** The counts each figure of the report withholds by: `${group}.cards|holders`, `total.` for all groups together. */
export type CardMeasure = `${string}.${'cards' | 'holders'}`;
export const CARD_MEASURES: CardMeasure[] = [...GROUPS, 'total'].flatMap((g) => [`${g}.cards`, `${g}.holders`] as CardMeasure[]);

/**
 * The cards and holders of every unit of the report's tree (packages/db placedInTree), in one statement, for the
 * small-cell rules that decide each unit's figures in its parent's group.
 */
export async function cardTree(db: HealthDb, unitId: string, on: string): Promise<UnitTree<CardMeasure>> {
  const found = await rows<{ node: boolean; node_id: string; parent_id: string | null; grp: string | null; cards: number; holders: number }>(db, sql`
    with recursive ${placedInTree('health', unitId, on)}
    select true as node, id as node_id, parent_id, null::text as grp, 0 as cards, 0 as holders from tree_nodes
    union all
    select false, t.node_id, null, coalesce(c.beneficiary_group, 'total'), count(*)::int, count(distinct c.member_id)::int
    from health.insurance_cards c join tree_placed t on t.household_id = c.household_id
    where c.valid_from <= ${on} and c.valid_to >= ${on}
    group by grouping sets ((t.node_id, c.beneficiary_group), (t.node_id))`);
  return treeOfRows(found, CARD_MEASURES, (r) => [[`${r.grp}.cards`, r.cards], [`${r.grp}.holders`, r.holders]]);
}

/**
 * Small-cell protection (docs/security.md, packages/server suppression.ts): ANALYST gets each count decided in the
 * group of the unit's parent and the units below it (`hiddenInTree`: `tree`), so a ward is withheld alike alone or
 * in its district; the groups are parts of the unit's total, so a small group is withheld with its complement, a
 * group withheld in the tree is complemented among the unit's groups too, and a withheld total withholds every
 * group; a withheld card count takes the money figures derived from it (the premium is a fixed amount per
 * card-month). Other roles get exact figures.
 */
export async function suppressSmallCells(caller: Caller, stats: HealthStatisticsModel, tree: () => Promise<UnitTree<CardMeasure>>): Promise<HealthStatisticsView> {
  if (callerSeesSmallCells(caller)) return stats;
  const inTree = await hiddenInTree(await tree(), CARD_MEASURES, stats.unitId);
  const key = (g: GroupCardsModel) => g.beneficiaryGroup ?? '';
  const within = (count: 'cards' | 'holders') => {
    const forced = new Map(stats.groups.flatMap((g) => {
      const why = inTree[`${key(g)}.${count}`];
      return why ? [[key(g), why] as const] : [];
    }));
    return suppressGroup(stats.total[count], stats.groups.map((g) => ({ key: key(g), value: g[count] })), inTree[`total.${count}`] !== undefined, SMALL_CELL, forced);
  };
  const cards = within('cards');
  const holders = within('holders');
  const view = (g: GroupCardsModel, cardsHidden: boolean, holdersHidden: boolean): GroupCardsView => cardsHidden
    ? { ...g, cards: null, holders: null, premium: null, cost: null, byFunder: null }
    : { ...g, holders: holdersHidden ? null : g.holders };
  return {
    ...stats,
    groups: stats.groups.map((g) => view(g, cards.has(key(g)), holders.has(key(g)))),
    total: view(stats.total, inTree['total.cards'] !== undefined, inTree['total.holders'] !== undefined),
  };
}

export interface GroupCoverageView { beneficiaryGroup: string; persons: number | null; covered: number | null; rate: number | null }

const REGISTRY_GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD'];

/** Each registry group's households, persons as recorded and covered persons, after a `placed` and `reviewedOn` CTE. */
const GROUPED = (on: string) => sql`grouped as (
      select household_id, persons, case
        when status = 'POOR' then 'POOR_HOUSEHOLD'
        when status = 'NEAR_POOR' then 'NEAR_POOR_HOUSEHOLD'
        when newly_escaped_until >= ${on}::date then 'NEWLY_ESCAPED_HOUSEHOLD' end as grp
      from reviewed
    ),
    holders as (
      select c.household_id, count(distinct c.member_id)::int as n from health.insurance_cards c
      where c.household_id in (select household_id from grouped where grp is not null) and c.valid_from <= ${on} and c.valid_to >= ${on}
      group by c.household_id
    )`;

/** The counts coverage withholds by: `${group}.households` (the whole group) and `${group}.covered`. */
export type CoverageMeasure = `${string}.${'households' | 'covered'}`;

/**
 * BHYT coverage of the registry's groups on a date: the households placed in the unit then, each in the group of
 * its latest review (POOR, NEAR_POOR, or newly escaped while its last escape is less than 36 months old), with its
 * persons as recorded at that review; of them, how many hold a card valid on the date (any group: a card issued
 * while the household was near-poor still covers a member who is now poor), never more than the review's persons.
 * One statement. ANALYST: a group of fewer than SMALL_CELL households is withheld whole, and a covered count under
 * SMALL_CELL with its rate, each decided in the group of the unit's parent and the units below it (`hiddenInTree`,
 * a second statement for every unit of the tree).
 */
export async function coverage(db: HealthDb, caller: Caller, unitId: string, on: string): Promise<GroupCoverageView[]> {
  const found = await rows<{ grp: string; households: number; persons: number; covered: number }>(db, sql`
    with recursive ${placedOn('health', unitId, on)}, ${reviewedOn('health', on)}, ${GROUPED(on)}
    select g.grp, count(*)::int as households, sum(g.persons)::int as persons, sum(least(coalesce(h.n, 0), g.persons))::int as covered
    from grouped g left join holders h on h.household_id = g.household_id where g.grp is not null group by g.grp`);
  const exact = callerSeesSmallCells(caller);
  const hidden = exact ? {} : await hiddenInTree(await coverageTree(db, unitId, on), COVERAGE_MEASURES, unitId);
  return REGISTRY_GROUPS.map((group) => {
    const g = found.find((r) => r.grp === group) ?? { households: 0, persons: 0, covered: 0 };
    const persons = Number(g.persons);
    const n = Number(g.covered);
    const rate = persons ? Math.round((n / persons) * 10_000) / 100 : null;
    if (hidden[`${group}.households`]) return { beneficiaryGroup: group, persons: null, covered: null, rate: null };
    if (hidden[`${group}.covered`]) return { beneficiaryGroup: group, persons, covered: null, rate: null };
    return { beneficiaryGroup: group, persons, covered: n, rate };
  });
}

const COVERAGE_MEASURES: CoverageMeasure[] = REGISTRY_GROUPS.flatMap((g) => [`${g}.households`, `${g}.covered`] as CoverageMeasure[]);

/** Coverage's counts for every unit of the report's tree (packages/db placedInTree), in one statement. */
async function coverageTree(db: HealthDb, unitId: string, on: string): Promise<UnitTree<CoverageMeasure>> {
  const found = await rows<{ node: boolean; node_id: string; parent_id: string | null; grp: string | null; households: number; covered: number }>(db, sql`
    with recursive ${placedInTree('health', unitId, on)}, ${reviewedOn('health', on)}, ${GROUPED(on)}
    select true as node, id as node_id, parent_id, null::text as grp, 0 as households, 0 as covered from tree_nodes
    union all
    select false, t.node_id, null, g.grp, count(*)::int, sum(least(coalesce(h.n, 0), g.persons))::int
    from grouped g join tree_placed t on t.household_id = g.household_id left join holders h on h.household_id = g.household_id
    where g.grp is not null group by t.node_id, g.grp`);
  return treeOfRows(found, COVERAGE_MEASURES, (r) => [[`${r.grp}.households`, r.households], [`${r.grp}.covered`, r.covered]]);
}
