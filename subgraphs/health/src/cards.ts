/**
 * A BHYT card and its support layers: who pays what share of its premium. The layers follow the support rules in
 * force on the card's first day (support_rules: the national rules plus those of the province the household is in),
 * for the mutations and the import alike.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import { rows, type Db } from '@ansinh/db';
import { badInput } from '@ansinh/server';
import { MONTHLY_PREMIUM } from '@ansinh/demo-data';
import { insuranceCards, supportLayers, supportRules, type CardModel, type SupportLayerModel } from './db/schema.js';

type Tx = Db<any>;
export const CARD_NUMBER = /^[A-Z]{2}\d{13}$/;

export const months = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;

/** Mức đóng by default: 4.5% of the base salary per month of validity. */
export const defaultPremium = (validFrom: string, validTo: string) => MONTHLY_PREMIUM * Math.max(1, months(validFrom, validTo));

export interface NewCard {
  memberId: string; householdId: string; cardNumber: string; beneficiaryGroup: string; validFrom: string; validTo: string;
  premium: number; renews: string | null;
}

/** The province (level 1) of a unit, from this subgraph's units. */
export async function provinceOf(tx: Tx, unitId: string): Promise<string | null> {
  const [found] = await rows<{ code: string }>(tx, sql`
    with recursive up(id, parent_id, code) as (
      select id, parent_id, code from health.units where id = ${unitId}
      union all select u.id, u.parent_id, u.code from health.units u join up on u.id = up.parent_id
    ) select code from up where parent_id is null limit 1`);
  return found?.code ?? null;
}

/** The layers of a premium under the rules in force on `validFrom` for a group, nationally and in the province. */
export async function layersFor(tx: Tx, card: { id: string; premium: number; beneficiaryGroup: string; validFrom: string }, province: string | null): Promise<SupportLayerModel[]> {
  const rules = await tx.select().from(supportRules).where(and(
    eq(supportRules.scheme, 'BHYT'), eq(supportRules.beneficiaryGroup, card.beneficiaryGroup),
    province ? or(isNull(supportRules.jurisdiction), eq(supportRules.jurisdiction, province)) : isNull(supportRules.jurisdiction),
    lte(supportRules.validFrom, card.validFrom), or(isNull(supportRules.validTo), gte(supportRules.validTo, card.validFrom))));
  return rules.map((r) => ({
    id: randomUUID(), cardId: card.id, contributionId: null, funder: r.funder, percent: r.percent, amount: Math.round((card.premium * Number(r.percent)) / 100),
  }));
}

/** Checks and stores a card of a member of a household placed in `unitId`, with its layers. */
export async function insertCard(tx: Tx, card: NewCard, unitId: string): Promise<CardModel> {
  if (!CARD_NUMBER.test(card.cardNumber)) throw badInput(`"cardNumber" must be two capital letters and 13 digits (e.g. HN2790000001234), got "${card.cardNumber}"`, 'cardNumber');
  if (card.validTo < card.validFrom) throw badInput(`"validTo" (${card.validTo}) is before "validFrom" (${card.validFrom})`, 'validTo');
  if (card.premium <= 0) throw badInput(`"premium" must be more than 0 VND, got ${card.premium}`, 'premium');
  // the member's own cards only: card numbers are unique per member, so nothing about anyone else's card is said
  const own = await tx.select().from(insuranceCards).where(eq(insuranceCards.memberId, card.memberId));
  if (own.some((c) => c.cardNumber === card.cardNumber)) throw badInput(`The member already holds the card ${card.cardNumber}`, 'cardNumber');
  const overlap = own.find((c) => c.validFrom <= card.validTo && c.validTo >= card.validFrom);
  if (overlap) throw badInput(`The member already holds a card valid ${overlap.validFrom} to ${overlap.validTo}, overlapping ${card.validFrom} to ${card.validTo}`, 'validFrom');
  const id = randomUUID();
  const [row] = await tx.insert(insuranceCards).values({ id, ...card }).returning();
  const layers = await layersFor(tx, { id, premium: card.premium, beneficiaryGroup: card.beneficiaryGroup, validFrom: card.validFrom }, await provinceOf(tx, unitId));
  if (layers.length) await tx.insert(supportLayers).values(layers);
  return row as CardModel;
}
