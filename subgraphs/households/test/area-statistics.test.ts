/**
 * A unit's figures for a review year (areaStatistics) against one shared database with a hand-written fixture:
 * a province, its district and two wards (three levels) before the 2025 reform, another province beside it, and a
 * new ward made after the reform from one old ward in full and another in part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { database, FIXTURE, newUnit, oldUnit, scratchDatabase, StatementCounter, unitId, type ScratchDatabase } from '@ansinh/db';
import * as tables from '../src/db/schema.js';
import { areaStatistics, areaStatisticsOf } from '../src/resolvers/statistics.js';

let scratch: ScratchDatabase<typeof tables>;
const REFORM = FIXTURE.reform;
const UNITS = [
  oldUnit('01', 1, null, 'province'), oldUnit('001', 2, '01', 'district'), oldUnit('00001', 3, '001', 'ward'), oldUnit('00002', 3, '001', 'ward'),
  oldUnit('02', 1, null, 'province'), oldUnit('002', 2, '02', 'district'), oldUnit('00009', 3, '002', 'ward'),
  newUnit('01', 1, null, 'province'),
  newUnit('10001', 2, '01', 'ward', 'New ward'),
];
const W1 = unitId('00001', null);
const W2 = unitId('00002', null);
const W9 = unitId('00009', null);
const NEW_WARD = unitId('10001', REFORM);

const ids = { h1: '00000000-0000-4000-8000-000000000001', h2: '00000000-0000-4000-8000-000000000002', h3: '00000000-0000-4000-8000-000000000003', h4: '00000000-0000-4000-8000-000000000004', h5: '00000000-0000-4000-8000-000000000005' };
const review = (id: string, householdId: string, reviewYear: number, assessedOn: string, status: string, unit: string, persons = 4) => ({
  id, householdId, reviewYear, kind: 'ANNUAL', assessedOn, standardCode: 'VN-2022-2025', incomePerCapita: 1_000_000, incomePeriod: 'MONTH',
  deprivedIndicators: [], status, recordedBy: 'test', unitId: unit, persons,
});

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'households');
  const { db } = scratch;
  await db.insert(tables.units).values(UNITS);
  await db.insert(tables.unitLinks).values([
    { newUnitId: NEW_WARD, oldUnitId: W1, coverage: 'full' },
    { newUnitId: NEW_WARD, oldUnitId: W2, coverage: 'partial' },
  ]);
  const household = (id: string, unit: string, code: string) => ({ id, code, address: 'x', unitId: unit, areaType: 'RURAL', registeredOn: '2020-01-01' });
  await db.insert(tables.households).values([household(ids.h1, W1, 'H1'), household(ids.h2, W2, 'H2'), household(ids.h3, W9, 'H3'), household(ids.h4, W1, 'H4'), household(ids.h5, W1, 'H5')]);
  await db.insert(tables.assessments).values([
    review('10000000-0000-4000-8000-000000000001', ids.h1, 2023, '2023-11-01', 'POOR', W1),
    // two reviews of h1 in 2024: the later one (near-poor) is the year's
    review('10000000-0000-4000-8000-000000000003', ids.h1, 2024, '2024-10-01', 'NEAR_POOR', W1, 5),
    review('10000000-0000-4000-8000-000000000002', ids.h1, 2024, '2024-03-01', 'POOR', W1, 3),
    review('10000000-0000-4000-8000-000000000004', ids.h2, 2024, '2024-11-01', 'POOR', W2, 2),
    review('10000000-0000-4000-8000-000000000005', ids.h3, 2024, '2024-11-01', 'POOR', W9, 6),
    review('10000000-0000-4000-8000-000000000006', ids.h4, 2023, '2023-11-01', 'NEAR_POOR', W1, 1),
    review('10000000-0000-4000-8000-000000000007', ids.h4, 2024, '2024-11-01', 'NONE', W1, 1),
    // moved from the other province's ward into W1: its 2023 review counts there, its 2024 review here
    review('10000000-0000-4000-8000-000000000008', ids.h5, 2023, '2023-11-01', 'POOR', W9, 7),
    review('10000000-0000-4000-8000-000000000009', ids.h5, 2024, '2024-11-01', 'POOR', W1, 7),
  ]);
  await db.insert(tables.unitTotals).values([
    { unitId: W1, year: 2024, households: 100, persons: 400 },
    { unitId: W2, year: 2024, households: 50, persons: 200 },
    { unitId: unitId('001', null), year: 2023, households: 160, persons: 640 },
    { unitId: W1, year: 2023, households: 90, persons: 360 },
  ]);
});
afterAll(() => scratch?.close());

const unit = (id: string) => UNITS.find((u) => u.id === id)!;
const stats = (id: string, year: number) => areaStatistics(scratch.db, unit(id), year, null);

describe('areaStatistics at every level', () => {
  it.each([
    // unit, year: poor, near-poor, total households (own row, else the children's, never both)
    [unitId('01', null), 2024, { poorHouseholds: 2, poorPersons: 2 + 7, nearPoorHouseholds: 1, nearPoorPersons: 5, totalHouseholds: 150 }],
    [unitId('001', null), 2024, { poorHouseholds: 2, nearPoorHouseholds: 1, totalHouseholds: 150 }],
    [W1, 2024, { poorHouseholds: 1, nearPoorHouseholds: 1, totalHouseholds: 100 }],
    [W2, 2024, { poorHouseholds: 1, nearPoorHouseholds: 0, totalHouseholds: 50 }],
    [unitId('02', null), 2024, { poorHouseholds: 1, poorPersons: 6, nearPoorHouseholds: 0, totalHouseholds: null, start: { year: 2023, poorHouseholds: 1, poorPersons: 7, nearPoorHouseholds: 0, nearPoorPersons: 0 } }],
    // the district's own 2023 row (160) is its total, not its wards' rows (90 + missing)
    [unitId('01', null), 2023, { poorHouseholds: 1, nearPoorHouseholds: 1, totalHouseholds: 160 }],
    [unitId('001', null), 2023, { totalHouseholds: 160 }],
  ])('%s in %d', async (id, year, expected) => {
    expect(await stats(id, year)).toMatchObject(expected);
  });

  it('a province-level statistic before the reform counts the wards three levels down, and their moves', async () => {
    const s = await stats(unitId('01', null), 2024);
    expect(s.start).toMatchObject({ year: 2023, poorHouseholds: 1, nearPoorHouseholds: 1 });
    // h5 was poor the year before, in another province: no new poor household here
    expect(s.transitions).toMatchObject({ newlyPoor: 1, escapedPoverty: 1, escapedPovertyToNearPoor: 1, escapedNearPoverty: 1, relapsedPoor: 0 });
    expect(s.poorRate).toBe(1.33);
  });

  it('a unit without a total for the year is named, and the rate is not made up', async () => {
    const s = await stats(unitId('02', null), 2024);
    expect(s.unitsWithoutTotals.map((u) => u.code)).toEqual(['00009']);
    expect(s.poorRate).toBeNull();
  });

  it('a new ward: the old ward linked in full rolls up, the one linked in part waits for re-assignment', async () => {
    const s = await stats(NEW_WARD, 2024);
    expect(s).toMatchObject({ poorHouseholds: 1, nearPoorHouseholds: 1, rolledUpHouseholds: 3, awaitingReassignment: 1 });
  });

  it('re-classified under a standard, the same households and the same latest review count', async () => {
    const { asc, eq } = await import('drizzle-orm');
    const { db } = scratch;
    const [standard] = await db.select().from(tables.povertyStandards).where(eq(tables.povertyStandards.code, 'VN-2016-2020'));
    const loaded = {
      standard: standard!,
      lines: await db.select().from(tables.povertyLines).where(eq(tables.povertyLines.standardCode, 'VN-2016-2020')),
      indicators: await db.select().from(tables.povertyIndicators).where(eq(tables.povertyIndicators.standardCode, 'VN-2016-2020')).orderBy(asc(tables.povertyIndicators.position)),
    };
    // 1,000,000 a month, rural, no deprivation: near-poor under VN-2016-2020 (poor up to 700,000)
    const s = await areaStatistics(db, unit(unitId('01', null)), 2024, loaded);
    expect(s).toMatchObject({ poorHouseholds: 0, nearPoorHouseholds: 4, nearPoorPersons: 5 + 2 + 1 + 7 });
    // the year before, only what was recorded in the province then (not h5's review in the other province)
    expect(s.start).toMatchObject({ year: 2023, poorHouseholds: 0, nearPoorHouseholds: 2, nearPoorPersons: 4 + 1 });
    expect(s.transitions).toMatchObject({ newlyNearPoor: 1, relapsedNearPoor: 0, escapedPoverty: 0 });
  });
});

describe('areaStatisticsOf: the reports of a tree in one batch', () => {
  // every unit of the fixture, the years with and without totals: each unit's report in the batch is its report alone
  it.each([2023, 2024])('in %d, every unit at once gives what each gives alone', async (year) => {
    const list = UNITS.map((u) => u);
    const batch = await areaStatisticsOf(scratch.db, list, year, null);
    for (const [i, u] of list.entries()) expect(batch[i], u.id).toEqual(await stats(u.id, year));
    // not every report the same: the batch keeps each unit's own figures
    expect(new Set(batch.map((s) => `${s.poorHouseholds}/${s.totalHouseholds}/${s.awaitingReassignment}`)).size).toBeGreaterThan(3);
  });

  it('counts the same few statements for one unit and for the whole tree', async () => {
    const counter = new StatementCounter();
    const counted = database(scratch.connection, tables, counter);
    await areaStatisticsOf(counted, [unit(W1)], 2024, null);
    const one = counter.count;
    counter.reset();
    await areaStatisticsOf(counted, UNITS, 2024, null);
    // scopes, summaries (read, then the missing counted), totals, targets, waiting households, units without totals
    expect(one).toBeLessThanOrEqual(7);
    expect(counter.count).toBeLessThanOrEqual(7);
  });
});
