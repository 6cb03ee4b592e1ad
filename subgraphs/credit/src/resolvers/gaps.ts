/**
 * Support gaps (không để ai bị bỏ lại phía sau): the rules are packages/server/src/gaps.ts. The credit subgraph
 * answers both views: a household's own gaps (from its representation, @requires, and its loans) and an area's
 * counts, which it combines from its own loans and the flags health and housing send for the same candidate list
 * (through the gateway, @requires: one bit per household, never household ids).
 */
import { sql } from 'drizzle-orm';
import { gapCandidates, rows, treeGapCandidates } from '@ansinh/db';
import { badInput, candidatesChecksum, GAP_KINDS, GAP_RULES, GAP_STATUSES, treeOfRows, unpackFlags, type GapFlags, type UnitTree } from '@ansinh/server';
import type { CreditDb, GapRef, HouseholdRef, SupportGapModel } from '../context.js';
import type { LoanModel } from '../db/schema.js';

const validOn = (day: string) => (c: { validFrom: string; validTo: string }) => c.validFrom <= day && day <= c.validTo;

/** One household's gaps on a day, from its representation (@requires) and its loans. */
export function householdGaps(h: HouseholdRef, householdLoans: LoanModel[], day: string): SupportGapModel[] {
  if (h.currentStatus === undefined || !Array.isArray(h.members) || !Array.isArray(h.housingSupports)) {
    throw badInput('supportGaps needs the household\'s latest review, members\' cards and housing supports in the representation (@requires); ask it through the gateway');
  }
  if (!h.currentStatus || !(GAP_STATUSES as readonly string[]).includes(h.currentStatus.status)) return [];
  const gaps: SupportGapModel[] = [];
  for (const rule of GAP_RULES) {
    if (rule.kind === 'HEALTH_INSURANCE') {
      for (const m of h.members) {
        if (!(m.insuranceCards ?? []).some(validOn(day))) gaps.push({ kind: rule.kind, deprivation: 'HEALTH_INSURANCE', member: { id: m.id }, programme: rule.programme });
      }
      continue;
    }
    const closed = rule.loanProgramme
      ? householdLoans.some((l) => l.programme === rule.loanProgramme && l.disbursedOn <= day)
      : h.housingSupports.some((s) => s.proposedOn <= day);
    if (closed) continue;
    for (const indicator of rule.indicators) {
      if (h.currentStatus.deprivedIndicators.includes(indicator)) gaps.push({ kind: rule.kind, deprivation: indicator, member: null, programme: rule.programme });
    }
  }
  return gaps;
}

/**
 * An area's gap counts: the candidates (households placed in the unit on the date whose latest review is POOR or
 * NEAR_POOR, from this subgraph's copy of the registry), this subgraph's own gaps from its loans, and the flags of
 * health (HEALTH_INSURANCE) and housing (HOUSING) for the same list, checked by its checksum.
 */
export async function gapCounts(db: CreditDb, ref: GapRef): Promise<GapCountsModel> {
  const found = await rows<Candidate>(db, sql`
    with recursive ${gapCandidates('credit', ref.unitId, ref.on)}
    select ${candidateColumns(ref.on)} from candidates c order by c.household_id`);
  const kinds = gapKindsOf(ref, found);
  return countGaps(kinds);
}

/** The counts of one unit: its candidates, those with a gap, and those with each kind. */
export interface GapCountsModel { households: number; withGaps: number; byKind: { kind: string; households: number }[] }

interface Candidate { id: string; deprived: string[]; lent: string[] }

/**
 * A candidate's columns: its id, deprived indicators and the loan programmes of the gap rules it has borrowed from
 * by the date, in the statement: no household id list travels back to the database (a province's would exceed any
 * parameter limit).
 */
function candidateColumns(on: string) {
  const programmes = `{${GAP_RULES.filter((r) => r.loanProgramme).map((r) => r.loanProgramme!).join(',')}}`;
  return sql`c.household_id as id, c.deprived_indicators as deprived,
      array(select distinct l.programme from credit.loans l
        where l.household_id = c.household_id and l.programme = any(${programmes}::text[]) and l.disbursed_on <= ${on}::date) as lent`;
}

/**
 * Each candidate's kinds of gap: this subgraph's own from its loans, and the flags of health (HEALTH_INSURANCE) and
 * housing (HOUSING) for the same list, checked by its checksum.
 */
