import DataLoader from 'dataloader';
import { and, asc, count, gt, sql, type SQL } from 'drizzle-orm';
import { countingScope, hierarchy } from '@ansinh/db';
import { accessLogResolvers, accessLogSince, anyOf, badInput, callerSeesSensitive, callerSeesSmallCells, hiddenInTree, requireClosedReviewYear, type Hidden, type UnitTree, decodeCursor, encodeCursor, maskIdentifier, pageSize, requireIndividuals } from '@ansinh/server';
import { householdReadable } from '../access.js';
import { today, toIsoDate } from '@ansinh/scalars';
import { accessLog, households, type UnitModel } from '../db/schema.js';
import { areaType, assessmentKind, gender, incomePeriod, linkCoverage, povertyStatus, relationToHead, unitKind } from '../db/enums.js';
import { inForce, latestUnit, unitOn } from '../db/units.js';
import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { classify } from '../domain/classify.js';
import { requireStandard } from '../domain/standards.js';
import { statusHistory, transitions } from '../domain/transitions.js';
import { mutationResolvers } from './mutations.js';
import { searchResolvers } from './search.js';
import { standardResolvers } from './standards.js';
import { AREA_FIGURES, AREA_MEASURES, areaMeasures, areaStatisticsOf, withholdFigures, type AreaMeasure, type AreaStatisticsModel, type AreaStatisticsRef } from './statistics.js';

/** The last day a unit's children are listed for in a review year's report (the unit's last day if it ended). */
const childDate = (u: UnitModel, year: number) => (u.validTo && u.validTo <= `${year}-12-31`
  ? new Date(Date.parse(u.validTo) - 86_400_000).toISOString().slice(0, 10) : `${year}-12-31`);

/**
 * A request's exact reports of a year and standard: each computed once per request, when first asked for; the
 * reports asked for together (an ANALYST's tree) are computed in one batch (areaStatisticsOf).
 */
function exactReports(year: number, standard: AreaStatisticsRef['standard'], ctx: Context): DataLoader<UnitModel, AreaStatisticsModel, string> {
  const key = `${year}|${standard?.standard.code ?? ''}`;
  let batch = ctx.loaders.areaReports.get(key);
  if (!batch) {
    batch = new DataLoader((list: readonly UnitModel[]) => areaStatisticsOf(ctx.db, list, year, standard, ctx.loaders.areaUnitCounts), { cacheKeyFn: (u) => u.id });
    ctx.loaders.areaReports.set(key, batch);
  }
  return batch;
}

/** Per request and report (year, standard): each unit's withheld measures, decided once (packages/server hiddenInTree). */
const decided = new WeakMap<object, Map<string, Map<string, Promise<Partial<Record<AreaMeasure, Hidden>>>>>>();

/**
 * The figures of a unit's report as the caller may see them. ANALYST: small-cell protection (docs/security.md),
 * each measure decided in the group of the unit's parent and its children, so a ward withheld in its district's
 * list is withheld alike when asked for alone, and a district less its published wards gives nothing away.
 */
function figures(s: AreaStatisticsRef, ctx: Context): Promise<AreaStatisticsModel> {
  const reports = exactReports(s.year, s.standard, ctx);
  if (callerSeesSmallCells(ctx.caller)) return reports.load(s.unit);
  const key = `seen|${s.unit.id}|${s.year}|${s.standard?.standard.code ?? ''}`;
  let found = ctx.loaders.areaStatistics.get(key);
  if (found) return found;
  const report = `${s.year}|${s.standard?.standard.code ?? ''}`;
  const byReport = decided.get(ctx.loaders) ?? decided.set(ctx.loaders, new Map()).get(ctx.loaders)!;
  const memo = byReport.get(report) ?? byReport.set(report, new Map()).get(report)!;
  const load = async (id: string) => (await ctx.loaders.unit.load(id))!;
  const tree: UnitTree<AreaMeasure> = {
    parentOf: async (id) => (await load(id)).parentId ?? null,
    childrenOf: async (id) => {
      const date = childDate(await load(id), s.year);
      return (await ctx.loaders.childUnits.load(id)).filter((c) => inForce(c, date)).map((c) => c.id);
    },
    figures: async (id) => areaMeasures(await reports.load(await load(id))),
  };
  found = (async () => {
    // every report the rules will look at (the unit, each unit above it and their children), asked for in one batch:
    // the rules walk the tree a level at a time, which would make a batch of each level
    const nodes = [s.unit.id];
    for (let id = s.unit.id, up = await tree.parentOf(id); up !== null; id = up, up = await tree.parentOf(id)) nodes.push(up, ...await tree.childrenOf(up));
    await reports.loadMany(await Promise.all([...new Set(nodes)].map(load)));
    return withholdFigures(await reports.load(s.unit), await hiddenInTree(tree, AREA_MEASURES, s.unit.id, memo));
  })();
  ctx.loaders.areaStatistics.set(key, found);
  return found;
}

/**
 * Households whose unit is `unit` or below it, or (for a post-2025 unit) in an old unit linked to it in full
 * (packages/db unitScope, worked out from the unit lists in memory: the recursive statement cost 10 ms of a
 * 50-household page at 1M), optionally with a current status.
 */
