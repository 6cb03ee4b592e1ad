import { asc } from 'drizzle-orm';
import { today } from '@ansinh/scalars';
import { accessLogResolvers, badInput, callerSeesSensitive, callerSeesSmallCells, GAP_KINDS, hiddenInTree, oncePerProvince, reportUnit, SMALL_CELL, requireClosedYear, requireIndividuals, suppressGroup, type Hidden } from '@ansinh/server';
import { orNull, rootUnit } from '@ansinh/db';
import { accessLog, lenders } from '../db/schema.js';
import { entrustingOrganisation, gapKind, loanProgramme, loanStatus, loanTransactionKind } from '../db/enums.js';
import type { Context, GapRef } from '../context.js';
import type { LoanModel } from '../db/schema.js';
import type { Resolvers } from '../generated/graphql.js';
import { GAP_MEASURES, gapCounts, gapTree, householdGaps } from './gaps.js';
import { mutations } from './mutations.js';
import { CREDIT_MEASURES, creditStatistics, creditTree, type CreditMeasure, type ProgrammeCreditModel } from './statistics.js';

/**
 * Loan amounts and status are sensitive (docs/security.md): null unless the caller's role needs them; each
 * unmasked read is logged once per request.
 */
function sensitive<K extends 'principal' | 'outstanding' | 'overdue' | 'status'>(loan: LoanModel, field: K, ctx: Context): LoanModel[K] | null {
  if (!callerSeesSensitive(ctx.caller, 'credit')) return null;
  ctx.access.record('Loan', loan.id, field, loan.householdId);
  return loan[field];
}

/**
 * ANALYST: a programme's figures are withheld with the count of households they cover (packages/server
 * suppression.ts), each count decided in the group of the unit's parent and the units below it (`hiddenInTree`), so a
 * ward asked for alone is withheld exactly as in its district's list.
 */
function suppressProgramme(hidden: Partial<Record<CreditMeasure, Hidden>>, p: ProgrammeCreditModel): ProgrammeCreditModel {
  const key = p.programme ?? 'povertyReduction';
  let out = p;
  if (hidden[`${key}.borrowers`]) {
    out = { ...out, borrowers: null, loans: null, outstanding: null, overdue: null, overdueRatio: null, averagePerBorrower: null };
  }
  if (p.disbursedHouseholds !== null && hidden[`${key}.disbursedHouseholds`]) {
    out = { ...out, disbursedHouseholds: null, disbursedLoans: null, disbursedAmount: null };
  }
  return out;
}

/** Loans still owed on: current or past due. */
const OPEN = new Set(['ACTIVE', 'OVERDUE']);

/** The three GapStatistics fields share one computation per representation. */
const counted = new WeakMap<GapRef, ReturnType<typeof gapCounts>>();

