/**
 * What a subgraph package exports: its definition (schema, resolvers, per-request context) bound to a database
 * connection, plus how to migrate its schema and load its slice of the demo data.
 */
import { fileURLToPath } from 'node:url';
import type { BaseContext } from '@apollo/server';
import { connectionPool, database, migrate, ping, StatementCounter, type Connection, type Db } from '@ansinh/db';
import type { SubgraphDefinition } from './subgraph.js';
import { ServiceMetrics } from './metrics.js';
import { sqlObserver } from './tracing.js';
import type { Caller } from './identity.js';

export interface SubgraphService {
  name: string;
  definition: SubgraphDefinition<BaseContext>;
  /** SQL statements this subgraph has sent (tests count work with it). */
  counter: StatementCounter;
  /** its metrics: requests, SQL statements and their durations, the database pool */
  metrics: ServiceMetrics;
  db: Db<any>;
  /** Applies migrations, then loads the demo data if asked and the subgraph's tables are empty. */
  prepare(options?: { demo?: boolean }): Promise<{ loadedDemo: boolean }>;
}

export interface SubgraphSpec<TSchema extends Record<string, unknown>, Ctx extends BaseContext> {
  name: string;
  /** the PostgreSQL schema the subgraph owns */
  pgSchema: string;
  /** import.meta.url of the subgraph's src/index.ts: schema.graphql and drizzle/ are found from it */
  packageUrl: string;
  tables: TSchema;
  resolvers: Record<string, unknown>;
  context: (db: Db<TSchema>, caller: Caller) => Ctx;
  isEmpty: (db: Db<TSchema>) => Promise<boolean>;
  loadDemo: (db: Db<TSchema>) => Promise<void>;
}

export function defineSubgraph<TSchema extends Record<string, unknown>, Ctx extends BaseContext>(spec: SubgraphSpec<TSchema, Ctx>) {
  const factory = (connection: Connection): SubgraphService => {
    const counter = new StatementCounter();
    const metrics = new ServiceMetrics(spec.name);
    metrics.watchPool('main', connectionPool(connection));
    const db = database(connection, spec.tables, counter, sqlObserver(spec.name, metrics));
    return {
      name: spec.name,
      counter,
      metrics,
      db,
      definition: {
        name: spec.name,
        schemaFile: new URL('../schema.graphql', spec.packageUrl),
        resolvers: spec.resolvers,
        context: (caller) => spec.context(db, caller),
        ready: () => ping(connection),
        metrics,
      },
      async prepare(options = {}) {
        await migrate(connection, db, fileURLToPath(new URL('../drizzle', spec.packageUrl)), spec.pgSchema);
        if (!options.demo || !(await spec.isEmpty(db))) return { loadedDemo: false };
        await spec.loadDemo(db);
        return { loadedDemo: true };
      },
    };
  };
  // the factory is named after its subgraph (logs and traces of a process running it alone)
  return Object.defineProperty(factory, 'name', { value: spec.name });
}
