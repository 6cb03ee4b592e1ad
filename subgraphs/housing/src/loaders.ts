/** Per-request DataLoaders: one SQL statement per kind of lookup, however many parents ask. */
import DataLoader from 'dataloader';
import { and, asc, desc, inArray, sql } from 'drizzle-orm';
import { byKey, groupBy, householdAreas, isUuid, type AreaIds, type Caller } from '@ansinh/server';
import { recordReadable } from './access.js';
import type { HousingDb } from './context.js';
import { fundingLines, programmes, supports, type FundingLineModel, type HousingProgrammeModel, type HousingSupportModel } from './db/schema.js';

/** Loaders for one request and one caller: records outside the caller's area are not found. */
export function createLoaders(db: HousingDb, caller: Caller, area: AreaIds) {
  const readable = () => recordReadable(caller, area, supports.householdId);
  return {
    support: new DataLoader<string, HousingSupportModel | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(supports).where(and(inArray(supports.id, valid), await readable())) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    /** Each household's supports, newest proposal first. */
    supportsOfHousehold: new DataLoader<string, HousingSupportModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(supports).where(and(inArray(supports.householdId, valid), await readable()))
          .orderBy(asc(supports.householdId), desc(supports.proposedOn), asc(supports.code))
        : [];
      return groupBy(ids, rows, (r) => r.householdId);
    }),
    /** The unit each household is placed in now, and that unit's ancestors, province first (HousingSupport.area). */
    householdArea: new DataLoader<string, string[]>((ids) => householdAreas(db, 'housing', ids)),
    /** Each support's funding lines, largest first (support ids come from this subgraph's own rows). */
    fundingLinesOfSupport: new DataLoader<string, FundingLineModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(fundingLines).where(and(inArray(fundingLines.supportId, valid), sql`exists (select 1 from housing.supports s where s.id = ${fundingLines.supportId} and ${await recordReadable(caller, area, sql`s.household_id`)})`))
          .orderBy(asc(fundingLines.supportId), desc(fundingLines.amount), asc(fundingLines.source))
        : [];
      return groupBy(ids, rows, (r) => r.supportId);
    }),
    programme: new DataLoader<string, HousingProgrammeModel | null>(async (codes) => {
      const rows = await db.select().from(programmes).where(inArray(programmes.code, [...codes]));
      return byKey(codes, rows, (r) => r.code);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
