/**
 * Support gaps (không để ai bị bỏ lại phía sau). A deprivation a programme exists to address, with no record of
 * that programme addressing it. The credit subgraph computes them because it holds the largest share of the
 * records (loans); what it needs from the others comes through the gateway (@requires), never by SQL.
 */
import { and, inArray, lte } from 'drizzle-orm';
import { badInput } from '@ansinh/server';
import type { GapRef, HouseholdRef, SupportGapModel } from '../context.js';
import { loans, type LoanModel } from '../db/schema.js';
import type { CreditDb } from '../context.js';

export const GAP_KINDS = ['HEALTH_INSURANCE', 'HOUSING', 'CLEAN_WATER_SANITATION', 'EMPLOYMENT'] as const;
const TARGETED = new Set(['POOR', 'NEAR_POOR']);
/** deprivation → the gap it opens and the programme (here: the loan programme) that closes it */
const HOUSEHOLD_GAPS: { indicator: string; kind: SupportGapModel['kind']; programme: SupportGapModel['programme']; loan?: string }[] = [
  { indicator: 'HOUSING_QUALITY', kind: 'HOUSING', programme: 'HOUSING_SUPPORT' },
  { indicator: 'FLOOR_AREA_PER_PERSON', kind: 'HOUSING', programme: 'HOUSING_SUPPORT' },
  { indicator: 'DOMESTIC_WATER', kind: 'CLEAN_WATER_SANITATION', programme: 'CLEAN_WATER_SANITATION_LOAN', loan: 'CLEAN_WATER_SANITATION' },
  { indicator: 'HYGIENIC_LATRINE', kind: 'CLEAN_WATER_SANITATION', programme: 'CLEAN_WATER_SANITATION_LOAN', loan: 'CLEAN_WATER_SANITATION' },
  { indicator: 'EMPLOYMENT', kind: 'EMPLOYMENT', programme: 'JOB_CREATION_LOAN', loan: 'JOB_CREATION' },
];

const validOn = (day: string) => (c: { validFrom: string; validTo: string }) => c.validFrom <= day && day <= c.validTo;

/** One household's gaps on a day, from its representation (@requires) and its loans. */
export function householdGaps(h: HouseholdRef, householdLoans: LoanModel[], day: string): SupportGapModel[] {
  if (h.currentStatus === undefined || !Array.isArray(h.members) || !Array.isArray(h.housingSupports)) {
    throw badInput('supportGaps needs the household\'s latest review, members\' cards and housing supports in the representation (@requires); ask it through the gateway');
  }
  if (!h.currentStatus || !TARGETED.has(h.currentStatus.status)) return [];
  const gaps: SupportGapModel[] = [];
  for (const m of h.members) {
    if (!(m.insuranceCards ?? []).some(validOn(day))) {
      gaps.push({ kind: 'HEALTH_INSURANCE', deprivation: 'HEALTH_INSURANCE', member: { id: m.id }, programme: 'HEALTH_INSURANCE_CARD' });
    }
  }
  const housed = h.housingSupports.some((s) => s.proposedOn <= day);
  const lent = new Set(householdLoans.filter((l) => l.disbursedOn <= day).map((l) => l.programme));
  for (const g of HOUSEHOLD_GAPS) {
    if (!h.currentStatus.deprivedIndicators.includes(g.indicator)) continue;
    if (g.loan ? lent.has(g.loan) : housed) continue;
    gaps.push({ kind: g.kind, deprivation: g.indicator, member: null, programme: g.programme });
  }
  return gaps;
}

/** Households of the report with each kind of gap, from the representation and one query for their loans. */
export async function gapCounts(db: CreditDb, ref: GapRef): Promise<{ households: number; withGaps: number; byKind: { kind: string; households: number }[] }> {
  if (!ref.candidates || !ref.cardHolders || !ref.housingSupported) {
    throw badInput('GapStatistics needs candidates, cardHolders and housingSupported in the representation (@requires); ask it through the gateway');
  }
  const ids = ref.candidates.map((c) => c.householdId);
  const lent = ids.length
    ? await db.selectDistinct({ householdId: loans.householdId, programme: loans.programme }).from(loans)
      .where(and(inArray(loans.householdId, ids), inArray(loans.programme, ['CLEAN_WATER_SANITATION', 'JOB_CREATION']), lte(loans.disbursedOn, ref.on)))
    : [];
  const hasLoan = new Set(lent.map((l) => `${l.householdId}|${l.programme}`));
  const holders = new Map(ref.cardHolders.map((c) => [c.householdId, c.members]));
  const housed = new Set(ref.housingSupported);
  const counts = new Map<string, number>(GAP_KINDS.map((k) => [k, 0]));
  let withGaps = 0;
  for (const c of ref.candidates) {
    const kinds = new Set<string>();
    if ((holders.get(c.householdId) ?? 0) < c.memberCount) kinds.add('HEALTH_INSURANCE');
    for (const g of HOUSEHOLD_GAPS) {
      if (!c.deprivedIndicators.includes(g.indicator)) continue;
      if (g.loan ? hasLoan.has(`${c.householdId}|${g.loan}`) : housed.has(c.householdId)) continue;
      kinds.add(g.kind);
    }
    for (const k of kinds) counts.set(k, counts.get(k)! + 1);
    if (kinds.size) withGaps += 1;
  }
  return { households: ref.candidates.length, withGaps, byKind: GAP_KINDS.map((kind) => ({ kind, households: counts.get(kind)! })) };
}

