/** Loads the housing slice of the demo data into empty tables. */
import { count } from 'drizzle-orm';
import { areaUnitRows, insertInBatches } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import type { HousingDb } from './context.js';
import { areaUnits, fundingLines, programmes, supports } from './db/schema.js';

export async function isEmpty(db: HousingDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(areaUnits);
  return row!.n === 0;
}

export async function loadDemo(db: HousingDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    await insertInBatches(areaUnitRows(data.units), (b) => tx.insert(areaUnits).values(b));
    await tx.insert(programmes).values(data.housingProgrammes);
    await insertInBatches(data.housingSupports, (b) => tx.insert(supports).values(b));
    await insertInBatches(data.fundingLines, (b) => tx.insert(fundingLines).values(b));
  });
}
