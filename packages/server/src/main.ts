/** Running one subgraph on its own: `DATABASE_URL` (or PGlite in `ANSINH_DATA_DIR`) and `PORT`. */
import { connect, type Connection } from '@ansinh/db';
import type { SubgraphService } from './service.js';
import { startSubgraph } from './subgraph.js';
import { internalSecretFromEnv } from './identity.js';
import { routeConsoleToLog } from './log.js';
import { startTracing } from './tracing.js';
import { onShutdown, startupFailed } from './shutdown.js';

export async function runSubgraph(factory: (connection: Connection) => SubgraphService, defaultPort: number): Promise<void> {
  const name = factory.name || 'subgraph';
  routeConsoleToLog(name); // JSON lines on stdout (log.ts)
  await startTracing(name); // when OTEL_EXPORTER_OTLP_ENDPOINT is set, before the schema is built (resolver spans)
  const connection = await connect({
    url: process.env.DATABASE_URL,
    dataDir: process.env.DATABASE_URL ? undefined : (process.env.ANSINH_DATA_DIR ?? '.data/pglite'),
  }).catch((error) => startupFailed(name, error));
  const service = factory(connection);
  await service.prepare({ demo: process.env.ANSINH_DEMO_DATA !== 'off' });
  const running = await startSubgraph(service.definition, {
    port: Number(process.env.PORT ?? defaultPort),
    host: process.env.HOST ?? '127.0.0.1',
    internalSecret: internalSecretFromEnv(false),
  });
  console.log(`${service.name} subgraph on ${connection.describe} at ${running.url}`);
  // graceful shutdown: refuse new requests, finish those in flight (SHUTDOWN_GRACE_MS), then close the database
  onShutdown(async (reason) => {
    console.log(`${reason}: refusing new requests, finishing those in flight…`);
    await running.close(Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000));
    await connection.close();
    console.log('stopped.');
  });
}
