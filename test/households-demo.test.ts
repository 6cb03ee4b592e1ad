/** The demo's stored reviews agree with the standards' rows: every status is what classify() says. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { classify, type LoadedStandard } from '@ansinh/households/classify';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

async function select<T>(text: string): Promise<T[]> {
  const c = t.connection;
  if (c.kind === 'pglite') return (await c.pglite.query<T>(text)).rows;
  return (await c.sql.unsafe(text)) as unknown as T[];
}

it('every stored assessment has the status its standard gives its income and deprivations', async () => {
  const standards = await select<any>(`select code, name, legal_basis as "legalBasis", jurisdiction, valid_from::text as "validFrom", valid_to::text as "validTo",
    income_period as "incomePeriod", deprivation_cutoff as "deprivationCutoff", poor_requires_deprivation as "poorRequiresDeprivation",
    poor_also_below_near_poor_line as "poorAlsoBelowNearPoorLine" from households.poverty_standards`);
  const lines = await select<any>(`select standard_code as "standardCode", area_type as "areaType", poverty_line::float8 as "povertyLine",
    near_poor_line::float8 as "nearPoorLine", average_line::float8 as "averageLine" from households.poverty_lines`);
  const indicators = await select<any>(`select standard_code as "standardCode", code, name, dimension_code as "dimensionCode",
    dimension_name as "dimensionName", position from households.poverty_indicators order by position`);
  const loaded = new Map<string, LoadedStandard>(standards.map((s) => [s.code, {
    standard: s, lines: lines.filter((l) => l.standardCode === s.code), indicators: indicators.filter((i) => i.standardCode === s.code),
  }]));
  const rows = await select<{ standard_code: string; area_type: string; income: number; income_period: 'MONTH' | 'YEAR'; deprived: string[]; status: string; n: number }>(`
    select a.standard_code, h.area_type, a.income_per_capita::float8 as income, a.income_period, a.deprived_indicators as deprived, a.status, 1 as n
    from households.assessments a join households.households h on h.id = a.household_id`);
  // 8,794 in the demo; more when other test files have recorded reviews (PostgreSQL runs share one database)
  expect(rows.length).toBeGreaterThanOrEqual(8_794);
  const disagreements = rows.filter((r) => classify(loaded.get(r.standard_code)!, {
    areaType: r.area_type, incomePerCapita: r.income, incomePeriod: r.income_period, deprivedIndicators: r.deprived,
  }).status !== r.status);
  expect(disagreements.slice(0, 5)).toEqual([]);
});
