/**
 * Classification at every line of every standard, as stored by the migrations (the rows the API classifies with):
 * exactly at a line, one đồng above and below it, and the deprivation count exactly at the cut-off and one under.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from '@ansinh/db';
import * as tables from '../src/db/schema.js';
import { classify, type ClassifyInput, type LoadedStandard, type Status } from '../src/domain/classify.js';

let scratch: ScratchDatabase<typeof tables>;
const standards = new Map<string, LoadedStandard>();

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'households');
  const { db } = scratch;
  for (const standard of await db.select().from(tables.povertyStandards)) {
    standards.set(standard.code, {
      standard,
      lines: await db.select().from(tables.povertyLines).where(eq(tables.povertyLines.standardCode, standard.code)),
      indicators: await db.select().from(tables.povertyIndicators).where(eq(tables.povertyIndicators.standardCode, standard.code)).orderBy(asc(tables.povertyIndicators.position)),
    });
  }
});
afterAll(() => scratch?.close());

const D3 = ['EMPLOYMENT', 'NUTRITION', 'HOUSING_QUALITY'];
const D2 = ['EMPLOYMENT', 'NUTRITION'];
// VN-2016-2020 names its indicators differently: the first three of the standard, whatever they are called
const first = (code: string, n: number) => standards.get(code)!.indicators.slice(0, n).map((i) => i.code);

type Case = [standard: string, area: string, income: number, period: 'MONTH' | 'YEAR', deprived: number | string[], expected: Status];
const cases: Case[] = [
  // VN-2022-2025 rural: poverty line = near-poor line 1,500,000/month, average 2,250,000, cut-off 3 (poor needs both)
  ['VN-2022-2025', 'RURAL', 1_500_000, 'MONTH', D3, 'POOR'],
  ['VN-2022-2025', 'RURAL', 1_499_999, 'MONTH', D3, 'POOR'],
  ['VN-2022-2025', 'RURAL', 1_500_001, 'MONTH', D3, 'AVERAGE_LIVING_STANDARD'],
  ['VN-2022-2025', 'RURAL', 1_500_000, 'MONTH', D2, 'NEAR_POOR'],
  ['VN-2022-2025', 'RURAL', 0, 'MONTH', [], 'NEAR_POOR'],
  ['VN-2022-2025', 'RURAL', 2_250_000, 'MONTH', [], 'AVERAGE_LIVING_STANDARD'],
  ['VN-2022-2025', 'RURAL', 2_250_001, 'MONTH', D3, 'NONE'],
  // urban: 2,000,000 and 3,000,000
  ['VN-2022-2025', 'URBAN', 2_000_000, 'MONTH', D3, 'POOR'],
  ['VN-2022-2025', 'URBAN', 2_000_001, 'MONTH', D3, 'AVERAGE_LIVING_STANDARD'],
  ['VN-2022-2025', 'URBAN', 2_000_000, 'MONTH', D2, 'NEAR_POOR'],
  ['VN-2022-2025', 'URBAN', 3_000_000, 'MONTH', D2, 'AVERAGE_LIVING_STANDARD'],
  ['VN-2022-2025', 'URBAN', 3_000_001, 'MONTH', D2, 'NONE'],
  // a yearly income against the monthly line: × 12 on the line's side (18,000,000 = 1,500,000 × 12)
  ['VN-2022-2025', 'RURAL', 18_000_000, 'YEAR', D3, 'POOR'],
  ['VN-2022-2025', 'RURAL', 18_000_001, 'YEAR', D3, 'AVERAGE_LIVING_STANDARD'],
  // VN-2016-2020 rural: poor at or below 700,000 whatever the deprivations, or at or below 1,000,000 with 3 of them
  ['VN-2016-2020', 'RURAL', 700_000, 'MONTH', 0, 'POOR'],
  ['VN-2016-2020', 'RURAL', 700_001, 'MONTH', 0, 'NEAR_POOR'],
  ['VN-2016-2020', 'RURAL', 1_000_000, 'MONTH', 3, 'POOR'],
  ['VN-2016-2020', 'RURAL', 1_000_000, 'MONTH', 2, 'NEAR_POOR'],
  ['VN-2016-2020', 'RURAL', 1_000_001, 'MONTH', 3, 'NONE'],
  ['VN-2016-2020', 'URBAN', 900_000, 'MONTH', 0, 'POOR'],
  ['VN-2016-2020', 'URBAN', 900_001, 'MONTH', 0, 'NEAR_POOR'],
  ['VN-2016-2020', 'URBAN', 1_300_000, 'MONTH', 0, 'NEAR_POOR'],
  ['VN-2016-2020', 'URBAN', 1_300_001, 'MONTH', 3, 'NONE'],
  // HCM-2021-2025: yearly lines 36,000,000 and 46,000,000, income only
  ['HCM-2021-2025', 'URBAN', 36_000_000, 'YEAR', 0, 'POOR'],
  ['HCM-2021-2025', 'URBAN', 36_000_001, 'YEAR', 0, 'NEAR_POOR'],
  ['HCM-2021-2025', 'URBAN', 46_000_000, 'YEAR', 0, 'NEAR_POOR'],
  ['HCM-2021-2025', 'URBAN', 46_000_001, 'YEAR', 0, 'NONE'],
  // a monthly income against a yearly line: × 12 on the income's side (3,000,000 × 12 = 36,000,000)
  ['HCM-2021-2025', 'RURAL', 3_000_000, 'MONTH', 0, 'POOR'],
  ['HCM-2021-2025', 'RURAL', 3_000_001, 'MONTH', 0, 'NEAR_POOR'],
];

describe('classify() at the lines of the stored standards', () => {
  it.each(cases)('%s %s, income %d per %s, deprived %j → %s', (code, areaType, income, period, deprived, expected) => {
    const loaded = standards.get(code);
    expect(loaded, `standard ${code} in the migrations`).toBeDefined();
    const input: ClassifyInput = {
      areaType, incomePerCapita: income, incomePeriod: period,
      deprivedIndicators: typeof deprived === 'number' ? first(code, deprived) : deprived,
    };
    expect(classify(loaded!, input).status).toBe(expected);
  });

  it('says which line decided and how many indicators against which cut-off', () => {
    const r = classify(standards.get('VN-2022-2025')!, { areaType: 'RURAL', incomePerCapita: 1_500_000, incomePeriod: 'MONTH', deprivedIndicators: D2 });
    expect(r.reasons).toMatchObject({ comparedWith: 'NEAR_POOR_LINE', lineAmount: 1_500_000, deprivationCount: 2, deprivationCutoff: 3 });
    const y = classify(standards.get('HCM-2021-2025')!, { areaType: 'URBAN', incomePerCapita: 3_000_001, incomePeriod: 'MONTH', deprivedIndicators: [] });
    expect(y.reasons).toMatchObject({ comparedWith: 'NEAR_POOR_LINE', incomeInStandardPeriod: 36_000_012, deprivationCutoff: null });
  });

  it.each([
    [{ incomePerCapita: -1 }, 'incomePerCapita'],
    [{ incomePerCapita: 1.5 }, 'incomePerCapita'],
    [{ areaType: 'MOUNTAIN' }, 'areaType'],
    [{ deprivedIndicators: ['NOT_AN_INDICATOR'] }, 'deprivedIndicators'],
    [{ deprivedIndicators: ['EMPLOYMENT', 'EMPLOYMENT'] }, 'deprivedIndicators'],
  ] as const)('refuses %j (%s) with BAD_USER_INPUT', (change, field) => {
    const input = { areaType: 'RURAL', incomePerCapita: 1_000_000, incomePeriod: 'MONTH' as const, deprivedIndicators: [] as string[], ...change };
    let error: any;
    try { classify(standards.get('VN-2022-2025')!, input as ClassifyInput); } catch (e) { error = e; }
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(String(error?.message)).toContain(field === 'deprivedIndicators' ? 'ndicator' : field === 'areaType' ? 'area type' : 'incomePerCapita');
  });
});

const D3_2022 = ['HEALTH_INSURANCE', 'DOMESTIC_WATER', 'ADULT_EDUCATION'];
const D2_2022 = ['HEALTH_INSURANCE', 'DOMESTIC_WATER'];
const D3_2016 = ['HEALTH_SERVICE_ACCESS', 'HOUSING_QUALITY', 'TELECOM_SERVICES'];
const D2_2016 = ['HEALTH_SERVICE_ACCESS', 'HOUSING_QUALITY'];
const D3_2027 = ['WASTE_TREATMENT', 'NUTRITION', 'EMPLOYMENT'];

// the gateway test's table (test/households-standards.test.ts keeps one case per standard through the gateway):
// [standard, area, income, period, deprived, expected status, line compared with]
const BOUNDARIES: [string, 'URBAN' | 'RURAL', number, 'MONTH' | 'YEAR', string[], string, string][] = [
  // VN-2016-2020: poor ≤ line; or ≤ minimum standard with ≥ 3 of 10 deprivations; near-poor up to the minimum standard
  ['VN-2016-2020', 'URBAN', 900_000, 'MONTH', [], 'POOR', 'POVERTY_LINE'],
  ['VN-2016-2020', 'URBAN', 900_001, 'MONTH', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'URBAN', 900_001, 'MONTH', D2_2016, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'URBAN', 900_001, 'MONTH', D3_2016, 'POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'URBAN', 1_300_000, 'MONTH', D3_2016, 'POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'URBAN', 1_300_000, 'MONTH', D2_2016, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'URBAN', 1_300_001, 'MONTH', D3_2016, 'NONE', 'ABOVE_LINES'],
  ['VN-2016-2020', 'RURAL', 700_000, 'MONTH', [], 'POOR', 'POVERTY_LINE'],
  ['VN-2016-2020', 'RURAL', 700_001, 'MONTH', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'RURAL', 1_000_000, 'MONTH', D3_2016, 'POOR', 'NEAR_POOR_LINE'],
  ['VN-2016-2020', 'RURAL', 1_000_001, 'MONTH', D2_2016, 'NONE', 'ABOVE_LINES'],
  ['VN-2016-2020', 'URBAN', 10_800_000, 'YEAR', [], 'POOR', 'POVERTY_LINE'],
  ['VN-2016-2020', 'URBAN', 10_800_001, 'YEAR', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
  // VN-2022-2025: ≤ line and ≥ 3 of 12 → poor; ≤ line and < 3 → near-poor; up to 1.5 × line → average
  ['VN-2022-2025', 'URBAN', 2_000_000, 'MONTH', D3_2022, 'POOR', 'POVERTY_LINE'],
  ['VN-2022-2025', 'URBAN', 2_000_000, 'MONTH', D2_2022, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2022-2025', 'URBAN', 2_000_001, 'MONTH', D3_2022, 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2022-2025', 'URBAN', 3_000_000, 'MONTH', [], 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2022-2025', 'URBAN', 3_000_001, 'MONTH', [], 'NONE', 'ABOVE_LINES'],
  ['VN-2022-2025', 'RURAL', 1_500_000, 'MONTH', D3_2022, 'POOR', 'POVERTY_LINE'],
  ['VN-2022-2025', 'RURAL', 1_500_000, 'MONTH', D2_2022, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2022-2025', 'RURAL', 1_500_001, 'MONTH', D3_2022, 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2022-2025', 'RURAL', 2_250_000, 'MONTH', [], 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2022-2025', 'RURAL', 2_250_001, 'MONTH', [], 'NONE', 'ABOVE_LINES'],
  ['VN-2022-2025', 'URBAN', 24_000_000, 'YEAR', D3_2022, 'POOR', 'POVERTY_LINE'],
  ['VN-2022-2025', 'URBAN', 24_000_001, 'YEAR', D3_2022, 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  // VN-2027-2030: the same rule shape with its own (configurable) lines and indicators
  ['VN-2027-2030', 'URBAN', 2_800_000, 'MONTH', D3_2027, 'POOR', 'POVERTY_LINE'],
  ['VN-2027-2030', 'URBAN', 2_800_000, 'MONTH', ['WASTE_TREATMENT', 'NUTRITION'], 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['VN-2027-2030', 'URBAN', 2_800_001, 'MONTH', D3_2027, 'AVERAGE_LIVING_STANDARD', 'AVERAGE_LINE'],
  ['VN-2027-2030', 'RURAL', 2_200_000, 'MONTH', D3_2027, 'POOR', 'POVERTY_LINE'],
  ['VN-2027-2030', 'RURAL', 3_300_001, 'MONTH', [], 'NONE', 'ABOVE_LINES'],
  // HCM-2021-2025: income per year only; ≤ 36,000,000 poor, ≤ 46,000,000 near-poor
  ['HCM-2021-2025', 'URBAN', 36_000_000, 'YEAR', [], 'POOR', 'POVERTY_LINE'],
  ['HCM-2021-2025', 'URBAN', 36_000_001, 'YEAR', D3_2022, 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['HCM-2021-2025', 'URBAN', 46_000_000, 'YEAR', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
  ['HCM-2021-2025', 'URBAN', 46_000_001, 'YEAR', D3_2022, 'NONE', 'ABOVE_LINES'],
  ['HCM-2021-2025', 'RURAL', 36_000_000, 'YEAR', D2_2022, 'POOR', 'POVERTY_LINE'],
  ['HCM-2021-2025', 'RURAL', 46_000_001, 'YEAR', [], 'NONE', 'ABOVE_LINES'],
  ['HCM-2021-2025', 'URBAN', 3_000_000, 'MONTH', [], 'POOR', 'POVERTY_LINE'],
  ['HCM-2021-2025', 'URBAN', 3_000_001, 'MONTH', [], 'NEAR_POOR', 'NEAR_POOR_LINE'],
];

describe('classify() says which line decided', () => {
  it.each(BOUNDARIES)('%s %s %i per %s with %j → %s (%s)', (code, areaType, incomePerCapita, incomePeriod, deprivedIndicators, status, line) => {
    const r = classify(standards.get(code)!, { areaType, incomePerCapita, incomePeriod, deprivedIndicators });
    expect(r).toMatchObject({ status, standardCode: code, reasons: { comparedWith: line, deprivationCount: deprivedIndicators.length } });
    expect(r.reasons.explanation).toContain(status);
  });
});
