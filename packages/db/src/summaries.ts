/**
 * Report summaries (docs/performance.md "Summaries per unit"): a report's additive figures kept per counting unit
 * (the unit a household is placed in, or an assessment's unit) and per set of report arguments, so that a district
 * or a province sums a few hundred stored rows instead of recounting a million records.
 *
 * Kept right by versions, not by recomputing on every write:
 *  - `summary_versions(unit_id, version)`: a unit's version goes up in the transaction of every write that changes
 *    a record counted in it (statement triggers on the subgraph's tables, `installSummaryTriggers`: every write path,
 *    mutations, imports and the registry's copies alike);
 *  - `summary_epoch`: one number for the whole schema, raised by a bulk write (an import, `bulkSummaryWrites`), which
 *    thereby drops every summary at its commit without locking a row per unit for the import's whole transaction;
 *  - `report_summaries(report, args, unit_id) → figures`: each row stamped with the epoch and the unit's version it was
 *    computed at, read in the same statement (one snapshot) as the records it counts. A row counts only while both
 *    still match, so a write committed at any moment leaves no stale figure: the next report recomputes that unit.
 * A report asks `summarised()` for its units: the current rows are read, the missing or outdated units are computed
 * in one statement (grouped by unit) and stored, and the report adds them up.
 */
import { sql, type SQL } from 'drizzle-orm';
import { bigint, date, jsonb, primaryKey, smallint, text, type PgSchema } from 'drizzle-orm/pg-core';
import { rows, type Db } from './index.js';
import { countingScope, hierarchy, inForceOn, type UnitNode } from './hierarchy.js';
import { unitScope } from './units.js';

