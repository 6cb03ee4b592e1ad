/**
 * pnpm --filter @ansinh/households import-units <dir>   (or, at the root: pnpm import:units <dir>)
 * Imports the national unit lists and the crosswalk in <dir> into the database the subgraph uses
 * (DATABASE_URL, else PGlite in ANSINH_DATA_DIR or .data/pglite), after applying its migrations.
 */
import { resolve } from 'node:path';
import { connect } from '@ansinh/db';
import { households } from '../index.js';
import { importUnits, ImportError } from '../domain/import-units.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: import-units <folder with units-before-<date>.csv, units-from-<date>.csv, crosswalk-<date>.csv>');
  process.exit(2);
}
// pnpm --filter runs in the package folder; INIT_CWD is where the command was typed
const folder = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
const dataDir = process.env.ANSINH_DATA_DIR ?? resolve(process.env.INIT_CWD ?? process.cwd(), '.data/pglite');
const connection = await connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : dataDir });
try {
  const service = households(connection);
  await service.prepare({ demo: false });
  const started = performance.now();
  const report = await importUnits(service.db as never, folder);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Imported ${folder} into ${connection.describe} in ${seconds} s (reform of ${report.reformDate})`);
  console.log(`units: ${report.units.inFiles} in the files; ${report.units.added} added, ${report.units.changed} changed, ${report.units.closed} closed, ${report.units.unchanged} unchanged`);
  console.log(`links: ${report.links.inFiles} in the crosswalk; ${report.links.added} added, ${report.links.changed} changed, ${report.links.removed} removed, ${report.links.unchanged} unchanged`);
} catch (error) {
  if (error instanceof ImportError) {
    console.error(`Nothing imported: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await connection.close();
}
