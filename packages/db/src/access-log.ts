/**
 * The append-only access log table every subgraph that serves sensitive fields keeps in its own schema: who read
 * which individual's sensitive fields (docs/security.md). Rows are only ever inserted; a trigger in each
 * subgraph's migrations refuses UPDATE, DELETE and TRUNCATE.
 */
import { bigint, index, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';

export function accessLogTable(schema: PgSchema) {
  return schema.table('access_log', {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    subject: text('subject').notNull(),
    role: text('role').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** the household the individual or record belongs to (null only for entries written before it was kept) */
    householdId: uuid('household_id'),
    fields: text('fields').array().notNull(),
    operationName: text('operation_name'),
    requestId: text('request_id').notNull(),
  }, (t) => [index('access_log_at_idx').on(t.at, t.id), index('access_log_request_idx').on(t.requestId), index('access_log_household_idx').on(t.householdId, t.at)]);
}
