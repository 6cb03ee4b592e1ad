/**
 * Small-cell protection for the statistics an ANALYST reads (docs/security.md, "Statistics for analysts"): the one
 * set of rules every report uses.
 *
 * 1. Primary: a figure that counts fewer than SMALL_CELL households (zero included) is withheld.
 * 2. Complementary, in a group (a unit and the units directly below it; a total and its breakdown): a published
 *    total minus its published parts gives the withheld parts' sum. So when a group holds a withheld part of 1 to 4
 *    households, or the total less every part (the residual) is 1 to 4, the smallest published parts are withheld
 *    too (ties together), until their excess over the threshold is at least SMALL_CELL - 1: the subtraction then
 *    bounds each small part by no more than "0 to 4", which the primary rule already says. A zero is withheld
 *    (rule 1) but needs no complement: worked out, it says that no household is there, and singles nobody out.
 * 3. Inherited: when a unit's figure is withheld, every figure below it is too (else the withheld unit would come
 *    back as the sum of its parts, and with it the small part beside it).
 * 4. Periods: an ANALYST asks for whole calendar years that are over (`requireClosedYear`): windows a day apart,
 *    or a year still filling up, would give one household's figure by subtraction.
 *
 * A unit's figure is decided in its parent's group wherever it is asked for (`hiddenInTree`), so a ward asked for
 * on its own is withheld exactly when it is withheld in its district's list.
 */
import { rootUnit, type Db } from '@ansinh/db';
import { badInput } from './errors.js';
import { callerSeesSmallCells, SMALL_CELL, type Caller } from './identity.js';

/** Why a figure is withheld. */
export type Hidden = 'small' | 'complementary' | 'parent';

export const HIDDEN_REASONS: Record<Hidden, string> = {
  small: `fewer than ${SMALL_CELL} households`,
  complementary: `withheld beside a figure of fewer than ${SMALL_CELL} households, which subtraction would reveal`,
  parent: 'the figure of the unit above is withheld',
};

/** Under the threshold (zero included). Null is no figure at all (e.g. a missing total): nothing to withhold. */
export function isSmall(n: number | null | undefined, threshold = SMALL_CELL): boolean {
  return n !== null && n !== undefined && n < threshold;
}

/** The figure, or null when it is small: for a figure in no group (a report's lone count). */
export function primary(n: number | null, threshold = SMALL_CELL): number | null {
  return isSmall(n, threshold) ? null : n;
}

export interface Cell { key: string; value: number | null }

/**
 * Which parts of one group are withheld, and why (parts not in the map are published).
 * `total` is the group's published total (null: none, e.g. a breakdown without one); `totalHidden` says it is
 * withheld for this caller, which withholds every part (rule 3). `forced`: parts already withheld in another group
 * (rule 2 across groups), kept withheld with their reason and complemented here.
 */
export function suppressGroup(
  total: number | null, parts: Cell[], totalHidden = false, threshold = SMALL_CELL, forced: ReadonlyMap<string, Hidden> = new Map(),
): Map<string, Hidden> {
  const out = new Map<string, Hidden>();
  const figures = parts.filter((p): p is { key: string; value: number } => p.value !== null);
  if (totalHidden) {
    for (const p of figures) out.set(p.key, 'parent');
    return out;
  }
  for (const p of figures) if (isSmall(p.value, threshold)) out.set(p.key, 'small');
  // parts withheld in another group (a ward's figure withheld in its district's list, within the ward's own
  // breakdown): the only withheld part of this group would come back as the total less the others, and with it the
  // other group's small part; so they need a complement here like a small part
  const forcedHere = figures.filter((p) => !out.has(p.key) && forced.has(p.key));
  for (const p of forcedHere) out.set(p.key, forced.get(p.key)!);
  // the residual (what the total holds beyond its parts: households not in any part) is a hidden part of its own
  const residual = total === null || figures.length < parts.length ? 0 : total - figures.reduce((s, p) => s + p.value, 0);
  // a withheld zero that subtraction gives back singles nobody out: only parts of 1 to 4 households need a complement
  const needsComplement = figures.some((p) => p.value > 0 && p.value < threshold) || (residual > 0 && residual < threshold)
    || forcedHere.some((p) => p.value > 0);
  // without a published total, a withheld part cannot be worked out by subtraction: rule 1 is enough
  if (!needsComplement || total === null) return out;
  const published = figures.filter((p) => !out.has(p.key)).sort((a, b) => a.value - b.value || a.key.localeCompare(b.key));
  let excess = 0;
  let last: number | null = null;
  for (const p of published) {
    if (excess >= threshold - 1 && p.value !== last) break;
    out.set(p.key, 'complementary');
    excess += p.value - threshold;
    last = p.value;
  }
  return out;
}

/** A tree of units as a report sees it: each unit's parent and the units directly below it, and its figures. */
export interface UnitTree<M extends string> {
  parentOf(id: string): Promise<string | null>;
  childrenOf(id: string): Promise<string[]>;
  figures(id: string): Promise<Record<M, number | null>>;
}

/**
 * Which of a unit's figures are withheld, each measure decided in its parent's group (rule 2), under a withheld
 * parent figure (rule 3), up to the top of the tree; `memo` (one per request) keeps each unit's answer.
 */
