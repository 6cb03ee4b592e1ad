/**
 * A subgraph's schema alone in an in-memory PGlite, migrated and empty: what the domain tests beside each subgraph
 * (subgraphs/<name>/test) run their SQL rules against, with a fixture of a few hand-written rows. No HTTP, no
 * gateway, no demo data: a file opens one and shares it between its cases.
 */
import { fileURLToPath } from 'node:url';
import { connect, database, migrate, type Db } from './index.js';

export interface ScratchDatabase<T extends Record<string, unknown>> { db: Db<T>; close(): Promise<void> }

export async function scratchDatabase<T extends Record<string, unknown>>(tables: T, migrations: URL, pgSchema: string): Promise<ScratchDatabase<T>> {
  const connection = await connect();
  const db = database(connection, tables);
  await migrate(connection, db, fileURLToPath(migrations), pgSchema);
  return { db, close: () => connection.close() };
}
