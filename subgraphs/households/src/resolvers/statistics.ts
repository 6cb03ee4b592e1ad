/**
 * Area reports: a unit's figures for a review year, computed from stored assessments, unit totals and targets.
 * See docs/households.md ("How each report figure is computed").
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { recountable, rows, summarised, sumFigures, unitScopes } from '@ansinh/db';
import { HIDDEN_REASONS, type Hidden } from '@ansinh/server';
import type { HouseholdsDb } from '../context.js';
import { households, reductionTargets, units, type UnitModel } from '../db/schema.js';
import { classify, type LoadedStandard, type Period } from '../domain/classify.js';
import { statusHistory, transitions, type TransitionKind } from '../domain/transitions.js';

export interface AreaCounts { year: number; poorHouseholds: number; poorPersons: number; nearPoorHouseholds: number; nearPoorPersons: number }
export interface AreaTransitions {
  newlyPoor: number; relapsedPoor: number; newlyNearPoor: number; relapsedNearPoor: number;
  escapedPoverty: number; escapedPovertyToNearPoor: number; escapedNearPoverty: number;
}

/** Counts are numbers here; withholdFigures may set them to null for a caller (the schema's fields are nullable). */
export interface AreaStatisticsModel extends AreaCounts {
  unit: UnitModel;
  /** the standard every assessment was re-classified under; null: as recorded */
  standard: LoadedStandard | null;
  /** null when a unit's total is missing for the year (see `unitsWithoutTotals`) */
  totalHouseholds: number | null;
  totalPersons: number | null;
  /** units whose households-and-persons total for the year is not recorded (the totals are then incomplete) */
  unitsWithoutTotals: UnitModel[];
  poorRate: number | null;
  nearPoorRate: number | null;
  start: AreaCounts;
  transitions: AreaTransitions;
  poorReduction: number;
  nearPoorReduction: number;
  poorReductionTarget: number | null;
  nearPoorReductionTarget: number | null;
  poorTargetAchievement: number | null;
  nearPoorTargetAchievement: number | null;
  rolledUpHouseholds: number;
  awaitingReassignment: number;
  /** the figures withheld from this caller, and why */
  suppressed: { field: string; reason: string }[];
}

/** A report not yet computed: its unit, year and standard (children are computed when a figure is asked for). */
export interface AreaStatisticsRef { unit: UnitModel; year: number; standard: LoadedStandard | null }

/** The fields of the report that need its figures. */
export const AREA_FIGURES = [
  'totalHouseholds', 'totalPersons', 'unitsWithoutTotals', 'poorHouseholds', 'poorPersons', 'poorRate', 'nearPoorHouseholds', 'nearPoorPersons',
  'nearPoorRate', 'start', 'transitions', 'poorReduction', 'nearPoorReduction', 'poorReductionTarget', 'nearPoorReductionTarget',
  'poorTargetAchievement', 'nearPoorTargetAchievement', 'rolledUpHouseholds', 'awaitingReassignment', 'suppressed',
] as const;

/** The household counts of a report that small-cell protection decides on (paths as `suppressed` names them). */
export const AREA_MEASURES = [
  'totalHouseholds', 'poorHouseholds', 'nearPoorHouseholds', 'start.poorHouseholds', 'start.nearPoorHouseholds',
  'transitions.newlyPoor', 'transitions.relapsedPoor', 'transitions.newlyNearPoor', 'transitions.relapsedNearPoor',
  'transitions.escapedPoverty', 'transitions.escapedPovertyToNearPoor', 'transitions.escapedNearPoverty',
  'rolledUpHouseholds', 'awaitingReassignment',
] as const;
export type AreaMeasure = (typeof AREA_MEASURES)[number];

/** A report's household counts by measure, for the small-cell rules (packages/server suppression.ts). */
export function areaMeasures(stats: AreaStatisticsModel): Record<AreaMeasure, number | null> {
  const out = {} as Record<AreaMeasure, number | null>;
  for (const m of AREA_MEASURES) out[m] = m.split('.').reduce<any>((o, k) => o?.[k], stats) ?? null;
  return out;
}