function gapKindsOf(ref: GapRef, found: Candidate[]): Set<string>[] {
  if (!ref.healthGaps || !ref.housingGaps) {
    throw badInput('GapStatistics needs healthGaps and housingGaps in the representation (@requires); ask it through the gateway');
  }
  const checksum = candidatesChecksum(found.map((c) => c.id));
  for (const [name, f] of [['health', ref.healthGaps], ['housing', ref.housingGaps]] as const) {
    if (f.count !== found.length || f.checksum !== checksum) {
      throw new Error(`gapStatistics: the ${name} subgraph counted another list of households (${f.count} against ${found.length}): its copy of the registry differs`);
    }
  }
  const hasLoan = new Set(found.flatMap((c) => c.lent.map((p) => `${c.id}|${p}`)));
  const flags: Record<string, boolean[]> = { HEALTH_INSURANCE: unpackFlags(ref.healthGaps), HOUSING: unpackFlags(ref.housingGaps) };
  return found.map((c, i) => {
    const kinds = new Set<string>();
    for (const rule of GAP_RULES) {
      const gap = rule.loanProgramme
        ? rule.indicators.some((x) => c.deprived.includes(x)) && !hasLoan.has(`${c.id}|${rule.loanProgramme}`)
        : flags[rule.kind]![i]!;
      if (gap) kinds.add(rule.kind);
    }
    return kinds;
  });
}

function countGaps(kinds: Set<string>[]): GapCountsModel {
  const counts = new Map<string, number>(GAP_KINDS.map((k) => [k, 0]));
  for (const own of kinds) for (const k of own) counts.set(k, counts.get(k)! + 1);
  return { households: kinds.length, withGaps: kinds.filter((k) => k.size).length, byKind: GAP_KINDS.map((kind) => ({ kind, households: counts.get(kind)! })) };
}

/** The counts a gap report withholds by: `households`, `withGaps`, `kind.<kind>`. */
export const GAP_MEASURES = ['households', 'withGaps', ...GAP_KINDS.map((k) => `kind.${k}`)];

/**
 * The counts of every unit of a province (`ref.unitId`: the top unit; packages/db placedInTree), for the small-cell
 * rules that decide each unit's counts in its parent's group: one statement for the units and the province's
 * candidates with the units each is counted in; health and housing send their flags for the same list (for an
 * ANALYST, the province's), which this checks by its checksum.
 */
export async function gapTree(db: CreditDb, ref: GapRef): Promise<UnitTree<string>> {
  const found = await rows<{ node: boolean; node_id: string | null; parent_id: string | null; nodes: string[] | null } & Candidate>(db, sql`
    with recursive ${treeGapCandidates('credit', ref.unitId, ref.on)},
    counted_in as (select household_id, array_agg(node_id) as nodes from tree_placed group by household_id)
    select true as node, id as node_id, parent_id, null::text[] as nodes, null::uuid as id, null::text[] as deprived, null::text[] as lent from tree_nodes
    union all
    select false, null, null, k.nodes, ${candidateColumns(ref.on)}
    from candidates c join counted_in k on k.household_id = c.household_id order by node desc, id`);
  const candidates = found.filter((r) => !r.node);
  const kinds = gapKindsOf(ref, candidates);
  const inNode = new Map<string, Set<string>[]>();
  candidates.forEach((c, i) => { for (const n of c.nodes ?? []) inNode.set(n, [...(inNode.get(n) ?? []), kinds[i]!]); });
  const figures = found.filter((r) => r.node).flatMap((r) => {
    const c = countGaps(inNode.get(r.node_id!) ?? []);
    return [
      { node: false, node_id: r.node_id!, parent_id: null, measure: 'households', n: c.households },
      { node: false, node_id: r.node_id!, parent_id: null, measure: 'withGaps', n: c.withGaps },
      ...c.byKind.map((k) => ({ node: false, node_id: r.node_id!, parent_id: null, measure: `kind.${k.kind}`, n: k.households })),
    ];
  });
  const nodes = found.filter((r) => r.node).map((r) => ({ node: true, node_id: r.node_id!, parent_id: r.parent_id, measure: '', n: 0 }));
  return treeOfRows([...nodes, ...figures], GAP_MEASURES, (r) => [[r.measure, r.n]]);
}

export type { GapFlags };
