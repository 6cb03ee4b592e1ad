/**
 * The bench's subgraphs: the four subgraphs in one process over the bench database (DATABASE_URL), on
 * SUBGRAPH_BASE_PORT + 0..3, verifying internal tokens with ANSINH_INTERNAL_SECRET. Every gateway of the bench
 * (ours, plain @apollo/gateway, Hive Gateway) sends its requests here.
 */
import { connect } from '@ansinh/db';
import { createServices, SUBGRAPHS } from '@ansinh/gateway';
import { internalSecretFromEnv, startSubgraph } from '@ansinh/server';

const connection = await connect({ url: process.env.DATABASE_URL!, max: Number(process.env.BENCH_POOL ?? 10) });
const services = createServices(connection);
const base = Number(process.env.SUBGRAPH_BASE_PORT);
const secret = internalSecretFromEnv(false);
for (const [i, s] of SUBGRAPHS.entries()) {
  const running = await startSubgraph(services[s.name].definition, { port: base + i, internalSecret: secret });
  console.log(`subgraph ${s.name} at ${running.url}`);
}
// the bench reads SQL statements per request from here
const { createServer } = await import('node:http');
createServer((_req, res) => {
  res.end(JSON.stringify(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, services[s.name].counter.count]))));
}).listen(base + 4, '127.0.0.1', () => console.log('statement counts ready'));
// exit on a signal (a profile given with --cpu-prof is written on exit)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
