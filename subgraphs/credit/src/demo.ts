/** Loads the credit slice of the demo data into empty tables. */
import { count } from 'drizzle-orm';
import { areaUnitRows, insertInBatches } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import type { CreditDb } from './context.js';
import { areaUnits, interestRates, lenders, loans, loanTransactions, savingsGroups } from './db/schema.js';

export async function isEmpty(db: CreditDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(areaUnits);
  return row!.n === 0;
}

export async function loadDemo(db: CreditDb): Promise<void> {
  const data = demoData();
  await db.transaction(async (tx) => {
    await insertInBatches(areaUnitRows(data.units), (b) => tx.insert(areaUnits).values(b));
    await tx.insert(lenders).values(data.lenders);
    await tx.insert(interestRates).values(data.interestRates);
    await insertInBatches(data.savingsGroups, (b) => tx.insert(savingsGroups).values(b));
    await insertInBatches(data.loans, (b) => tx.insert(loans).values(b));
    await insertInBatches(data.loanTransactions.map(({ on, ...t }) => ({ ...t, occurredOn: on })), (b) => tx.insert(loanTransactions).values(b));
  });
}
