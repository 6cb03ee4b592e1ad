/** Which poverty standards apply where and when (rows of poverty_standards; nothing here names a standard). */
import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import { badInput } from '@ansinh/server';
import type { Context } from '../context.js';
import { povertyStandards, type PovertyStandardModel } from '../db/schema.js';
import type { LoadedStandard } from './classify.js';

/** The province (level 1) above a unit, or the unit itself. */
export async function provinceOf(ctx: Context, unitId: string): Promise<string | null> {
  let current = await ctx.loaders.unit.load(unitId);
  for (let i = 0; current && current.parentId && i < 5; i += 1) current = await ctx.loaders.unit.load(current.parentId);
  return current?.code ?? null;
}

/** Standards in force on a date for a unit: the unit's city's own first, then national ones. */
export async function applicableStandards(ctx: Context, unitId: string, on: string): Promise<PovertyStandardModel[]> {
  const province = await provinceOf(ctx, unitId);
  const found = await ctx.db.select().from(povertyStandards).where(and(
    lte(povertyStandards.validFrom, on),
    or(isNull(povertyStandards.validTo), gt(povertyStandards.validTo, on)),
    province ? or(isNull(povertyStandards.jurisdiction), eq(povertyStandards.jurisdiction, province)) : isNull(povertyStandards.jurisdiction),
  ));
  return found.sort((a, b) => Number(a.jurisdiction === null) - Number(b.jurisdiction === null) || b.validFrom.localeCompare(a.validFrom));
}

export async function requireStandard(ctx: Context, code: string, argument: string): Promise<LoadedStandard> {
  const loaded = await ctx.loaders.loadedStandard.load(code);
  if (!loaded) throw badInput(`No poverty standard has the code "${code}"`, argument);
  return loaded;
}

/** The rule of a standard in words, from its parameters. */
export function describeRule(s: PovertyStandardModel): string {
  const period = s.incomePeriod === 'YEAR' ? 'per person per year' : 'per person per month';
  const parts = [s.poorRequiresDeprivation
    ? `Poor: income ${period} at or below the poverty line and at least ${s.deprivationCutoff} deprived indicators`
    : `Poor: income ${period} at or below the poverty line`];
  if (s.poorAlsoBelowNearPoorLine) parts[0] += `, or at or below the near-poor line with at least ${s.deprivationCutoff} deprived indicators`;
  parts.push(s.poorRequiresDeprivation
    ? `Near-poor: income at or below the line with fewer deprived indicators`
    : `Near-poor: not poor, income at or below the near-poor line`);
  parts.push('Average living standard: above that, up to the average line where the standard has one');
  return `${parts.join('. ')}.`;
}

