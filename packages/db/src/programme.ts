/** The `idempotency_keys` table a subgraph with mutations keeps in its own schema: each client key with its first result. */
import { jsonb, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';

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