/**
 * The report as an ANALYST sees it, given which measures are withheld and why (`hidden`, decided by the one set of
 * small-cell rules, packages/server suppression.ts): each withheld count is null with the figures derived from it
 * (its persons, its rate, a reduction and achievement computed from it), and `suppressed` says why.
 */
export function withholdFigures(stats: AreaStatisticsModel, hidden: Partial<Record<AreaMeasure, Hidden>>): AreaStatisticsModel {
  const out = { ...stats, start: { ...stats.start }, transitions: { ...stats.transitions }, suppressed: [...stats.suppressed] } as Record<string, any>;
  const withhold = (target: Record<string, unknown>, prefix: string, fields: string[], why: Hidden) => {
    for (const f of fields) {
      if (target[f] === null) continue;
      target[f] = null;
      out.suppressed.push({ field: prefix + f, reason: HIDDEN_REASONS[why] });
    }
  };
  if (hidden.totalHouseholds) withhold(out, '', ['totalHouseholds', 'totalPersons'], hidden.totalHouseholds);
  for (const [kind, reduction] of [['poor', 'poorReduction'], ['nearPoor', 'nearPoorReduction']] as const) {
    const end = hidden[`${kind}Households`];
    const start = hidden[`start.${kind}Households`];
    if (end) withhold(out, '', [`${kind}Households`, `${kind}Persons`, `${kind}Rate`], end);
    if (start) withhold(out.start, 'start.', [`${kind}Households`, `${kind}Persons`], start);
    // a reduction next to one exact count would give the other away
    if (end || start) withhold(out, '', [reduction, `${kind}TargetAchievement`], (end ?? start)!);
  }
  // a rate over a withheld total would give the total back
  if (hidden.totalHouseholds) withhold(out, '', ['poorRate', 'nearPoorRate'], hidden.totalHouseholds);
  for (const k of Object.keys(stats.transitions)) {
    const why = hidden[`transitions.${k}` as AreaMeasure];
    if (why) withhold(out.transitions, 'transitions.', [k], why);
  }
  for (const k of ['rolledUpHouseholds', 'awaitingReassignment'] as const) if (hidden[k]) withhold(out, '', [k], hidden[k]!);
  return out as AreaStatisticsModel;
}

/** Percent with two decimals, as the reports print it; null when there is nothing to divide by. */
export function percent(part: number, whole: number | null): number | null {
  if (whole === null || whole <= 0) return null;
  return Math.round((part * 10_000) / whole) / 100;
}

interface Row {
  id: string; household_id: string; review_year: number; assessed_on: string; status: string; unit_id: string;
  income_per_capita: number | string; income_period: string; deprived_indicators: string[]; area_type: string; persons: number;
}

type AreaSets = { direct: string[]; rolledUp: string[]; partial: string[] };
/** The ids as a text[] parameter (one parameter, however many). */
const textArray = (ids: readonly string[]) => sql`array(select json_array_elements_text(${JSON.stringify(ids)}::json))`;

/** Which units' records count for each of `unitIds` (packages/db unitScopes: direct, rolled up in full, partial), in one statement. */
export async function areaSets(db: HouseholdsDb, unitIds: readonly string[]): Promise<Map<string, AreaSets>> {
  const found = await rows<{ root: string; id: string; how: 'direct' | 'full' | 'partial' }>(db, sql`with recursive ${unitScopes('households', textArray(unitIds))} select root, id, how from scope`);
  const out = new Map<string, AreaSets>(unitIds.map((id) => [id, { direct: [], rolledUp: [], partial: [] }]));
  for (const r of found) out.get(r.root)![r.how === 'direct' ? 'direct' : r.how === 'full' ? 'rolledUp' : 'partial'].push(r.id);
  return out;
}

interface Counted { end: AreaCounts; start: AreaCounts; moves: AreaTransitions; rolledUpHouseholds: number }

const emptyCounts = (year: number): AreaCounts => ({ year, poorHouseholds: 0, poorPersons: 0, nearPoorHouseholds: 0, nearPoorPersons: 0 });

/** One unit's counts for a review year (its summary row, packages/db summaries.ts): additive over units. */
interface UnitCounts {
  [k: string]: unknown;
  /** every household whose year's assessment sits in the unit (rolledUpHouseholds sums it over the fully linked units) */
  households: number;
  poor: number; poor_persons: number; near: number; near_persons: number;
  start_poor: number; start_poor_persons: number; start_near: number; start_near_persons: number;
  newly_poor: number; relapsed_poor: number; newly_near: number; relapsed_near: number;
  escaped_poor: number; escaped_poor_to_near: number; escaped_near: number;
}

