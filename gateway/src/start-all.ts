/** `pnpm start`: the whole system in one process on the embedded database, with the demo data. */
import { fileURLToPath } from 'node:url';
import { connect } from '@ansinh/db';
import { startSystem } from './system.js';
import { authOptionsFromEnv, DEFAULT_MAX_TOKEN_LIFETIME, DEV_IDENTITIES, issueToken } from './auth.js';
import { onShutdown, routeConsoleToLog, startTracing, startupFailed } from '@ansinh/server';

routeConsoleToLog('ansinh'); // JSON lines on stdout (log.ts)
await startTracing('ansinh'); // when OTEL_EXPORTER_OTLP_ENDPOINT is set (tracing.ts)

const started = Date.now();
const dataDir = process.env.ANSINH_DATA_DIR ?? fileURLToPath(new URL('../../.data/pglite', import.meta.url));
// a start that fails (data folder unwritable, disk full, damaged database, port taken) says why in one line
const connection = await connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : dataDir }).catch((error) => startupFailed('ansinh', error));
console.log(`database: ${connection.describe}`);
const system = await startSystem({
  connection,
  port: Number(process.env.PORT ?? 4000),
  subgraphBasePort: process.env.SUBGRAPH_BASE_PORT ? Number(process.env.SUBGRAPH_BASE_PORT) : undefined,
  demo: process.env.ANSINH_DEMO_DATA !== 'off',
}).catch((error) => startupFailed('ansinh', error));
if (system.loadedDemo) console.log('demo data loaded into the empty database');
for (const [name, s] of Object.entries(system.subgraphs)) console.log(`  ${name.padEnd(10)} ${s.url}`);
console.log(`\nAn Sinh Graph is up in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
console.log(`Explorer and GraphQL endpoint: http://localhost:${system.gateway.port}/`);
const auth = authOptionsFromEnv();
if (auth.jwtSecret && process.env.NODE_ENV !== 'production') {
  // ready-made tokens for trying the API (Authorization: Bearer …; the explorer has a headers tab)
  // 12 h, or the gateway's maximum lifetime when that is shorter (ANSINH_MAX_TOKEN_LIFETIME)
  const lifetime = Math.min(12 * 3_600, auth.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME);
  console.log(`\nDevelopment tokens (HS256, ${process.env.JWT_SECRET ? 'JWT_SECRET' : 'the built-in development secret'}, valid ${+(lifetime / 3_600).toFixed(2)} h):`);
  for (const identity of DEV_IDENTITIES) {
    const token = await issueToken(identity, auth.jwtSecret, { expiresIn: `${lifetime}s`, issuer: auth.issuer, audience: auth.audience });
    console.log(`  ${identity.role.padEnd(16)} ${JSON.stringify(identity.units).padEnd(10)} ${token}`);
  }
}
console.log('Press Ctrl-C to stop.');

// SIGTERM/SIGINT, or pnpm (the parent) gone: finish the requests in flight (SHUTDOWN_GRACE_MS), then exit 0
onShutdown(async (reason) => {
  console.log(`\n${reason}: refusing new requests, finishing those in flight…`);
  await system.close();
  await connection.close();
  console.log('stopped.');
});
