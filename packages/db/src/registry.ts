/**
 * What a programme subgraph (credit, health, housing) knows of the registry: where each household is (its unit now
 * and on any date), which members it has, and the outcome of each of its yearly reviews. The households subgraph
 * owns these facts; each programme subgraph keeps its own copy in its own schema (`registry_*` tables), written by
 * the registry's changes in the same transaction (docs/areas.md), so that the visibility and the counting of loans,
 * cards and supports follow the household (re-assignments, the 2025 crosswalk) and area reports are computed in
 * SQL where the records are, without passing household ids through the gateway.
 */
import { sql, type SQL } from 'drizzle-orm';
import { date, index, primaryKey, smallint, text, uuid, type PgSchema } from 'drizzle-orm/pg-core';
import { bulkInsert, rows, type Db } from './index.js';
import { hierarchy } from './hierarchy.js';
import { unitScope } from './units.js';

export function registryTables(schema: PgSchema) {
  /** Each household and the unit it belongs to now. */
  const registryHouseholds = schema.table('registry_households', {
    id: uuid('id').primaryKey(),
    unitId: text('unit_id').notNull(),
  }, (t) => [index('registry_households_unit_idx').on(t.unitId)]);

  /** Where each household was, over time: [validFrom, validTo), null for open ends. */
  const registryPlacements = schema.table('registry_placements', {
    householdId: uuid('household_id').notNull(),
    unitId: text('unit_id').notNull(),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
  }, (t) => [index('registry_placements_household_idx').on(t.householdId), index('registry_placements_unit_idx').on(t.unitId, t.validFrom)]);

  /** The members of each household. */
  const registryMembers = schema.table('registry_members', {
    id: uuid('id').primaryKey(),
    householdId: uuid('household_id').notNull(),
  }, (t) => [index('registry_members_household_idx').on(t.householdId)]);

  /** The outcome of each household's review year (its latest assessment of the year). */
  const registryReviews = schema.table('registry_reviews', {
    householdId: uuid('household_id').notNull(),
    reviewYear: smallint('review_year').notNull(),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    status: text('status').notNull(),
    deprivedIndicators: text('deprived_indicators').array().notNull(),
    /** the household's persons at the review (nhân khẩu) */
    persons: smallint('persons').notNull(),
  }, (t) => [primaryKey({ columns: [t.householdId, t.reviewYear] })]);

  return { registryHouseholds, registryPlacements, registryMembers, registryReviews };
}

/** The registry's facts about some households, as the households subgraph hands them to the programme subgraphs. */
export interface RegistryExtract {
  /** the households these facts replace (every row of theirs is rewritten); 'all' for a full copy */
  householdIds: string[] | 'all';
  households: { id: string; unitId: string }[];
  placements: { householdId: string; unitId: string; validFrom: string | null; validTo: string | null }[];
  members: { id: string; householdId: string }[];
  reviews: { householdId: string; reviewYear: number; assessedOn: string; status: string; deprivedIndicators: string[]; persons: number }[];
}

/**
 * The registry's facts about a set of households, staged by the households subgraph in temporary tables of the
 * writing transaction (a bulk import): `ids` the households replaced, and their households, placements, members and
 * reviews, with the columns of the `registry_*` tables. Followers copy them with one INSERT … SELECT each, so the
 * facts cross from Node to PostgreSQL not at all, instead of three times as JSON.
 */
export const STAGED_REGISTRY = {
  ids: 'pg_temp.registry_stage_ids',
  households: 'pg_temp.registry_stage_households',
  placements: 'pg_temp.registry_stage_placements',
  members: 'pg_temp.registry_stage_members',
  reviews: 'pg_temp.registry_stage_reviews',
} as const;

/** A programme subgraph's copy of the registry: written in the registry's own transaction (`tx`). */
export interface RegistryFollower {
  name: string;
  write(tx: Db<any>, extract: RegistryExtract): Promise<void>;
  /** replaces the copy of the households staged in STAGED_REGISTRY's tables (same transaction) */
  writeStaged?(tx: Db<any>): Promise<void>;
  /** whether the copy holds nothing yet (a follower added to a running registry gets a full copy) */
  isEmpty(): Promise<boolean>;
}

const tableOf = (pgSchema: string, name: string) => sql.raw(`"${pgSchema}"."${name}"`);

