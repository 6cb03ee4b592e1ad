/**
 * Benchmark: importing the full national unit lists and the 2025 crosswalk (data/admin-units in this repository) into a
 * fresh PGlite database, then again (the second run must change nothing).
 *   node --import tsx test/bench/import-units.ts [folder]
 */
import { resolve } from 'node:path';
import { connect } from '@ansinh/db';
import { households } from '@ansinh/households';
import { importUnits } from '@ansinh/households/import-units';

const folder = resolve(process.argv[2] ?? new URL('../../data/admin-units', import.meta.url).pathname);
const connection = await connect({});
const service = households(connection);
await service.prepare({ demo: false });
for (const run of ['first', 'second']) {
  const started = performance.now();
  const report = await importUnits(service.db as never, folder);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${run} import: ${seconds.toFixed(2)} s`, JSON.stringify(report));
}
await connection.close();
