import { accessLogResolvers, badInput, callerSeesSensitive, callerSeesSmallCells, maskIdentifier, oncePerProvince, reportUnit, requireClosedYear, requireIndividuals } from '@ansinh/server';
import { today } from '@ansinh/scalars';
import type { Resolvers } from '../generated/graphql.js';
import { orNull } from '@ansinh/db';
import { beneficiaryGroup, funder, supportScheme } from '../db/enums.js';
import { mutations } from './mutations.js';
import { healthGaps } from './gaps.js';
import { cardTree, coverage, healthStatistics, suppressSmallCells } from './statistics.js';
import { accessLog } from '../db/schema.js';

const validOn = (day: string) => (c: { validFrom: string; validTo: string }) => c.validFrom <= day && day <= c.validTo;

export const resolvers: Resolvers = {
  Query: {
    insuranceCard: (_, { id }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.card.load(id); },
    supportRules: async (_, { on }, ctx) => {
      const day = on ?? today();
      const all = await ctx.db.query.supportRules.findMany({ orderBy: (r, { asc }) => [asc(r.scheme), asc(r.beneficiaryGroup), asc(r.jurisdiction), asc(r.funder)] });
      return all.filter((r) => r.validFrom <= day && (!r.validTo || r.validTo >= day));
    },
    healthStatistics: async (_, { unitCode, on }, ctx) => {
      // ANALYST: the last day of a year that is over, so no two days' figures differ by one card (docs/security.md)
      requireClosedYear(ctx.caller, today(), { name: 'on', value: on });
      const unit = await reportUnit(ctx.db, 'health', unitCode, on);
      // an aggregate: every role may read it; ANALYST gets counts under SMALL_CELL withheld
      return suppressSmallCells(ctx.caller, await healthStatistics(ctx.db, unit.id, on), () => cardTree(ctx.db, unit.id, on));
    },
  },
  Mutation: mutations,
  InsuranceCard: {
    __resolveReference: (ref, ctx) => ctx.loaders.card.load(ref.id),
    beneficiaryGroup: (c) => beneficiaryGroup(c.beneficiaryGroup),
    // the card number is sensitive (docs/security.md): masked unless the role needs it; unmasked reads are logged
    cardNumber: (c, _, ctx) => {
      if (!callerSeesSensitive(ctx.caller, 'health')) return maskIdentifier(c.cardNumber)!;
      ctx.access.record('InsuranceCard', c.id, 'cardNumber', c.householdId);
      return c.cardNumber;
    },
    supportLayers: (c, _, ctx) => ctx.loaders.layersOfCard.load(c.id),
    ownContribution: async (c, _, ctx) => c.premium - (await ctx.loaders.layersOfCard.load(c.id)).reduce((s, l) => s + l.amount, 0),
    member: (c) => ({ id: c.memberId }),
    household: (c) => ({ id: c.householdId }),
    area: (c, _, ctx) => ctx.loaders.householdArea.load(c.householdId),
  },
  SupportLayer: {
    funder: (l) => funder(l.funder),
    percent: (l) => Number(l.percent),
  },
  SupportRule: {
    scheme: (r) => supportScheme(r.scheme),
    beneficiaryGroup: (r) => beneficiaryGroup(r.beneficiaryGroup),
    funder: (r) => funder(r.funder),
    percent: (r) => Number(r.percent),
  },
  VoluntaryContribution: {
    beneficiaryGroup: (c) => beneficiaryGroup(c.beneficiaryGroup),
    supportLayers: (c, _, ctx) => ctx.loaders.layersOfContribution.load(c.id),
  },
  AccessLog: accessLogResolvers('health', accessLog),
  GroupCards: {
    beneficiaryGroup: (g) => orNull(beneficiaryGroup)(g.beneficiaryGroup),
    byFunder: (g) => g.byFunder?.map((f) => ({ ...f, funder: funder(f.funder) })) ?? null,
  },
  Member: {
    // the households subgraph owns the member; here it is just its key
    __resolveReference: (ref) => ({ id: ref.id }),
    insuranceCards: (m, _, ctx) => ctx.loaders.cardsOfMember.load(m.id),
    activeCard: async (m, { on }, ctx) => (await ctx.loaders.cardsOfMember.load(m.id)).find(validOn(on ?? today())) ?? null,
    voluntarySocialInsurance: (m, _, ctx) => ctx.loaders.contributionsOfMember.load(m.id),
  },
  Household: {
    // the representation: its id, and `members: [{ id }]` when healthCoverage is asked (@requires)
    __resolveReference: (ref) => ref,
    healthCoverage: async (h, { on }, ctx) => {
      if (!Array.isArray(h.members)) {
        throw badInput('healthCoverage needs the household\'s members { id } in the representation (@requires); ask it through the gateway');
      }
      const day = on ?? today();
      const cards = await Promise.all(h.members.map((m) => ctx.loaders.cardsOfMember.load(m.id)));
      const covered = cards.filter((own) => own.some(validOn(day))).length;
      return { on: day, coveredMembers: covered, totalMembers: h.members.length };
    },
  },
  HealthStatistics: {
    coverage: (stats, _, ctx) => coverage(ctx.db, ctx.caller, stats.unitId, stats.on),
  },
  GapStatistics: {
    __resolveReference: (ref) => ref,
    healthGaps: (g, _, ctx) => (callerSeesSmallCells(ctx.caller) ? healthGaps(ctx.db, g.unitId, g.on)
      // ANALYST: the flags of the whole province's candidates, for every unit's counts (credit's gapTree)
      : oncePerProvince(ctx.loaders, ctx.db, 'health', `gaps|${g.on}`, g.unitId, (root) => healthGaps(ctx.db, root, g.on))),
  },
};
