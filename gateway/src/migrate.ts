/**
 * `serve.ts migrate`: a deployment's one-off step before the subgraphs start on a database: each subgraph's
 * migrations, one subgraph after the other (so that processes starting side by side never race to create the same
 * schema), then the demo data into empty tables when ANSINH_DEMO_DATA is on. Exits 0 when done, 1 on failure.
 */
import { connect } from '@ansinh/db';
import { log, rootCause, routeConsoleToLog, safeError } from '@ansinh/server';
import { credit } from '@ansinh/credit';
import { health } from '@ansinh/health';
import { households } from '@ansinh/households';
import { housing } from '@ansinh/housing';

routeConsoleToLog('migrate');
const started = Date.now();
const demo = process.env.ANSINH_DEMO_DATA !== 'off'; // as every entry point: on unless "off"
let code = 0;
const connection = await connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : (process.env.ANSINH_DATA_DIR ?? '.data/pglite'), max: 2 });
try {
  for (const factory of [households, credit, health, housing]) {
    const { loadedDemo } = await factory(connection).prepare({ demo });
    log.info({ service: 'migrate', subgraph: factory.name, loadedDemo }, `${factory.name}: migrated${loadedDemo ? ', demo data loaded' : ''}`);
  }
  log.info({ service: 'migrate', database: connection.describe, durationMs: Date.now() - started }, 'database ready');
} catch (error) {
  log.error({ service: 'migrate', err: safeError(error) }, `migration failed: ${rootCause(error)}`);
  code = 1;
} finally {
  await connection.close();
}
process.exit(code);
