/**
 * Support gaps (không để ai bị bỏ lại phía sau): the rules are packages/server/src/gaps.ts. The credit subgraph
 * answers both views: a household's own gaps (from its representation, @requires, and its loans) and an area's
 * counts, which it combines from its own loans and the flags health and housing send for the same candidate list
 * (through the gateway, @requires: one bit per household, never household ids).
 */
import { sql } from 'drizzle-orm';
import { countingUnits, recountable, treeUnits } from '@ansinh/db';
import { badInput, flagged, flagsByUnit, GAP_KINDS, GAP_RULES, GAP_STATUSES, gapParts, treeOfRows, type GapFlags, type UnitTree } from '@ansinh/server';
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

/** The gap rules credit's own loans close, in the order of the bits of credit's flag digit. */
const CREDIT_RULES = GAP_RULES.filter((r) => r.loanProgramme);

/**
 * Credit's own flags per candidate: one digit, bit i set when CREDIT_RULES[i]'s gap is open (deprived in one of its
 * indicators, and no loan of its programme disbursed by the date), in SQL from the rule list.
 */
function creditFlagged(on: string) {
  const open = CREDIT_RULES.map((r, i) => sql`(case when (k.deprived_indicators && array[${sql.join(r.indicators.map((x) => sql`${x}`), sql`, `)}]::text[])
      and not exists (select 1 from credit.loans l where l.household_id = k.household_id and l.programme = ${r.loanProgramme!} and l.disbursed_on <= ${on}::date)
      then ${2 ** i} else 0 end)`);
  return sql`flagged(unit_id, household_id, gap) as (select k.unit_id, k.household_id, (${sql.join(open, sql` + `)})::text from candidates k)`;
}
recountable('credit', 'gapFlags', (db, a, units) => gapParts(db, 'credit', units, a.on, creditFlagged(a.on)));

/** The counts of one unit: its candidates, those with a gap, and those with each kind. */
export interface GapCountsModel { households: number; withGaps: number; byKind: { kind: string; households: number }[] }

/**
 * The gap counts of each counting unit of `unitId` (the asked unit, or its province for the small-cell tree), from
 * credit's own flags per unit (summaries, `gapParts`) and the flags health (HEALTH_INSURANCE) and housing (HOUSING)
 * sent for the same units' candidates, checked by count and checksum.
 */
async function unitGapCounts(db: CreditDb, ref: GapRef, unitId: string): Promise<Map<string, GapCountsModel>> {
  if (!ref.healthGaps || !ref.housingGaps) {
    throw badInput('GapStatistics needs healthGaps and housingGaps in the representation (@requires); ask it through the gateway');
  }
  const units = await countingUnits(db, 'credit', unitId);
  const own = await gapParts(db, 'credit', units, ref.on, creditFlagged(ref.on));
  const others = { HEALTH_INSURANCE: flagsByUnit('health', ref.healthGaps, units, own), HOUSING: flagsByUnit('housing', ref.housingGaps, units, own) };
  // each candidate's open gaps as one mask (bit r: GAP_RULES[r]), and the candidates counted by mask: a province has
  // ~10⁶ candidates and there are 2^rules masks, so the rules are applied to the masks, not to every candidate
  const ruleBit = (r: number) => 1 << r;
  // credit's own digit (bit i: CREDIT_RULES[i]) as a mask of GAP_RULES
  const digitMask = Array.from({ length: 1 << CREDIT_RULES.length }, (_, digit) =>
    CREDIT_RULES.reduce((m, rule, i) => (digit & (2 ** i) ? m | ruleBit(GAP_RULES.indexOf(rule)) : m), 0));
  const fromOthers = GAP_RULES.flatMap((rule, r) => (rule.loanProgramme ? [] : [{ bit: ruleBit(r), flags: others[rule.kind as 'HEALTH_INSURANCE' | 'HOUSING'] }]));
  return new Map(units.map((u) => {
    const part = own.get(u)!;
    const byMask = new Array<number>(1 << GAP_RULES.length).fill(0);
    const sent = fromOthers.map((o) => ({ bit: o.bit, f: o.flags.get(u)! }));
    for (let i = 0; i < part.n; i++) {
      let mask = digitMask[part.bits.charCodeAt(i) - 48]!;
      for (const o of sent) if (flagged(o.f, i)) mask |= o.bit;
      byMask[mask]! += 1;
    }
    const counts = GAP_KINDS.map(() => 0);
    byMask.forEach((n, mask) => GAP_RULES.forEach((rule, r) => { if (mask & ruleBit(r)) counts[GAP_KINDS.indexOf(rule.kind)]! += n; }));
    return [u, { households: part.n, withGaps: part.n - byMask[0]!, byKind: GAP_KINDS.map((kind, k) => ({ kind, households: counts[k]! })) }];
  }));
}

