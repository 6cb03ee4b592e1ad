/** Poverty standards as data, classify at every boundary, and the review (recordAssessment, history, transitions). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const D3_2022 = ['HEALTH_INSURANCE', 'DOMESTIC_WATER', 'ADULT_EDUCATION'];
const D2_2022 = ['HEALTH_INSURANCE', 'DOMESTIC_WATER'];
const D3_2016 = ['HEALTH_SERVICE_ACCESS', 'HOUSING_QUALITY', 'TELECOM_SERVICES'];
const D3_2027 = ['WASTE_TREATMENT', 'NUTRITION', 'EMPLOYMENT'];

// Through the gateway, one boundary of each standard; every line of every standard, one đồng either side, is the
// domain test's table (subgraphs/households/test/classify.test.ts), which calls classify() itself.
// [standard, area, income, period, deprived, expected status, line compared with]
const BOUNDARIES: [string, 'URBAN' | 'RURAL', number, 'MONTH' | 'YEAR', string[], string, string][] = [
  ['VN-2016-2020', 'URBAN', 900_001, 'MONTH', D3_2016, 'POOR', 'NEAR_POOR_LINE'],
  ['VN-2022-2025', 'RURAL', 1_500_000, 'MONTH', D2_2022, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2022-2025', 'URBAN', 24_000_001, 'YEAR', D3_2022, 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2027-2030', 'URBAN', 2_800_000, 'MONTH', D3_2027, 'POOR', 'POVERTY_LINE'],
  ['HCM-2021-2025', 'URBAN', 3_000_001, 'MONTH', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
];

const CLASSIFY = `query ($input: ClassifyInput!) { classify(input: $input) {
  status standard { code } reasons { comparedWith lineAmount deprivationCount deprivationCutoff deprivedIndicators explanation } } }`;

describe('classify at every boundary', () => {
  it.each(BOUNDARIES)('%s %s %i per %s with %j → %s', async (standard, areaType, incomePerCapita, incomePeriod, deprivedIndicators, status, line) => {
    const res = await t.query(CLASSIFY, { input: { standard, areaType, incomePerCapita, incomePeriod, deprivedIndicators } });
    expect(res.errors).toBeUndefined();
    expect(res.data.classify).toMatchObject({ status, standard: { code: standard }, reasons: { comparedWith: line, deprivationCount: deprivedIndicators.length } });
    expect(res.data.classify.reasons.explanation).toContain(status);
  });

  it('says why: the line, the deprived indicators in the standard\'s order, their count against the cut-off', async () => {
    const res = await t.query(CLASSIFY, { input: { standard: 'VN-2022-2025', areaType: 'URBAN', incomePerCapita: 1_800_000, incomePeriod: 'MONTH', deprivedIndicators: ['DOMESTIC_WATER', 'HEALTH_INSURANCE', 'ADULT_EDUCATION'] } });
    expect(res.data.classify).toEqual({
      status: 'POOR', standard: { code: 'VN-2022-2025' },
      reasons: {
        comparedWith: 'POVERTY_LINE', lineAmount: 2_000_000, deprivationCount: 3, deprivationCutoff: 3,
        deprivedIndicators: ['HEALTH_INSURANCE', 'ADULT_EDUCATION', 'DOMESTIC_WATER'],
        explanation: 'VN-2022-2025 (urban): income 1,800,000 đồng/tháng, at or below the poverty line 2,000,000; 3 deprived indicator(s) against a cut-off of 3 → POOR',
      },
    });
  });

  it.each([
    ['an unknown standard', { standard: 'VN-1999' }, 'No poverty standard has the code "VN-1999"'],
    ['an unknown indicator', { deprivedIndicators: ['HAPPINESS'] }, '"HAPPINESS" is not an indicator of standard VN-2022-2025'],
    ['an indicator of another standard', { deprivedIndicators: ['HEALTH_SERVICE_ACCESS'] }, '"HEALTH_SERVICE_ACCESS" is not an indicator of standard VN-2022-2025'],
    ['VN-2027-2030 without "information devices"', { standard: 'VN-2027-2030', deprivedIndicators: ['INFORMATION_ACCESS_MEANS'] }, '"INFORMATION_ACCESS_MEANS" is not an indicator of standard VN-2027-2030'],
    ['an indicator listed twice', { deprivedIndicators: ['NUTRITION', 'NUTRITION'] }, 'Indicator "NUTRITION" is listed twice'],
    ['a negative income', { incomePerCapita: -1 }, '-1'],
  ])('%s is BAD_USER_INPUT naming the value', async (_, change, message) => {
    const input = { standard: 'VN-2022-2025', areaType: 'URBAN', incomePerCapita: 1_000_000, incomePeriod: 'MONTH', deprivedIndicators: [], ...change };
    const res = await t.query(CLASSIFY, { input });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(message);
  });
});

describe('standards as data', () => {
  it('lists the four standards with their periods, lines, indicators and rules', async () => {
    const res = await t.query(`{ povertyStandards { code jurisdiction { name } validFrom validTo incomePeriod deprivationCutoff
      poorRequiresDeprivation poorAlsoBelowNearPoorLine lines { areaType povertyLine nearPoorLine averageLine } indicators { code } dimensions { code } } }`);
    expect(res.errors).toBeUndefined();
    const byCode = Object.fromEntries(res.data.povertyStandards.map((s: any) => [s.code, s]));
    expect(Object.keys(byCode)).toEqual(['VN-2016-2020', 'HCM-2021-2025', 'VN-2022-2025', 'VN-2027-2030']);
    expect(byCode['VN-2022-2025'].indicators.map((i: any) => i.code)).toEqual(['EMPLOYMENT', 'DEPENDANTS', 'NUTRITION', 'HEALTH_INSURANCE',
      'ADULT_EDUCATION', 'CHILD_SCHOOL_ATTENDANCE', 'HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON', 'DOMESTIC_WATER', 'HYGIENIC_LATRINE',
      'TELECOM_SERVICES', 'INFORMATION_ACCESS_MEANS']);
    expect(byCode['VN-2022-2025'].dimensions).toHaveLength(6);
    expect(byCode['VN-2016-2020'].indicators).toHaveLength(10);
    expect(byCode['VN-2016-2020'].indicators.map((i: any) => i.code)).toContain('HEALTH_SERVICE_ACCESS');
    expect(byCode['VN-2027-2030'].indicators.map((i: any) => i.code)).toContain('WASTE_TREATMENT');
    expect(byCode['VN-2027-2030'].indicators.map((i: any) => i.code)).not.toContain('INFORMATION_ACCESS_MEANS');
    expect(byCode['HCM-2021-2025']).toMatchObject({ jurisdiction: { name: 'Thành phố Hồ Chí Minh' }, incomePeriod: 'YEAR', deprivationCutoff: null,
      lines: [{ areaType: 'RURAL', povertyLine: 36_000_000, nearPoorLine: 46_000_000, averageLine: null }, { areaType: 'URBAN', povertyLine: 36_000_000, nearPoorLine: 46_000_000, averageLine: null }] });
    expect(byCode['VN-2022-2025']).toMatchObject({ jurisdiction: null, validFrom: '2022-01-01', validTo: '2027-01-01', poorRequiresDeprivation: true });
    expect(byCode['VN-2016-2020']).toMatchObject({ poorRequiresDeprivation: false, poorAlsoBelowNearPoorLine: true, validTo: '2022-01-01' });
  });

  it.each([
    ['775', '2021-10-01', ['HCM-2021-2025', 'VN-2016-2020']],
    ['775', '2022-10-01', ['HCM-2021-2025', 'VN-2022-2025']],
    ['306', '2021-10-01', ['VN-2016-2020']],
    ['11413', '2025-10-01', ['VN-2022-2025']],
    ['27373', '2026-03-01', ['VN-2022-2025']],
    ['31', '2027-03-01', ['VN-2027-2030']],
  ])('standards for unit %s on %s: %j', async (unitCode, on, codes) => {
    const res = await t.query(`query ($u: String!, $on: Date) { applicableStandards(unitCode: $u, on: $on) { code } }`, { u: unitCode, on });
    expect(res.errors).toBeUndefined();
    expect(res.data.applicableStandards.map((s: { code: string }) => s.code)).toEqual(codes);
  });
});

const RECORD = `mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) {
  reviewYear kind status standard { code } deprivedIndicators unit { code } recordedBy reasons { comparedWith } } }`;

describe('the review', () => {
  it('records a review under the standard in force for the household\'s unit and date; history and transitions follow', async () => {
    // a household of Phường 8, Quận 6, that was poor in 2021 and escaped in 2022
    const list = await t.query(`{ households(unitCode: "27376", first: 100) { edges { node { code statusHistory { year status } } } } }`);
    const escaped = list.data.households.edges.map((e: any) => e.node)
      .find((h: any) => JSON.stringify(h.statusHistory) === JSON.stringify([{ year: 2021, status: 'POOR' }, { year: 2022, status: 'NONE' }]));
    expect(escaped).toBeDefined();
    const record = (reviewYear: number, assessedOn: string, incomePerCapita: number, status?: string, deprivedIndicators: string[] = []) =>
      t.query(RECORD, { input: { householdCode: escaped.code, reviewYear, kind: 'PERIODIC', assessedOn, incomePerCapita, incomePeriod: 'YEAR', deprivedIndicators, status, recordedBy: 'canbo.27376' } });
    const first = await record(2023, '2023-10-02', 30_000_000, 'POOR', ['NUTRITION']);
    expect(first.errors).toBeUndefined();
    expect(first.data.recordAssessment).toEqual({
      reviewYear: 2023, kind: 'PERIODIC', status: 'POOR', standard: { code: 'HCM-2021-2025' }, deprivedIndicators: ['NUTRITION'],
      unit: { code: '27376' }, recordedBy: 'canbo.27376', reasons: { comparedWith: 'POVERTY_LINE' },
    });
    expect((await record(2024, '2024-10-03', 40_000_000)).errors).toBeUndefined();
    expect((await record(2025, '2025-10-04', 60_000_000, 'NONE')).errors).toBeUndefined();
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) {
      currentStatus { year status standard { code } deprivedIndicators }
      statusHistory { year status }
      transitions { kind year from to supportEndsOn }
      until2026: newlyEscapedUntil(on: "2026-01-01") after: newlyEscapedUntil(on: "2028-10-04") } }`, { code: escaped.code });
    expect(res.errors).toBeUndefined();
    const h = res.data.householdByCode;
    expect(h.currentStatus).toEqual({ year: 2025, status: 'NONE', standard: { code: 'HCM-2021-2025' }, deprivedIndicators: [] });
    expect(h.statusHistory.map((s: any) => s.status)).toEqual(['POOR', 'NONE', 'POOR', 'NEAR_POOR', 'NONE']);
    expect(h.transitions.slice(2)).toEqual([
      { kind: 'RELAPSED_POOR', year: 2023, from: 'NONE', to: 'POOR', supportEndsOn: null },
      { kind: 'ESCAPED_POVERTY', year: 2024, from: 'POOR', to: 'NEAR_POOR', supportEndsOn: '2027-10-02' },
      { kind: 'ESCAPED_NEAR_POVERTY', year: 2025, from: 'NEAR_POOR', to: 'NONE', supportEndsOn: '2028-10-03' },
    ]);
    expect(h.transitions[0]).toMatchObject({ kind: 'NEWLY_POOR', year: 2021, from: null, to: 'POOR', supportEndsOn: null });
    expect(h.transitions[1]).toMatchObject({ kind: 'ESCAPED_POVERTY', year: 2022, from: 'POOR', to: 'NONE' });
    expect([h.until2026, h.after]).toEqual(['2028-10-03', null]);
  });

  it('uses the national standard where there is no city standard (Hải An: VN-2016-2020 in 2021, VN-2022-2025 after)', async () => {
    const base = { householdCode: '11414-00001', kind: 'REGULAR', incomePeriod: 'MONTH', recordedBy: 'canbo.11414' };
    const old = await t.query(RECORD, { input: { ...base, reviewYear: 2021, assessedOn: '2021-06-15', incomePerCapita: 1_100_000, deprivedIndicators: D3_2016 } });
    expect(old.errors).toBeUndefined();
    expect(old.data.recordAssessment).toMatchObject({ status: 'POOR', standard: { code: 'VN-2016-2020' }, reasons: { comparedWith: 'NEAR_POOR_LINE' } });
    const now = await t.query(RECORD, { input: { ...base, reviewYear: 2023, assessedOn: '2023-06-15', incomePerCapita: 1_100_000, deprivedIndicators: D2_2022 } });
    expect(now.data.recordAssessment).toMatchObject({ status: 'NEAR_POOR', standard: { code: 'VN-2022-2025' } });
  });

  it('rejects a status that disagrees with the classification, with the reasons, and writes nothing', async () => {
    const count = async () => (await t.query(`{ householdByCode(code: "27373-00001") { assessments { id } } }`)).data.householdByCode.assessments.length;
    const before = await count();
    const res = await t.query(RECORD, { input: { householdCode: '27373-00001', reviewYear: 2023, kind: 'PERIODIC', assessedOn: '2023-11-01', incomePerCapita: 36_000_001, incomePeriod: 'YEAR', status: 'POOR', recordedBy: 'canbo' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.status', classification: { status: 'NEAR_POOR', standard: 'HCM-2021-2025', comparedWith: 'NEAR_POOR_LINE' } });
    expect(res.errors?.[0]?.message).toBe('"input.status" POOR disagrees with the classification: HCM-2021-2025 (urban): income 36,000,001 đồng/năm, at or below the near poor line 46,000,000; 0 deprived indicator(s), not part of this standard\'s rule → NEAR_POOR');
    expect(await count()).toBe(before);
  });

  it.each([
    ['a PERIODIC review outside 1 Sep–14 Dec', { assessedOn: '2023-12-15' }, 'A PERIODIC review is dated 1 September–14 December; "input.assessedOn" is 2023-12-15'],
    ['a date outside the review year', { assessedOn: '2024-10-01' }, '"input.assessedOn" 2024-10-01 is not in the review year 2023'],
    ['an unknown household', { householdCode: 'X' }, 'No household has the code "X"'],
    ['an indicator not in the standard in force', { householdCode: '11414-00001', incomePeriod: 'MONTH', incomePerCapita: 1_000_000, deprivedIndicators: ['HEALTH_SERVICE_ACCESS'] }, '"HEALTH_SERVICE_ACCESS" is not an indicator of standard VN-2022-2025'],
  ])('rejects %s', async (_, change, message) => {
    const input = { householdCode: '27373-00001', reviewYear: 2023, kind: 'PERIODIC', assessedOn: '2023-10-01', incomePerCapita: 50_000_000, incomePeriod: 'YEAR', recordedBy: 'canbo', ...change };
    const res = await t.query(RECORD, { input });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(message);
  });

  it('reads each household\'s latest deprived indicators in one statement per kind of lookup', async () => {
    const counts = await t.countStatements(() => t.query(`{ households(unitCode: "775", first: 50) { edges { node { currentStatus { status deprivedIndicators } statusHistory { year } transitions { kind } } } } }`));
    // the unit, the page, the latest assessments, all assessments (no count asked): not one per household
    expect(counts.households).toBe(4);
  });
});
