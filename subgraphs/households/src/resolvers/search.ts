/** Accent- and case-insensitive search ("dong hai" finds "Đông Hải 1"): households.fold_text() on both sides. */
import { and, asc, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { badInput, pageSize, requireIndividuals } from '@ansinh/server';
import { toIsoDate } from '@ansinh/scalars';
import { unitScope } from '@ansinh/db';
import { householdReadable } from '../access.js';
import { households, units } from '../db/schema.js';
import { latestUnit } from '../db/units.js';
import type { Resolvers } from '../generated/graphql.js';

/** The same folding as the SQL function: NFD, drop the marks, đ → d, lower case, spaces squeezed. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

const pattern = (text: string) => {
  const folded = fold(text);
  if (folded.length < 2) throw badInput(`"text" needs at least 2 letters, got "${text}"`, 'text');
  return `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
};

export const searchResolvers: Resolvers = {
  Query: {
    searchUnits: async (_, { text, on, first }, ctx) => {
      const limit = pageSize(first);
      const like = pattern(text);
      const date = on ? toIsoDate(on) : null;
      const rows = await ctx.db.select().from(units).where(and(
        sql`households.fold_text(${units.name}) like ${like}`,
        date ? and(or(isNull(units.validFrom), lte(units.validFrom, date)), or(isNull(units.validTo), gt(units.validTo, date))) : undefined,
      )).orderBy(asc(units.code), sql`${units.validFrom} nulls first`).limit(limit);
      return rows.map((u) => (date ? { ...u, asOf: date } : u));
    },
    searchHouseholds: async (_, { text, unitCode, first }, ctx) => {
      requireIndividuals(ctx.caller);
      const limit = pageSize(first);
      const like = pattern(text);
      let area: SQL | undefined;
      if (unitCode) {
        const unit = await latestUnit(ctx.db, unitCode);
        if (!unit) throw badInput(`No administrative unit has the code "${unitCode}"`, 'unitCode');
        // "= any(array(…))": the unit ids are computed once and the households index is used, before any text is
        // folded; the scope rolls old units up into a post-reform unit (a province's old districts and wards)
        area = sql`${households.unitId} = any(array(with recursive ${unitScope('households', unit.id)} select id from scope where how <> 'partial'))`;
      }
      return ctx.db.select().from(households).where(and(
        or(
          sql`households.fold_text(${households.address}) like ${like}`,
          // a scalar subquery per household (the index on members' household_id), not a semi-join: PostgreSQL would
          // otherwise fold every head's name in the country before applying the area
          sql`households.fold_text((select m.full_name from households.members m where m.household_id = ${households.id}
                and m.relation_to_head = 'HEAD' order by m.position limit 1)) like ${like}`,
        ),
        area,
        await householdReadable(ctx.caller, ctx.area, households.unitId),
      )).orderBy(asc(households.code)).limit(limit);
    },
  },
};