export function summaryTables(schema: PgSchema) {
  /** A report's figures for one counting unit and one set of arguments, valid while its epoch and version are current. */
  const reportSummaries = schema.table('report_summaries', {
    report: text('report').notNull(),
    args: text('args').notNull(),
    unitId: text('unit_id').notNull(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    figures: jsonb('figures').notNull(),
    /** the day a report last counted the row for someone who asked (a recount keeps it): recountStale's "in use" */
    askedOn: date('asked_on', { mode: 'string' }).notNull().default(sql`current_date`),
  }, (t) => [primaryKey({ columns: [t.report, t.args, t.unitId] })]);
  /** A unit's version: raised by every write to a record counted in the unit. No row: version 0. */
  const summaryVersions = schema.table('summary_versions', {
    unitId: text('unit_id').primaryKey(),
    version: bigint('version', { mode: 'number' }).notNull(),
  });
  /** The schema's epoch (one row, id 1): raised by bulk writes. No row: epoch 0. */
  const summaryEpoch = schema.table('summary_epoch', {
    id: smallint('id').primaryKey(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
  });
  return { reportSummaries, summaryVersions, summaryEpoch };
}

/**
 * A table whose writes change report figures, and the counting units a set of its rows touches: a query over the
 * statement's changed rows, the transition table `changed` (e.g. `select unit_id from changed`, or the placements of
 * `changed`'s households).
 */
export interface SummarySource { table: string; units: string }

const ident = (name: string) => {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`not an identifier: ${name}`);
  return name;
};

/** The placements' units of the households in `changed.<column>`: where their records were ever counted. */
export const placementsOf = (pgSchema: string, householdsQuery: string) =>
  `select p.unit_id from "${ident(pgSchema)}".registry_placements p where p.household_id in (${householdsQuery})`;

/**
 * Installs (or replaces) the triggers that raise the versions of the units each write to `sources` touches; run at
 * every start after the migrations (idempotent, under a lock, in one transaction), so that the list lives beside
 * the subgraph that declares it. Four statement triggers per table: insert (new rows), delete (old rows), update
 * (old and new rows: a record moved from one unit to another changes both).
 */
export async function installSummaryTriggers(db: Db<any>, pgSchema: string, sources: readonly SummarySource[]): Promise<void> {
  const s = ident(pgSchema);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`summary-triggers:${s}`}))`);
    // one function for every table: the query of the touched units comes as the trigger's argument
    await tx.execute(sql.raw(`create or replace function "${s}".summaries_touch() returns trigger language plpgsql as $fn$
      begin
        if current_setting('ansinh.summaries_bulk', true) = 'on' then
          insert into "${s}".summary_epoch (id, epoch) values (1, 1) on conflict (id) do update set epoch = "${s}".summary_epoch.epoch + 1;
          return null;
        end if;
        execute 'insert into "${s}".summary_versions (unit_id, version) select distinct unit_id, 1 from (' || TG_ARGV[0] ||
          ') touched(unit_id) where unit_id is not null order by 1 on conflict (unit_id) do update set version = "${s}".summary_versions.version + 1';
        return null;
      end $fn$`));
    for (const source of sources) {
      const table = `"${s}"."${ident(source.table)}"`;
      const query = source.units.replaceAll("'", "''");
      for (const [name, event, transition] of [['ins', 'insert', 'new'], ['del', 'delete', 'old'], ['upd_old', 'update', 'old'], ['upd_new', 'update', 'new']] as const) {
        await tx.execute(sql.raw(`create or replace trigger summaries_${name} after ${event} on ${table}
          referencing ${transition} table as changed for each statement execute function "${s}".summaries_touch('${query}')`));
      }
    }
  });
}

/**
 * Marks the transaction a bulk write (an import): every summary of every schema it writes is dropped at its commit
 * (the triggers raise the schema's epoch instead of each unit's version).
 */
export async function bulkSummaryWrites(tx: Db<any>): Promise<void> {
  await tx.execute(sql`select set_config('ansinh.summaries_bulk', 'on', true)`);
}

/** A report's figures for one unit: the rows its grouped statement gives (e.g. one per programme). */
export type UnitFigures<F> = Map<string, F[]>;

/**
 * The figures of `report` with `args` for each of `units`: the stored rows still current, and the others computed
 * by `compute` and stored. `compute(units)` gives CTE definitions, the last one
 * `computed(unit_id, figures)`, `figures` a jsonb array of the unit's rows, for the units in the uuid… text array
 * `units` (a SQL expression the planner can count: `plannedUnits`); a unit with no row in `computed` has none (an
 * empty array is stored).
 */
export async function summarised<F>(db: Db<any>, pgSchema: string, report: string, args: Record<string, unknown>, units: readonly string[], compute: (units: SQL) => SQL): Promise<UnitFigures<F>> {
  // a recount stores what nobody asked for now: it keeps the day of the last ask (recountStale, rollForward)
  const recount = recounting.get(db);
  const asked = recount === undefined;
  const s = sql.raw(`"${ident(pgSchema)}"`);
  const key = JSON.stringify(args);
  const out: UnitFigures<F> = new Map();
  if (!units.length) return out;
  const current = await rows<{ unit_id: string; figures: F[] }>(db, sql`
    select r.unit_id, r.figures from ${s}.report_summaries r
    where r.report = ${report} and r.args = ${key} and r.unit_id = any(${textArray(units)})
      and r.epoch = coalesce((select e.epoch from ${s}.summary_epoch e where e.id = 1), 0)
      and r.version = coalesce((select v.version from ${s}.summary_versions v where v.unit_id = r.unit_id), 0)`);
  for (const r of current) out.set(r.unit_id, r.figures);
  const missing = units.filter((u) => !out.has(u));
  if (!missing.length) return out;
  // one statement: the epoch and versions are read in the same snapshot as the records counted
  const count = () => rows<{ unit_id: string; figures: F[] }>(db, sql`
    with recursive wanted(unit_id) as (select unnest(${textArray(missing)})),
    ${compute(plannedUnits(missing))},
    result as (
      select w.unit_id, coalesce(c.figures, '[]'::jsonb) as figures,
             coalesce((select v.version from ${s}.summary_versions v where v.unit_id = w.unit_id), 0) as version
      from wanted w left join computed c on c.unit_id = w.unit_id
    ),
    saved as (
      insert into ${s}.report_summaries (report, args, unit_id, epoch, version, figures, asked_on)
      select ${report}, ${key}, unit_id, coalesce((select e.epoch from ${s}.summary_epoch e where e.id = 1), 0), version, figures,
        coalesce(${recount?.askedOn ?? null}::date, current_date) from result
      -- in the units' order: two reports storing overlapping units lock their rows in the same order
      order by unit_id
      on conflict (report, args, unit_id) do update set epoch = excluded.epoch, version = excluded.version, figures = excluded.figures${asked ? sql`, asked_on = current_date` : sql``}
      returning 1
    )
    select unit_id, figures from result`);
  let computed: Awaited<ReturnType<typeof count>>;
  try {
    computed = await count();
  } catch (error) {
    // a deadlock with a concurrent store of the same rows (PostgreSQL picked this statement): counted again once
    if (!isDeadlock(error)) throw error;
    computed = await count();
  }
  for (const r of computed) out.set(r.unit_id, r.figures);
  return out;
}

const isDeadlock = (error: unknown): boolean => {
  for (let e: any = error; e; e = e.cause) if (e.code === '40P01') return true;
  return false;
};

/**
 * A text[] of unit ids the planner can count: one parameter folded to a constant array at planning
 * (`string_to_array` is immutable), so the rows of a few units are estimated as few and read by index, where
 * `array(select …)` is estimated at 10 units whatever their number (measured at 1M: a ward's cards and support
 * layers 3.0 s by sequential scans, 0.86 s so).
 */
export function plannedUnits(units: readonly string[]): SQL {
  for (const u of units) if (u.includes(',')) throw new Error(`a unit id with a comma: ${u}`);
  return sql`string_to_array(${units.join(',')}::text, ',')`;
}

/** A text[] from a list, as one parameter (a JSON text), whatever its length. */
export function textArray(values: readonly string[]): SQL {
  return sql`array(select json_array_elements_text(${JSON.stringify(values)}::json))`;
}

/**
 * Adds up figure rows by their key columns (`keys`): each other numeric column summed, a missing key counted as null.
 * Rows of additive counts only (distinct households are additive over units: a household is in one unit on a date).
 */
export function sumFigures<F extends Record<string, unknown>>(lists: Iterable<readonly F[]>, keys: readonly (keyof F & string)[]): F[] {
  const byKey = new Map<string, F>();
  for (const list of lists) {
    for (const row of list) {
      const k = JSON.stringify(keys.map((c) => row[c] ?? null));
      const into = byKey.get(k);
      if (!into) { byKey.set(k, { ...row }); continue; }
      for (const [c, v] of Object.entries(row)) {
        if (!(keys as readonly string[]).includes(c) && typeof v === 'number') (into as Record<string, unknown>)[c] = Number(into[c] ?? 0) + v;
      }
    }
  }
  return [...byKey.values()];
}

/** The counting units of a unit, sorted: itself, below it, and the old units linked to it in full (packages/db unitScope). */
export async function countingUnits(db: Db<any>, pgSchema: string, unitId: string): Promise<string[]> {
  // sorted here, not by the database's collation: the gap flags of every subgraph follow this order
  return countingScope(await hierarchy(db, pgSchema), [unitId]).sort();
}

/**
 * The nodes of a report's tree (`placedInTree`'s `tree_nodes`: the unit and the units above it, their children in
 * force on `on`, the units below it in force on `on`) and the counting units of each, without reading a record (or
 * a unit: hierarchy.ts): the small-cell rules' figures for every node are then sums of the units' summaries.
 */
export async function treeUnits(db: Db<any>, pgSchema: string, unitId: string, on: string): Promise<{ nodes: { id: string; parentId: string | null }[]; units: Map<string, string[]> }> {
  const h = await hierarchy(db, pgSchema);
  const nodes = new Map<string, string | null>();
  const start = h.unit(unitId);
  if (start) {
    for (let u: UnitNode | undefined = start; u && !nodes.has(u.id); u = u.parentId === null ? undefined : h.unit(u.parentId)) nodes.set(u.id, u.parentId);
    for (const up of [...nodes.keys()]) for (const c of h.children(up)) if (inForceOn(c, on)) nodes.set(c.id, c.parentId);
    const walked = new Set<string>();
    const down = (u: UnitNode) => {
      if (walked.has(u.id)) return;
      walked.add(u.id);
      for (const c of h.children(u.id)) if (inForceOn(c, on)) { nodes.set(c.id, c.parentId); down(c); }
    };
    down(start);
  }
  return {
    nodes: [...nodes].map(([id, parentId]) => ({ id, parentId })),
    units: new Map([...nodes.keys()].map((id) => [id, countingScope(h, [id])])),
  };
}

/**
 * A report's tree (`treeUnits`) with each node's figures summed from its units' summaries (`load`, keyed by
 * `keys`): node rows `{ node: true, node_id, parent_id }` and figure rows `{ node: false, node_id, …F }`, the shape
 * packages/server `treeOfRows` reads.
 */
export async function summaryTree<F extends Record<string, unknown>>(
  db: Db<any>, pgSchema: string, unitId: string, on: string,
  load: (units: string[]) => Promise<UnitFigures<F>>, keys: readonly (keyof F & string)[],
): Promise<({ node: boolean; node_id: string; parent_id: string | null } & Partial<F>)[]> {
  const tree = await treeUnits(db, pgSchema, unitId, on);
  const figures = await load([...new Set([...tree.units.values()].flat())]);
  return [
    ...tree.nodes.map((n) => ({ node: true, node_id: n.id, parent_id: n.parentId }) as { node: boolean; node_id: string; parent_id: string | null } & Partial<F>),
    ...tree.nodes.flatMap((n) => sumFigures((tree.units.get(n.id) ?? []).map((u) => figures.get(u) ?? []), keys)
      .map((f) => ({ ...f, node: false, node_id: n.id, parent_id: null }))),
  ];
}

/** How a report's summaries of some units are counted again: the report's own `summarised()` call, given its arguments back. */
export type Recount = (db: Db<any>, args: any, units: string[]) => Promise<unknown>;
const recounts = new Map<string, Recount>();
/** The connections recountStale and rollForward are counting with: what they store is not someone's ask. */
const recounting = new WeakMap<object, { askedOn: string | null }>();

/** How long a report and its arguments stay "in use" after someone last had a unit of it counted. */
export const ASKED_DAYS = 30;

/** Declares how `report`'s summaries in `pgSchema` are counted again (beside the report's `summarised()` call). */
export function recountable(pgSchema: string, report: string, recount: Recount): void {
  recounts.set(`${pgSchema}.${report}`, recount);
}

/**
 * Counts again the summaries of `pgSchema` that a write (an import's epoch, a unit's version) has made stale: the
 * reports and arguments people asked for before, for the units they were stored for, so that the first report after an
 * import does not pay for every unit of a province (docs/performance.md "Summaries per unit"). The most used first
 * (most stored units), one report and set of arguments at a time, until `budgetMs` is spent (what is left is counted
 * by the next report that asks, as before). Returns what it counted.
 */
export async function recountStale(db: Db<any>, pgSchema: string, budgetMs: number): Promise<{ reports: number; units: number; left: number }> {
  const s = sql.raw(`"${ident(pgSchema)}"`);
  // asked within the last ASKED_DAYS: a report and arguments nobody asks for any more is left to the next who does
  const stale = await rows<{ report: string; args: string; units: string[] }>(db, sql`
    select r.report, r.args, array_agg(r.unit_id order by r.unit_id) as units from ${s}.report_summaries r
    where (r.epoch <> coalesce((select e.epoch from ${s}.summary_epoch e where e.id = 1), 0)
       or r.version <> coalesce((select v.version from ${s}.summary_versions v where v.unit_id = r.unit_id), 0))
      and r.asked_on >= current_date - ${ASKED_DAYS}::int
    group by r.report, r.args order by max(r.asked_on) desc, count(*) desc, r.report, r.args`);
  return countGroups(db, pgSchema, stale, budgetMs, (group) => ({ args: JSON.parse(group.args), askedOn: null }));
}

/**
 * Counts today's figures of the reports stored for yesterday (`on`) and asked for in the last ASKED_DAYS up to
 * yesterday (a "today" report, such as an officer's morning coverage, or one rolled forward before), for the units
 * they were stored for, so that the first of them today does not count every unit of a province. Meant to run once a
 * day after midnight (`pnpm recount`, docs/operations.md). The rows it stores keep the day of the last ask (a read
 * from summaries does not write it): a report nobody asks is rolled forward for ASKED_DAYS, then left; a report
 * asked every day is counted afresh by its first request once in ASKED_DAYS. `today` (YYYY-MM-DD) is the database's
 * date unless given.
 */
export async function rollForward(db: Db<any>, pgSchema: string, budgetMs: number, today?: string): Promise<{ reports: number; units: number; left: number }> {
  const s = sql.raw(`"${ident(pgSchema)}"`);
  const [day] = await rows<{ today: string; yesterday: string }>(db, sql`
    select d::text as today, (d - 1)::text as yesterday from (select coalesce(${today ?? null}::date, current_date) as d) x`);
  const asked = await rows<{ report: string; args: string; units: string[]; asked_on: string }>(db, sql`
    select r.report, r.args, array_agg(r.unit_id order by r.unit_id) as units, max(r.asked_on)::text as asked_on from ${s}.report_summaries r
    where (r.args::jsonb ->> 'on') = ${day!.yesterday}
      and r.asked_on between ${day!.yesterday}::date - ${ASKED_DAYS}::int and ${day!.yesterday}::date
    group by r.report, r.args order by count(*) desc, r.report, r.args`);
  return countGroups(db, pgSchema, asked, budgetMs, (group) => ({ args: { ...JSON.parse(group.args), on: day!.today }, askedOn: group.asked_on }));
}

/**
 * Counts each group (a report, its stored arguments and units) with the report's own counting (`recountable`), with
 * the arguments and day of the last ask `how` gives, one group at a time until `budgetMs` is spent.
 */
async function countGroups<G extends { report: string; args: string; units: string[] }>(
  db: Db<any>, pgSchema: string, groups: readonly G[], budgetMs: number, how: (group: G) => { args: Record<string, unknown>; askedOn: string | null },
): Promise<{ reports: number; units: number; left: number }> {
  const started = Date.now();
  let reports = 0;
  let units = 0;
  for (const group of groups) {
    if (Date.now() - started >= budgetMs) break;
    const recount = recounts.get(`${pgSchema}.${group.report}`);
    if (!recount) continue;
    const { args, askedOn } = how(group);
    recounting.set(db, { askedOn });
    try {
      await recount(db, args, group.units);
    } finally {
      recounting.delete(db);
    }
    reports += 1;
    units += group.units.length;
  }
  return { reports, units, left: groups.length - reports };
}
