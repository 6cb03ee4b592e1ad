/**
 * pnpm import:units [dir]
 * Loads the national unit lists and the crosswalk of a reform (default: data/admin-units, shipped in the repository)
 * into every subgraph, each into its own `units` and `unit_links` tables, in one transaction (the database of
 * DATABASE_URL, else PGlite in ANSINH_DATA_DIR or .data/pglite), after applying the migrations. A fresh database
 * loads the shipped lists on its first start anyway; this command brings in a newer list or another reform.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@ansinh/db';
import { nationalUnitsDir, readUnitFiles, upsertUnits, UnitFileError, type UnitTables } from '@ansinh/server';
import { createServices, prepareServices } from './system.js';
import * as householdsTables from '@ansinh/households/tables';
import * as creditTables from '@ansinh/credit/tables';
import * as healthTables from '@ansinh/health/tables';
import * as housingTables from '@ansinh/housing/tables';

const cwd = process.env.INIT_CWD ?? process.cwd();
const folder = process.argv[2] ? resolve(cwd, process.argv[2]) : nationalUnitsDir();
const dataDir = process.env.ANSINH_DATA_DIR ?? fileURLToPath(new URL('../../.data/pglite', import.meta.url));
const connection = await connect({ url: process.env.DATABASE_URL, dataDir: process.env.DATABASE_URL ? undefined : dataDir });
const TABLES: [string, UnitTables][] = [
  ['households', householdsTables], ['credit', creditTables], ['health', healthTables], ['housing', housingTables],
];
try {
  const set = readUnitFiles(folder);
  const services = createServices(connection);
  await prepareServices(services, false);
  const started = performance.now();
  const reports = await services.households.db.transaction(async (tx) => {
    const out: [string, Awaited<ReturnType<typeof upsertUnits>>][] = [];
    for (const [name, tables] of TABLES) out.push([name, await upsertUnits(tx, tables, set)]);
    return out;
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Imported ${folder} into ${connection.describe} in ${seconds} s (reform of ${set.reformDate})`);
  for (const [name, r] of reports) {
    console.log(`${name.padEnd(10)} units: ${r.units.inFiles} in the files; ${r.units.added} added, ${r.units.changed} changed, ${r.units.closed} closed, ${r.units.unchanged} unchanged`);
    console.log(`${''.padEnd(10)} links: ${r.links.inFiles} in the crosswalk; ${r.links.added} added, ${r.links.changed} changed, ${r.links.removed} removed, ${r.links.unchanged} unchanged`);
  }
} catch (error) {
  if (error instanceof UnitFileError) {
    console.error(`Nothing imported: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await connection.close();
}
