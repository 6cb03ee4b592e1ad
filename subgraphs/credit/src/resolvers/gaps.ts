/**
 * Support gaps (không để ai bị bỏ lại phía sau): the rules are packages/server/src/gaps.ts. The credit subgraph
 * answers both views: a household's own gaps (from its representation, @requires, and its loans) and an area's
 * counts, which it combines from its own loans and the flags health and housing send for the same candidate list
 * (through the gateway, @requires: one bit per household, never household ids).
 */
import { sql } from 'drizzle-orm';
import { gapCandidates, rows } from '@ansinh/db';
import { badInput, candidatesChecksum, GAP_KINDS, GAP_RULES, GAP_STATUSES, unpackFlags, type GapFlags } from '@ansinh/server';
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
export async function gapCounts(db: CreditDb, ref: GapRef): Promise<{ households: number; withGaps: number; byKind: { kind: string; households: number }[] }> {
  if (!ref.healthGaps || !ref.housingGaps) {
    throw badInput('GapStatistics needs healthGaps and housingGaps in the representation (@requires); ask it through the gateway');
  }
  const loanRules = GAP_RULES.filter((r) => r.loanProgramme);
  // the candidates with the programmes each has borrowed from by the date, in one statement: no household id
  // list travels back to the database (a province's would exceed any parameter limit)
  const programmes = `{${loanRules.map((r) => r.loanProgramme!).join(',')}}`;
  const found = await rows<{ id: string; deprived: string[]; lent: string[] }>(db, sql`
    with recursive ${gapCandidates('credit', ref.unitId, ref.on)}
    select c.household_id as id, c.deprived_indicators as deprived,
      array(select distinct l.programme from credit.loans l
        where l.household_id = c.household_id and l.programme = any(${programmes}::text[]) and l.disbursed_on <= ${ref.on}::date) as lent
    from candidates c order by c.household_id`);
  const checksum = candidatesChecksum(found.map((c) => c.id));
  for (const [name, f] of [['health', ref.healthGaps], ['housing', ref.housingGaps]] as const) {
    if (f.count !== found.length || f.checksum !== checksum) {
      throw new Error(`gapStatistics: the ${name} subgraph counted another list of households (${f.count} against ${found.length}): its copy of the registry differs`);
    }
  }
  const hasLoan = new Set(found.flatMap((c) => c.lent.map((p) => `${c.id}|${p}`)));
  const flags: Record<string, boolean[]> = { HEALTH_INSURANCE: unpackFlags(ref.healthGaps), HOUSING: unpackFlags(ref.housingGaps) };
  const counts = new Map<string, number>(GAP_KINDS.map((k) => [k, 0]));
  let withGaps = 0;
  found.forEach((c, i) => {
    const kinds = new Set<string>();
    for (const rule of GAP_RULES) {
      const gap = rule.loanProgramme
        ? rule.indicators.some((x) => c.deprived.includes(x)) && !hasLoan.has(`${c.id}|${rule.loanProgramme}`)
        : flags[rule.kind]![i]!;
      if (gap) kinds.add(rule.kind);
    }
    for (const k of kinds) counts.set(k, counts.get(k)! + 1);
    if (kinds.size) withGaps += 1;
  });
  return { households: found.length, withGaps, byKind: GAP_KINDS.map((kind) => ({ kind, households: counts.get(kind)! })) };
}

export type { GapFlags };
