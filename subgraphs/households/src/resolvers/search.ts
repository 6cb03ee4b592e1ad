/** Accent- and case-insensitive search ("dong hai" finds "Đông Hải 1"): households.fold_text() on both sides (docs/households.md). */
import { and, asc, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { badInput, pageSize, requireIndividuals } from '@ansinh/server';
import { toIsoDate } from '@ansinh/scalars';
import { rows, unitScope } from '@ansinh/db';
import { householdReadable, oneOf } from '../access.js';
import { households, units } from '../db/schema.js';
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

/** At most this many unit ids make a small area (a ward with the old wards merged into it), read whole. */
const SMALL_AREA_UNITS = 8;

export const searchResolvers: Resolvers = {
  Query: {
    searchUnits: async (_, { text, on, first }, ctx) => {
      const limit = pageSize(first);
      const like = pattern(text);
      const date = on ? toIsoDate(on) : null;
      const found = await ctx.db.select().from(units).where(and(
        sql`households.fold_text(${units.name}) like ${like}`,
        date ? and(or(isNull(units.validFrom), lte(units.validFrom, date)), or(isNull(units.validTo), gt(units.validTo, date))) : undefined,
      )).orderBy(asc(units.code), sql`${units.validFrom} nulls first`).limit(limit);
      return found.map((u) => (date ? { ...u, asOf: date } : u));
    },
    searchHouseholds: async (_, { text, unitCode, first }, ctx) => {
      requireIndividuals(ctx.caller);
      const limit = pageSize(first);
      const like = pattern(text);
      let area: SQL | undefined;
      let areaUnits = Infinity;
      if (unitCode) {
        // the most recent unit of the code and the ids of its area in one statement: the scope rolls old units up
        // into a post-reform unit (a province's old districts and wards). The ids go into the search as an array
        // constant, so PostgreSQL estimates the area's households from the unit_id statistics (an
        // "= any(array(subquery))" is estimated blind)
        const [scope] = await rows<{ unit: string | null; ids: string[] | null }>(ctx.db, sql`with recursive
            target(id) as (select id from households.units where code = ${unitCode} order by valid_to desc nulls first, valid_from desc limit 1),
            ${unitScope('households', sql`(select id from target)`)}
          select (select id from target) as unit, array(select id from scope where how <> 'partial') as ids`);
        if (!scope?.unit) throw badInput(`No administrative unit has the code "${unitCode}"`, 'unitCode');
        area = oneOf(households.unitId, scope.ids ?? []);
        areaUnits = scope.ids?.length ?? 0;
      }
      // the stored folded address and head's name under a trigram index (migration 0008, docs/households.md)
      const readable = await householdReadable(ctx.caller, ctx.area, households.unitId);
      const where = and(sql`${households.searchText} like ${like}`, area, readable);
      // the caller's area (computed once per request, as householdReadable used it): a ward officer's is small
      const callerUnits = (await ctx.area())?.length ?? Infinity;
      if (Math.min(areaUnits, callerUnits) > SMALL_AREA_UNITS) {
        // a district, a province or the country: PostgreSQL reads the trigram index for a rare text, or walks the
        // households by code and stops at the first `limit` for a common one (by the statistics the import analyses)
        return ctx.db.select().from(households).where(where).orderBy(asc(households.code)).limit(limit);
      }
      // a ward (and the old wards it was made of): its matches through the unit index and the trigram index, then
      // sorted. The subquery's OFFSET 0 keeps PostgreSQL from walking the whole country by code for a word common
      // elsewhere (a ward's name in addresses) and rare in this ward: statistics cannot see that addresses and units go together
      const matches = ctx.db.select().from(households).where(where).offset(sql`0` as unknown as number).as('matches');
      return ctx.db.select().from(matches).orderBy(asc(matches.code)).limit(limit);
    },
  },
};
