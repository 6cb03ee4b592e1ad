/** Accent- and case-insensitive search ("dong hai" finds "Đông Hải 1"): households.fold_text() on both sides. */
import { and, asc, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { badInput, pageSize, requireIndividuals } from '@ansinh/server';
import { toIsoDate } from '@ansinh/scalars';
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
      let area;
      if (unitCode) {
        const unit = await latestUnit(ctx.db, unitCode);
        if (!unit) throw badInput(`No administrative unit has the code "${unitCode}"`, 'unitCode');
        area = inArray(households.unitId, sql`(with recursive area(id) as (
          select id from households.units where id = ${unit.id}
          union select u.id from households.units u join area on u.parent_id = area.id) select id from area)`);
      }
      return ctx.db.select().from(households).where(and(
        or(
          sql`households.fold_text(${households.address}) like ${like}`,
          sql`exists (select 1 from households.members m where m.household_id = ${households.id} and m.relation_to_head = 'HEAD'
                and households.fold_text(m.full_name) like ${like})`,
        ),
        area,
        householdReadable(ctx.caller, households.unitId),
      )).orderBy(asc(households.code)).limit(limit);
    },
  },
};
