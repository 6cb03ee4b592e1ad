/** Poverty standards and classification. */
import { asc } from 'drizzle-orm';
import { today } from '@ansinh/scalars';
import { badInput } from '@ansinh/server';
import { povertyStandards } from '../db/schema.js';
import { unitOn } from '../db/units.js';
import { areaType, incomePeriod } from '../db/enums.js';
import { classify } from '../domain/classify.js';
import { applicableStandards, describeRule, requireStandard } from '../domain/standards.js';
import type { Resolvers } from '../generated/graphql.js';

export const standardResolvers: Resolvers = {
  Query: {
    povertyStandards: (_, __, ctx) => ctx.db.select().from(povertyStandards).orderBy(asc(povertyStandards.validFrom), asc(povertyStandards.code)),
    povertyStandard: (_, { code }, ctx) => ctx.loaders.standard.load(code.trim()),
    applicableStandards: async (_, { unitCode, on }, ctx) => {
      const date = on ?? today();
      const unit = await unitOn(ctx.db, unitCode, date);
      if (!unit) throw badInput(`No administrative unit with the code "${unitCode}" was in force on ${date}`, 'unitCode');
      return applicableStandards(ctx, unit.id, date);
    },
    classify: async (_, { input }, ctx) => {
      const loaded = await requireStandard(ctx, input.standard, 'input.standard');
      const result = classify(loaded, {
        areaType: input.areaType, incomePerCapita: input.incomePerCapita, incomePeriod: input.incomePeriod,
        deprivedIndicators: input.deprivedIndicators ?? [],
      });
      return result;
    },
  },
  Classification: {
    status: (c) => c.status,
    standard: async (c, _, ctx) => (await ctx.loaders.standard.load(c.standardCode))!,
  },
  PovertyStandard: {
    __resolveReference: (ref, ctx) => ctx.loaders.standard.load(ref.code),
    id: (s) => s.code,
    jurisdiction: async (s, _, ctx) => {
      if (!s.jurisdiction) return null;
      return (await unitOn(ctx.db, s.jurisdiction, s.validFrom)) ?? null;
    },
    incomePeriod: (s) => incomePeriod(s.incomePeriod),
    lines: async (s, _, ctx) => ((await ctx.loaders.loadedStandard.load(s.code))?.lines ?? []).map((l) => ({ ...l, areaType: areaType(l.areaType) })),
    indicators: async (s, _, ctx) => (await ctx.loaders.loadedStandard.load(s.code))?.indicators ?? [],
    dimensions: async (s, _, ctx) => {
      const indicators = (await ctx.loaders.loadedStandard.load(s.code))?.indicators ?? [];
      const dims = new Map<string, { id: string; code: string; name: string; indicators: typeof indicators }>();
      for (const i of indicators) {
        if (!dims.has(i.dimensionCode)) dims.set(i.dimensionCode, { id: `${s.code}:${i.dimensionCode}`, code: i.dimensionCode, name: i.dimensionName, indicators: [] });
        dims.get(i.dimensionCode)!.indicators.push(i);
      }
      return [...dims.values()];
    },
    ruleDescription: (s) => describeRule(s),
  },
  PovertyIndicator: {
    id: (i) => `${i.standardCode}:${i.code}`,
  },
};