async function householdFilter(ctx: Context, unit: UnitModel, status: string | null | undefined): Promise<SQL> {
  const area = anyOf(households.unitId, countingScope(await hierarchy(ctx.db, 'households'), [unit.id]));
  if (!status) return area;
  return and(area, sql`(
    select a.status from households.assessments a where a.household_id = ${households.id}
    order by a.review_year desc, a.assessed_on desc, a.id desc limit 1) = ${status}`)!;
}

async function knownUnit(ctx: Context, code: string): Promise<UnitModel> {
  const unit = await latestUnit(ctx.db, code);
  if (!unit) throw badInput(`No administrative unit has the code "${code}"`, 'unitCode');
  return unit;
}

export const resolvers: Resolvers = {
  Query: {
    household: (_, { id }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.household.load(id); },
    householdByCode: (_, { code }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.householdByCode.load(code.trim()); },
    households: async (_, { unitCode, status, first, after }, ctx) => {
      requireIndividuals(ctx.caller);
      const limit = pageSize(first);
      const afterCode = decodeCursor(after);
      const unit = await knownUnit(ctx, unitCode);
      // only the households of the caller's area, whatever unit was asked for
      const where = and(await householdFilter(ctx, unit, status), await householdReadable(ctx.caller, ctx.area, households.unitId))!;
      const page = await ctx.db.select().from(households)
        .where(afterCode === undefined ? where : and(where, gt(households.code, afterCode)))
        .orderBy(asc(households.code)).limit(limit + 1);
      const nodes = page.slice(0, limit);
      for (const node of nodes) ctx.loaders.household.prime(node.id, node);
      return {
        edges: nodes.map((node) => ({ cursor: encodeCursor(node.code), node })),
        pageInfo: {
          hasNextPage: page.length > limit,
          hasPreviousPage: afterCode !== undefined,
          startCursor: nodes[0] ? encodeCursor(nodes[0].code) : null,
          endCursor: nodes.at(-1) ? encodeCursor(nodes.at(-1)!.code) : null,
        },
        // counted only when asked for
        totalCount: (async () => {
          const [row] = await ctx.db.select({ n: count() }).from(households).where(where);
          return row!.n;
        }) as unknown as number,
      };
    },
    unit: async (_, { code, on }, ctx) => {
      const date = on ?? today();
      const unit = await unitOn(ctx.db, code, date);
      return unit && { ...unit, asOf: date };
    },
    areaStatistics: async (_, { unitCode, year, standard }, ctx) => {
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput(`"year" must be a review year such as 2022, got ${year}`, 'year');
      const loaded = standard ? await requireStandard(ctx, standard, 'standard') : null;
      // the unit as it stood at the end of the review year (reviews run 1 Sep–14 Dec)
      const unit = await unitOn(ctx.db, unitCode, `${year}-12-31`) ?? await unitOn(ctx.db, unitCode, `${year}-01-01`);
      if (!unit) throw badInput(`No administrative unit with the code "${unitCode}" was in force in ${year}`, 'unitCode');
      // ANALYST: a year still open changes with each record, so two answers a day apart would differ by one household
      requireClosedReviewYear(ctx.caller, today(), year);
      return { unit, year, standard: loaded };
    },
    ...standardResolvers.Query,
    ...searchResolvers.Query,
    accessLog: (_, { since, until }, ctx) => accessLogSince(ctx.caller, since, until),
  },
  AccessLog: accessLogResolvers('households', accessLog),
  Mutation: mutationResolvers.Mutation,
  Classification: standardResolvers.Classification,
  PovertyStandard: standardResolvers.PovertyStandard,
  PovertyIndicator: standardResolvers.PovertyIndicator,
  Household: {
    __resolveReference: (ref, ctx) => ctx.loaders.household.load(ref.id),
    unit: async (h, _, ctx) => (await ctx.loaders.unit.load(h.unitId))!,
    areaType: (h) => areaType(h.areaType),
    head: async (h, _, ctx) => (await ctx.loaders.membersOfHousehold.load(h.id)).find((m) => m.relationToHead === 'HEAD') ?? null,
    members: (h, _, ctx) => ctx.loaders.membersOfHousehold.load(h.id),
    currentStatus: (h, _, ctx) => ctx.loaders.latestAssessment.load(h.id),
    statusHistory: async (h, _, ctx) => statusHistory(await ctx.loaders.assessmentsOfHousehold.load(h.id)),
    assessments: (h, _, ctx) => ctx.loaders.assessmentsOfHousehold.load(h.id),
    transitions: async (h, _, ctx) => transitions(statusHistory(await ctx.loaders.assessmentsOfHousehold.load(h.id))),
    newlyEscapedUntil: async (h, { on }, ctx) => {
      const date = on ? toIsoDate(on) : today();
      const escapes = transitions(statusHistory(await ctx.loaders.assessmentsOfHousehold.load(h.id)))
        .filter((t) => t.supportEndsOn && t.on <= date);
      const last = escapes.at(-1);
      return last && last.supportEndsOn! >= date ? last.supportEndsOn : null;
    },
    unitChanges: (h, _, ctx) => ctx.loaders.unitChangesOfHousehold.load(h.id),
  },
  HouseholdStatus: {
    status: (a) => povertyStatus(a.status),
    standard: async (a, _, ctx) => (await ctx.loaders.standard.load(a.standardCode))!,
    year: (a) => a.reviewYear,
    deprivedIndicators: (a) => a.deprivedIndicators,
    assessment: (a) => a,
  },
  Assessment: {
    __resolveReference: (ref, ctx) => ctx.loaders.assessment.load(ref.id),
    household: async (a, _, ctx) => (await ctx.loaders.household.load(a.householdId))!,
    kind: (a) => assessmentKind(a.kind),
    status: (a) => povertyStatus(a.status),
    incomePeriod: (a) => incomePeriod(a.incomePeriod),
    standard: async (a, _, ctx) => (await ctx.loaders.standard.load(a.standardCode))!,
    unit: async (a, _, ctx) => (await ctx.loaders.unit.load(a.unitId ?? (await ctx.loaders.household.load(a.householdId))!.unitId))!,
    reasons: async (a, _, ctx) => {
      const loaded = await requireStandard(ctx, a.standardCode, 'standard');
      const household = (await ctx.loaders.household.load(a.householdId))!;
      return classify(loaded, {
        areaType: household.areaType, incomePerCapita: a.incomePerCapita, incomePeriod: incomePeriod(a.incomePeriod),
        deprivedIndicators: a.deprivedIndicators,
      }).reasons;
    },
  },
  UnitChange: {
    from: async (c, _, ctx) => (await ctx.loaders.unit.load(c.fromUnitId))!,
    to: async (c, _, ctx) => (await ctx.loaders.unit.load(c.toUnitId))!,
  },
  Member: {
    __resolveReference: (ref, ctx) => ctx.loaders.member.load(ref.id),
    gender: (m) => gender(m.gender),
    relationToHead: (m) => relationToHead(m.relationToHead),
    household: async (m, _, ctx) => (await ctx.loaders.household.load(m.householdId))!,
    // sensitive (docs/security.md): masked unless the role needs them; every unmasked read is logged
    nationalId: (m, _, ctx) => {
      if (!callerSeesSensitive(ctx.caller, 'households')) return maskIdentifier(m.nationalId);
      ctx.access.record('Member', m.id, 'nationalId', m.householdId);
      return m.nationalId;
    },
    ethnicity: (m, _, ctx) => {
      if (!callerSeesSensitive(ctx.caller, 'households')) return null;
      ctx.access.record('Member', m.id, 'ethnicity', m.householdId);
      return m.ethnicity;
    },
  },
  AdministrativeUnit: {
    __resolveReference: (ref, ctx) => ctx.loaders.unit.load(ref.id),
    kind: (u) => unitKind(u.kind.toUpperCase()),
    parent: (u, _, ctx) => (u.parentId ? ctx.loaders.unit.load(u.parentId) : null),
    children: async (u, { on }, ctx) => {
      // by default, as of the date the unit was looked up for, else its last day in force, else today
      const date = on ? toIsoDate(on) : u.asOf ?? (u.validTo ? new Date(Date.parse(u.validTo) - 86_400_000).toISOString().slice(0, 10) : today());
      return (await ctx.loaders.childUnits.load(u.id)).filter((c) => inForce(c, date)).map((c) => ({ ...c, asOf: date }));
    },
    successors: async (u, _, ctx) => Promise.all((await ctx.loaders.successors.load(u.id)).map(async (l) => ({
      unit: (await ctx.loaders.unit.load(l.newUnitId))!, coverage: linkCoverage(l.coverage.toUpperCase()),
    }))),
    predecessors: async (u, _, ctx) => Promise.all((await ctx.loaders.predecessors.load(u.id)).map(async (l) => ({
      unit: (await ctx.loaders.unit.load(l.oldUnitId))!, coverage: linkCoverage(l.coverage.toUpperCase()),
    }))),
  },
  AreaStatistics: {
    // a child's figures are computed only when one of them is asked for (`children { unit { name } }` costs nothing)
    ...Object.fromEntries(AREA_FIGURES.map((field) => [field, async (s: AreaStatisticsRef, _: unknown, ctx: Context) => (await figures(s, ctx))[field]])),
    standard: (s) => s.standard?.standard ?? null,
    totalsComplete: async (s, _, ctx) => (await figures(s, ctx)).unitsWithoutTotals.length === 0,
    children: async (s, _, ctx) => {
      const date = childDate(s.unit, s.year);
      const children = (await ctx.loaders.childUnits.load(s.unit.id)).filter((c) => inForce(c, date));
      return children.map((c): AreaStatisticsRef => ({ unit: c, year: s.year, standard: s.standard }));
    },
  },
  HouseholdConnection: {
    totalCount: (c) => (typeof c.totalCount === 'function' ? (c.totalCount as () => Promise<number>)() : c.totalCount),
  },
};
