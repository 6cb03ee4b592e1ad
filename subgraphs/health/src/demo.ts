/**
 * The health subgraph's reference defaults (the BHYT/BHXH support rules, data/reference, loaded into every new
 * database through the import's own checks) and its slice of the demo data (cards, contributions and their layers).
 */
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { bulkInsert } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import { loadReferenceFiles, referenceDir, upsertUnits } from '@ansinh/server';
import type { HealthDb } from './context.js';
import { contributions, insuranceCards, supportLayers, supportRules, units, unitLinks } from './db/schema.js';
import { HealthImport } from './import/index.js';

export async function loadReference(db: HealthDb): Promise<void> {
  const [row] = await db.select({ n: count() }).from(supportRules);
  if (row!.n > 0) return;
  await loadReferenceFiles(db, new HealthImport(db), ['support_rules'], join(referenceDir(), 'reference'));
}

export async function isEmpty(db: HealthDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(insuranceCards);
  return row!.n === 0;
}

export async function loadDemo(db: HealthDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    // the demo's own units (beside the national lists), as every subgraph has them
    await upsertUnits(tx, { units, unitLinks }, { reformDate: null, units: data.units, links: data.unitLinks });
    await bulkInsert(tx, insuranceCards, data.cards.map(({ area: _area, ...c }) => c));
    await bulkInsert(tx, contributions, data.contributions.map(({ area: _area, ...c }) => c));
    await bulkInsert(tx, supportLayers, data.supportLayers);
  });
}
