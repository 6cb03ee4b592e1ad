/**
 * `serve.ts migrate`: a deployment's one-off step before the subgraphs start on a database: each subgraph's
 * migrations and reference data, one subgraph after the other (so that processes starting side by side never race
 * to create the same schema), then the demo data into empty tables when ANSINH_DEMO_DATA is on; the registry last,
 * as it writes the programme subgraphs' copies of it. Exits 0 when done, 1 on failure.
 */
import { connect } from '@ansinh/db';
import { log, rootCause, routeConsoleToLog, safeError } from '@ansinh/server';
import { createServices } from './system.js';

routeConsoleToLog('migrate');
const started = Date.now();
const demo = process.env.ANSINH_DEMO_DATA !== 'off'; // as every entry point: on unless "off"
let code = 0;
const connection = await connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : (process.env.ANSINH_DATA_DIR ?? '.data/pglite'), max: 2 });
try {
  // the programme subgraphs first, then the registry, which writes their copies of it (docs/areas.md)
  const services = createServices(connection);
  for (const name of ['credit', 'health', 'housing', 'households'] as const) {
    const { loadedDemo } = await services[name].prepare({ demo });
    log.info({ service: 'migrate', subgraph: name, loadedDemo }, `${name}: migrated${loadedDemo ? ', demo data loaded' : ''}`);
  }
  log.info({ service: 'migrate', database: connection.describe, durationMs: Date.now() - started }, 'database ready');
} catch (error) {
  log.error({ service: 'migrate', err: safeError(error) }, `migration failed: ${rootCause(error)}`);
  code = 1;
} finally {
  await connection.close();
}
process.exit(code);
