/**
 * Support gaps (khoảng trống hỗ trợ, "không để ai bị bỏ lại phía sau"): a deprivation that a programme exists to
 * address, with no record of that programme addressing it on a date. The rules, one per kind of gap, used by the
 * household's own view (credit's Household.supportGaps) and by the area counts (gapStatistics) alike.
 */
import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { countingUnits, gapCandidatesIn, sql, summarised, type Db } from '@ansinh/db';

export const GAP_KINDS = ['HEALTH_INSURANCE', 'HOUSING', 'CLEAN_WATER_SANITATION', 'EMPLOYMENT'] as const;
export type GapKind = (typeof GAP_KINDS)[number];

/** Only poor and near-poor households (their latest review on the date) are looked at: one list for the household's
 * view and the area's candidates (packages/db gapCandidates), kept beside the SQL that uses it. */
export { GAP_STATUSES } from '@ansinh/db';

export interface GapRule {
  kind: GapKind;
  /** the subgraph whose records close the gap */
  closedBy: 'health' | 'housing' | 'credit';
  /** the programme that could close it (GapProgramme) */
  programme: 'HEALTH_INSURANCE_CARD' | 'HOUSING_SUPPORT' | 'CLEAN_WATER_SANITATION_LOAN' | 'JOB_CREATION_LOAN';
  /** the deprived indicators that open it (none: HEALTH_INSURANCE opens for each member without a card valid on the date) */
  indicators: readonly string[];
  /** credit's loan programme that closes it, when a loan does: disbursed on or before the date */
  loanProgramme?: string;
}

export const GAP_RULES: readonly GapRule[] = [
  // a member without a BHYT card valid on the date (valid_from ≤ date ≤ valid_to)
  { kind: 'HEALTH_INSURANCE', closedBy: 'health', programme: 'HEALTH_INSURANCE_CARD', indicators: [] },
  // deprived in housing quality or floor area, with no housing support proposed on or before the date
  { kind: 'HOUSING', closedBy: 'housing', programme: 'HOUSING_SUPPORT', indicators: ['HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON'] },
  // deprived in domestic water or latrine, with no clean-water loan disbursed on or before the date
  { kind: 'CLEAN_WATER_SANITATION', closedBy: 'credit', programme: 'CLEAN_WATER_SANITATION_LOAN', indicators: ['DOMESTIC_WATER', 'HYGIENIC_LATRINE'], loanProgramme: 'CLEAN_WATER_SANITATION' },
  // deprived in employment, with no job-creation loan disbursed on or before the date
  { kind: 'EMPLOYMENT', closedBy: 'credit', programme: 'JOB_CREATION_LOAN', indicators: ['EMPLOYMENT'], loanProgramme: 'JOB_CREATION' },
];

export const gapRule = (kind: GapKind) => GAP_RULES.find((r) => r.kind === kind)!;

/**
 * One subgraph's part of an area's gap counts, passed to credit through the gateway (@requires): one flag per
 * candidate household, unit by unit in the order of `countingUnits` and by id within a unit (`gapFlags`), packed as
 * bits (never the households' ids). `checksum` names the
 * candidate list, so two subgraphs that disagree about it (their copies of the registry differ) are caught.
 */
export interface GapFlags { count: number; checksum: string; flags: string }

/** Packs flags ('0'/'1' characters in candidate order) into base64 bits. */
export function packFlags(bits: string, checksum: string): GapFlags {
  const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits.charCodeAt(i) === 49) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return { count: bits.length, checksum, flags: bytes.toString('base64') };
}

/** Some candidates' flags inside a packed list: candidate i of the unit is bit `at + i` of `bytes`. */
export interface UnitFlags { bytes: Uint8Array; at: number; n: number }

/** Whether candidate `i` of a unit's flags is set (read off the packed bits: a province has ~10⁶ candidates). */
export const flagged = (f: UnitFlags, i: number): boolean => ((f.bytes[(f.at + i) >> 3] ?? 0) & (0x80 >> ((f.at + i) & 7))) !== 0;

