/**
 * The registry's facts the programme subgraphs follow (docs/areas.md): for some households, where each is (now and
 * over time, from its re-assignments), its members, and the outcome of each review year. Every write that changes
 * them (a review, a re-assignment, an import, the demo load) hands the extract to the followers in its own
 * transaction, so a programme subgraph's copy never disagrees with the registry.
 */
import { sql, type SQL } from 'drizzle-orm';
import { jsonUuids, rows, STAGED_REGISTRY, type Db, type RegistryExtract, type RegistryFollower } from '@ansinh/db';

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

/**
 * Hands the facts of the households `pageOf` selects to every follower, set-based inside `tx` (a bulk import): the
 * extract is computed in SQL into STAGED_REGISTRY's temporary tables, by the same rules as `registryExtract` (the
 * placements from the unit changes, the household's unit now having the last word; a year's outcome its latest
 * assessment), and each follower copies it with INSERT … SELECT. `pageOf` fills the ids table and returns its size.
 * Followers without a staged path get the extract as data.
 */
export async function publishStagedRegistry(tx: Db<any>, followers: readonly RegistryFollower[], fillIds: (idsTable: string) => Promise<void>): Promise<void> {
  if (!followers.length) return;
  const T = Object.fromEntries(Object.entries(STAGED_REGISTRY).map(([k, v]) => [k, sql.raw(v)])) as Record<keyof typeof STAGED_REGISTRY, SQL>;
  await tx.execute(sql`create temporary table if not exists ${T.ids} (id uuid primary key) on commit drop`);
  await tx.execute(sql`create temporary table if not exists ${T.households} (id uuid, unit_id text) on commit drop`);
  await tx.execute(sql`create temporary table if not exists ${T.placements} (household_id uuid, unit_id text, valid_from date, valid_to date) on commit drop`);
  await tx.execute(sql`create temporary table if not exists ${T.members} (id uuid, household_id uuid) on commit drop`);
  await tx.execute(sql`create temporary table if not exists ${T.reviews} (household_id uuid, review_year smallint, assessed_on date, status text, deprived_indicators text[], persons smallint) on commit drop`);
  for (const t of Object.values(T)) await tx.execute(sql`truncate ${t}`);
  await fillIds(STAGED_REGISTRY.ids);
  await tx.execute(sql`insert into ${T.households} (id, unit_id) select h.id, h.unit_id from households.households h join ${T.ids} s on s.id = h.id`);
  // as registryExtract: no unit change, one open placement; else the first move's origin until it, then each move's
  // target until the next one, the last period in the household's unit now
  await tx.execute(sql`insert into ${T.placements} (household_id, unit_id, valid_from, valid_to)
    with moves as (
      select c.household_id, c.from_unit_id, c.to_unit_id, c.effective_on, h.unit_id as now_unit,
        row_number() over w as n, count(*) over (partition by c.household_id) as total, lead(c.effective_on) over w as next_on
      from households.household_unit_changes c join ${T.households} h on h.id = c.household_id
      window w as (partition by c.household_id order by c.effective_on, c.id)
    )
    select h.id, h.unit_id, null::date, null::date from ${T.households} h
      where not exists (select 1 from households.household_unit_changes c where c.household_id = h.id)
    union all
    select household_id, from_unit_id, null::date, effective_on from moves where n = 1
    union all
    select household_id, case when n = total then now_unit else to_unit_id end, effective_on, next_on from moves`);
  await tx.execute(sql`insert into ${T.members} (id, household_id) select m.id, m.household_id from households.members m join ${T.ids} s on s.id = m.household_id`);
  await tx.execute(sql`insert into ${T.reviews} (household_id, review_year, assessed_on, status, deprived_indicators, persons)
    select distinct on (a.household_id, a.review_year) a.household_id, a.review_year, a.assessed_on, a.status, a.deprived_indicators, a.persons
    from households.assessments a join ${T.ids} s on s.id = a.household_id
    order by a.household_id, a.review_year, a.assessed_on desc, a.id desc`);
  const staged = followers.filter((f) => f.writeStaged);
  for (const f of staged) await f.writeStaged!(tx);
  const others = followers.filter((f) => !f.writeStaged);
  if (others.length) {
    const ids = (await rows<{ id: string }>(tx, sql`select id from ${T.ids} order by id`)).map((r) => r.id);
    await publishRegistry(tx, others, ids);
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
