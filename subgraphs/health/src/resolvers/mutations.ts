/**
 * Issuing and renewing BHYT cards. Validated (BAD_USER_INPUT naming the field), one transaction, idempotent on the
 * client's key (packages/server/src/mutations.ts, where the caller is checked against the member's household as
 * stored). The support layers follow the rules in force on the card's first day (cards.ts, shared with the import).
 */
import { eq } from 'drizzle-orm';
import { badInput, householdOfMember, isUuid, notFound, runIdempotent } from '@ansinh/server';
import type { Db } from '@ansinh/db';
import type { Context } from '../context.js';
import { insuranceCards, type CardModel } from '../db/schema.js';
import type { MutationResolvers } from '../generated/graphql.js';
import { defaultPremium, insertCard, months } from '../cards.js';

type Tx = Db<any>;

const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * 86_400_000).toISOString().slice(0, 10);
const addMonths = (d: string, n: number) => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCMonth(x.getUTCMonth() + n);
  return x.toISOString().slice(0, 10);
};

export const mutations: MutationResolvers<Context> = {
  issueCard: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'health', {
      key: idempotencyKey, operation: 'health.issueCard', input: rest, context: ctx,
      // the member's household, from the registry's copy: a made-up member id is not found
      household: (tx) => (isUuid(input.memberId) ? householdOfMember(tx, 'health', input.memberId) : Promise.resolve(null)),
      missing: notFound(`No member has the id "${input.memberId}"`, 'memberId'),
      run: async (tx, unitId) => {
        const householdId = (await householdOfMember(tx, 'health', input.memberId))!;
        return insertCard(tx, {
          memberId: input.memberId, householdId, cardNumber: input.cardNumber.trim(), beneficiaryGroup: input.beneficiaryGroup,
          validFrom: input.validFrom, validTo: input.validTo,
          premium: input.premium ?? defaultPremium(input.validFrom, input.validTo), renews: null,
        }, unitId);
      },
    });
    return { card: result, replayed };
  },

  renewCard: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const old = async (tx: Tx) => {
      if (!isUuid(input.cardId)) return null;
      const [card] = await tx.select().from(insuranceCards).where(eq(insuranceCards.id, input.cardId)).for('update');
      return (card as CardModel | undefined) ?? null;
    };
    const { result, replayed } = await runIdempotent(ctx.db, 'health', {
      key: idempotencyKey, operation: 'health.renewCard', input: rest, context: ctx,
      household: async (tx) => (await old(tx))?.householdId ?? null,
      missing: notFound(`No card has the id "${input.cardId}"`, 'cardId'),
      run: async (tx, unitId) => {
        const card = (await old(tx))!;
        const validFrom = addDays(card.validTo, 1);
        const validTo = input.validTo ?? addDays(addMonths(validFrom, months(card.validFrom, card.validTo)), -1);
        if (validTo < validFrom) throw badInput(`"validTo" (${validTo}) must be after the old card's last day (${card.validTo})`, 'validTo');
        return insertCard(tx, {
          memberId: card.memberId, householdId: card.householdId, cardNumber: input.cardNumber.trim(), beneficiaryGroup: card.beneficiaryGroup,
          validFrom, validTo, premium: defaultPremium(validFrom, validTo), renews: card.id,
        }, unitId);
      },
    });
    return { card: result, replayed };
  },
};
