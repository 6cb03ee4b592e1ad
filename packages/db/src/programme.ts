/**
 * Tables every programme subgraph (credit, health, housing) has in its own PostgreSQL schema:
 * - `area_units`: the administrative-unit reference list (public GSO data, the same rows the households subgraph
 *   owns and names), so a subgraph can turn a unit code and a date into the unit id its records carry in their
 *   `area` column, and the ward of a new record into its area, without reading another schema.
 * - `idempotency_keys`: the client-supplied keys of mutations with the first result, so a replay changes nothing.
 */
import { date, index, jsonb, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';

export function areaUnitsTable(schema: PgSchema) {
  return schema.table('area_units', {
    /** the unit id as the households subgraph names it: `${code}@${validFrom ?? 'origin'}` */
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
    /** the unit's id and its ancestors', province first (what records made in this unit store in `area`) */
    area: text('area').array().notNull(),
  }, (t) => [index('area_units_code_idx').on(t.code)]);
}

export function idempotencyTable(schema: PgSchema) {
  return schema.table('idempotency_keys', {
    key: text('key').primaryKey(),
    operation: text('operation').notNull(),
    /** sha-256 of the operation's input (without the key), to tell a replay from a reuse of the key */
    inputHash: text('input_hash').notNull(),
    result: jsonb('result'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  });
}

/** The area (unit id and ancestors' ids, province first) of each unit of a list of units. */
export function areaUnitRows(units: { id: string; code: string; parentId: string | null; validFrom: string | null; validTo: string | null }[]) {
  const byId = new Map(units.map((u) => [u.id, u]));
  return units.map((u) => {
    const area: string[] = [];
    for (let x: typeof u | undefined = u; x; x = x.parentId ? byId.get(x.parentId) : undefined) area.unshift(x.id);
    return { id: u.id, code: u.code, validFrom: u.validFrom, validTo: u.validTo, area };
  });
}
