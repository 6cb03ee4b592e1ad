/**
 * A city's own data, with no demo data at all: a fresh system with only the shipped reference data (the national
 * unit lists, lenders and rates, housing programmes, BHYT/BHXH rules), then a Hải Phòng integrator's CSV files
 * imported through POST /import, then every report of the area. The fixture (test/fixtures/do-son) is small enough
 * to check by hand; each expected figure below is written from its rows, with the reasoning beside it.
 *
 * The area: old Quận Đồ Sơn (308) of Hải Phòng. Its wards Minh Đức (11465) and Bàng La (11467) went in FULL into the
 * new Phường Nam Đồ Sơn (11737@2025-07-01, a code that before the reform named Phường Hợp Đức, 11737@origin, which
 * went into it in full too); Vạn Hương (11461) went only in PART into it (and into Phường Đồ Sơn). VN-2022-2025, urban: poor at or below 2,000,000
 * with 3 deprivations, near-poor at or below 2,000,000 with fewer.
 *
 * | household | ward | persons | 2022 | 2023 | 2024 | 2025 | 2026 |
 * | H1 FX-11465-0001 | Minh Đức | 4 | POOR | POOR | NEAR_POOR | NONE | |
 * | H2 FX-11465-0002 | Minh Đức | 3 | NEAR_POOR | NONE | NEAR_POOR | POOR | |
 * | H7 FX-11465-0003 | Minh Đức | 2 | NONE | | | | |
 * | H3 FX-11467-0001 | Bàng La | 2 | | POOR | NONE | POOR | |
 * | H4 FX-11467-0002 | Bàng La | 5 | NEAR_POOR (10-13), then POOR (REGULAR, 12-20) | POOR | | | |
 * | H5 FX-11461-0001 | Vạn Hương (partial) | 1 | | | POOR | POOR | |
 * | H6 FX-11737-0001 | Nam Đồ Sơn (registered 2025-08-01) | 3 | | | | POOR | NEAR_POOR |
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystem, type TestSystem } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';

const DIR = new URL('./fixtures/do-son/', import.meta.url);
const files = Object.fromEntries(readdirSync(DIR).filter((f) => f.endsWith('.csv')).map((f) => [f.replace(/\.csv$/, ''), readFileSync(new URL(f, DIR), 'utf8')]));

let t: TestSystem;
beforeAll(async () => { t = await testSystem({ data: 'reference' }); });
afterAll(async () => { await t?.close(); });

async function q(query: string) {
  const res = await t.query(query);
  expect(res.errors).toBeUndefined();
  return res.data;
}

describe('a fresh system with the reference data only', () => {
  it('knows the national units, the lenders, the housing programmes and the BHYT rules, and holds no household', async () => {
    const d = await q(`{
      before: unit(code: "11737", on: "2025-06-30") { id name parent { name } }
      after: unit(code: "11737", on: "2025-07-01") { id name parent { name } predecessors { coverage unit { code name } } }
      lenders { code } housingProgrammes { code } supportRules(on: "2025-01-01") { beneficiaryGroup jurisdiction funder percent }
      households(unitCode: "31") { totalCount }
    }`);
    expect(d.before).toEqual({ id: '11737@origin', name: 'Phường Hợp Đức', parent: { name: 'Quận Đồ Sơn' } });
    expect(d.after).toEqual({ id: '11737@2025-07-01', name: 'Phường Nam Đồ Sơn', parent: { name: 'Thành phố Hải Phòng' }, predecessors: [
      { coverage: 'PARTIAL', unit: { code: '11455', name: 'Phường Ngọc Xuyên' } },
      { coverage: 'PARTIAL', unit: { code: '11461', name: 'Phường Vạn Hương' } },
      { coverage: 'FULL', unit: { code: '11465', name: 'Phường Minh Đức' } },
      { coverage: 'FULL', unit: { code: '11467', name: 'Phường Bàng La' } },
      { coverage: 'FULL', unit: { code: '11737', name: 'Phường Hợp Đức' } },
    ] });
    expect(d.lenders.map((l: { code: string }) => l.code)).toEqual(['TYM', 'VBSP']);
    expect(d.housingProgrammes.map((p: { code: string }) => p.code)).toContain('HAIPHONG_CITY_HOUSING');
    expect(d.supportRules).toContainEqual({ beneficiaryGroup: 'NEAR_POOR_HOUSEHOLD', jurisdiction: '31', funder: 'PROVINCE_BUDGET', percent: 30 });
    expect(d.households.totalCount).toBe(0);
  });
});

describe('the city imports its files', () => {
  it('a dry run finds every row valid and writes nothing', async () => {
    const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP), dryRun: true });
    expect(body.issues).toEqual([]);
    expect(status).toBe(200);
    expect(body.counts).toEqual({
      households: { added: 7, changed: 0, unchanged: 0 }, members: { added: 20, changed: 0, unchanged: 0 },
      assessments: { added: 19, changed: 0, unchanged: 0 }, unit_totals: { added: 10, changed: 0, unchanged: 0 },
      loans: { added: 6, changed: 0, unchanged: 0 }, insurance_cards: { added: 5, changed: 0, unchanged: 0 },
      housing_supports: { added: 3, changed: 0, unchanged: 0 },
    });
    expect((await q('{ households(unitCode: "31") { totalCount } }')).households.totalCount).toBe(0);
  });

  it('the import writes them all; the same files again change nothing', async () => {
    const first = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(first.body.issues).toEqual([]);
    expect(first.body.status).toBe('applied');
    const again = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(again.body).toMatchObject({ status: 'applied', noChange: true });
  });
});

describe('households reports on the imported data', () => {
  it('Quận Đồ Sơn 2022: two poor (H1 4 persons, H4 5: its later REGULAR review of the year counts), one near-poor (H2, 3); three wards lack totals', async () => {
    const d = await q(`{ areaStatistics(unitCode: "308", year: 2022) {
      poorHouseholds poorPersons nearPoorHouseholds nearPoorPersons totalHouseholds poorRate totalsComplete unitsWithoutTotals { code }
      start { poorHouseholds nearPoorHouseholds } transitions { newlyPoor newlyNearPoor escapedPoverty escapedNearPoverty relapsedPoor relapsedNearPoor }
      poorReduction nearPoorReduction rolledUpHouseholds awaitingReassignment } }`);
    expect(d.areaStatistics).toEqual({
      poorHouseholds: 2, poorPersons: 9, nearPoorHouseholds: 1, nearPoorPersons: 3,
      // 11455, 11458 and 11737 (Hợp Đức) have no total for 2022: no rate can be given
      totalHouseholds: null, poorRate: null, totalsComplete: false, unitsWithoutTotals: [{ code: '11455' }, { code: '11458' }, { code: '11737' }],
      start: { poorHouseholds: 0, nearPoorHouseholds: 0 },
      // a first review counts as newly listed (docs/areas.md): H1 and H4 newly poor, H2 newly near-poor
      transitions: { newlyPoor: 2, newlyNearPoor: 1, escapedPoverty: 0, escapedNearPoverty: 0, relapsedPoor: 0, relapsedNearPoor: 0 },
      poorReduction: -2, nearPoorReduction: -1, rolledUpHouseholds: 0, awaitingReassignment: 0,
    });
  });

  it('the province three levels up (Hải Phòng 2022) counts the same households; a ward (Minh Đức) its own, with its rate', async () => {
    const d = await q(`{ city: areaStatistics(unitCode: "31", year: 2022) { poorHouseholds poorPersons nearPoorHouseholds totalHouseholds }
      ward: areaStatistics(unitCode: "11465", year: 2022) { poorHouseholds poorPersons nearPoorHouseholds totalHouseholds poorRate nearPoorRate } }`);
    expect(d.city).toEqual({ poorHouseholds: 2, poorPersons: 9, nearPoorHouseholds: 1, totalHouseholds: null });
    // H1 poor and H2 near-poor of 3,000 households: 1/3000 = 0.0333…% → 0.03
    expect(d.ward).toEqual({ poorHouseholds: 1, poorPersons: 4, nearPoorHouseholds: 1, totalHouseholds: 3000, poorRate: 0.03, nearPoorRate: 0.03 });
  });

  it('Quận Đồ Sơn 2023: H1, H3 (first review), H4 poor; H2 escaped near-poverty; every ward has its total', async () => {
    const d = await q(`{ areaStatistics(unitCode: "308", year: 2023) {
      poorHouseholds poorPersons nearPoorHouseholds totalHouseholds poorRate totalsComplete
      start { poorHouseholds poorPersons nearPoorHouseholds nearPoorPersons } transitions { newlyPoor escapedNearPoverty escapedPoverty } poorReduction nearPoorReduction } }`);
    expect(d.areaStatistics).toEqual({
      poorHouseholds: 3, poorPersons: 11, nearPoorHouseholds: 0,
      // 4,000 + 3,500 + 2,000 + 3,010 + 2,500 + 1,800 = 16,810; 3 / 16,810 = 0.0178…% → 0.02
      totalHouseholds: 16_810, poorRate: 0.02, totalsComplete: true,
      start: { poorHouseholds: 2, poorPersons: 9, nearPoorHouseholds: 1, nearPoorPersons: 3 },
      transitions: { newlyPoor: 1, escapedNearPoverty: 1, escapedPoverty: 0 },
      poorReduction: -1, nearPoorReduction: 1,
    });
  });

  it('Quận Đồ Sơn 2024: H1 escaped to near-poor, H3 escaped, H2 near-poor again, H5 newly poor', async () => {
    const d = await q(`{ areaStatistics(unitCode: "308", year: 2024) {
      poorHouseholds poorPersons nearPoorHouseholds nearPoorPersons transitions { newlyPoor escapedPoverty escapedPovertyToNearPoor relapsedNearPoor newlyNearPoor } } }`);
    expect(d.areaStatistics).toEqual({
      poorHouseholds: 1, poorPersons: 1, nearPoorHouseholds: 2, nearPoorPersons: 7,
      transitions: { newlyPoor: 1, escapedPoverty: 2, escapedPovertyToNearPoor: 1, relapsedNearPoor: 1, newlyNearPoor: 0 },
    });
  });

  it('Phường Nam Đồ Sơn 2025, after the reform: its own H6, Minh Đức and Bàng La rolled up, Vạn Hương (split) awaiting', async () => {
    const d = await q(`{ areaStatistics(unitCode: "11737", year: 2025) {
      unit { id name } poorHouseholds poorPersons nearPoorHouseholds totalHouseholds poorRate rolledUpHouseholds awaitingReassignment
      start { poorHouseholds nearPoorHouseholds nearPoorPersons } transitions { newlyPoor relapsedPoor escapedNearPoverty escapedPoverty } poorReduction nearPoorReduction } }`);
    expect(d.areaStatistics).toEqual({
      unit: { id: '11737@2025-07-01', name: 'Phường Nam Đồ Sơn' },
      // H2 (3), H3 (2), H6 (3); H5 is poor too but in Vạn Hương, linked only in part
      poorHouseholds: 3, poorPersons: 8, nearPoorHouseholds: 0, totalHouseholds: 9000, poorRate: 0.03,
      rolledUpHouseholds: 3, awaitingReassignment: 1,
      // 2024 in the same units: H1 and H2 near-poor (4 + 3 persons)
      start: { poorHouseholds: 0, nearPoorHouseholds: 2, nearPoorPersons: 7 },
      // H2 poor for the first time, H3 poor again, H6 new; H1 left near-poverty
      transitions: { newlyPoor: 2, relapsedPoor: 1, escapedNearPoverty: 1, escapedPoverty: 0 },
      poorReduction: -3, nearPoorReduction: 2,
    });
  });
});

describe('programme reports on the imported data follow the households and the crosswalk', () => {
  const CREDIT = `programmes { programme borrowers loans outstanding overdue overdueRatio } povertyReduction { borrowers loans outstanding overdue overdueRatio }`;

  it('credit of Phường Nam Đồ Sơn at the end of 2025 counts the imported balances; H6\'s loan of 2026 not yet', async () => {
    const d = await q(`{ creditStatistics(unitCode: "11737", on: "2025-12-31") { unit { id } ${CREDIT} } }`);
    expect(d.creditStatistics).toEqual({
      unit: { id: '11737@2025-07-01' },
      programmes: [
        // H1: 50,000,000 lent, 30,000,000 owed (imported); H4's loan written off: nothing owed
        { programme: 'POOR_HOUSEHOLD', borrowers: 1, loans: 1, outstanding: 30_000_000, overdue: 0, overdueRatio: 0 },
        // H2: 40,000,000 owed, 10,000,000 of it past due from the report date itself
        { programme: 'NEAR_POOR', borrowers: 1, loans: 1, outstanding: 40_000_000, overdue: 10_000_000, overdueRatio: 25 },
        // H3 repaid in full
        { programme: 'JOB_CREATION', borrowers: 0, loans: 0, outstanding: 0, overdue: 0, overdueRatio: null },
      ],
      povertyReduction: { borrowers: 2, loans: 2, outstanding: 70_000_000, overdue: 10_000_000, overdueRatio: 14.29 },
    });
  });

  it('the day before the overdue date nothing is past due; before the write-off H4 still owed 20,000,000', async () => {
    const d = await q(`{ a: creditStatistics(unitCode: "11737", on: "2025-12-30") { povertyReduction { overdue } }
      b: creditStatistics(unitCode: "308", on: "2024-12-30") { programmes { programme borrowers outstanding } }
      c: creditStatistics(unitCode: "308", on: "2024-12-31") { programmes { programme borrowers outstanding } } }`);
    expect(d.a.povertyReduction.overdue).toBe(0);
    // on 2024-12-30 H1 still owed the whole 50,000,000 (its balance is as of 2025-06-30), H4 20,000,000
    expect(d.b.programmes.find((p: any) => p.programme === 'POOR_HOUSEHOLD')).toEqual({ programme: 'POOR_HOUSEHOLD', borrowers: 2, outstanding: 70_000_000 });
    expect(d.c.programmes.find((p: any) => p.programme === 'POOR_HOUSEHOLD')).toEqual({ programme: 'POOR_HOUSEHOLD', borrowers: 1, outstanding: 50_000_000 });
  });

  it('one source of truth: each household\'s credit summary adds up to the ward\'s figures', async () => {
    const d = await q(`{ a: householdByCode(code: "FX-11465-0001") { creditSummary { activeLoans outstanding } loans { area } }
      b: householdByCode(code: "FX-11465-0002") { creditSummary { activeLoans outstanding } } }`);
    expect(d.a.creditSummary).toEqual({ activeLoans: 1, outstanding: 30_000_000 });
    expect(d.b.creditSummary).toEqual({ activeLoans: 1, outstanding: 40_000_000 });
    // the loan follows its household: its area is the household's ward now, province first
    expect(d.a.loans[0].area).toEqual(['31@origin', '308@origin', '11465@origin']);
  });

  it('BHYT cards valid at the end of 2025: H1\'s card ending that day counts, H2\'s ending the day before does not', async () => {
    const d = await q(`{ a: healthStatistics(unitCode: "11737", on: "2025-12-31") { groups { beneficiaryGroup cards premium cost byFunder { funder amount } } total { cards } }
      b: healthStatistics(unitCode: "11737", on: "2026-01-01") { total { cards } } }`);
    // H1 1,134,000, H3 804,600, H6 804,600; the poor's premium is paid in full by the central budget
    expect(d.a).toEqual({
      groups: [{ beneficiaryGroup: 'POOR_HOUSEHOLD', cards: 3, premium: 2_743_200, cost: 2_743_200, byFunder: [{ funder: 'CENTRAL_BUDGET', amount: 2_743_200 }] }],
      total: { cards: 3 },
    });
    expect(d.b.total.cards).toBe(2);
  });

  it('coverage at the end of 2025: the poor by their latest review (H2, H3, H4, H6: 13 persons, 2 covered), H1 newly escaped', async () => {
    const d = await q(`{ healthStatistics(unitCode: "11737", on: "2025-12-31") { coverage { beneficiaryGroup persons covered rate } } }`);
    expect(d.healthStatistics.coverage).toEqual([
      { beneficiaryGroup: 'POOR_HOUSEHOLD', persons: 13, covered: 2, rate: 15.38 },
      { beneficiaryGroup: 'NEAR_POOR_HOUSEHOLD', persons: 0, covered: 0, rate: null },
      // H1 left near-poverty in October 2025: 36 months of support; its head's card is valid
      { beneficiaryGroup: 'NEWLY_ESCAPED_HOUSEHOLD', persons: 4, covered: 1, rate: 25 },
    ]);
  });

  it('housing of 2025: H2\'s repair completed and handed over; H6\'s proposed; H4\'s of 2026 not yet', async () => {
    const d = await q(`{ housingStatistics(unitCode: "11737", from: "2025-01-01", to: "2025-12-31") {
      houses byKind { kind houses } byWard { unit { id } houses } byStatus { status supports } funding { source amount } } }`);
    expect(d.housingStatistics).toEqual({
      houses: 1, byKind: [{ kind: 'REPAIR', houses: 1 }], byWard: [{ unit: { id: '11465@origin' }, houses: 1 }],
      byStatus: [
        { status: 'PROPOSED', supports: 1 }, { status: 'APPROVED', supports: 0 }, { status: 'UNDER_CONSTRUCTION', supports: 0 },
        { status: 'COMPLETED', supports: 0 }, { status: 'HANDED_OVER', supports: 1 },
      ],
      funding: [{ source: 'CENTRAL_BUDGET', amount: 30_000_000 }, { source: 'HOUSEHOLD', amount: 5_000_000 }],
    });
  });

  it('support gaps at the end of 2025: four poor households; every one short of BHYT cards, two of housing, three of clean water', async () => {
    const d = await q(`{ gapStatistics(unitCode: "11737", on: "2025-12-31") { households householdsWithGaps byKind { kind households } } }`);
    expect(d.gapStatistics).toEqual({
      households: 4, householdsWithGaps: 4,
      byKind: [
        { kind: 'HEALTH_INSURANCE', households: 4 },
        // H2's house was repaired; H3 (floor area) and H4 (quality: its new build is proposed only in 2026) were not
        { kind: 'HOUSING', households: 2 },
        // H2, H4 (domestic water) and H3 (latrine): no clean-water loan
        { kind: 'CLEAN_WATER_SANITATION', households: 3 },
        // H3's job-creation loan of 2023 closes its employment gap
        { kind: 'EMPLOYMENT', households: 0 },
      ],
    });
  });

  it('the old district still answers after the reform for what it holds, Vạn Hương\'s household included', async () => {
    const d = await q(`{ creditStatistics(unitCode: "308", on: "2025-12-31") { unit { id } programmes { programme borrowers outstanding } } }`);
    expect(d.creditStatistics.unit.id).toBe('308@origin');
    expect(d.creditStatistics.programmes.find((p: any) => p.programme === 'CLEAN_WATER_SANITATION')).toEqual({ programme: 'CLEAN_WATER_SANITATION', borrowers: 1, outstanding: 8_000_000 });
  });
});

describe('a printed report stays as printed', () => {
  it('a member joining H1 later changes neither the 2022 report nor H1\'s reviews', async () => {
    const before = await q('{ areaStatistics(unitCode: "308", year: 2022) { poorPersons } }');
    const members = 'household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity\nFX-11465-0001,5,Đỗ Minh Châu,2025-11-01,FEMALE,GRANDCHILD,,Kinh\n';
    const res = await upload(t.url, { members }, { token: token(INTEGRATOR_HP) });
    expect(res.body.counts.members).toEqual({ added: 1, changed: 0, unchanged: 0 });
    expect(await q('{ areaStatistics(unitCode: "308", year: 2022) { poorPersons } }')).toEqual(before);
    expect(before.areaStatistics.poorPersons).toBe(9);
  });
});
