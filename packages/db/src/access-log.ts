/**
 * The append-only access log table every subgraph that serves sensitive fields keeps in its own schema: who read
 * which individual's sensitive fields (docs/security.md). Rows are only ever inserted; a trigger in each
 * subgraph's migrations refuses UPDATE, DELETE and TRUNCATE.
 */
import { bigint, index, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';

export function accessLogTable(schema: PgSchema) {
  return schema.table('access_log', {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    subject: text('subject').notNull(),
    role: text('role').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    fields: text('fields').array().notNull(),
    operationName: text('operation_name'),
    requestId: text('request_id').notNull(),
  }, (t) => [index('access_log_at_idx').on(t.at), index('access_log_request_idx').on(t.requestId)]);
}
