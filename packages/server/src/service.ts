/**
 * What a subgraph package exports: its definition (schema, resolvers, per-request context) bound to a database
 * connection, plus how to migrate its schema, load the reference data every deployment needs (the national unit
 * lists, and the subgraph's own defaults such as lenders or support rules) and its slice of the demo data.
 */
import { fileURLToPath } from 'node:url';
import type { BaseContext } from '@apollo/server';
import { connectionPool, database, migrate, ping, StatementCounter, type Connection, type Db, type RegistryFollower } from '@ansinh/db';
import type { SubgraphDefinition } from './subgraph.js';
import { ServiceMetrics } from './metrics.js';
import { sqlObserver } from './tracing.js';
import type { Caller } from './identity.js';
import { hasNoUnits, loadNationalUnits, type UnitTables } from './units.js';

export interface SubgraphOptions {
  /** the programme subgraphs that follow the registry (households only; docs/areas.md) */
  followers?: RegistryFollower[];
}

export interface SubgraphService {
  name: string;
  definition: SubgraphDefinition<BaseContext>;
  /** SQL statements this subgraph has sent (tests count work with it). */
  counter: StatementCounter;
  /** its metrics: requests, SQL statements and their durations, the database pool */
  metrics: ServiceMetrics;
  db: Db<any>;
  /** this subgraph's copy of the registry, for the households subgraph to write (programme subgraphs only) */
  follower?: RegistryFollower;
  /**
   * Applies migrations, loads the national unit lists and the subgraph's reference defaults into empty tables, then
   * the demo data if asked and the subgraph holds no records yet.
   */
  prepare(options?: { demo?: boolean }): Promise<{ loadedDemo: boolean }>;
}

export interface SubgraphSpec<TSchema extends Record<string, unknown>, Ctx extends BaseContext> {
  name: string;
  /** the PostgreSQL schema the subgraph owns */
  pgSchema: string;
  /** import.meta.url of the subgraph's src/index.ts: schema.graphql and drizzle/ are found from it */
  packageUrl: string;
  tables: TSchema;
  /** its `units` and `unit_links` tables (every subgraph has them) */
  unitTables: UnitTables;
  resolvers: Record<string, unknown>;
  context: (db: Db<TSchema>, caller: Caller, options: SubgraphOptions) => Ctx;
  /** loads the subgraph's shipped reference defaults (data/reference) into its empty tables */
  loadReference?: (db: Db<TSchema>) => Promise<void>;
  isEmpty: (db: Db<TSchema>) => Promise<boolean>;
  loadDemo: (db: Db<TSchema>, options: SubgraphOptions) => Promise<void>;
  /** runs last in `prepare` (households: gives a new follower its copy of the registry) */
  afterPrepare?: (db: Db<TSchema>, options: SubgraphOptions) => Promise<void>;
  /** the subgraph's copy of the registry (programme subgraphs) */
  follower?: (db: Db<TSchema>) => RegistryFollower;
}

export function defineSubgraph<TSchema extends Record<string, unknown>, Ctx extends BaseContext>(spec: SubgraphSpec<TSchema, Ctx>) {
  const factory = (connection: Connection, options: SubgraphOptions = {}): SubgraphService => {
    const counter = new StatementCounter();
    const metrics = new ServiceMetrics(spec.name);
    metrics.watchPool('main', connectionPool(connection));
    const db = database(connection, spec.tables, counter, sqlObserver(spec.name, metrics));
    return {
      name: spec.name,
      counter,
      metrics,
      db,
      follower: spec.follower?.(db),
      definition: {
        name: spec.name,
        schemaFile: new URL('../schema.graphql', spec.packageUrl),
        resolvers: spec.resolvers,
        context: (caller) => spec.context(db, caller, options),
        ready: () => ping(connection),
        metrics,
      },
      async prepare(prepareOptions = {}) {
        await migrate(connection, db, fileURLToPath(new URL('../drizzle', spec.packageUrl)), spec.pgSchema);
        if (await hasNoUnits(db, spec.unitTables)) await loadNationalUnits(db, spec.unitTables);
        await spec.loadReference?.(db);
        let loadedDemo = false;
        if (prepareOptions.demo && (await spec.isEmpty(db))) {
          await spec.loadDemo(db, options);
          loadedDemo = true;
        }
        await spec.afterPrepare?.(db, options);
        return { loadedDemo };
      },
    };
  };
  // the factory is named after its subgraph (logs and traces of a process running it alone)
  return Object.defineProperty(factory, 'name', { value: spec.name });
}