/**
 * The counts of a province's units for one set of flags (the same objects in every tree a request builds: the
 * province's, and an abolished unit's own), counted once.
 */
const perFlags = new WeakMap<GapFlags, Map<string, Promise<Map<string, GapCountsModel>>>>();
function provinceCounts(db: CreditDb, ref: GapRef, root: string): Promise<Map<string, GapCountsModel>> {
  const key = ref.healthGaps;
  if (!key) return unitGapCounts(db, ref, root);
  const byRoot = perFlags.get(key) ?? perFlags.set(key, new Map()).get(key)!;
  const id = `${root}|${ref.on}`;
  let found = byRoot.get(id);
  if (!found) byRoot.set(id, (found = unitGapCounts(db, ref, root)));
  return found;
}

/** Adds up units' gap counts. */
function sumCounts(list: Iterable<GapCountsModel>): GapCountsModel {
  const out: GapCountsModel = { households: 0, withGaps: 0, byKind: GAP_KINDS.map((kind) => ({ kind, households: 0 })) };
  for (const c of list) {
    out.households += c.households;
    out.withGaps += c.withGaps;
    c.byKind.forEach((k, i) => { out.byKind[i]!.households += k.households; });
  }
  return out;
}

/** An area's gap counts: the sum of its counting units' (households are additive: each is placed in one unit on a date). */
export async function gapCounts(db: CreditDb, ref: GapRef): Promise<GapCountsModel> {
  return sumCounts((await unitGapCounts(db, ref, ref.unitId)).values());
}

/** The counts a gap report withholds by: `households`, `withGaps`, `kind.<kind>`. */
export const GAP_MEASURES = ['households', 'withGaps', ...GAP_KINDS.map((k) => `kind.${k}`)];

/**
 * The counts of every unit of `ref.unitId`'s tree (packages/db treeUnits), for the small-cell rules that decide each
 * unit's counts in its parent's group, summed from the counts of the province's units (`root`: health and housing
 * sent their flags for the province's candidates, for an ANALYST).
 */
export async function gapTree(db: CreditDb, ref: GapRef, root: string): Promise<UnitTree<string>> {
  const byUnit = await provinceCounts(db, ref, root);
  const tree = await treeUnits(db, 'credit', ref.unitId, ref.on);
  const rows = tree.nodes.flatMap((n) => {
    const c = sumCounts((tree.units.get(n.id) ?? []).map((u) => {
      const found = byUnit.get(u);
      if (!found) throw new Error(`gapStatistics: unit ${u} of ${ref.unitId}'s tree is not among its province's (${root})`);
      return found;
    }));
    return [
      { node: true, node_id: n.id, parent_id: n.parentId, measure: '', n: 0 },
      { node: false, node_id: n.id, parent_id: null, measure: 'households', n: c.households },
      { node: false, node_id: n.id, parent_id: null, measure: 'withGaps', n: c.withGaps },
      ...c.byKind.map((k) => ({ node: false, node_id: n.id, parent_id: null, measure: `kind.${k.kind}`, n: k.households })),
    ];
  });
  return treeOfRows(rows, GAP_MEASURES, (r) => [[r.measure, r.n]]);
}

export type { GapFlags };
