/** Writes: recording a review, re-assigning a household. Each is one transaction; bad input writes nothing. */
import { eq, sql } from 'drizzle-orm';
import { HOUSEHOLD_UNIT_KINDS } from '@ansinh/db';
import { unitInArea } from '../access.js';
import { publishRegistry } from '../domain/registry.js';
import { GraphQLError } from 'graphql';
import { toIsoDate } from '@ansinh/scalars';
import { badInput, forbidden, replayOf, withIdempotencyKey } from '@ansinh/server';
import type { Context } from '../context.js';
import { assessments, householdUnitChanges, households, members, type AssessmentModel, type HouseholdModel } from '../db/schema.js';
import { inForce, unitOn } from '../db/units.js';
import { classify } from '../domain/classify.js';
import { applicableStandards, requireStandard } from '../domain/standards.js';
import type { Resolvers } from '../generated/graphql.js';

/** Who may write reviews and re-assignments: ward officers and city integrators in their area, and ADMIN. */
function requireRegistryWriter(ctx: Context): void {
  if (!['WARD_OFFICER', 'CITY_INTEGRATOR', 'ADMIN'].includes(ctx.caller.role)) {
    throw forbidden(`A ${ctx.caller.role} may not change the registry`);
  }
}

/** The household, if it is in the caller's area (the loader filters by area). */
async function requireHousehold(ctx: Context, code: string): Promise<HouseholdModel> {
  requireRegistryWriter(ctx);
  const household = await ctx.loaders.householdByCode.load(code.trim());
  if (!household) throw badInput(`No household has the code "${code}"`, 'input.householdCode');
  return household;
}

/**
 * The household as stored now, for an answer that replays a re-assignment: this request's earlier reads of it
 * (its row, its unit changes, cached by the loaders before the first call with the key committed) are dropped,
 * so a replay answers with the unit and the unit change the first call made, like the first answer.
 */
async function householdNow(ctx: Context, household: HouseholdModel): Promise<HouseholdModel> {
  ctx.loaders.unitChangesOfHousehold.clear(household.id);
  ctx.loaders.household.clear(household.id);
  ctx.loaders.householdByCode.clear(household.code);
  // the household was found in the caller's area above; the first call moved it only within that area
  const [now] = await ctx.db.select().from(households).where(eq(households.id, household.id));
  return now!;
}

const required = (value: string, field: string) => {
  if (!value.trim()) throw badInput(`"input.${field}" must not be empty`, `input.${field}`);
  return value.trim();
};