/** Replaces the copy of the extract's households in `pgSchema`'s registry tables. */
export async function writeRegistry(tx: Db<any>, pgSchema: string, tables: ReturnType<typeof registryTables>, extract: RegistryExtract): Promise<void> {
  const ids = extract.householdIds;
  for (const name of ['registry_households', 'registry_placements', 'registry_members', 'registry_reviews']) {
    const column = sql.raw(name === 'registry_households' ? 'id' : 'household_id');
    if (ids === 'all') await tx.execute(sql`delete from ${tableOf(pgSchema, name)}`);
    else if (ids.length) await tx.execute(sql`delete from ${tableOf(pgSchema, name)} where ${column} = any(${jsonUuids(ids)})`);
  }
  await bulkInsert(tx, tables.registryHouseholds, extract.households);
  await bulkInsert(tx, tables.registryPlacements, extract.placements);
  await bulkInsert(tx, tables.registryMembers, extract.members);
  await bulkInsert(tx, tables.registryReviews, extract.reviews);
}

/** Replaces the copy of the households staged in STAGED_REGISTRY's temporary tables: set-based, nothing through Node. */
export async function writeStagedRegistry(tx: Db<any>, pgSchema: string): Promise<void> {
  const t = (name: string) => tableOf(pgSchema, name);
  const ids = sql.raw(STAGED_REGISTRY.ids);
  await tx.execute(sql`delete from ${t('registry_households')} where id in (select id from ${ids})`);
  for (const name of ['registry_placements', 'registry_members', 'registry_reviews']) await tx.execute(sql`delete from ${t(name)} where household_id in (select id from ${ids})`);
  await tx.execute(sql`insert into ${t('registry_households')} (id, unit_id) select id, unit_id from ${sql.raw(STAGED_REGISTRY.households)}`);
  await tx.execute(sql`insert into ${t('registry_placements')} (household_id, unit_id, valid_from, valid_to) select household_id, unit_id, valid_from, valid_to from ${sql.raw(STAGED_REGISTRY.placements)}`);
  await tx.execute(sql`insert into ${t('registry_members')} (id, household_id) select id, household_id from ${sql.raw(STAGED_REGISTRY.members)}`);
  await tx.execute(sql`insert into ${t('registry_reviews')} (household_id, review_year, assessed_on, status, deprived_indicators, persons) select household_id, review_year, assessed_on, status, deprived_indicators, persons from ${sql.raw(STAGED_REGISTRY.reviews)}`);
}

/** A uuid[] from a list, as one parameter (a JSON text), whatever its length. */
export function jsonUuids(ids: readonly string[]): SQL {
  return sql`array(select value::uuid from json_array_elements_text(${JSON.stringify(ids)}::json))`;
}

/**
 * `column = any(…)` of a uuid list (`inUuids`) or a text list (`inTexts`), the list one JSON parameter. For the bulk
 * import's look-ups instead of drizzle's `inArray`: with the values written into the statement as literals and no
 * planner statistics yet (tables filled by the running import), PostgreSQL estimates 20,000 literals to match the
 * whole table and scans all of it for every chunk, quadratic in the import's size; an array computed by the
 * statement is planned as a few index look-ups.
 */
export function inUuids(column: SQL.Aliased | AnyColumnLike, ids: readonly string[]): SQL {
  return sql`${column} = any(${jsonUuids(ids)})`;
}
export function inTexts(column: SQL.Aliased | AnyColumnLike, values: readonly string[]): SQL {
  return sql`${column} = any(array(select json_array_elements_text(${JSON.stringify(values)}::json)))`;
}
type AnyColumnLike = import('drizzle-orm').Column;

export function registryFollower(db: Db<any>, pgSchema: string, tables: ReturnType<typeof registryTables>): RegistryFollower {
  return {
    name: pgSchema,
    write: (tx, extract) => writeRegistry(tx, pgSchema, tables, extract),
    writeStaged: (tx) => writeStagedRegistry(tx, pgSchema),
    isEmpty: async () => (await rows<{ n: number }>(db, sql`select count(*)::int as n from (select 1 from ${tableOf(pgSchema, 'registry_households')} limit 1) x`))[0]!.n === 0,
  };
}

/**
 * The households counted for a unit on a date, as a CTE body `placed(household_id, unit_id)`: those whose placement
 * on the date is the unit, below it, or an old unit the crosswalk links to it in full (never an old unit linked only
 * in part: those households count once re-assigned). Follows `unitScope`; write `with recursive ${placedOn(…)} …`.
 */