/** A request's unit counts by `${year}|${unitId}`: a unit read or counted once per request, however many reports of the tree ask. */
export type UnitCountsCache = Map<string, Promise<UnitCounts[]>>;

/**
 * The year's counts as recorded of each of `units`, from their summaries (packages/db summaries.ts); the missing or
 * outdated ones counted in SQL where the assessments are (one statement grouped by unit, no household row leaves the
 * database). Each household assessed in `year` or the year before in one of the units: its review years up to
 * `year` (the latest assessment of each, as statusHistory() says), the status and persons of each, and the
 * transitions of `year` against the year before (transitions() mirrored: the previous review, ever poor, ever
 * near-poor before). Each year's row counts in its own assessment's unit (`year`'s for the end counts and the
 * transitions, `year - 1`'s for the start), so the counts add up over any set of units.
 */
recountable('households', 'areaStatistics', (db, a, units) => unitCounts(db, units, a.year, new Map()));
async function unitCounts(db: HouseholdsDb, units: readonly string[], year: number, cache: UnitCountsCache): Promise<Map<string, UnitCounts[]>> {
  const missing = [...new Set(units)].filter((u) => !cache.has(`${year}|${u}`));
  if (missing.length) {
    const loading = summarised<UnitCounts>(db, 'households', 'areaStatistics', { year }, missing, (wanted) => sql`
      hh as (
        select distinct a.household_id from households.assessments a
        -- "= any(array(…))": the unit list computed once, then the assessments' (unit_id, review_year) index
        where a.review_year in (${year}, ${year - 1}) and a.unit_id = any(${wanted})
      ),
      yearly as (
        select distinct on (a.household_id, a.review_year) a.household_id, a.review_year, a.status, a.unit_id, a.persons
        from households.assessments a
        where a.household_id in (select household_id from hh) and a.review_year <= ${year}
        order by a.household_id, a.review_year, a.assessed_on desc, a.id desc
      ),
      steps as (
        select y.*,
          lag(y.status) over w as prev,
          coalesce(bool_or(y.status = 'POOR') over (w rows between unbounded preceding and 1 preceding), false) as ever_poor,
          coalesce(bool_or(y.status = 'NEAR_POOR') over (w rows between unbounded preceding and 1 preceding), false) as ever_near
        from yearly y
        window w as (partition by y.household_id order by y.review_year)
      ),
      per_unit as (
        select s.unit_id,
          count(*) filter (where s.review_year = ${year})::int as households,
          count(*) filter (where s.review_year = ${year} and s.status = 'POOR')::int as poor,
          coalesce(sum(s.persons) filter (where s.review_year = ${year} and s.status = 'POOR'), 0)::int as poor_persons,
          count(*) filter (where s.review_year = ${year} and s.status = 'NEAR_POOR')::int as near,
          coalesce(sum(s.persons) filter (where s.review_year = ${year} and s.status = 'NEAR_POOR'), 0)::int as near_persons,
          count(*) filter (where s.review_year = ${year - 1} and s.status = 'POOR')::int as start_poor,
          coalesce(sum(s.persons) filter (where s.review_year = ${year - 1} and s.status = 'POOR'), 0)::int as start_poor_persons,
          count(*) filter (where s.review_year = ${year - 1} and s.status = 'NEAR_POOR')::int as start_near,
          coalesce(sum(s.persons) filter (where s.review_year = ${year - 1} and s.status = 'NEAR_POOR'), 0)::int as start_near_persons,
          count(*) filter (where s.review_year = ${year} and s.status = 'POOR' and s.prev is distinct from 'POOR' and not s.ever_poor)::int as newly_poor,
          count(*) filter (where s.review_year = ${year} and s.status = 'POOR' and s.prev is distinct from 'POOR' and s.ever_poor)::int as relapsed_poor,
          count(*) filter (where s.review_year = ${year} and s.status = 'NEAR_POOR' and (s.prev is null or s.prev not in ('POOR', 'NEAR_POOR')) and not s.ever_near)::int as newly_near,
          count(*) filter (where s.review_year = ${year} and s.status = 'NEAR_POOR' and (s.prev is null or s.prev not in ('POOR', 'NEAR_POOR')) and s.ever_near)::int as relapsed_near,
          count(*) filter (where s.review_year = ${year} and s.prev = 'POOR' and s.status <> 'POOR')::int as escaped_poor,
          count(*) filter (where s.review_year = ${year} and s.prev = 'POOR' and s.status = 'NEAR_POOR')::int as escaped_poor_to_near,
          count(*) filter (where s.review_year = ${year} and s.prev = 'NEAR_POOR' and s.status not in ('POOR', 'NEAR_POOR'))::int as escaped_near
        from steps s
        where s.review_year in (${year}, ${year - 1}) and s.unit_id = any(${wanted})
        group by s.unit_id
      ),
      computed(unit_id, figures) as (select unit_id, jsonb_build_array(to_jsonb(per_unit) - 'unit_id') from per_unit)`);
    for (const u of missing) cache.set(`${year}|${u}`, loading.then((found) => found.get(u) ?? []));
  }
  const out = new Map<string, UnitCounts[]>();
  for (const u of units) out.set(u, await cache.get(`${year}|${u}`)!);
  return out;
}

