/**
 * A subgraph's unit lists in memory: the parents, children and crosswalk links of every unit (a country's ~14,000
 * units and ~10,000 links), read in one statement and reused across requests, so that a report's counting units
 * and its small-cell tree cost no statement. The recursive statements they replace were planned for millions of
 * rows (a recursive CTE's estimate) and took 25–60 ms each at 1M households, several per analyst's report.
 *
 * The lists change only by the units import (packages/server upsertUnits): in the process that writes them the
 * lists are read afresh at once (`unitListsChanged`), in other processes after HIERARCHY_CACHE_MS at most, as the
 * callers' areas (packages/server area.ts).
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from './index.js';

export const HIERARCHY_CACHE_MS = 30_000;

export interface UnitNode { id: string; parentId: string | null; validFrom: string | null; validTo: string | null }

export interface Hierarchy {
  unit(id: string): UnitNode | undefined;
  /** the units whose parent is `id` (any period) */
  children(id: string): readonly UnitNode[];
  /** the old units the crosswalk links to the new unit `id`, in full or in part */
  links(id: string, coverage: 'full' | 'partial'): readonly string[];
}

let generation = 0;
const caches = new WeakMap<object, Map<string, { generation: number; until: number; lists: Promise<Hierarchy> }>>();

/** This process wrote unit lists: every subgraph's hierarchy is read afresh at its next use. */
export function unitListsChanged(): void {
  generation += 1;
}

const ident = (pgSchema: string) => {
  if (!/^[a-z_]+$/.test(pgSchema)) throw new Error(`not a schema name: ${pgSchema}`);
  return sql.raw(`"${pgSchema}"`);
};

/** The unit lists of `pgSchema`, from memory when read lately (one statement otherwise). */
export function hierarchy(db: Db<any>, pgSchema: string): Promise<Hierarchy> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(pgSchema);
  if (hit && hit.generation === generation && hit.until > now) return hit.lists;
  const s = ident(pgSchema);
  const lists = rows<{ id: string; parent_id: string | null; valid_from: string | null; valid_to: string | null; links: [string, string][] | null }>(db, sql`
    select u.id, u.parent_id, u.valid_from::text as valid_from, u.valid_to::text as valid_to,
      (select json_agg(json_build_array(l.old_unit_id, l.coverage) order by l.old_unit_id) from ${s}.unit_links l where l.new_unit_id = u.id) as links
    from ${s}.units u`).then((found) => {
    const byId = new Map<string, UnitNode>();
    const children = new Map<string, UnitNode[]>();
    const links = new Map<string, string[]>();
    for (const r of found) byId.set(r.id, { id: r.id, parentId: r.parent_id, validFrom: r.valid_from, validTo: r.valid_to });
    for (const u of byId.values()) if (u.parentId !== null) (children.get(u.parentId) ?? children.set(u.parentId, []).get(u.parentId)!).push(u);
    for (const r of found) for (const [old, coverage] of r.links ?? []) (links.get(`${coverage}|${r.id}`) ?? links.set(`${coverage}|${r.id}`, []).get(`${coverage}|${r.id}`)!).push(old);
    return {
      unit: (id) => byId.get(id),
      children: (id) => children.get(id) ?? [],
      links: (id, coverage) => links.get(`${coverage}|${id}`) ?? [],
    } satisfies Hierarchy;
  });
  cache.set(pgSchema, { generation, until: now + HIERARCHY_CACHE_MS, lists });
  // a failed read (database down, statement cancelled) is not kept
  lists.catch(() => { if (cache.get(pgSchema)?.lists === lists) cache.delete(pgSchema); });
  return lists;
}

/** `id` and every unit below it (any period). */
export function below(h: Hierarchy, id: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (u: string) => {
    if (seen.has(u)) return;
    seen.add(u);
    out.push(u);
    for (const c of h.children(u)) walk(c.id);
  };
  walk(id);
  return out;
}

/**
 * `unitScope` (units.ts) in memory: the counting units of `ids` together, i.e. each unit and every unit below it
 * (`direct`), and the old units linked in full to any of those, with the units below them (`full`).
 */
export function countingScope(h: Hierarchy, ids: readonly string[]): string[] {
  const direct = new Set(ids.flatMap((id) => (h.unit(id) ? below(h, id) : [])));
  const out = new Set(direct);
  for (const d of direct) for (const old of h.links(d, 'full')) for (const u of below(h, old)) out.add(u);
  return [...out];
}

/** `u` is in force on `on` (its period [validFrom, validTo) holds the day). */
export const inForceOn = (u: UnitNode, on: string): boolean => (u.validFrom === null || u.validFrom <= on) && (u.validTo === null || u.validTo > on);
