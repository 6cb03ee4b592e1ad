/**
 * `serve.ts import`: the HTTP import endpoint (`POST /import`) as its own process, for a deployment where the
 * subgraphs and gateways run apart. It holds the four subgraphs' import code over the database they share and
 * writes every subgraph's rows in ONE transaction: an import is applied whole or not at all. That guarantee needs
 * the four schemas (households, credit, health, housing) in one database, so this process refuses to start when
 * they are not: different `<NAME>_DATABASE_URL`s, or a subgraph whose migrated tables are not in this database.
 *
 * Configuration: DATABASE_URL (or one `<NAME>_DATABASE_URL` per subgraph, all equal), PORT (default 4005), HOST,
 * and the gateway's token settings (JWT_SECRET, or JWKS_FILE / JWKS_URL): the same tokens as GraphQL.
 */
import { readFileSync } from 'node:fs';
import { connect, connectionPool, ping, rows, sql, type Connection } from '@ansinh/db';
import { log, rootCause, routeConsoleToLog, safeError, sendJson, serveHttp, ServiceMetrics, startTracing, writeHealth, type SubgraphService } from '@ansinh/server';
import { credit } from '@ansinh/credit';
import { health } from '@ansinh/health';
import { households } from '@ansinh/households';
import { housing } from '@ansinh/housing';
import { authOptionsFromEnv, createAuthenticator } from '../auth.js';
import { subgraphEnvName } from '../subgraphs.js';
import { importAuthenticator } from './auth.js';
import { importRoute } from './route.js';

const FACTORIES = { households, credit, health, housing } as const;

/** Stops the process with one line that says what is wrong and what to do. */
function refuse(message: string): never {
  log.fatal({ service: 'import' }, message);
  process.exit(1);
}

/** The one database URL of the four subgraphs, or a refusal naming the ones that differ. */
export function sharedDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const urls = Object.keys(FACTORIES).map((name) => [name, env[subgraphEnvName(name, 'DATABASE_URL')] || env.DATABASE_URL || ''] as const);
  const distinct = new Set(urls.map(([, url]) => url));
  if (distinct.size > 1) {
    const list = urls.map(([name]) => `${subgraphEnvName(name, 'DATABASE_URL')}`).join(', ');
    throw new Error(`The import writes the four subgraphs' tables in one transaction, so their schemas must share one database; ${list} name ${distinct.size} different databases. Run the import where they share one, or import into each database apart (no all-or-nothing across them).`);
  }
  return urls[0]![1] || undefined;
}

/** Throws unless each subgraph's migrations are all applied in this database (its tables are here, up to date). */
async function checkSchemas(connection: Connection, services: SubgraphService[]): Promise<void> {
  for (const s of services) {
    const journal = JSON.parse(readFileSync(new URL('drizzle/meta/_journal.json', s.definition.schemaFile), 'utf8')) as { entries: unknown[] };
    let applied: number;
    try {
      [{ applied }] = await rows<{ applied: number }>(s.db, sql.raw(`select count(*)::int as applied from drizzle."${s.name}_migrations"`)) as [{ applied: number }];
    } catch {
      applied = 0;
    }
    if (applied < journal.entries.length) {
      throw new Error(`The ${s.name} subgraph's tables are not in ${connection.describe} (${applied} of its ${journal.entries.length} migrations applied). The import writes the four subgraphs' schemas in one transaction, so they must share this database: start the migrate step (serve.ts migrate) or the subgraphs on it first.`);
    }
  }
}

routeConsoleToLog('import');
await startTracing('import');
let url: string | undefined;
try {
  url = sharedDatabaseUrl();
} catch (error) {
  refuse((error as Error).message);
}
if (!url) refuse('DATABASE_URL is not set: the import process works on the PostgreSQL database the four subgraphs share.');
let connection: Connection;
try {
  connection = await connect({ url, max: 4 });
} catch (error) {
  log.error({ service: 'import', err: safeError(error) }, 'database connection failed');
  refuse(`Cannot reach the database (${rootCause(error)}).`);
}
const services = Object.values(FACTORIES).map((factory) => factory(connection));
try {
  await checkSchemas(connection, services);
} catch (error) {
  await connection.close();
  refuse((error as Error).message);
}
const [hh, cr, he, ho] = services as [SubgraphService, SubgraphService, SubgraphService, SubgraphService];
const metrics = new ServiceMetrics('import');
const authenticate = createAuthenticator(authOptionsFromEnv());
const running = await serveHttp({
  port: Number(process.env.PORT ?? 4005),
  host: process.env.HOST ?? '127.0.0.1',
  service: 'import',
  metrics,
  corsOrigins: (process.env.ANSINH_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  postRoutes: { '/import': importRoute({ authenticate: importAuthenticator(authenticate), metrics, dbs: { households: hh.db, credit: cr.db, health: he.db, housing: ho.db } }) },
  routes: {
    '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'import' }),
    '/ready': async (_req, res) => {
      try {
        await ping(connection);
        const writes = writeHealth.problem();
        if (writes) return sendJson(res, 503, { status: 'not ready', service: 'import', reason: writes });
        sendJson(res, 200, { status: 'ready', service: 'import' });
      } catch (error) {
        sendJson(res, 503, { status: 'not ready', service: 'import', reason: rootCause(error) });
      }
    },
  },
});
metrics.watchPool('main', connectionPool(connection));
console.log(`import endpoint at ${running.url.replace(/\/$/, '')}/import on ${connection.describe}`);
const stop = async (signal: string) => {
  console.log(`${signal}: refusing new requests, finishing those in flight…`);
  await running.close(Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000));
  await connection.close();
  console.log('stopped.');
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