/**
 * The year's figures as recorded: the sum of the counting units' summaries (`unitCounts`, read for every report of
 * the batch at once), the rolled-up households those of the units the scope links in full.
 */
function countAsRecorded(figures: Map<string, UnitCounts[]>, sets: AreaSets, year: number): Counted {
  const [r] = sumFigures([...sets.direct, ...sets.rolledUp].map((u) => figures.get(u) ?? []), []);
  const [rolled] = sumFigures(sets.rolledUp.map((u) => figures.get(u) ?? []), []);
  const n = (k: keyof UnitCounts) => Number(r?.[k] ?? 0);
  return {
    end: { year, poorHouseholds: n('poor'), poorPersons: n('poor_persons'), nearPoorHouseholds: n('near'), nearPoorPersons: n('near_persons') },
    start: { year: year - 1, poorHouseholds: n('start_poor'), poorPersons: n('start_poor_persons'), nearPoorHouseholds: n('start_near'), nearPoorPersons: n('start_near_persons') },
    moves: {
      newlyPoor: n('newly_poor'), relapsedPoor: n('relapsed_poor'), newlyNearPoor: n('newly_near'), relapsedNearPoor: n('relapsed_near'),
      escapedPoverty: n('escaped_poor'), escapedPovertyToNearPoor: n('escaped_poor_to_near'), escapedNearPoverty: n('escaped_near'),
    },
    rolledUpHouseholds: Number(rolled?.households ?? 0),
  };
}

/**
 * The year's figures with every assessment re-classified under another standard (`areaStatistics(standard:)`):
 * the stored incomes and deprivations go through classify(), the one home of the rules, so this path reads the
 * assessments into the subgraph; the counting follows statusHistory() and transitions() themselves.
 */
