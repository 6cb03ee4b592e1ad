/**
 * Loads the households slice of the demo data into empty tables. The national unit lists come first, as in every
 * deployment (prepare); the demo adds only the units of its own that the lists do not hold (Quận 6's wards merged
 * away in 2024), through the same loader. The poverty standards come with the migrations.
 */
import { count } from 'drizzle-orm';
import { bulkInsert, type RegistryFollower } from '@ansinh/db';
import { demoData } from '@ansinh/demo-data';
import { upsertUnits, type SubgraphOptions } from '@ansinh/server';
import type { HouseholdsDb } from './context.js';
import { assessments, householdUnitChanges, households, members, reductionTargets, unitLinks, units, unitTotals } from './db/schema.js';
import { copyRegistry } from './domain/registry.js';

export async function isEmpty(db: HouseholdsDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(households);
  return row!.n === 0;
}

export async function loadDemo(db: HouseholdsDb, options: SubgraphOptions): Promise<void> {
  const data = demoData();
  const persons = new Map<string, number>();
  for (const m of data.members) persons.set(m.householdId, (persons.get(m.householdId) ?? 0) + 1);
  await db.transaction(async (tx) => {
    await upsertUnits(tx, { units, unitLinks }, { reformDate: null, units: data.units, links: data.unitLinks });
    await bulkInsert(tx, unitTotals, data.unitTotals);
    await bulkInsert(tx, reductionTargets, data.reductionTargets);
    await bulkInsert(tx, households, data.households);
    await bulkInsert(tx, members, data.members);
    await bulkInsert(tx, householdUnitChanges, data.unitChanges);
    await bulkInsert(tx, assessments, data.assessments.map((a) => ({ ...a, persons: persons.get(a.householdId) ?? 1 })));
    await copyRegistry(tx, options.followers ?? []);
  });
}

/** A follower with no copy yet (a new programme schema, or one migrated from before the copies existed) gets one. */
export async function giveFollowersTheirCopy(db: HouseholdsDb, options: SubgraphOptions): Promise<void> {
  const empty: RegistryFollower[] = [];
  for (const f of options.followers ?? []) if (await f.isEmpty()) empty.push(f);
  if (!empty.length || (await isEmpty(db))) return;
  await db.transaction((tx) => copyRegistry(tx, empty));
}
