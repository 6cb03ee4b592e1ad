/** The gateway alone, for a real deployment: subgraph URLs from HOUSEHOLDS_URL, CREDIT_URL, HEALTH_URL, HOUSING_URL. */
import { internalSecretFromEnv, onShutdown, routeConsoleToLog, startTracing } from '@ansinh/server';
import { startGateway } from './gateway.js';

routeConsoleToLog('gateway'); // JSON lines on stdout (log.ts)
await startTracing('gateway'); // when OTEL_EXPORTER_OTLP_ENDPOINT is set (tracing.ts)

const gateway = await startGateway({ host: process.env.HOST ?? '0.0.0.0', internalSecret: internalSecretFromEnv(false) });
console.log(`gateway at ${gateway.url}, subgraphs: ${JSON.stringify(gateway.urls)}`);
// graceful shutdown: stop accepting, let requests in flight finish (at most SHUTDOWN_GRACE_MS), then exit 0
onShutdown(async (reason) => {
  console.log(`${reason}: refusing new requests, finishing those in flight…`);
  await gateway.close();
  console.log('stopped.');
});