export function placedOn(pgSchema: string, unitId: string, on: string): SQL {
  return sql`${unitScope(pgSchema, unitId)},
    placed(household_id, unit_id) as (
      select p.household_id, p.unit_id from ${tableOf(pgSchema, 'registry_placements')} p
      -- "= any(array(…))": the scope is computed once (an InitPlan) and the placements' unit index is used; a
      -- semi-join on the recursive CTE took its estimates (a million units) and scanned every placement
      where p.unit_id = any(array(select id from scope where how <> 'partial'))
        and (p.valid_from is null or p.valid_from <= ${on}::date) and (p.valid_to is null or p.valid_to > ${on}::date)
    )`;
}

/**
 * The households placed on a date in any of `units` (a text[] SQL expression), with the unit each is placed in: CTE
 * `placed(household_id, unit_id)`, for a report's summaries per unit (summaries.ts).
 */
export function placedIn(pgSchema: string, units: SQL, on: string): SQL {
  return sql`placed(household_id, unit_id) as (
      select p.household_id, p.unit_id from ${tableOf(pgSchema, 'registry_placements')} p
      where p.unit_id = any(${units})
        and (p.valid_from is null or p.valid_from <= ${on}::date) and (p.valid_to is null or p.valid_to > ${on}::date)
    )`;
}

/** Hộ mới thoát nghèo: support lasts 36 months from the review that recorded the escape (households' transitions.ts). */
export const SUPPORT_MONTHS = 36;

/**
 * Each counted household's latest review on a date (CTE `reviewed(household_id, unit_id, review_year, assessed_on, status,
 * deprived_indicators, persons, newly_escaped_until)`), after a `placed(household_id, unit_id)` CTE (`placedOn`, `placedIn`). `newly_escaped_until` is the last day of
 * the support window of the household's latest escape from either list (SUPPORT_MONTHS after the review that
 * recorded it), null when it never escaped; see households' transitions.ts, which this mirrors in SQL.
 */
export function reviewedOn(pgSchema: string, on: string, supportMonths = SUPPORT_MONTHS): SQL {
  // joined, not "in (select …)": the unit travels with each review (a later join on `placed`, estimated at a few
  // rows from a unit list, would be planned as a nested loop over every placement)
  return sql`steps as (
      select r.*, p.unit_id, lag(r.status) over (partition by r.household_id order by r.review_year) as previous
      from placed p join ${tableOf(pgSchema, 'registry_reviews')} r on r.household_id = p.household_id
      where r.assessed_on <= ${on}::date
    ),
    escapes as (
      select household_id, max(assessed_on) as on_date from steps
      where previous in ('POOR', 'NEAR_POOR') and status not in ('POOR', 'NEAR_POOR') group by household_id
    ),
    reviewed as (
      select distinct on (s.household_id) s.household_id, s.unit_id, s.review_year, s.assessed_on, s.status, s.deprived_indicators, s.persons,
        ((e.on_date + make_interval(months => ${supportMonths}))::date - 1) as newly_escaped_until
      from steps s left join escapes e on e.household_id = s.household_id
      order by s.household_id, s.review_year desc
    )`;
}

/** Support gaps look only at poor and near-poor households (their latest review on the date): packages/server gaps.ts. */
export const GAP_STATUSES = ['POOR', 'NEAR_POOR'] as const;

/**
 * The candidates of a unit's support-gap counts on a date (CTE `candidates(household_id, deprived_indicators,
 * persons)`): the households placed in the unit then whose latest review is POOR or NEAR_POOR. Every subgraph that
 * contributes to the counts computes the same list from its copy of the registry, ordered by household id.
 */
export function gapCandidates(pgSchema: string, unitId: string, on: string): SQL {
  return sql`${placedOn(pgSchema, unitId, on)}, ${reviewedOn(pgSchema, on)},
    candidates as (select household_id, deprived_indicators, persons from reviewed where status in (${sql.join(GAP_STATUSES.map((s) => sql`${s}`), sql`, `)}))`;
}

/**
 * The candidates of the support-gap counts of each of `units` (a text[] SQL expression) on a date: CTE
 * `candidates(household_id, unit_id, deprived_indicators, persons)`, for the gap flags kept per unit (summaries.ts).
 */
