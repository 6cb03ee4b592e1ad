/**
 * The credit subgraph's reference defaults (lenders and interest rates, data/reference, loaded into every new
 * database through the import's own checks) and its slice of the demo data (savings groups, loans, movements).
 */
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { bulkInsert } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import { loadReferenceFiles, referenceDir, upsertUnits } from '@ansinh/server';
import type { CreditDb } from './context.js';
import { lenders, loans, loanTransactions, savingsGroups, units, unitLinks } from './db/schema.js';
import { CreditImport } from './import/index.js';

export async function loadReference(db: CreditDb): Promise<void> {
  const [row] = await db.select({ n: count() }).from(lenders);
  if (row!.n > 0) return;
  await loadReferenceFiles(db, new CreditImport(db), ['lenders', 'interest_rates'], join(referenceDir(), 'reference'));
}

export async function isEmpty(db: CreditDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(loans);
  return row!.n === 0;
}

export async function loadDemo(db: CreditDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    // the demo's own units (beside the national lists), as every subgraph has them
    await upsertUnits(tx, { units, unitLinks }, { reformDate: null, units: data.units, links: data.unitLinks });
    await bulkInsert(tx, savingsGroups, data.savingsGroups.map(({ area: _area, ...g }) => g));
    await bulkInsert(tx, loans, data.loans.map(({ area: _area, ...l }) => l));
    await bulkInsert(tx, loanTransactions, data.loanTransactions.map(({ on, ...t }) => ({ ...t, occurredOn: on })));
  });
}
