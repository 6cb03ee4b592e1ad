/** Per-request DataLoaders: one SQL statement per kind of lookup, however many parents ask. */
import DataLoader from 'dataloader';
import { and, asc, desc, inArray, sql } from 'drizzle-orm';
import { byKey, groupBy, householdAreas, isUuid, type AreaIds, type Caller } from '@ansinh/server';
import { recordReadable } from './access.js';
import type { HealthDb } from './context.js';
import { contributions, insuranceCards, supportLayers, type CardModel, type ContributionModel, type SupportLayerModel } from './db/schema.js';

/** Loaders for one request and one caller: records outside the caller's area are not found. */
export function createLoaders(db: HealthDb, caller: Caller, area: AreaIds) {
  const readable = () => recordReadable(caller, area, insuranceCards.householdId);
  const contributionReadable = () => recordReadable(caller, area, contributions.householdId);
  return {
    card: new DataLoader<string, CardModel | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(insuranceCards).where(and(inArray(insuranceCards.id, valid), await readable())) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    /** Every card of each member, newest validity first (insuranceCards, activeCard and healthCoverage share it). */
    cardsOfMember: new DataLoader<string, CardModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(insuranceCards).where(and(inArray(insuranceCards.memberId, valid), await readable()))
          .orderBy(asc(insuranceCards.memberId), desc(insuranceCards.validFrom), asc(insuranceCards.cardNumber))
        : [];
      return groupBy(ids, rows, (r) => r.memberId);
    }),
    /** The unit each household is placed in now, and that unit's ancestors, province first (InsuranceCard.area). */
    householdArea: new DataLoader<string, string[]>((ids) => householdAreas(db, 'health', ids)),
    layersOfCard: new DataLoader<string, SupportLayerModel[]>(async (ids) => {
      // layers have no area of their own: they are read through their card
      const rows = await db.select().from(supportLayers).where(and(inArray(supportLayers.cardId, [...ids]),
        sql`exists (select 1 from health.insurance_cards c where c.id = ${supportLayers.cardId} and ${await recordReadable(caller, area, sql`c.household_id`)})`))
        .orderBy(asc(supportLayers.cardId), desc(supportLayers.amount), asc(supportLayers.funder));
      return groupBy(ids, rows, (r) => r.cardId!);
    }),
    layersOfContribution: new DataLoader<string, SupportLayerModel[]>(async (ids) => {
      // and through their contribution
      const rows = await db.select().from(supportLayers).where(and(inArray(supportLayers.contributionId, [...ids]),
        sql`exists (select 1 from health.voluntary_contributions c where c.id = ${supportLayers.contributionId} and ${await recordReadable(caller, area, sql`c.household_id`)})`))
        .orderBy(asc(supportLayers.contributionId), desc(supportLayers.amount), asc(supportLayers.funder));
      return groupBy(ids, rows, (r) => r.contributionId!);
    }),
    contributionsOfMember: new DataLoader<string, ContributionModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(contributions).where(and(inArray(contributions.memberId, valid), await contributionReadable())).orderBy(asc(contributions.memberId), desc(contributions.validFrom))
        : [];
      return groupBy(ids, rows, (r) => r.memberId);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
