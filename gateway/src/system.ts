/**
 * The whole system in one process: the four subgraphs over one database connection, and the gateway.
 * `pnpm start` runs it on PGlite; tests run it on PGlite or PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { connect, type Connection } from '@ansinh/db';
import { internalSecretFromEnv, ServiceMetrics, startSubgraph, type AdmissionSettings, type RunningSubgraph, type SubgraphService } from '@ansinh/server';
import type { Limits } from './limits.js';
import { credit } from '@ansinh/credit';
import { health } from '@ansinh/health';
import { households } from '@ansinh/households';
import { housing } from '@ansinh/housing';
import { startGateway, type GatewayOptions, type RunningGateway } from './gateway.js';
import { importRoute } from './import/route.js';
import type { SubgraphDbs } from './import/orchestrator.js';
import { importAuthenticator } from './import/auth.js';
import { authOptionsFromEnv, createAuthenticator, type AuthOptions } from './auth.js';
import { SUBGRAPHS, type SubgraphName } from './subgraphs.js';

/**
 * The database the commands and `pnpm start` use: PostgreSQL at DATABASE_URL, else the embedded PGlite folder
 * ANSINH_DATA_DIR (default .data/pglite at the repository's root).
 */
export function connectFromEnv(options: { max?: number } = {}): Promise<Connection> {
  const dataDir = process.env.ANSINH_DATA_DIR ?? fileURLToPath(new URL('../../.data/pglite', import.meta.url));
  return connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : dataDir, ...options });
}

/** What the import writes with: each subgraph's database handle and the registry's followers. */
export function importDbs(services: Record<SubgraphName, SubgraphService>): SubgraphDbs {
  return {
    households: services.households.db, credit: services.credit.db, health: services.health.db, housing: services.housing.db,
    followers: (['credit', 'health', 'housing'] as const).map((n) => services[n].follower!),
  };
}

export interface SystemOptions {
  connection: Connection;
  /** gateway port (0: any free port) */
  port?: number;
  /** first subgraph port: households on it, credit on +1, … (0: any free ports) */
  subgraphBasePort?: number;
  demo?: boolean;
  explorer?: boolean;
  introspection?: boolean;
  /** how client tokens are verified (default: from the environment, see auth.ts) */
  auth?: AuthOptions;
  limits?: Partial<Limits>;
  trustedDocuments?: boolean;
  /** gateway–subgraph secret; default ANSINH_INTERNAL_SECRET, else a random one (all in this process) */
  internalSecret?: string;
  /** how long the gateway waits for each subgraph (ms); default from the environment (see gateway.ts) */
  timeouts?: GatewayOptions['timeouts'];
  /** per-client rate limit (null: off); default from ANSINH_RATE_LIMIT */
  rateLimit?: GatewayOptions['rateLimit'];
  /** retries of idempotent subgraph fetches; default from SUBGRAPH_RETRIES */
  retry?: GatewayOptions['retry'];
  /** CORS allowlist; default from ANSINH_CORS_ORIGINS */
  corsOrigins?: string[];
  /** requests in flight and queued per server (null: unbounded); default from ANSINH_MAX_IN_FLIGHT, SUBGRAPH_MAX_IN_FLIGHT, … */
  admission?: { gateway?: AdmissionSettings | null; subgraphs?: AdmissionSettings | null };
}

export interface RunningSystem {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  services: Record<SubgraphName, SubgraphService>;
  loadedDemo: boolean;
  /** the gateway–subgraph secret this system runs with */
  internalSecret: string;
  close(): Promise<void>;
}

/**
 * The four subgraphs over one connection: the programme subgraphs first, then the households subgraph with their
 * copies of the registry as its followers (written in the registry's own transactions: docs/areas.md).
 */
export function createServices(connection: Connection): Record<SubgraphName, SubgraphService> {
  const programmes = { credit: credit(connection), health: health(connection), housing: housing(connection) };
  const followers = Object.values(programmes).map((s) => s.follower!);
  return { households: households(connection, { followers }), ...programmes };
}

/**
 * The households subgraph alone (a deployment's own process), with the programme subgraphs' copies of the registry
 * as its followers: they live in the same database (the four schemas share one PostgreSQL), written by the
 * programme subgraphs' own code inside the registry's transactions (docs/areas.md).
 */
export function householdsWithFollowers(connection: Connection): SubgraphService {
  const followers = [credit(connection), health(connection), housing(connection)].map((s) => s.follower!);
  return households(connection, { followers });
}

/** Migrates and loads reference data (and the demo, if asked): the programme subgraphs, then the registry. */
export async function prepareServices(services: Record<SubgraphName, SubgraphService>, demo: boolean): Promise<boolean> {
  let loadedDemo = false;
  // one after the other: PGlite runs one statement at a time anyway; the registry last, as it writes the followers
  for (const name of ['credit', 'health', 'housing', 'households'] as const) loadedDemo = (await services[name].prepare({ demo })).loadedDemo || loadedDemo;
  return loadedDemo;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const services = createServices(options.connection);
  const loadedDemo = await prepareServices(services, options.demo ?? true);
  const internalSecret = options.internalSecret ?? internalSecretFromEnv(true);
  const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
  for (const [i, s] of SUBGRAPHS.entries()) {
    const port = options.subgraphBasePort === undefined ? s.port : options.subgraphBasePort === 0 ? 0 : options.subgraphBasePort + i;
    subgraphs[s.name] = await startSubgraph(services[s.name].definition, { port, internalSecret, admission: options.admission?.subgraphs });
  }
  // one authenticator for GraphQL and the import endpoint: the same tokens work for both
  const authenticate = createAuthenticator(options.auth ?? authOptionsFromEnv());
  // the import endpoint is the gateway's here: its imports count into the gateway's metrics
  const importMetrics = new ServiceMetrics('gateway');
  const gateway = await startGateway({
    metrics: importMetrics,
    port: options.port ?? 4000,
    explorer: options.explorer,
    introspection: options.introspection,
    authenticate,
    limits: options.limits,
    trustedDocuments: options.trustedDocuments,
    timeouts: options.timeouts,
    rateLimit: options.rateLimit,
    retry: options.retry,
    corsOrigins: options.corsOrigins,
    admission: options.admission?.gateway,
    internalSecret,
    urls: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, subgraphs[s.name].url])),
    // the import endpoint lives where the subgraphs' databases are (this process)
    postRoutes: { '/import': importRoute({ authenticate: importAuthenticator(authenticate), metrics: importMetrics, dbs: importDbs(services) }) },
  });

  return {
    gateway, subgraphs, services, loadedDemo, internalSecret,
    async close() {
      await gateway.close();
      for (const s of Object.values(subgraphs)) await s.close();
    },
  };
}
