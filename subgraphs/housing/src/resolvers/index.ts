import { asc } from 'drizzle-orm';
import { accessLogResolvers, badInput, callerSeesSmallCells, oncePerProvince, reportUnit, requireClosedYear, requireIndividuals } from '@ansinh/server';
import { today } from '@ansinh/scalars';
import { accessLog, programmes } from '../db/schema.js';
import type { Resolvers } from '../generated/graphql.js';
import { fundingSource, housingProgrammeKind, housingSupportKind, housingSupportStatus } from '../db/enums.js';
import { mutations } from './mutations.js';
import { housingGaps } from './gaps.js';
import { housingStatistics, housingTree, suppressSmallCells } from './statistics.js';

export const resolvers: Resolvers = {
  Query: {
    housingSupport: (_, { id }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.support.load(id); },
    housingProgrammes: (_, __, ctx) => ctx.db.select().from(programmes).orderBy(asc(programmes.code)),
    housingStatistics: async (_, { unitCode, from, to }, ctx) => {
      if (from > to) throw badInput(`"from" (${from}) must not be after "to" (${to})`, 'from');
      // ANALYST: whole calendar years that are over, so no two periods differ by one day's houses (docs/security.md)
      requireClosedYear(ctx.caller, today(), { name: 'to', value: to }, { name: 'from', value: from });
      const unit = await reportUnit(ctx.db, 'housing', unitCode, to);
      // an aggregate: every role may read it; ANALYST gets counts under SMALL_CELL withheld
      return suppressSmallCells(ctx.caller, await housingStatistics(ctx.db, unit.id, from, to), () => housingTree(ctx.db, unit.id, from, to));
    },
  },
  Mutation: mutations,
  AccessLog: accessLogResolvers('housing', accessLog),
  HousingSupport: {
    __resolveReference: (ref, ctx) => ctx.loaders.support.load(ref.id),
    kind: (s) => housingSupportKind(s.kind),
    status: (s) => housingSupportStatus(s.status),
    programme: async (s, _, ctx) => (await ctx.loaders.programme.load(s.programme))!,
    // what was paid for a household's house, and by whom: logged like the other programmes' sensitive reads
    fundingLines: (s, _, ctx) => {
      ctx.access.record('HousingSupport', s.id, 'fundingLines', s.householdId);
      return ctx.loaders.fundingLinesOfSupport.load(s.id);
    },
    householdContribution: async (s, _, ctx) => {
      ctx.access.record('HousingSupport', s.id, 'householdContribution', s.householdId);
      return (await ctx.loaders.fundingLinesOfSupport.load(s.id)).filter((f) => f.source === 'HOUSEHOLD').reduce((sum, f) => sum + f.amount, 0);
    },
    household: (s) => ({ id: s.householdId }),
    area: (s, _, ctx) => ctx.loaders.householdArea.load(s.householdId),
  },
  HousingProgramme: {
    id: (p) => p.code,
    kind: (p) => housingProgrammeKind(p.kind),
  },
  FundingLine: {
    source: (f) => fundingSource(f.source),
  },
  FundingTotal: {
    source: (f) => fundingSource(f.source),
  },
  HousingStatistics: {
    byKind: (s) => s.byKind.map((k) => ({ ...k, kind: housingSupportKind(k.kind) })),
    byStatus: (s) => s.byStatus.map((k) => ({ ...k, status: housingSupportStatus(k.status) })),
  },
  Household: {
    // the households subgraph owns the household; here it is just its key
    __resolveReference: (ref) => ({ id: ref.id }),
    housingSupports: (h, _, ctx) => ctx.loaders.supportsOfHousehold.load(h.id),
  },
  GapStatistics: {
    __resolveReference: (ref) => ref,
    housingGaps: (g, _, ctx) => (callerSeesSmallCells(ctx.caller) ? housingGaps(ctx.db, g.unitId, g.on)
      // ANALYST: the flags of the whole province's candidates, for every unit's counts (credit's gapTree)
      : oncePerProvince(ctx.loaders, ctx.db, 'housing', `gaps|${g.on}`, g.unitId, (root) => housingGaps(ctx.db, root, g.on))),
  },
};
