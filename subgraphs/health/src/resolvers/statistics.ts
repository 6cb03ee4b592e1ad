/** healthStatistics: a unit's BHYT cards valid on a date, per beneficiary group, with cost by funder. */
import { sql } from 'drizzle-orm';
import { rows } from '@ansinh/db';
import { callerSeesSmallCells, SMALL_CELL, type Caller } from '@ansinh/server';
import type { HealthDb } from '../context.js';

export interface GroupCardsModel {
  beneficiaryGroup: string | null; cards: number; holders: number; premium: number; cost: number;
  byFunder: { funder: string; amount: number }[];
}
export interface HealthStatisticsModel { unitId: string; unit: { id: string }; on: string; groups: GroupCardsModel[]; total: GroupCardsModel }

const GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER'];

export async function healthStatistics(db: HealthDb, unitId: string, on: string): Promise<HealthStatisticsModel> {
  const valid = sql`c.area @> array[${unitId}]::text[] and c.valid_from <= ${on} and c.valid_to >= ${on}`;
  const cards = await rows<{ grp: string | null; cards: number; holders: number; premium: string }>(db, sql`
    select c.beneficiary_group as grp, count(*)::int as cards, count(distinct c.member_id)::int as holders, coalesce(sum(c.premium), 0)::bigint as premium
    from health.insurance_cards c where ${valid} group by grouping sets ((c.beneficiary_group), ())`);
  const layers = await rows<{ grp: string | null; funder: string; amount: string }>(db, sql`
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
  /** what the households subgraph provides when coverage is asked (@requires) */
  registryGroups?: RegistryGroupRef[];
}

/**
 * Small-cell suppression (docs/security.md): ANALYST gets every count under SMALL_CELL as null, and with a card count
 * under SMALL_CELL the money figures derived from it too (the premium is a fixed amount per card-month); other roles
 * get exact figures.
 */
export function suppressSmallCells(caller: Caller, stats: HealthStatisticsModel): HealthStatisticsView {
  if (callerSeesSmallCells(caller)) return stats;
  const small = (n: number) => n < SMALL_CELL;
  const group = (g: GroupCardsModel): GroupCardsView => small(g.cards)
    ? { ...g, cards: null, holders: null, premium: null, cost: null, byFunder: null }
    : { ...g, holders: small(g.holders) ? null : g.holders };
  return { ...stats, groups: stats.groups.map(group), total: group(stats.total) };
}

/** The registry's households of a beneficiary group on the date (households subgraph, @requires). */
export interface RegistryGroupRef { group: string; householdIds: string[]; persons: number }
export interface GroupCoverageView { beneficiaryGroup: string; persons: number | null; covered: number | null; rate: number | null }

const REGISTRY_GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD'];

/**
 * BHYT coverage of the registry's groups: of the members of each group's households, how many hold a card valid
 * on the date (any group: a card issued while the household was near-poor still covers a member who is now poor).
 * One statement for all groups. ANALYST: a group of fewer than SMALL_CELL households is withheld whole, and a
 * covered count under SMALL_CELL with its rate.
 */
export async function coverage(db: HealthDb, caller: Caller, on: string, registry: RegistryGroupRef[]): Promise<GroupCoverageView[]> {
  const ids = registry.flatMap((g) => g.householdIds);
  const holders = ids.length ? await rows<{ householdId: string; members: number }>(db, sql`
    select c.household_id as "householdId", count(distinct c.member_id)::int as members
    from health.insurance_cards c
    where c.household_id in (select value::uuid from json_array_elements_text(${JSON.stringify(ids)}::json))
      and c.valid_from <= ${on} and c.valid_to >= ${on}
    group by c.household_id`) : [];
  const covered = new Map(holders.map((h) => [h.householdId, Number(h.members)]));
  const exact = callerSeesSmallCells(caller);
  return REGISTRY_GROUPS.map((group) => {
    const g = registry.find((r) => r.group === group) ?? { group, householdIds: [], persons: 0 };
    const n = g.householdIds.reduce((sum, id) => sum + (covered.get(id) ?? 0), 0);
    const rate = g.persons ? Math.round((n / g.persons) * 10_000) / 100 : null;
    if (!exact && g.householdIds.length < SMALL_CELL) return { beneficiaryGroup: group, persons: null, covered: null, rate: null };
    if (!exact && n < SMALL_CELL) return { beneficiaryGroup: group, persons: g.persons, covered: null, rate: null };
    return { beneficiaryGroup: group, persons: g.persons, covered: n, rate };
  });
}
