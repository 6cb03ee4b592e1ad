/**
 * Proposing a housing support and moving it along its lifecycle, one step at a time. Validated (BAD_USER_INPUT
 * naming the field), one transaction, idempotent on the client's key (packages/server/src/mutations.ts, where the
 * caller will also be checked).
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { badInput, isUuid, notFound, runIdempotent, inputHousehold } from '@ansinh/server';
import type { Db } from '@ansinh/db';
import type { Context } from '../context.js';
import { fundingLines, programmes, supports, type HousingSupportModel } from '../db/schema.js';
import type { MutationResolvers } from '../generated/graphql.js';
import { STATUSES } from './statistics.js';

type Tx = Db<any>;

/** The date column each status sets. */
const DATE_OF: Record<string, 'proposedOn' | 'approvedOn' | 'constructionStartedOn' | 'completedOn' | 'handedOverOn'> = {
  PROPOSED: 'proposedOn', APPROVED: 'approvedOn', UNDER_CONSTRUCTION: 'constructionStartedOn', COMPLETED: 'completedOn', HANDED_OVER: 'handedOverOn',
};

export const mutations: MutationResolvers<Context> = {
  proposeHousingSupport: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'housing', {
      key: idempotencyKey, operation: 'housing.proposeHousingSupport', input: rest, context: ctx,
      ...inputHousehold(input.householdId),
      run: async (tx, unitId) => {
        const [programme] = await tx.select().from(programmes).where(eq(programmes.code, input.programme));
        if (!programme) throw badInput(`No housing programme has the code "${input.programme}"`, 'programme');
        if (!['POOR', 'NEAR_POOR'].includes(input.beneficiaryStatus)) throw badInput(`"beneficiaryStatus" must be POOR or NEAR_POOR, got "${input.beneficiaryStatus}"`, 'beneficiaryStatus');
        if (input.fundingLines.length === 0) throw badInput('"fundingLines" must name at least one source of money', 'fundingLines');
        input.fundingLines.forEach((f, i) => {
          if (f.amount <= 0) throw badInput(`"fundingLines[${i}].amount" must be more than 0 VND, got ${f.amount}`, `fundingLines[${i}].amount`);
        });
        const id = randomUUID();
        const [row] = await tx.insert(supports).values({
          id, code: `NHA-${unitId.split('@')[0]}-${id.slice(0, 8).toUpperCase()}`, householdId: input.householdId, kind: input.kind,
          programme: input.programme, beneficiaryStatus: input.beneficiaryStatus, status: 'PROPOSED', proposedOn: input.proposedOn,
        }).returning();
        await tx.insert(fundingLines).values(input.fundingLines.map((f) => ({ supportId: id, source: f.source, amount: f.amount })));
        return row as HousingSupportModel;
      },
    });
    return { housingSupport: result, replayed };
  },

  advanceHousingSupport: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const load = async (tx: Tx) => {
      if (!isUuid(input.supportId)) return null;
      const [s] = await tx.select().from(supports).where(eq(supports.id, input.supportId)).for('update');
      return (s as HousingSupportModel | undefined) ?? null;
    };
    const { result, replayed } = await runIdempotent(ctx.db, 'housing', {
      key: idempotencyKey, operation: 'housing.advanceHousingSupport', input: rest, context: ctx,
      household: async (tx) => (await load(tx))?.householdId ?? null,
      missing: notFound(`No housing support has the id "${input.supportId}"`, 'supportId'),
      run: async (tx) => {
        const s = (await load(tx))!;
        const next = STATUSES[STATUSES.indexOf(s.status) + 1];
        if (!next) throw badInput(`Support ${s.code} is ${s.status}: its lifecycle is finished`, 'to');
        if (input.to !== next) throw badInput(`Support ${s.code} is ${s.status}: the next step is ${next}, not ${input.to}`, 'to');
        const previous = s[DATE_OF[s.status]!]!;
        if (input.on < previous) throw badInput(`"on" (${input.on}) is before the support became ${s.status} (${previous})`, 'on');
        const [row] = await tx.update(supports).set({ status: next, [DATE_OF[next]!]: input.on }).where(eq(supports.id, s.id)).returning();
        return row as HousingSupportModel;
      },
    });
    return { housingSupport: result, replayed };
  },
};
