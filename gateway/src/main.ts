/** The gateway alone, for a real deployment: subgraph URLs from HOUSEHOLDS_URL, CREDIT_URL, HEALTH_URL, HOUSING_URL. */
import { internalSecretFromEnv, routeConsoleToLog, startTracing } from '@ansinh/server';
import { startGateway } from './gateway.js';

routeConsoleToLog('gateway'); // JSON lines on stdout (log.ts)
startTracing('gateway'); // when OTEL_EXPORTER_OTLP_ENDPOINT is set (tracing.ts)

const gateway = await startGateway({ host: process.env.HOST ?? '0.0.0.0', internalSecret: internalSecretFromEnv(false) });
console.log(`gateway at ${gateway.url}, subgraphs: ${JSON.stringify(gateway.urls)}`);
// graceful shutdown: stop accepting, let requests in flight finish (at most SHUTDOWN_GRACE_MS), then exit
const stop = async (signal: string) => {
  console.log(`${signal}: refusing new requests, finishing those in flight…`);
  await gateway.close();
  console.log('stopped.');
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
