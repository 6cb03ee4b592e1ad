/** The national unit lists into the households subgraph's own tables (the shared loader: packages/server/src/units.ts). */
import { readUnitFiles, upsertUnits, UnitFileError, type UnitsReport } from '@ansinh/server';
import type { HouseholdsDb } from '../context.js';
import { unitLinks, units } from '../db/schema.js';

export { unitId } from '@ansinh/db';
export { UnitFileError as ImportError };
export type ImportReport = UnitsReport;

export async function importUnits(db: HouseholdsDb, dir: string): Promise<UnitsReport> {
  const set = readUnitFiles(dir);
  return db.transaction((tx) => upsertUnits(tx, { units, unitLinks }, set));
}
