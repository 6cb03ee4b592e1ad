/**
 * Support gaps (khoảng trống hỗ trợ, "không để ai bị bỏ lại phía sau"): a deprivation that a programme exists to
 * address, with no record of that programme addressing it on a date. The rules, one per kind of gap, used by the
 * household's own view (credit's Household.supportGaps) and by the area counts (gapStatistics) alike.
 */
import { createHash } from 'node:crypto';

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
 * candidate household, in the order of their ids, packed as bits (never the households' ids). `checksum` names the
 * candidate list, so two subgraphs that disagree about it (their copies of the registry differ) are caught.
 */
export interface GapFlags { count: number; checksum: string; flags: string }

/** Packs flags ('0'/'1' characters in candidate order) into base64 bits. */
export function packFlags(bits: string, checksum: string): GapFlags {
  const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') bytes[i >> 3]! |= 0x80 >> (i & 7);
  return { count: bits.length, checksum, flags: bytes.toString('base64') };
}

export function unpackFlags(f: GapFlags): boolean[] {
  const bytes = Buffer.from(f.flags, 'base64');
  return Array.from({ length: f.count }, (_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** The checksum of a candidate list (ids in order), as every subgraph computes it. */
export function candidatesChecksum(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join(',')).digest('base64url').slice(0, 22);
}
