/**
 * `pnpm recount`: counts report summaries ahead of the users (docs/operations.md "Slow first reports"), for a
 * scheduler to run once a day after midnight: the summaries writes have made stale (recountStale), then today's
 * figures of the reports asked yesterday for yesterday (rollForward). DATABASE_URL, or the PGlite folder
 * ANSINH_DATA_DIR; ANSINH_RECOUNT_SECONDS (default 600) bounds each of the two for each subgraph.
 */
import { recountStale, rollForward } from '@ansinh/db';
import { rootCause } from '@ansinh/server';
import { connectFromEnv, createServices, prepareServices } from './system.js';

const started = Date.now();
const say = (message: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
const budget = Number(process.env.ANSINH_RECOUNT_SECONDS ?? 600) * 1000;
const connection = await connectFromEnv({ max: 2 });
say(`database: ${connection.describe}`);
let exitCode = 0;
try {
  const services = createServices(connection);
  await prepareServices(services, false);
  for (const schema of ['households', 'credit', 'health', 'housing'] as const) {
    const db = services[schema].db;
    const stale = await recountStale(db, schema, budget);
    const rolled = await rollForward(db, schema, budget);
    say(`${schema}: ${stale.reports} stale report summaries counted again (${stale.units} units${stale.left ? `, ${stale.left} left` : ''}); `
      + `${rolled.reports} of yesterday's reports counted for today (${rolled.units} units${rolled.left ? `, ${rolled.left} left` : ''})`);
  }
} catch (error) {
  process.stderr.write(`recount failed: ${rootCause(error)}\n`);
  exitCode = 2;
} finally {
  await connection.close();
}
process.exit(exitCode);
