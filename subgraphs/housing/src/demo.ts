/**
 * The housing subgraph's reference defaults (the housing programmes, data/reference, loaded into every new database
 * through the import's own checks) and its slice of the demo data (supports and their funding lines).
 */
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { bulkInsert } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import { loadReferenceFiles, referenceDir, upsertUnits } from '@ansinh/server';
import type { HousingDb } from './context.js';
import { fundingLines, programmes, supports, units, unitLinks } from './db/schema.js';
import { HousingImport } from './import/index.js';

export async function loadReference(db: HousingDb): Promise<void> {
  const [row] = await db.select({ n: count() }).from(programmes);
  if (row!.n > 0) return;
  await loadReferenceFiles(db, new HousingImport(db), ['housing_programmes'], join(referenceDir(), 'reference'));
}

export async function isEmpty(db: HousingDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(supports);
  return row!.n === 0;
}

export async function loadDemo(db: HousingDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    // the demo's own units (beside the national lists), as every subgraph has them
    await upsertUnits(tx, { units, unitLinks }, { reformDate: null, units: data.units, links: data.unitLinks });
    await bulkInsert(tx, supports, data.housingSupports.map(({ area: _area, ...s }) => s));
    await bulkInsert(tx, fundingLines, data.fundingLines);
  });
}
