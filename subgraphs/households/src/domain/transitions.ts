/**
 * Statuses and transitions derived from a household's assessments. A review year's status is its latest
 * assessment (by date); transitions compare consecutive review years of the household.
 */
import type { AssessmentModel } from '../db/schema.js';

export type TransitionKind = 'NEWLY_POOR' | 'RELAPSED_POOR' | 'NEWLY_NEAR_POOR' | 'RELAPSED_NEAR_POOR' | 'ESCAPED_POVERTY' | 'ESCAPED_NEAR_POVERTY';
export interface Transition {
  kind: TransitionKind; year: number; from: string | null; to: string; on: string; supportEndsOn: string | null;
}

/** Support for newly-escaped households lasts 36 months from the review that recorded the escape. */
export { SUPPORT_MONTHS } from '@ansinh/db';
import { SUPPORT_MONTHS } from '@ansinh/db';

/** The last day of a window of `months` months starting on `from` (2022-11-10 + 36 months → 2025-11-09). */
export function windowEnd(from: string, months: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  const day = d.getUTCDate();
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** The latest assessment of each review year, oldest year first. */
export function statusHistory<A extends Pick<AssessmentModel, 'id' | 'reviewYear' | 'assessedOn'>>(assessments: readonly A[]): A[] {
  const byYear = new Map<number, A>();
  for (const a of assessments) {
    const cur = byYear.get(a.reviewYear);
    if (!cur || a.assessedOn > cur.assessedOn || (a.assessedOn === cur.assessedOn && a.id > cur.id)) byYear.set(a.reviewYear, a);
  }
  return [...byYear.values()].sort((a, b) => a.reviewYear - b.reviewYear);
}

const isListed = (s: string | null) => s === 'POOR' || s === 'NEAR_POOR';

/** Transitions between consecutive review years (a year with no review is skipped: the previous review counts). */
export function transitions(history: readonly Pick<AssessmentModel, 'reviewYear' | 'status' | 'assessedOn'>[]): Transition[] {
  const out: Transition[] = [];
  let prev: string | null = null;
  let everPoor = false;
  let everNearPoor = false;
  for (const a of history) {
    const to = a.status;
    const base = { year: a.reviewYear, from: prev, to, on: a.assessedOn, supportEndsOn: null };
    if (to === 'POOR' && prev !== 'POOR') out.push({ ...base, kind: everPoor ? 'RELAPSED_POOR' : 'NEWLY_POOR' });
    if (to === 'NEAR_POOR' && !isListed(prev)) out.push({ ...base, kind: everNearPoor ? 'RELAPSED_NEAR_POOR' : 'NEWLY_NEAR_POOR' });
    if (prev === 'POOR' && to !== 'POOR') out.push({ ...base, kind: 'ESCAPED_POVERTY', supportEndsOn: windowEnd(a.assessedOn, SUPPORT_MONTHS) });
    if (prev === 'NEAR_POOR' && !isListed(to)) out.push({ ...base, kind: 'ESCAPED_NEAR_POVERTY', supportEndsOn: windowEnd(a.assessedOn, SUPPORT_MONTHS) });
    if (to === 'POOR') everPoor = true;
    if (to === 'NEAR_POOR') everNearPoor = true;
    prev = to;
  }
  return out;
}
