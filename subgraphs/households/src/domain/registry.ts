/**
 * The registry's facts the programme subgraphs follow (docs/areas.md): for some households, where each is (now and
 * over time, from its re-assignments), its members, and the outcome of each review year. Every write that changes
 * them (a review, a re-assignment, an import, the demo load) hands the extract to the followers in its own
 * transaction, so a programme subgraph's copy never disagrees with the registry.
 */
import { sql } from 'drizzle-orm';
import { jsonUuids, rows, type Db, type RegistryExtract, type RegistryFollower } from '@ansinh/db';

const PAGE = 20_000;

/** The facts of these households as stored now (read with `db`, which may be the writing transaction). */
export async function registryExtract(db: Db<any>, ids: readonly string[]): Promise<RegistryExtract> {
  if (ids.length === 0) return { householdIds: [], households: [], placements: [], members: [], reviews: [] };
  const list = jsonUuids(ids);
  const [households, changes, members, reviews] = await Promise.all([
    rows<{ id: string; unitId: string }>(db, sql`select id, unit_id as "unitId" from households.households where id = any(${list})`),
    rows<{ householdId: string; fromUnitId: string; toUnitId: string; effectiveOn: string }>(db, sql`
      select household_id as "householdId", from_unit_id as "fromUnitId", to_unit_id as "toUnitId", effective_on::text as "effectiveOn"
      from households.household_unit_changes where household_id = any(${list}) order by household_id, effective_on, id`),
    rows<{ id: string; householdId: string }>(db, sql`select id, household_id as "householdId" from households.members where household_id = any(${list})`),
    // a review year's outcome is its latest assessment (by date, then id), as statusHistory() says
    rows<RegistryExtract['reviews'][number]>(db, sql`
      select distinct on (household_id, review_year) household_id as "householdId", review_year::int as "reviewYear",
        assessed_on::text as "assessedOn", status, deprived_indicators as "deprivedIndicators", persons::int as persons
      from households.assessments where household_id = any(${list})
      order by household_id, review_year, assessed_on desc, id desc`),
  ]);
  const byHousehold = new Map<string, typeof changes>();
  for (const c of changes) (byHousehold.get(c.householdId) ?? byHousehold.set(c.householdId, []).get(c.householdId)!).push(c);
  const placements: RegistryExtract['placements'] = [];
  for (const h of households) {
    const moves = byHousehold.get(h.id) ?? [];
    if (!moves.length) { placements.push({ householdId: h.id, unitId: h.unitId, validFrom: null, validTo: null }); continue; }
    placements.push({ householdId: h.id, unitId: moves[0]!.fromUnitId, validFrom: null, validTo: moves[0]!.effectiveOn });
    // the household's unit now has the last word: an import that corrects the unit corrects the last period
    moves.forEach((m, i) => placements.push({ householdId: h.id, unitId: i === moves.length - 1 ? h.unitId : m.toUnitId, validFrom: m.effectiveOn, validTo: moves[i + 1]?.effectiveOn ?? null }));
  }
  return { householdIds: [...ids], households, placements, members, reviews };
}

/** Hands these households' facts to every follower, inside `tx` (the transaction that changed them). */
export async function publishRegistry(tx: Db<any>, followers: readonly RegistryFollower[], ids: readonly string[]): Promise<void> {
  if (!followers.length || !ids.length) return;
  for (let i = 0; i < ids.length; i += PAGE) {
    const extract = await registryExtract(tx, ids.slice(i, i + PAGE));
    for (const f of followers) await f.write(tx, extract);
  }
}

/** Gives followers a full copy of the registry (a new database, or a follower that has none yet), page by page. */
export async function copyRegistry(tx: Db<any>, followers: readonly RegistryFollower[]): Promise<void> {
  if (!followers.length) return;
  for (const f of followers) await f.write(tx, { householdIds: 'all', households: [], placements: [], members: [], reviews: [] });
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await rows<{ id: string }>(tx, sql`select id from households.households where id > ${after}::uuid order by id limit ${PAGE}`);
    if (!page.length) break;
    const extract = await registryExtract(tx, page.map((r) => r.id));
    // the page is new to the copy: nothing of it to delete first
    for (const f of followers) await f.write(tx, { ...extract, householdIds: [] });
    after = page.at(-1)!.id;
  }
}
