/**
 * healthStatistics: a unit's BHYT cards valid on a date, per beneficiary group, with cost by funder, and the BHYT
 * coverage of the registry's poor, near-poor and newly-escaped members; all from the cards of the households placed
 * in the unit on that date (this subgraph's copy of the registry: docs/areas.md), in SQL; both sum per-unit summaries
 * (packages/db summaries.ts), counted again only for the units a write has touched since.
 */
import { sql } from 'drizzle-orm';
import { countingUnits, placedIn, recountable, reviewedOn, summarised, summaryTree, sumFigures, type UnitFigures } from '@ansinh/db';
import { callerSeesSmallCells, hiddenInTree, SMALL_CELL, suppressGroup, treeOfRows, type Caller, type UnitTree } from '@ansinh/server';
import type { HealthDb } from '../context.js';

export interface GroupCardsModel {
  beneficiaryGroup: string | null; cards: number; holders: number; premium: number; cost: number;
  byFunder: { funder: string; amount: number }[];
}
export interface HealthStatisticsModel { unitId: string; unit: { id: string }; on: string; groups: GroupCardsModel[]; total: GroupCardsModel }

const GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER'];

/**
 * A unit's summary rows (packages/db summaries.ts) for healthStatistics and cardTree: `kind` 'cards' per group
 * (`grp`, null for all groups) with cards, holders (distinct members: additive over units, a member's cards being
 * those of its household, placed in one unit on a date) and premium; `kind` 'layers' per group and funder.
 */
interface CardFigures { kind: 'cards' | 'layers'; grp: string | null; funder?: string; cards?: number; holders?: number; premium?: number; amount?: number; [k: string]: unknown }
const CARD_KEYS = ['kind', 'grp', 'funder'] as const;

/** The cards valid on `on` of the households placed in each of `units`, summed per unit in one statement. */
recountable('health', 'healthStatistics', (db, a, units) => cardFigures(db, units, a.on));
function cardFigures(db: HealthDb, units: readonly string[], on: string): Promise<UnitFigures<CardFigures>> {
  return summarised<CardFigures>(db, 'health', 'healthStatistics', { on }, units, (wanted) => sql`
    ${placedIn('health', wanted, on)},
    c as (
      -- joined, not "in (select …)": the unit travels with each card (see credit's loansOn)
      select p.unit_id, c.id, c.beneficiary_group, c.member_id, c.premium
      from placed p join health.insurance_cards c on c.household_id = p.household_id
      where c.valid_from <= ${on} and c.valid_to >= ${on}
    ),
    per_unit as (
      select unit_id, 'cards' as kind, beneficiary_group as grp, null::text as funder, count(*)::int as cards,
             count(distinct member_id)::int as holders, coalesce(sum(premium), 0)::bigint as premium, null::bigint as amount
      from c group by grouping sets ((unit_id, beneficiary_group), (unit_id))
      union all
      select c.unit_id, 'layers', c.beneficiary_group, l.funder, null, null, null, sum(l.amount)::bigint
      from c join health.support_layers l on l.card_id = c.id
      group by grouping sets ((c.unit_id, c.beneficiary_group, l.funder), (c.unit_id, l.funder))
    ),
    computed(unit_id, figures) as (
      select unit_id, jsonb_agg(jsonb_strip_nulls(to_jsonb(per_unit) - 'unit_id')) from per_unit group by unit_id
    )`);
}

/**
 * The BHYT cards valid on `on` of the households placed in the unit then, per beneficiary group, with cost by
 * funder: the sum of its counting units' summaries.
 */
