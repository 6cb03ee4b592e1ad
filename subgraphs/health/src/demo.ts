/** Loads the health slice of the demo data into empty tables. */
import { count } from 'drizzle-orm';
import { areaUnitRows, insertInBatches } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import type { HealthDb } from './context.js';
import { areaUnits, contributions, insuranceCards, supportLayers, supportRules } from './db/schema.js';

export async function isEmpty(db: HealthDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(areaUnits);
  return row!.n === 0;
}

export async function loadDemo(db: HealthDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    await insertInBatches(areaUnitRows(data.units), (b) => tx.insert(areaUnits).values(b));
    await tx.insert(supportRules).values(data.supportRules);
    await insertInBatches(data.cards, (b) => tx.insert(insuranceCards).values(b));
    await insertInBatches(data.contributions, (b) => tx.insert(contributions).values(b));
    await insertInBatches(data.supportLayers, (b) => tx.insert(supportLayers).values(b));
  });
}
