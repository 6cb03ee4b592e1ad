/** Per-request DataLoaders: one SQL statement per kind of lookup, however many parents ask. */
import DataLoader from 'dataloader';
import { and, asc, desc, inArray } from 'drizzle-orm';
import { byKey, groupBy, isUuid, type Caller } from '@ansinh/server';
import { householdOwnedReadable, householdReadable } from './access.js';
import type { HouseholdsDb } from './context.js';
import {
  assessments, householdUnitChanges, households, members, povertyIndicators, povertyLines, povertyStandards, unitLinks, units,
  type AssessmentModel, type MemberModel, type UnitModel,
} from './db/schema.js';
import type { LoadedStandard } from './domain/classify.js';
import type { AreaStatisticsModel, UnitCountsCache } from './resolvers/statistics.js';

/** Loaders for one request and one caller: households and members outside the caller's area are not found. */
export function createLoaders(db: HouseholdsDb, caller: Caller, area: () => Promise<string[] | null>) {
  const readable = (unitColumn: unknown) => householdReadable(caller, area, unitColumn);
  const owned = (householdColumn: unknown) => householdOwnedReadable(caller, area, householdColumn);
  return {
    household: new DataLoader(async (ids: readonly string[]) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(households).where(and(inArray(households.id, valid), await readable(households.unitId))) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    householdByCode: new DataLoader(async (codes: readonly string[]) => {
      const rows = await db.select().from(households).where(and(inArray(households.code, [...codes]), await readable(households.unitId)));
      return byKey(codes, rows, (r) => r.code);
    }),
    member: new DataLoader(async (ids: readonly string[]) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(members).where(and(inArray(members.id, valid), await owned(members.householdId))) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    membersOfHousehold: new DataLoader<string, MemberModel[]>(async (ids) => {
      const rows = await db.select().from(members).where(and(inArray(members.householdId, [...ids]), await owned(members.householdId))).orderBy(asc(members.householdId), asc(members.position));
      return groupBy(ids, rows, (r) => r.householdId);
    }),
    /** The latest review of each household (by review year, then date). */
    latestAssessment: new DataLoader<string, AssessmentModel | null>(async (ids) => {
      const rows = await db
        .selectDistinctOn([assessments.householdId])
        .from(assessments)
        .where(and(inArray(assessments.householdId, [...ids]), await owned(assessments.householdId)))
        .orderBy(assessments.householdId, desc(assessments.reviewYear), desc(assessments.assessedOn));
      return byKey(ids, rows, (r) => r.householdId);
    }),
    unit: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.select().from(units).where(inArray(units.id, [...ids]));
      return byKey(ids, rows, (r) => r.id);
    }),
    /** Every version of the units whose parent is one of these; callers filter by date. */
    childUnits: new DataLoader(async (parentIds: readonly string[]) => {
      const rows = await db.select().from(units).where(inArray(units.parentId, [...parentIds])).orderBy(asc(units.code));
      return groupBy(parentIds, rows, (r) => r.parentId!);
    }),
    standard: new DataLoader(async (codes: readonly string[]) => {
      const rows = await db.select().from(povertyStandards).where(inArray(povertyStandards.code, [...codes]));
      return byKey(codes, rows, (r) => r.code);
    }),
    /** A standard with its lines and indicators: what classify() reads. Three statements however many codes. */
    loadedStandard: new DataLoader<string, LoadedStandard | null>(async (codes) => {
      const [standards, lines, indicators] = await Promise.all([
        db.select().from(povertyStandards).where(inArray(povertyStandards.code, [...codes])),
        db.select().from(povertyLines).where(inArray(povertyLines.standardCode, [...codes])),
        db.select().from(povertyIndicators).where(inArray(povertyIndicators.standardCode, [...codes])).orderBy(asc(povertyIndicators.position)),
      ]);
      return codes.map((code) => {
        const standard = standards.find((s) => s.code === code);
        return standard ? { standard, lines: lines.filter((l) => l.standardCode === code), indicators: indicators.filter((i) => i.standardCode === code) } : null;
      });
    }),
    /** Every assessment of each household, oldest first. */
    assessmentsOfHousehold: new DataLoader<string, AssessmentModel[]>(async (ids) => {
      const rows = await db.select().from(assessments).where(and(inArray(assessments.householdId, [...ids]), await owned(assessments.householdId)))
        .orderBy(asc(assessments.reviewYear), asc(assessments.assessedOn), asc(assessments.id));
      return groupBy(ids, rows, (r) => r.householdId);
    }),
    assessment: new DataLoader(async (ids: readonly string[]) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(assessments).where(and(inArray(assessments.id, valid), await owned(assessments.householdId))) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    unitChangesOfHousehold: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.select().from(householdUnitChanges).where(and(inArray(householdUnitChanges.householdId, [...ids]), await owned(householdUnitChanges.householdId)))
        .orderBy(asc(householdUnitChanges.effectiveOn));
      return groupBy(ids, rows, (r) => r.householdId);
    }),
    /** Crosswalk links from old units (successors) and to new units (predecessors). */
    successors: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.select().from(unitLinks).where(inArray(unitLinks.oldUnitId, [...ids])).orderBy(asc(unitLinks.newUnitId));
      return groupBy(ids, rows, (r) => r.oldUnitId);
    }),
    /** area reports as the caller sees them in this request, by unit, year and standard */
    areaStatistics: new Map<string, Promise<AreaStatisticsModel>>(),
    /** the exact reports of this request, one batch loader by year and standard (keyed by unit id) */
    areaReports: new Map<string, DataLoader<UnitModel, AreaStatisticsModel, string>>(),
    /** the counting units' summaries these reports read, by year and unit (read or counted once per request) */
    areaUnitCounts: new Map() as UnitCountsCache,
    predecessors: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.select().from(unitLinks).where(inArray(unitLinks.newUnitId, [...ids])).orderBy(asc(unitLinks.oldUnitId));
      return groupBy(ids, rows, (r) => r.newUnitId);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