async function countReclassified(db: HouseholdsDb, counted: string[], rolledUp: Set<string>, year: number, standard: LoadedStandard): Promise<Counted> {
  const found = await rows<Row>(db, sql`
    with hh as (
      select distinct a.household_id from households.assessments a
      where a.review_year in (${year}, ${year - 1}) and a.unit_id = any(array(select json_array_elements_text(${JSON.stringify(counted)}::json)))
    )
    select a.id, a.household_id, a.review_year::int as review_year, a.assessed_on::text as assessed_on, a.status, a.unit_id,
           a.income_per_capita, a.income_period, a.deprived_indicators, h.area_type, a.persons::int as persons
    from households.assessments a
    join hh on hh.household_id = a.household_id
    join households.households h on h.id = a.household_id
    where a.review_year <= ${year}`);
  const status = (r: Row) => classify(standard, {
    areaType: r.area_type, incomePerCapita: Number(r.income_per_capita), incomePeriod: r.income_period as Period,
    deprivedIndicators: (r.deprived_indicators ?? []).filter((c) => standard.indicators.some((i) => i.code === c)),
  }).status;
  const byHousehold = new Map<string, Row[]>();
  for (const r of found) (byHousehold.get(r.household_id) ?? byHousehold.set(r.household_id, []).get(r.household_id)!).push(r);
  const countedSet = new Set(counted);
  const end = emptyCounts(year);
  const start = emptyCounts(year - 1);
  const moves: AreaTransitions = { newlyPoor: 0, relapsedPoor: 0, newlyNearPoor: 0, relapsedNearPoor: 0, escapedPoverty: 0, escapedPovertyToNearPoor: 0, escapedNearPoverty: 0 };
  const KIND: Record<TransitionKind, keyof AreaTransitions> = {
    NEWLY_POOR: 'newlyPoor', RELAPSED_POOR: 'relapsedPoor', NEWLY_NEAR_POOR: 'newlyNearPoor', RELAPSED_NEAR_POOR: 'relapsedNearPoor',
    ESCAPED_POVERTY: 'escapedPoverty', ESCAPED_NEAR_POVERTY: 'escapedNearPoverty',
  };
  let rolledUpHouseholds = 0;
  const add = (counts: AreaCounts, s: string, persons: number) => {
    if (s === 'POOR') { counts.poorHouseholds += 1; counts.poorPersons += persons; }
    if (s === 'NEAR_POOR') { counts.nearPoorHouseholds += 1; counts.nearPoorPersons += persons; }
  };
  for (const list of byHousehold.values()) {
    // persons as of each review: a member who joins later does not change an earlier year's report
    const history = statusHistory(list.map((r) => ({
      id: r.id, reviewYear: r.review_year, assessedOn: r.assessed_on, status: status(r), unitId: r.unit_id, persons: r.persons,
    })));
    const thisYear = history.find((h) => h.reviewYear === year && countedSet.has(h.unitId));
    const lastYear = history.find((h) => h.reviewYear === year - 1 && countedSet.has(h.unitId));
    if (lastYear) add(start, lastYear.status, lastYear.persons);
    if (!thisYear) continue;
    add(end, thisYear.status, thisYear.persons);
    if (rolledUp.has(thisYear.unitId)) rolledUpHouseholds += 1;
    for (const t of transitions(history)) {
      if (t.year !== year) continue;
      moves[KIND[t.kind]] += 1;
      if (t.kind === 'ESCAPED_POVERTY' && t.to === 'NEAR_POOR') moves.escapedPovertyToNearPoor += 1;
    }
  }
  return { end, start, moves, rolledUpHouseholds };
}

/**
 * Units' figures for a review year, for every unit of `list` in a fixed number of statements (an ANALYST's tree asks
 * for its nodes together: resolvers/index.ts batches them). Households: those with an assessment of the year
 * recorded in the unit, below it, or (for a post-2025 unit) in old units linked to it in full; each counts with its
 * latest assessment of the year. Totals: the unit's own row in unit_totals for the year if there is one, otherwise
 * its children's, recursively (so district and ward rows are never counted twice). The counts as recorded are sums of
 * the counting units' summaries (`unitCounts`; `cache`: the request's, so each unit is read once); with a `standard`
 * every assessment is re-classified, counted live (`countReclassified`).
 */