export const mutationResolvers: Resolvers = {
  Mutation: {
    recordAssessment: async (_, { input: { idempotencyKey, ...input } }, ctx) => {
      const household = await requireHousehold(ctx, input.householdCode);
      const claim = { key: idempotencyKey, operation: 'households.recordAssessment', input };
      const replay = await replayOf<AssessmentModel>(ctx.db, 'households', claim);
      if (replay) return replay;
      const assessedOn = toIsoDate(input.assessedOn);
      const recordedBy = required(input.recordedBy, 'recordedBy');
      if (Number(assessedOn.slice(0, 4)) !== input.reviewYear) {
        throw badInput(`"input.assessedOn" ${assessedOn} is not in the review year ${input.reviewYear}`, 'input.assessedOn');
      }
      const monthDay = assessedOn.slice(5);
      if (input.kind === 'PERIODIC' && (monthDay < '09-01' || monthDay > '12-14')) {
        throw badInput(`A PERIODIC review is dated 1 September–14 December; "input.assessedOn" is ${assessedOn}`, 'input.assessedOn');
      }
      const [standard] = await applicableStandards(ctx, household.unitId, assessedOn);
      if (!standard) throw badInput(`No poverty standard is in force for household ${household.code} on ${assessedOn}`, 'input.assessedOn');
      const loaded = await requireStandard(ctx, standard.code, 'input.assessedOn');
      const result = classify(loaded, {
        areaType: household.areaType, incomePerCapita: input.incomePerCapita, incomePeriod: input.incomePeriod,
        deprivedIndicators: input.deprivedIndicators ?? [],
      });
      if (input.status && input.status !== result.status) {
        throw new GraphQLError(`"input.status" ${input.status} disagrees with the classification: ${result.reasons.explanation}`, {
          extensions: { code: 'BAD_USER_INPUT', argument: 'input.status', classification: { status: result.status, standard: result.standardCode, ...result.reasons } },
        });
      }
      return ctx.db.transaction(async (tx) => (await withIdempotencyKey(tx, 'households', claim, async () => {
        // persons as of the review: the household's members now (docs/households.md)
        const [{ n: persons }] = await tx.select({ n: sql<number>`count(*)::int` }).from(members).where(eq(members.householdId, household.id)) as [{ n: number }];
        // the business key (household, year, kind, date): another key for the same review is a conflict, not a second review
        const [row] = await tx.insert(assessments).values({
          householdId: household.id, reviewYear: input.reviewYear, kind: input.kind, assessedOn,
          standardCode: standard.code, incomePerCapita: input.incomePerCapita, incomePeriod: input.incomePeriod,
          deprivedIndicators: result.reasons.deprivedIndicators, status: result.status, recordedBy, unitId: household.unitId, persons,
        }).onConflictDoNothing().returning();
        if (!row) {
          throw new GraphQLError(`Household ${household.code} already has a ${input.kind} review dated ${assessedOn} (review year ${input.reviewYear}); correct that review instead of recording a second one`, {
            extensions: { code: 'CONFLICT', argument: 'input.assessedOn' },
          });
        }
        await publishRegistry(tx, ctx.followers, [household.id]);
        ctx.loaders.assessmentsOfHousehold.clear(household.id);
        ctx.loaders.latestAssessment.clear(household.id);
        return row;
      })).result);
    },
    reassignHousehold: async (_, { input: { idempotencyKey, ...input } }, ctx) => {
      const household = await requireHousehold(ctx, input.householdCode);
      // the stored result is the household's id: its row is read afresh (a replay answers with the household now)
      const claim = { key: idempotencyKey, operation: 'households.reassignHousehold', input };
      const replay = await replayOf<{ householdId: string }>(ctx.db, 'households', claim);
      if (replay) return householdNow(ctx, household);
      const effectiveOn = toIsoDate(input.effectiveOn);
      const recordedBy = required(input.recordedBy, 'recordedBy');
      const target = await unitOn(ctx.db, input.unitCode, effectiveOn);
      if (!target) throw badInput(`No administrative unit with the code "${input.unitCode}" is in force on ${effectiveOn}`, 'input.unitCode');
      // the household must land in the caller's area too: nobody moves a household into someone else's registry
      if (!(await unitInArea(ctx.caller, ctx.area, target.id))) throw forbidden(`${target.name} (${target.code}) is outside your area: you may re-assign households only to units of your area`);
      if (!HOUSEHOLD_UNIT_KINDS.includes(target.kind as never)) throw badInput(`${target.name} is not a ward or commune: a household belongs to a ward or commune`, 'input.unitCode');
      if (target.id === household.unitId) throw badInput(`Household ${household.code} already belongs to ${target.name} (${target.code})`, 'input.unitCode');
      const current = await ctx.loaders.unit.load(household.unitId);
      if (current && current.validFrom && current.validFrom > effectiveOn) {
        throw badInput(`"input.effectiveOn" ${effectiveOn} is before the household's current unit came into force (${current.validFrom})`, 'input.effectiveOn');
      }
      const changes = await ctx.loaders.unitChangesOfHousehold.load(household.id);
      const last = changes.at(-1);
      if (last && last.effectiveOn > effectiveOn) {
        throw badInput(`"input.effectiveOn" ${effectiveOn} is before the household's last re-assignment (${last.effectiveOn})`, 'input.effectiveOn');
      }
      if (!inForce(target, effectiveOn)) throw badInput(`${target.name} is not in force on ${effectiveOn}`, 'input.unitCode');
      let changed: HouseholdModel | undefined;
      await ctx.db.transaction(async (tx) => withIdempotencyKey(tx, 'households', claim, async () => {
        await tx.insert(householdUnitChanges).values({ householdId: household.id, fromUnitId: household.unitId, toUnitId: target.id, effectiveOn, recordedBy });
        const [row] = await tx.update(households).set({ unitId: target.id }).where(eq(households.id, household.id)).returning();
        await publishRegistry(tx, ctx.followers, [household.id]);
        ctx.loaders.unitChangesOfHousehold.clear(household.id);
        ctx.loaders.household.clear(household.id).prime(household.id, row!);
        ctx.loaders.householdByCode.clear(household.code).prime(household.code, row!);
        changed = row!;
        return { householdId: household.id };
      }));
      // a concurrent call with the same key that waited for the first: the household as that one left it
      return changed ?? householdNow(ctx, household);
    },
  },
};
