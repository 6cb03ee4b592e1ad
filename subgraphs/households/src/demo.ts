/** Loads the households slice of the demo data into empty tables. The poverty standards come with the migrations. */
import { count } from 'drizzle-orm';
import { insertInBatches } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import type { HouseholdsDb } from './context.js';
import { assessments, householdUnitChanges, households, members, reductionTargets, unitLinks, units, unitTotals } from './db/schema.js';

export async function isEmpty(db: HouseholdsDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(units);
  return row!.n === 0;
}

export async function loadDemo(db: HouseholdsDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    await insertInBatches(data.units, (b) => tx.insert(units).values(b));
    await insertInBatches(data.unitLinks, (b) => tx.insert(unitLinks).values(b));
    await insertInBatches(data.unitTotals, (b) => tx.insert(unitTotals).values(b));
    await insertInBatches(data.reductionTargets, (b) => tx.insert(reductionTargets).values(b));
    await insertInBatches(data.households, (b) => tx.insert(households).values(b));
    await insertInBatches(data.members, (b) => tx.insert(members).values(b));
    await insertInBatches(data.unitChanges, (b) => tx.insert(householdUnitChanges).values(b));
    await insertInBatches(data.assessments, (b) => tx.insert(assessments).values(b));
  });
}
