/**
 * What a subgraph package exports: its definition (schema, resolvers, per-request context) bound to a database
 * connection, plus how to migrate its schema, load the reference data every deployment needs (the national unit
 * lists, and the subgraph's own defaults such as lenders or support rules) and its slice of the demo data.
 */
import { fileURLToPath } from 'node:url';
import type { BaseContext } from '@apollo/server';
import { connectionPool, database, installSummaryTriggers, migrate, ping, registryFollower, StatementCounter, type Connection, type Db, type RegistryFollower, type registryTables, type SummarySource } from '@ansinh/db';
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

/** Every subgraph's tables include its copy of the unit lists (`units`, `unitLinks`). */
type SubgraphTables = Record<string, unknown> & { units: UnitTables['units']; unitLinks: UnitTables['unitLinks'] };

export interface SubgraphSpec<TSchema extends SubgraphTables, Ctx extends BaseContext> {
  /** the subgraph's name, which is also the PostgreSQL schema it owns */
  name: string;
  /** import.meta.url of the subgraph's src/index.ts: schema.graphql and drizzle/ are found from it */
  packageUrl: string;
  tables: TSchema;
  resolvers: Record<string, unknown>;
  context: (db: Db<TSchema>, caller: Caller, options: SubgraphOptions) => Ctx;
  /** loads the subgraph's shipped reference defaults (data/reference) into its empty tables */
  loadReference?: (db: Db<TSchema>) => Promise<void>;
  isEmpty: (db: Db<TSchema>) => Promise<boolean>;
  loadDemo: (db: Db<TSchema>, options: SubgraphOptions) => Promise<void>;
  /** runs last in `prepare` (households: gives a new follower its copy of the registry) */
  afterPrepare?: (db: Db<TSchema>, options: SubgraphOptions) => Promise<void>;
  /**
   * A programme subgraph keeps its copy of the registry (its `registry*` tables, in its own schema), written by the
   * households subgraph's changes (docs/areas.md)
   */
  followsRegistry?: TSchema extends ReturnType<typeof registryTables> ? true : never;
  /**
   * The tables whose writes change the figures its reports keep per unit (packages/db summaries.ts), and the units
   * each write touches: triggers installed at every start raise those units' versions.
   */
  summarySources?: readonly SummarySource[];
}

export function defineSubgraph<TSchema extends SubgraphTables, Ctx extends BaseContext>(spec: SubgraphSpec<TSchema, Ctx>) {
  const unitTables: UnitTables = { units: spec.tables.units, unitLinks: spec.tables.unitLinks };
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
      follower: spec.followsRegistry ? registryFollower(db, spec.name, spec.tables as unknown as ReturnType<typeof registryTables>) : undefined,
      definition: {
        name: spec.name,
        schemaFile: new URL('../schema.graphql', spec.packageUrl),
        resolvers: spec.resolvers,
        context: (caller) => spec.context(db, caller, options),
        ready: () => ping(connection),
        metrics,
      },
      async prepare(prepareOptions = {}) {
        await migrate(connection, db, fileURLToPath(new URL('../drizzle', spec.packageUrl)), spec.name);
        if (spec.summarySources) await installSummaryTriggers(db, spec.name, spec.summarySources);
        if (await hasNoUnits(db, unitTables)) await loadNationalUnits(db, unitTables);
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
