/** The published figures the demo data reproduces, each through one query at the gateway. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

describe('area statistics', () => {
  it('Quận 6, review for 2022 (reported 03/2023): 1,429 poor / 5,945 persons / 2.20%; 1,092 near-poor / 4,482 / 1.68%', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "775", year: 2022) {
      unit { name parent { name } } year totalHouseholds poorHouseholds poorPersons poorRate nearPoorHouseholds nearPoorPersons nearPoorRate } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.areaStatistics).toEqual({
      unit: { name: 'Quận 6', parent: { name: 'Thành phố Hồ Chí Minh' } },
      year: 2022,
      totalHouseholds: 65_000,
      poorHouseholds: 1_429, poorPersons: 5_945, poorRate: 2.2,
      nearPoorHouseholds: 1_092, nearPoorPersons: 4_482, nearPoorRate: 1.68,
    });
  });

  it('Quận Hải An: 133 poor households at the start of 2022 (review for 2021), none after the review for 2022', async () => {
    const res = await t.query(`{ start: areaStatistics(unitCode: "306", year: 2021) { poorHouseholds }
      end: areaStatistics(unitCode: "306", year: 2022) { poorHouseholds poorRate } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ start: { poorHouseholds: 133 }, end: { poorHouseholds: 0, poorRate: 0 } });
  });

  it('a ward adds up to its share of the district', async () => {
    const res = await t.query(`{ unit(code: "775", on: "2022-12-31") { children { code } } }`);
    const wards: string[] = res.data.unit.children.map((c: { code: string }) => c.code);
    expect(wards).toHaveLength(14);
    const per = await Promise.all(wards.map((code) => t.query(`{ areaStatistics(unitCode: "${code}", year: 2022) { poorHouseholds poorPersons totalHouseholds } }`)));
    const sum = (k: string) => per.reduce((acc, r) => acc + r.data.areaStatistics[k], 0);
    expect([sum('poorHouseholds'), sum('poorPersons'), sum('totalHouseholds')]).toEqual([1_429, 5_945, 65_000]);
  });
});

describe('administrative units', () => {
  it('keys units by code and period: 11413 is Phường Đằng Lâm before 2025-07-01 and Phường Hải An after', async () => {
    const res = await t.query(`{ before: unit(code: "11413", on: "2025-06-30") { name validTo parent { name } }
      after: unit(code: "11413", on: "2025-07-01") { name validFrom parent { name } } }`);
    expect(res.data).toEqual({
      before: { name: 'Phường Đằng Lâm', validTo: '2025-07-01', parent: { name: 'Quận Hải An' } },
      after: { name: 'Phường Hải An', validFrom: '2025-07-01', parent: { name: 'Thành phố Hải Phòng' } },
    });
  });

  it('lists Quận 6 with 14 wards in 2022 and 10 after the 2024 mergers', async () => {
    const res = await t.query(`{ y2022: unit(code: "775", on: "2022-06-01") { children { name } } y2025: unit(code: "775", on: "2025-03-01") { children { name } } }`);
    expect(res.data.y2022.children).toHaveLength(14);
    expect(res.data.y2025.children).toHaveLength(10);
  });

  it('an unknown unit is null', async () => {
    const res = await t.query(`{ unit(code: "99999") { name } }`);
    expect(res).toMatchObject({ data: { unit: null } });
    expect(res.errors).toBeUndefined();
  });
});
