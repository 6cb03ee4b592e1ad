/** Area reports: every households figure of DESIGN.md from one query each, computed from stored records. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

describe('Quận 6, review for 2022', () => {
  it('poor −560 = 140.00% of 400; near-poor −402 = 160.80% of 250; the year\'s transitions', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "775", year: 2022) {
      poorHouseholds poorPersons poorRate nearPoorHouseholds nearPoorPersons nearPoorRate totalHouseholds
      start { year poorHouseholds nearPoorHouseholds }
      poorReduction poorReductionTarget poorTargetAchievement
      nearPoorReduction nearPoorReductionTarget nearPoorTargetAchievement
      transitions { newlyPoor relapsedPoor newlyNearPoor relapsedNearPoor escapedPoverty escapedPovertyToNearPoor escapedNearPoverty }
      standard { code } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.areaStatistics).toEqual({
      poorHouseholds: 1_429, poorPersons: 5_945, poorRate: 2.2,
      nearPoorHouseholds: 1_092, nearPoorPersons: 4_482, nearPoorRate: 1.68, totalHouseholds: 65_000,
      start: { year: 2021, poorHouseholds: 1_989, nearPoorHouseholds: 1_494 },
      poorReduction: 560, poorReductionTarget: 400, poorTargetAchievement: 140,
      nearPoorReduction: 402, nearPoorReductionTarget: 250, nearPoorTargetAchievement: 160.8,
      // the demo's flows: 50 new poor, 30 new near-poor; 610 escaped poverty (150 of them to near-poor), 582 escaped near-poverty
      transitions: { newlyPoor: 50, relapsedPoor: 0, newlyNearPoor: 30, relapsedNearPoor: 0, escapedPoverty: 610, escapedPovertyToNearPoor: 150, escapedNearPoverty: 582 },
      standard: null,
    });
  });

  it('the same per ward: 14 wards adding up to the district', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "775", year: 2022) { children { unit { code } poorHouseholds nearPoorHouseholds poorReduction totalHouseholds } } }`);
    expect(res.errors).toBeUndefined();
    const wards = res.data.areaStatistics.children as { poorHouseholds: number; nearPoorHouseholds: number; poorReduction: number; totalHouseholds: number }[];
    expect(wards).toHaveLength(14);
    const sum = (k: keyof (typeof wards)[number]) => wards.reduce((a, w) => a + w[k], 0);
    expect([sum('poorHouseholds'), sum('nearPoorHouseholds'), sum('poorReduction'), sum('totalHouseholds')]).toEqual([1_429, 1_092, 560, 65_000]);
  });

  it('is also reported under the national standard, re-classifying the stored incomes and deprivations', async () => {
    const res = await t.query(`{ city: areaStatistics(unitCode: "775", year: 2022) { poorHouseholds nearPoorHouseholds standard { code } }
      national: areaStatistics(unitCode: "775", year: 2022, standard: "VN-2022-2025") { poorHouseholds nearPoorHouseholds standard { code } }
      standards: applicableStandards(unitCode: "775", on: "2022-10-01") { code } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.standards).toEqual([{ code: 'HCM-2021-2025' }, { code: 'VN-2022-2025' }]);
    expect(res.data.city).toEqual({ poorHouseholds: 1_429, nearPoorHouseholds: 1_092, standard: null });
    expect(res.data.national.standard).toEqual({ code: 'VN-2022-2025' });
    // the city's line (36,000,000 a year = 3,000,000 a month) is above the national one (2,000,000 a month, urban)
    const national = res.data.national;
    expect(national.poorHouseholds + national.nearPoorHouseholds).toBeLessThan(1_429 + 1_092);
    expect(national.poorHouseholds).toBeGreaterThan(0);
  });
});

describe('Quận Hải An, 2022', () => {
  it('133 poor at the start of the year, none at the end (0.00%), 22 of them near-poor at the end', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "306", year: 2022) {
      unit { name } start { poorHouseholds } poorHouseholds poorRate
      transitions { escapedPoverty escapedPovertyToNearPoor } poorReduction } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.areaStatistics).toEqual({
      unit: { name: 'Quận Hải An' }, start: { poorHouseholds: 133 }, poorHouseholds: 0, poorRate: 0,
      transitions: { escapedPoverty: 133, escapedPovertyToNearPoor: 22 }, poorReduction: 133,
    });
  });
});

describe('work per report', () => {
  it('a district report costs the same few statements however many households it counts', async () => {
    const district = await t.countStatements(() => t.query(`{ areaStatistics(unitCode: "775", year: 2022) { poorHouseholds poorTargetAchievement transitions { newlyPoor } } }`));
    const ward = await t.countStatements(() => t.query(`{ areaStatistics(unitCode: "27376", year: 2022) { poorHouseholds poorTargetAchievement transitions { newlyPoor } } }`));
    // unit, crosswalk sets, assessments, totals, target (a partial link adds one count of waiting households)
    expect(district.households).toBe(5);
    expect(ward.households).toBe(district.households);
  });
});