export const resolvers: Resolvers = {
  Query: {
    loan: (_, { id }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.loan.load(id); },
    loanByCode: (_, { code }, ctx) => { requireIndividuals(ctx.caller); return ctx.loaders.loanByCode.load(code.trim()); },
    lenders: (_, __, ctx) => ctx.db.select().from(lenders).orderBy(asc(lenders.code)),
    interestRates: async (_, { on }, ctx) => {
      const day = on ?? today();
      const all = await ctx.db.query.interestRates.findMany({ orderBy: (r, { desc }) => [desc(r.validFrom)] });
      const seen = new Set<string>();
      return all.filter((r) => r.validFrom <= day && !seen.has(`${r.programme}|${r.lender}`) && seen.add(`${r.programme}|${r.lender}`));
    },
    creditStatistics: async (_, { unitCode, on, since, lender }, ctx) => {
      if (since && since > on) throw badInput(`"since" (${since}) must not be after "on" (${on})`, 'since');
      // ANALYST: whole calendar years that are over, so no two windows differ by one day's loans (docs/security.md)
      requireClosedYear(ctx.caller, today(), { name: 'on', value: on }, { name: 'since', value: since });
      const unit = await reportUnit(ctx.db, 'credit', unitCode, on);
      const stats = await creditStatistics(ctx.db, unit.id, on, since ?? null, lender ?? null);
      if (callerSeesSmallCells(ctx.caller)) return stats;
      const hidden = await hiddenInTree(await creditTree(ctx.db, unit.id, on, since ?? null, lender ?? null), CREDIT_MEASURES, unit.id);
      return { ...stats, programmes: stats.programmes.map((p) => suppressProgramme(hidden, p)), povertyReduction: suppressProgramme(hidden, stats.povertyReduction) };
    },
    gapStatistics: async (_, { unitCode, on }, ctx) => {
      requireClosedYear(ctx.caller, today(), { name: 'on', value: on });
      const unit = await reportUnit(ctx.db, 'credit', unitCode, on);
      return { unitId: unit.id, on };
    },
  },
  Mutation: mutations,
  AccessLog: accessLogResolvers('credit', accessLog),
  Loan: {
    __resolveReference: (ref, ctx) => ctx.loaders.loan.load(ref.id),
    programme: (l) => loanProgramme(l.programme),
    principal: (l, _, ctx) => sensitive(l, 'principal', ctx),
    outstanding: (l, _, ctx) => sensitive(l, 'outstanding', ctx),
    overdue: (l, _, ctx) => sensitive(l, 'overdue', ctx),
    status: (l, _, ctx) => orNull(loanStatus)(sensitive(l, 'status', ctx)),
    entrustingOrganisation: (l) => orNull(entrustingOrganisation)(l.entrustingOrganisation),
    savingsGroup: (l, _, ctx) => (l.savingsGroupId ? ctx.loaders.savingsGroup.load(l.savingsGroupId) : null),
    annualRate: async (l, _, ctx) => {
      const rate = await ctx.loaders.rateOn.load(`${l.programme}|${l.lender}|${l.disbursedOn}`);
      return rate ? Number(rate.annualRate) : null;
    },
    transactions: (l, _, ctx) => {
      if (!callerSeesSensitive(ctx.caller, 'credit')) return [];
      ctx.access.record('Loan', l.id, 'transactions', l.householdId);
      return ctx.loaders.transactionsOfLoan.load(l.id);
    },
    household: (l) => ({ id: l.householdId }),
    borrower: (l) => ({ id: l.borrowerMemberId }),
    area: (l, _, ctx) => ctx.loaders.householdArea.load(l.householdId),
  },
  LoanTransaction: {
    kind: (t) => loanTransactionKind(t.kind),
    on: (t) => t.occurredOn,
  },
  SavingsGroup: {
    entrustingOrganisation: (g) => entrustingOrganisation(g.entrustingOrganisation),
    unit: (g) => ({ id: g.unitId }),
  },
  Lender: {
    id: (l) => l.code,
  },
  InterestRate: {
    id: (r) => `${r.programme}:${r.lender}:${r.validFrom}`,
    programme: (r) => loanProgramme(r.programme),
    annualRate: (r) => Number(r.annualRate),
  },
  ProgrammeCredit: {
    programme: (p) => orNull(loanProgramme)(p.programme),
  },
  Member: {
    __resolveReference: (ref) => ref,
    loans: (m, _, ctx) => ctx.loaders.loansOfBorrower.load(m.id),
  },
  Household: {
    // the households subgraph owns the household; here it is its key, plus what supportGaps @requires
    __resolveReference: (ref) => ref,
    loans: (h, _, ctx) => ctx.loaders.loansOfHousehold.load(h.id),
    creditSummary: async (h, _, ctx) => {
      // derived from the loans' status and amounts: sensitive like them
      if (!callerSeesSensitive(ctx.caller, 'credit')) return { activeLoans: null, outstanding: null };
      ctx.access.record('Household', h.id, 'creditSummary', h.id);
      const open = (await ctx.loaders.loansOfHousehold.load(h.id)).filter((l) => OPEN.has(l.status));
      return { activeLoans: open.length, outstanding: open.reduce((sum, l) => sum + l.outstanding, 0) };
    },
    supportGaps: async (h, { on }, ctx) => householdGaps(h, await ctx.loaders.loansOfHousehold.load(h.id), on ?? today()),
  },
  GapStatistics: {
    __resolveReference: (ref) => ref,
    unit: (g) => ({ id: g.unitId }),
    households: async (g, _, ctx) => (await gapView(g, ctx)).households,
    householdsWithGaps: async (g, _, ctx) => (await gapView(g, ctx)).withGaps,
    byKind: async (g, _, ctx) => (await gapView(g, ctx)).byKind.map((k) => ({ ...k, kind: gapKind(k.kind) })),
  },
};

/**
 * The gap counts as the caller may see them (packages/server suppression.ts): ANALYST gets each count decided in the
 * group of the unit's parent and the units below it (`hiddenInTree`, over the counts of every unit of the tree:
 * gapTree), so a ward is withheld alike alone or beside its district; the households with gaps are a part of the
 * households counted, so a small remainder (the households without a gap) withholds them too; a withheld total
 * withholds every count under it.
 */
async function gapView(g: GapRef, ctx: Context) {
  if (callerSeesSmallCells(ctx.caller)) return count(g, ctx.db);
  // the province's tree holds every unit in force on the date; a unit asked for after its end is not in it, but its
  // own tree (the same candidates: its province's) is
  let tree = await treeOf(g, ctx);
  if (!(await tree.figures(g.unitId))) tree = await gapTree(ctx.db, g, await rootUnit(ctx.db, 'credit', g.unitId));
  const c = await tree.figures(g.unitId);
  const inTree = await hiddenInTree(tree, GAP_MEASURES, g.unitId);
  const totalHidden = inTree.households !== undefined;
  const forced = new Map(inTree.withGaps ? [['withGaps', inTree.withGaps] as const] : []);
  const withGaps = suppressGroup(c.households!, [{ key: 'withGaps', value: c.withGaps! }], totalHidden, SMALL_CELL, forced).has('withGaps');
  return {
    households: totalHidden ? null : c.households!,
    withGaps: withGaps ? null : c.withGaps!,
    byKind: GAP_KINDS.map((kind) => ({ kind, households: totalHidden || inTree[`kind.${kind}`] ? null : c[`kind.${kind}`]! })),
  };
}

function count(g: GapRef, db: Parameters<typeof gapCounts>[0]) {
  let c = counted.get(g);
  if (!c) counted.set(g, (c = gapCounts(db, g)));
  return c;
}

/** The counts of every unit of the province, from the flags health and housing send for its candidates: once per request. */
function treeOf(g: GapRef, ctx: Context) {
  return oncePerProvince(ctx.loaders, ctx.db, 'credit', `gaps|${g.on}`, g.unitId, (root) => gapTree(ctx.db, { ...g, unitId: root }, root));
}
