import { and, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { HouseholdsDb } from '../context.js';
import { units, type UnitModel } from './schema.js';

/** A unit as returned to the API, with the date it was asked for (children are listed as of that date). */
export type UnitView = UnitModel & { asOf?: string };

/** Is a unit in force on a date? Periods are [validFrom, validTo). */
export function inForce(unit: Pick<UnitModel, 'validFrom' | 'validTo'>, on: string): boolean {
  return (unit.validFrom === null || unit.validFrom <= on) && (unit.validTo === null || unit.validTo > on);
}

/** The unit with this code in force on a date, if any. */
export async function unitOn(db: HouseholdsDb, code: string, on: string): Promise<UnitModel | null> {
  const [row] = await db.select().from(units).where(and(
    eq(units.code, code),
    or(isNull(units.validFrom), lte(units.validFrom, on)),
    or(isNull(units.validTo), gt(units.validTo, on)),
  )).limit(1);
  return row ?? null;
}

/** The most recent unit with this code (in force today, or the last one that was). */
export async function latestUnit(db: HouseholdsDb, code: string): Promise<UnitModel | null> {
  const [row] = await db.select().from(units).where(eq(units.code, code))
    .orderBy(sql`${units.validTo} desc nulls first`, desc(units.validFrom)).limit(1);
  return row ?? null;
}