export function gapCandidatesIn(pgSchema: string, units: SQL, on: string): SQL {
  return sql`${placedIn(pgSchema, units, on)}, ${reviewedOn(pgSchema, on)},
    candidates as (select household_id, unit_id, deprived_indicators, persons from reviewed where status in (${sql.join(GAP_STATUSES.map((s) => sql`${s}`), sql`, `)}))`;
}

/**
 * The households counted for every unit of a report's tree on a date, for the small-cell rules that decide a unit's
 * figure in its parent's group (packages/server suppression.ts `hiddenInTree`), in one statement: CTEs
 * `tree_nodes(id, parent_id)` — the unit, the units above it, the units directly below each of those and every unit
 * below the unit itself, those in force on the date — and `tree_placed(node_id, household_id)`, each node's
 * households as `placedOn` counts them (the node, below it, or an old unit linked to it in full), and
 * `placed(household_id)`: the top unit's, which holds every node's. Write `with recursive ${placedInTree(…)} …`.
 */
export function placedInTree(pgSchema: string, unitId: string, on: string): SQL {
  return sql`${placedInTreeUnits(pgSchema, unitId, on)},
    tree_placed(node_id, household_id) as (
      select distinct n.node_id, p.household_id from node_scope n
      join ${tableOf(pgSchema, 'registry_placements')} p on p.unit_id = n.id
      where (p.valid_from is null or p.valid_from <= ${on}::date) and (p.valid_to is null or p.valid_to > ${on}::date)
    ),
    placed(household_id, unit_id) as (select distinct household_id, null::text from tree_placed)`;
}

/** `placedInTree`'s units alone: CTEs `tree_nodes(id, parent_id)` and `node_scope(node_id, id)`, each node's counting units. */
export function placedInTreeUnits(pgSchema: string, unitId: string, on: string): SQL {
  const s = tableOf(pgSchema, 'units');
  const inForce = sql`(u.valid_from is null or u.valid_from <= ${on}::date) and (u.valid_to is null or u.valid_to > ${on}::date)`;
  return sql`tree_up(id, parent_id) as (
      select id, parent_id from ${s} where id = ${unitId}
      union select u.id, u.parent_id from ${s} u join tree_up t on u.id = t.parent_id
    ),
    tree_down(id, parent_id) as (
      select id, parent_id from ${s} where id = ${unitId}
      union select u.id, u.parent_id from ${s} u join tree_down t on u.parent_id = t.id where ${inForce}
    ),
    tree_nodes(id, parent_id) as (
      select id, parent_id from tree_up
      union select u.id, u.parent_id from ${s} u join tree_up t on u.parent_id = t.id where ${inForce}
      union select id, parent_id from tree_down
    ),
    node_direct(node_id, id) as (
      select id, id from tree_nodes
      union select d.node_id, u.id from ${s} u join node_direct d on u.parent_id = d.id
    ),
    node_rolled(node_id, id) as (
      select d.node_id, l.old_unit_id from ${tableOf(pgSchema, 'unit_links')} l join node_direct d on l.new_unit_id = d.id where l.coverage = 'full'
      union select r.node_id, u.id from ${s} u join node_rolled r on u.parent_id = r.id
    ),
    node_scope(node_id, id) as (select node_id, id from node_direct union select node_id, id from node_rolled)`;
}

/**
 * The candidates of the support-gap counts of every unit of a report's tree (`placedInTree`): CTE `candidates` as
 * `gapCandidates` gives it for the top unit, which holds every node's, after the tree's CTEs.
 */
export function treeGapCandidates(pgSchema: string, unitId: string, on: string): SQL {
  return sql`${placedInTree(pgSchema, unitId, on)}, ${reviewedOn(pgSchema, on)},
    candidates as (select household_id, deprived_indicators, persons from reviewed where status in (${sql.join(GAP_STATUSES.map((s) => sql`${s}`), sql`, `)}))`;
}

/** The top of a unit's tree (its province): the unit above which there is none. */
export async function rootUnit(db: Db<any>, pgSchema: string, unitId: string): Promise<string> {
  const h = await hierarchy(db, pgSchema);
  const seen = new Set<string>();
  let top = unitId;
  for (let u = h.unit(unitId); u && !seen.has(u.id); u = u.parentId === null ? undefined : h.unit(u.parentId)) {
    seen.add(u.id);
    top = u.id;
  }
  return top;
}