export async function areaStatisticsOf(db: HouseholdsDb, list: readonly UnitModel[], year: number, standard: LoadedStandard | null, cache: UnitCountsCache = new Map()): Promise<AreaStatisticsModel[]> {
  const ids = list.map((u) => u.id);
  const scopes = await areaSets(db, ids);
  const setsOf = (id: string) => scopes.get(id)!;
  // as recorded: summed from the units' summaries; re-classified under another standard: counted live
  const counts = standard
    ? await Promise.all(ids.map((id) => countReclassified(db, [...setsOf(id).direct, ...setsOf(id).rolledUp], new Set(setsOf(id).rolledUp), year, standard)))
    : await (async () => {
      const figures = await unitCounts(db, [...new Set(ids.flatMap((id) => [...setsOf(id).direct, ...setsOf(id).rolledUp]))], year, cache);
      return ids.map((id) => countAsRecorded(figures, setsOf(id), year));
    })();

  // totals: a unit's own row for the year, else its children's (recursively); a unit with neither is missing
  const inYear = (u: SQL) => sql`(${u}.valid_from is null or ${u}.valid_from <= ${`${year}-12-31`}::date) and (${u}.valid_to is null or ${u}.valid_to > ${`${year}-01-01`}::date)`;
  const hasTotal = sql`exists(select 1 from households.unit_totals t where t.unit_id = u.id and t.year = ${year})`;
  const hasChildren = sql`exists(select 1 from households.units c where c.parent_id = u.id and ${inYear(sql`c`)})`;
  const partial = [...new Set(ids.flatMap((id) => setsOf(id).partial))];
  const [totals, targets, waiting] = await Promise.all([
    rows<{ root: string; id: string; households: number | null; persons: number | null; missing: boolean }>(db, sql`
      with recursive counted(root, id, has_total, has_children) as (
        select u.id, u.id, ${hasTotal}, ${hasChildren} from households.units u where u.id = any(${textArray(ids)})
        union all
        select c.root, u.id, ${hasTotal}, ${hasChildren}
        from households.units u join counted c on u.parent_id = c.id
        where not c.has_total and ${inYear(sql`u`)}
      )
      select c.root, c.id, t.households, t.persons, (not c.has_total and not c.has_children) as missing
      from counted c left join households.unit_totals t on t.unit_id = c.id and t.year = ${year}
      where c.has_total or not c.has_children`),
    db.select().from(reductionTargets).where(and(inArray(reductionTargets.unitId, ids), eq(reductionTargets.year, year))),
    partial.length
      ? db.select({ unitId: households.unitId, n: sql<number>`count(*)::int` }).from(households).where(inArray(households.unitId, partial)).groupBy(households.unitId)
      : Promise.resolve([]),
  ]);
  const missingIds = [...new Set(totals.filter((t) => t.missing).map((t) => t.id))];
  const missingUnits = missingIds.length ? await db.select().from(units).where(inArray(units.id, missingIds)).orderBy(units.code) : [];
  const waitingIn = new Map(waiting.map((w) => [w.unitId, Number(w.n)]));

  return list.map((unit, i) => {
    const { end, start, moves, rolledUpHouseholds } = counts[i]!;
    const own = totals.filter((t) => t.root === unit.id);
    const missing = new Set(own.filter((t) => t.missing).map((t) => t.id));
    const unitsWithoutTotals = missingUnits.filter((u) => missing.has(u.id));
    const complete = unitsWithoutTotals.length === 0 && own.length > 0;
    const totalHouseholds = complete ? own.reduce((n, t) => n + Number(t.households ?? 0), 0) : null;
    const totalPersons = complete ? own.reduce((n, t) => n + Number(t.persons ?? 0), 0) : null;
    const target = targets.find((t) => t.unitId === unit.id);
    const poorReduction = start.poorHouseholds - end.poorHouseholds;
    const nearPoorReduction = start.nearPoorHouseholds - end.nearPoorHouseholds;
    const poorTarget = target?.poorHouseholds ?? null;
    const nearPoorTarget = target?.nearPoorHouseholds ?? null;
    return {
      unit, standard, ...end, suppressed: [],
      totalHouseholds, totalPersons, unitsWithoutTotals,
      poorRate: percent(end.poorHouseholds, totalHouseholds), nearPoorRate: percent(end.nearPoorHouseholds, totalHouseholds),
      start, transitions: moves, poorReduction, nearPoorReduction,
      poorReductionTarget: poorTarget, nearPoorReductionTarget: nearPoorTarget,
      poorTargetAchievement: poorTarget ? percent(poorReduction, poorTarget) : null,
      nearPoorTargetAchievement: nearPoorTarget ? percent(nearPoorReduction, nearPoorTarget) : null,
      rolledUpHouseholds, awaitingReassignment: setsOf(unit.id).partial.reduce((n, u) => n + (waitingIn.get(u) ?? 0), 0),
    };
  });
}

/** One unit's figures for a review year (`areaStatisticsOf` of one unit). */
export async function areaStatistics(db: HouseholdsDb, unit: UnitModel, year: number, standard: LoadedStandard | null, cache: UnitCountsCache = new Map()): Promise<AreaStatisticsModel> {
  return (await areaStatisticsOf(db, [unit], year, standard, cache))[0]!;
}