export function unpackFlags(f: GapFlags): boolean[] {
  const all: UnitFlags = { bytes: Buffer.from(f.flags, 'base64'), at: 0, n: f.count };
  const out = new Array<boolean>(f.count);
  for (let i = 0; i < f.count; i++) out[i] = flagged(all, i);
  return out;
}

/** The checksum of a candidate list (ids in order), as every subgraph computes it. */
export function candidatesChecksum(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join(',')).digest('base64url').slice(0, 22);
}

/**
 * One subgraph's gap flags for the candidates of one counting unit, kept as its summary (packages/db summaries.ts,
 * report `gapFlags`): how many, a checksum of their ids (in id order), and one character per candidate in that order
 * ('0'/'1', or credit's own kinds as a digit).
 */
export interface GapPart { n: number; ids: string; bits: string }
const NO_CANDIDATES: GapPart = { n: 0, ids: '', bits: '' };

/**
 * The gap parts of `units` on a date, from their summaries: `flagged` gives CTE `flagged(unit_id, household_id,
 * gap)` (gap: one character) over `candidates(household_id, unit_id, deprived_indicators, persons)`
 * (packages/db gapCandidatesIn), the missing units counted in one statement.
 */
export async function gapParts(db: Db<any>, pgSchema: string, units: readonly string[], on: string, flagged: SQL): Promise<Map<string, GapPart>> {
  const found = await summarised<GapPart>(db, pgSchema, 'gapFlags', { on }, units, (wanted) => sql`
    ${gapCandidatesIn(pgSchema, wanted, on)}, ${flagged},
    computed(unit_id, figures) as (
      select unit_id, jsonb_build_array(jsonb_build_object('n', count(*), 'ids', md5(string_agg(household_id::text, ',' order by household_id)),
        'bits', string_agg(gap, '' order by household_id)))
      from flagged group by unit_id
    )`);
  return new Map(units.map((u) => [u, found.get(u)?.[0] ?? NO_CANDIDATES]));
}

/** The checksum of a list of units' candidates: every subgraph computes it from its own parts. */
function unitsChecksum(units: readonly string[], parts: Map<string, GapPart>): string {
  return candidatesChecksum(units.map((u) => `${u}:${parts.get(u)!.ids}`));
}

/** The same checksum from the candidates' ids of each unit (in id order; a part's `ids` is their md5, as SQL gives it). */
export function unitCandidatesChecksum(list: readonly (readonly [string, readonly string[]])[]): string {
  return candidatesChecksum(list.map(([u, ids]) => `${u}:${ids.length ? createHash('md5').update(ids.join(',')).digest('hex') : ''}`));
}

/** A subgraph's flags for the candidates of `unitId` (or its province's, for the small-cell tree), unit by unit. */
export async function gapFlags(db: Db<any>, pgSchema: string, unitId: string, on: string, flagged: SQL): Promise<GapFlags> {
  const units = await countingUnits(db, pgSchema, unitId);
  const parts = await gapParts(db, pgSchema, units, on, flagged);
  return packFlags(units.map((u) => parts.get(u)!.bits).join(''), unitsChecksum(units, parts));
}

/**
 * Another subgraph's flags (`flags`, from `name`) split by unit, after checking that they are for the same
 * candidates as this subgraph's own `parts` of `units` (same count and checksum: else the copies of the registry differ).
 */
export function flagsByUnit(name: string, flags: GapFlags, units: readonly string[], parts: Map<string, GapPart>): Map<string, UnitFlags> {
  const count = units.reduce((n, u) => n + parts.get(u)!.n, 0);
  if (flags.count !== count || flags.checksum !== unitsChecksum(units, parts)) {
    throw new Error(`gapStatistics: the ${name} subgraph counted another list of households (${flags.count} against ${count}): its copy of the registry differs`);
  }
  // read where they are: a list of a million booleans (and a slice of it per unit) cost more than the counting
  const bytes = Buffer.from(flags.flags, 'base64');
  const out = new Map<string, UnitFlags>();
  let at = 0;
  for (const u of units) {
    const n = parts.get(u)!.n;
    out.set(u, { bytes, at, n });
    at += n;
  }
  return out;
}