export async function healthStatistics(db: HealthDb, unitId: string, on: string): Promise<HealthStatisticsModel> {
  const figures = sumFigures((await cardFigures(db, await countingUnits(db, 'health', unitId), on)).values(), CARD_KEYS);
  const cards = figures.filter((r) => r.kind === 'cards');
  const layers = figures.filter((r) => r.kind === 'layers').sort((a, b) => (a.funder! < b.funder! ? -1 : a.funder! > b.funder! ? 1 : 0));
  const model = (group: string | null): GroupCardsModel => {
    const c = cards.find((r) => (r.grp ?? null) === group);
    const byFunder = layers.filter((l) => (l.grp ?? null) === group).map((l) => ({ funder: l.funder!, amount: Number(l.amount) }));
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
 * The cards and holders of every unit of the report's tree (packages/db placedInTree), summed from the same
 * summaries, for the small-cell rules that decide each unit's figures in its parent's group.
 */
export async function cardTree(db: HealthDb, unitId: string, on: string): Promise<UnitTree<CardMeasure>> {
  const found = await summaryTree(db, 'health', unitId, on, (units) => cardFigures(db, units, on), CARD_KEYS);
  return treeOfRows(found, CARD_MEASURES, (r) => r.kind === 'cards'
    ? [[`${r.grp ?? 'total'}.cards`, Number(r.cards ?? 0)], [`${r.grp ?? 'total'}.holders`, Number(r.holders ?? 0)]]
    : []);
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

/** The counts coverage withholds by: `${group}.households` (the whole group) and `${group}.covered`. */
export type CoverageMeasure = `${string}.${'households' | 'covered'}`;

/** A unit's coverage summary rows: per registry group, its households, their persons as reviewed, and covered persons. */
interface CoverageFigures { grp: string; households: number; persons: number; covered: number; [k: string]: unknown }
const COVERAGE_KEYS = ['grp'] as const;

/**
 * Coverage per registry group of the households placed in each of `units` on `on`, summed per unit in one
 * statement: each household in the group of its latest review (POOR, NEAR_POOR, or newly escaped while its last
 * escape is less than 36 months old: packages/db reviewedOn), with its persons as recorded at that review; of them,
 * how many hold a card valid on the date (any group: a card issued while the household was near-poor still covers a
 * member who is now poor), never more than the review's persons.
 */
recountable('health', 'coverage', (db, a, units) => coverageFigures(db, units, a.on));
function coverageFigures(db: HealthDb, units: readonly string[], on: string): Promise<UnitFigures<CoverageFigures>> {
  return summarised<CoverageFigures>(db, 'health', 'coverage', { on }, units, (wanted) => sql`
    ${placedIn('health', wanted, on)}, ${reviewedOn('health', on)},
    grouped as (
      select unit_id, household_id, persons, case
        when status = 'POOR' then 'POOR_HOUSEHOLD'
        when status = 'NEAR_POOR' then 'NEAR_POOR_HOUSEHOLD'
        when newly_escaped_until >= ${on}::date then 'NEWLY_ESCAPED_HOUSEHOLD' end as grp
      from reviewed
    ),
    holders as (
      select g.household_id, count(distinct c.member_id)::int as n
      from grouped g join health.insurance_cards c on c.household_id = g.household_id
      where g.grp is not null and c.valid_from <= ${on} and c.valid_to >= ${on}
      group by g.household_id
    ),
    per_unit as (
      select g.unit_id, g.grp, count(*)::int as households, sum(g.persons)::int as persons, sum(least(coalesce(h.n, 0), g.persons))::int as covered
      from grouped g left join holders h on h.household_id = g.household_id where g.grp is not null group by g.unit_id, g.grp
    ),
    computed(unit_id, figures) as (
      select unit_id, jsonb_agg(to_jsonb(per_unit) - 'unit_id') from per_unit group by unit_id
    )`);
}

/**
 * BHYT coverage of the registry's groups on a date (`coverageFigures`): the sum of the unit's counting units'
 * summaries. ANALYST: a group of fewer than SMALL_CELL households is withheld whole, and a covered count under
 * SMALL_CELL with its rate, each decided in the group of the unit's parent and the units below it (`hiddenInTree`,
 * from the same summaries of every unit of the tree).
 */
export async function coverage(db: HealthDb, caller: Caller, unitId: string, on: string): Promise<GroupCoverageView[]> {
  const found = sumFigures((await coverageFigures(db, await countingUnits(db, 'health', unitId), on)).values(), COVERAGE_KEYS);
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

/** Coverage's counts for every unit of the report's tree (packages/db placedInTree), summed from the same summaries. */
async function coverageTree(db: HealthDb, unitId: string, on: string): Promise<UnitTree<CoverageMeasure>> {
  const found = await summaryTree(db, 'health', unitId, on, (units) => coverageFigures(db, units, on), COVERAGE_KEYS);
  return treeOfRows(found, COVERAGE_MEASURES, (r) => [[`${r.grp}.households`, Number(r.households ?? 0)], [`${r.grp}.covered`, Number(r.covered ?? 0)]]);
}