export function hiddenInTree<M extends string>(
  tree: UnitTree<M>, measures: readonly M[], id: string, memo: Map<string, Promise<Partial<Record<M, Hidden>>>> = new Map(), threshold = SMALL_CELL,
): Promise<Partial<Record<M, Hidden>>> {
  let found = memo.get(id);
  if (found) return found;
  found = (async () => {
    const parent = await tree.parentOf(id);
    const own = await tree.figures(id);
    const out: Partial<Record<M, Hidden>> = {};
    if (parent === null) {
      for (const m of measures) if (isSmall(own[m], threshold)) out[m] = 'small';
      return out;
    }
    const [above, totals, siblings] = await Promise.all([
      hiddenInTree(tree, measures, parent, memo, threshold), tree.figures(parent), tree.childrenOf(parent),
    ]);
    const group = siblings.includes(id) ? siblings : [...siblings, id];
    const figures = await Promise.all(group.map(async (key) => ({ key, figures: await tree.figures(key) })));
    for (const m of measures) {
      const hidden = suppressGroup(totals[m], figures.map((f) => ({ key: f.key, value: f.figures[m] })), above[m] !== undefined, threshold).get(id);
      if (hidden) out[m] = hidden;
    }
    return out;
  })();
  memo.set(id, found);
  return found;
}

/**
 * A report's tree held in memory, from the rows of one statement: node rows (`node`: id and parent; `parentOf` is
 * null above the nodes), and figure rows giving a node some of its measures (`figures`; 0 for the others).
 */
export function treeOfRows<M extends string, R extends { node: boolean; node_id: string; parent_id: string | null }>(
  found: readonly R[], measures: readonly M[], figures: (r: R) => [string, number | null][],
): UnitTree<M> {
  const table = new Map<string, Record<M, number | null>>();
  for (const r of found) if (r.node) table.set(r.node_id, Object.fromEntries(measures.map((m) => [m, 0])) as Record<M, number | null>);
  for (const r of found) {
    const f = r.node ? undefined : table.get(r.node_id);
    if (f) for (const [m, n] of figures(r)) if (m in f) f[m as M] = n === null ? null : Number(n);
  }
  const parent = new Map([...table.keys()].map((id) => [id, null as string | null]));
  const children = new Map<string, string[]>();
  for (const r of found) {
    if (!r.node || r.parent_id === null || !table.has(r.parent_id)) continue;
    parent.set(r.node_id, r.parent_id);
    children.set(r.parent_id, [...(children.get(r.parent_id) ?? []), r.node_id].sort());
  }
  return {
    parentOf: async (id) => parent.get(id) ?? null,
    childrenOf: async (id) => children.get(id) ?? [],
    figures: async (id) => table.get(id)!,
  };
}

const perProvince = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * What is the same for every unit of a province in one request (the gap flags of its candidates, the counts of all
 * its units), computed once per `request` (the request's loaders), `what` and province: `compute` gets the top unit
 * above `unitId`.
 */
export function oncePerProvince<T>(request: object, db: Db<any>, pgSchema: string, what: string, unitId: string, compute: (root: string) => Promise<T>): Promise<T> {
  const memo = perProvince.get(request) ?? perProvince.set(request, new Map()).get(request)!;
  const key = `${pgSchema}|${what}|${unitId}`;
  let found = memo.get(key) as Promise<T> | undefined;
  if (!found) {
    memo.set(key, (found = rootUnit(db, pgSchema, unitId).then((root) => {
      const byRoot = `${pgSchema}|${what}|root|${root}`;
      return (memo.get(byRoot) ?? memo.set(byRoot, compute(root)).get(byRoot)!) as Promise<T>;
    })));
  }
  return found;
}

/**
 * Rule 4: an ANALYST's period is one whole calendar year that is over (`from` its 1 January, `to` its 31 December,
 * before today), or, for a figure on a date, the last day of such a year. Other roles may ask for any period.
 */
export function requireClosedYear(caller: Caller, today: string, to: { name: string; value: string }, from?: { name: string; value: string | null | undefined }): void {
  if (callerSeesSmallCells(caller)) return;
  const year = to.value.slice(0, 4);
  if (!/^\d{4}-12-31$/.test(to.value)) {
    throw badInput(`As an ANALYST, "${to.name}" must be the last day of a calendar year (e.g. ${Number(today.slice(0, 4)) - 1}-12-31), got ${to.value}: figures of any other day would give single households away by subtraction`, to.name);
  }
  if (to.value >= today) {
    throw badInput(`As an ANALYST, "${to.name}" must be in a year that is over, got ${to.value}: the figures of a year still open change with each record`, to.name);
  }
  if (from && from.value !== null && from.value !== undefined && from.value !== `${year}-01-01`) {
    throw badInput(`As an ANALYST, "${from.name}" must be the first day of the year that "${to.name}" ends (${year}-01-01), got ${from.value}: windows of any other length would give single households away by subtraction`, from.name);
  }
}

/** The same for a review year (areaStatistics): the year must be over. */
export function requireClosedReviewYear(caller: Caller, today: string, year: number, argument = 'year'): void {
  if (callerSeesSmallCells(caller)) return;
  if (year >= Number(today.slice(0, 4))) {
    throw badInput(`As an ANALYST, "${argument}" must be a review year that is over (${Number(today.slice(0, 4)) - 1} or before), got ${year}: the figures of a year still open change with each record`, argument);
  }
}
