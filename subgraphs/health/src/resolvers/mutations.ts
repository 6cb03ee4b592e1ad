/**
 * Issuing and renewing BHYT cards. Validated (BAD_USER_INPUT naming the field), one transaction, idempotent on the
 * client's key (packages/server/src/mutations.ts, where the caller will also be checked). The support layers
 * follow the support rules in force on the card's first day: the national rules plus the card's province's.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gte, isNull, lte, or } from 'drizzle-orm';
import { areaOfUnit, badInput, isUuid, runIdempotent } from '@ansinh/server';
import type { Db } from '@ansinh/db';
import { MONTHLY_PREMIUM } from '@ansinh/demo-data';
import type { Context } from '../context.js';
import { insuranceCards, supportLayers, supportRules, type CardModel } from '../db/schema.js';
import type { MutationResolvers } from '../generated/graphql.js';

type Tx = Db<any>;
const CARD_NUMBER = /^[A-Z]{2}\d{13}$/;

const months = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * 86_400_000).toISOString().slice(0, 10);
const addMonths = (d: string, n: number) => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCMonth(x.getUTCMonth() + n);
  return x.toISOString().slice(0, 10);
};

interface NewCard {
  memberId: string; householdId: string; cardNumber: string; beneficiaryGroup: string; validFrom: string; validTo: string;
  premium: number; area: string[]; renews: string | null;
}

async function insertCard(tx: Tx, card: NewCard): Promise<CardModel> {
  if (!CARD_NUMBER.test(card.cardNumber)) throw badInput(`"cardNumber" must be two capital letters and 13 digits (e.g. HN2790000001234), got "${card.cardNumber}"`, 'cardNumber');
  if (card.validTo < card.validFrom) throw badInput(`"validTo" (${card.validTo}) is before "validFrom" (${card.validFrom})`, 'validTo');
  if (card.premium <= 0) throw badInput(`"premium" must be more than 0 VND, got ${card.premium}`, 'premium');
  const [taken] = await tx.select({ id: insuranceCards.id }).from(insuranceCards).where(eq(insuranceCards.cardNumber, card.cardNumber));
  if (taken) throw badInput(`A card with the number ${card.cardNumber} already exists`, 'cardNumber');
  const [overlap] = await tx.select().from(insuranceCards).where(and(eq(insuranceCards.memberId, card.memberId),
    lte(insuranceCards.validFrom, card.validTo), gte(insuranceCards.validTo, card.validFrom)));
  if (overlap) throw badInput(`The member already holds card ${overlap.cardNumber}, valid ${overlap.validFrom} to ${overlap.validTo}, overlapping ${card.validFrom} to ${card.validTo}`, 'validFrom');
  const id = randomUUID();
  const [row] = await tx.insert(insuranceCards).values({ id, ...card }).returning();
  const province = card.area[0]!.split('@')[0]!;
  const rules = await tx.select().from(supportRules).where(and(
    eq(supportRules.scheme, 'BHYT'), eq(supportRules.beneficiaryGroup, card.beneficiaryGroup),
    or(isNull(supportRules.jurisdiction), eq(supportRules.jurisdiction, province)),
    lte(supportRules.validFrom, card.validFrom), or(isNull(supportRules.validTo), gte(supportRules.validTo, card.validFrom))));
  if (rules.length) {
    await tx.insert(supportLayers).values(rules.map((r) => ({
      cardId: id, funder: r.funder, percent: r.percent, amount: Math.round((card.premium * Number(r.percent)) / 100),
    })));
  }
  return row as CardModel;
}

export const mutations: MutationResolvers<Context> = {
  issueCard: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'health', {
      key: idempotencyKey, operation: 'health.issueCard', input: rest, context: ctx,
      area: (tx) => areaOfUnit(tx, 'health', input.unitId, 'unitId'),
      run: async (tx) => {
        if (!isUuid(input.memberId)) throw badInput(`"memberId" is not a member id: "${input.memberId}"`, 'memberId');
        if (!isUuid(input.householdId)) throw badInput(`"householdId" is not a household id: "${input.householdId}"`, 'householdId');
        return insertCard(tx, {
          memberId: input.memberId, householdId: input.householdId, cardNumber: input.cardNumber.trim(), beneficiaryGroup: input.beneficiaryGroup,
          validFrom: input.validFrom, validTo: input.validTo,
          premium: input.premium ?? MONTHLY_PREMIUM * Math.max(1, months(input.validFrom, input.validTo)),
          area: await areaOfUnit(tx, 'health', input.unitId, 'unitId'), renews: null,
        });
      },
    });
    return { card: result, replayed };
  },

  renewCard: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const old = async (tx: Tx) => {
      if (!isUuid(input.cardId)) throw badInput(`"cardId" is not a card id: "${input.cardId}"`, 'cardId');
      const [card] = await tx.select().from(insuranceCards).where(eq(insuranceCards.id, input.cardId)).for('update');
      if (!card) throw badInput(`No card has the id "${input.cardId}"`, 'cardId');
      return card as CardModel;
    };
    const { result, replayed } = await runIdempotent(ctx.db, 'health', {
      key: idempotencyKey, operation: 'health.renewCard', input: rest, context: ctx,
      area: async (tx) => (await old(tx)).area,
      run: async (tx) => {
        const card = await old(tx);
        const validFrom = addDays(card.validTo, 1);
        const validTo = input.validTo ?? addDays(addMonths(validFrom, months(card.validFrom, card.validTo)), -1);
        if (validTo < validFrom) throw badInput(`"validTo" (${validTo}) must be after the old card's last day (${card.validTo})`, 'validTo');
        return insertCard(tx, {
          memberId: card.memberId, householdId: card.householdId, cardNumber: input.cardNumber.trim(), beneficiaryGroup: card.beneficiaryGroup,
          validFrom, validTo, premium: MONTHLY_PREMIUM * months(validFrom, validTo), area: card.area, renews: card.id,
        });
      },
    });
    return { card: result, replayed };
  },
};
