/**
 * Small cells do not come back by subtraction (issue 10, item 4; docs/security.md "Statistics for analysts"): the
 * two attacks of the issue, as an ANALYST would run them through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

/** The household counts of areaStatistics, as paths from AreaStatistics (the `suppressed` list's names). */
const MEASURES = [
  'totalHouseholds', 'poorHouseholds', 'nearPoorHouseholds', 'start.poorHouseholds', 'start.nearPoorHouseholds',
  'transitions.newlyPoor', 'transitions.relapsedPoor', 'transitions.newlyNearPoor', 'transitions.relapsedNearPoor',
  'transitions.escapedPoverty', 'transitions.escapedPovertyToNearPoor', 'transitions.escapedNearPoverty',
];
const FIELDS = `unit { code } totalHouseholds poorHouseholds nearPoorHouseholds start { poorHouseholds nearPoorHouseholds }
  transitions { newlyPoor relapsedPoor newlyNearPoor relapsedNearPoor escapedPoverty escapedPovertyToNearPoor escapedNearPoverty }
  suppressed { field reason }`;
const pick = (x: any, path: string): number | null => path.split('.').reduce((o, k) => o?.[k], x) ?? null;

/**
 * What an analyst can work out about each withheld small ward from the district's figure and the published wards:
 * the withheld wards sum to (district − published wards); a ward withheld as small holds 0–4, one withheld beside
 * it holds 5 up to the smallest published ward. The range of each small ward is then an interval; pinned = one value
 * other than 0, or withheld wards that together hold 1–4 households.
 */
function pinned(total: number, wards: { value: number | null; reason: string | null }[]): number {
  const shown = wards.filter((w) => w.value !== null).map((w) => w.value!);
  const withheld = wards.filter((w) => w.value === null);
  const sum = total - shown.reduce((s, v) => s + v, 0);
  const ceiling = shown.length ? Math.min(...shown) : total;
  const bounds = withheld.map((w) => (w.reason?.startsWith('fewer than') ? [0, 4] : [5, ceiling]) as [number, number]);
  // the withheld wards together are a cell too: a sum of 1-4 households is a small group given away
  let count = withheld.length > 0 && sum > 0 && sum < 5 ? 1 : 0;
  withheld.forEach((w, i) => {
    if (!w.reason?.startsWith('fewer than')) return;
    const others = bounds.filter((_, j) => j !== i);
    const low = Math.max(0, sum - others.reduce((s, b) => s + b[1], 0));
    const high = Math.min(4, sum - others.reduce((s, b) => s + b[0], 0));
    // worked out to 0 singles nobody out; to 1-4, it does
    if (low === high && low > 0) count += 1;
  });
  return count;
}

describe('a district minus its published wards', () => {
  it.each([['775', 2021], ['775', 2022], ['306', 2021], ['306', 2022]] as const)(
    'district %s, %s: no withheld small ward can be worked out, and each ward is withheld alike when asked for alone', async (district, year) => {
      const analyst = await t.as('ANALYST');
      const res = await t.query(`{ areaStatistics(unitCode: "${district}", year: ${year}) { ${FIELDS} children { ${FIELDS} } } }`, {}, analyst);
      expect(res.errors).toBeUndefined();
      const d = res.data.areaStatistics;
      const officer = (await t.query(`{ areaStatistics(unitCode: "${district}", year: ${year}) { ${FIELDS} children { ${FIELDS} } } }`)).data.areaStatistics;
      let groups = 0;
      let pins = 0;
      for (const m of MEASURES) {
        const total = pick(d, m);
        if (total === null) continue;
        const wards = d.children.map((w: any) => ({ value: pick(w, m), reason: w.suppressed.find((s: any) => s.field === m)?.reason ?? null }));
        if (wards.some((w: { value: number | null }) => w.value === null)) groups += 1;
        pins += pinned(total, wards);
        // what the analyst sees is what the officer sees, or nothing
        d.children.forEach((w: any, i: number) => { if (pick(w, m) !== null) expect(pick(w, m)).toBe(pick(officer.children[i], m)); });
      }
      expect(pins).toBe(0);
      if (district === '775' && year === 2022) expect(groups).toBeGreaterThan(0); // the check means something: Quận 6's wards have small cells

      // the same wards asked for one by one: the same figures withheld
      const alone = (await t.query(`{ ${d.children.map((w: any) => `w${w.unit.code}: areaStatistics(unitCode: "${w.unit.code}", year: ${year}) { ${FIELDS} }`).join('\n')} }`, {}, analyst)).data;
      for (const w of d.children) expect(alone[`w${w.unit.code}`]).toEqual(w);
    });

  it('an officer still gets every figure exactly', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "775", year: 2022) { poorHouseholds suppressed { field } children { poorHouseholds suppressed { field } } } }`, {}, await t.as('CITY_INTEGRATOR', ['79']));
    const d = res.data.areaStatistics;
    expect(d.suppressed).toEqual([]);
    expect(d.children.every((w: any) => w.suppressed.length === 0 && w.poorHouseholds !== null)).toBe(true);
    expect(d.children.reduce((s: number, w: any) => s + w.poorHouseholds, 0)).toBe(d.poorHouseholds);
  });
});

describe('two windows one day apart', () => {
  it('an analyst gets whole calendar years that are over, so no window gives one household\'s loan', async () => {
    // the attack, as an officer sees the data: a loan of the ward, and the ward's lending up to the day before it and up to it
    const hh = (await t.query(`{ householdByCode(code: "27346-00097") { loans { principal disbursedOn } } }`)).data.householdByCode;
    const loan = hh.loans[0];
    const dayBefore = new Date(Date.parse(loan.disbursedOn) - 86_400_000).toISOString().slice(0, 10);
    const since = `${loan.disbursedOn.slice(0, 4)}-01-01`;
    const window = (on: string) => `creditStatistics(unitCode: "27346", on: "${on}", since: "${since}") { programmes { disbursedHouseholds disbursedAmount } }`;
    const q = `{ a: ${window(dayBefore)} b: ${window(loan.disbursedOn)} }`;
    const exact = (await t.query(q)).data;
    const sum = (x: any, k: string) => x.programmes.reduce((s: number, p: any) => s + p[k], 0);
    // for an officer: the difference of the two windows is the day's few households and their loans
    const households = sum(exact.b, 'disbursedHouseholds') - sum(exact.a, 'disbursedHouseholds');
    expect(households).toBeGreaterThanOrEqual(1);
    expect(households).toBeLessThan(5);
    expect(sum(exact.b, 'disbursedAmount') - sum(exact.a, 'disbursedAmount')).toBeGreaterThanOrEqual(loan.principal);

    const analyst = await t.as('ANALYST');
    const res = await t.query(q, {}, analyst);
    // statistics roots are nullable (partial answers): each refused report is null
    expect(Object.values(res.data ?? {}).every((v) => v === null)).toBe(true);
    expect(res.errors!.length).toBeGreaterThan(0);
    expect(new Set(res.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(res.errors![0]!.message).toMatch(/last day of a calendar year/);

    // a closed calendar year is answered
    const year = (await t.query(`{ creditStatistics(unitCode: "775", on: "2022-12-31", since: "2022-01-01") { povertyReduction { disbursedHouseholds } } }`, {}, analyst));
    expect(year.errors).toBeUndefined();
    expect(year.data.creditStatistics.povertyReduction).toHaveProperty('disbursedHouseholds');
  });

  it.each([
    ['creditStatistics with a window shorter than a year', `creditStatistics(unitCode: "775", on: "2022-12-31", since: "2022-07-01") { unit { id } }`, 'since'],
    ['creditStatistics on a day that is not a year\'s end', `creditStatistics(unitCode: "775", on: "2022-11-30") { unit { id } }`, 'on'],
    ['healthStatistics on a day that is not a year\'s end', `healthStatistics(unitCode: "775", on: "2022-06-30") { total { cards } }`, 'on'],
    ['housingStatistics over two years', `housingStatistics(unitCode: "775", from: "2021-01-01", to: "2022-12-31") { houses }`, 'from'],
    ['housingStatistics to a day that is not a year\'s end', `housingStatistics(unitCode: "775", from: "2022-01-01", to: "2022-12-30") { houses }`, 'to'],
    ['gapStatistics on a day that is not a year\'s end', `gapStatistics(unitCode: "775", on: "2022-12-01") { households }`, 'on'],
    ['areaStatistics of the year still open', `areaStatistics(unitCode: "79", year: ${new Date().getUTCFullYear()}) { poorHouseholds }`, 'year'],
  ])('%s: BAD_USER_INPUT for an analyst, an answer for an officer', async (_, field, argument) => {
    const res = await t.query(`{ ${field} }`, {}, await t.as('ANALYST'));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    const officer = await t.query(`{ ${field} }`, {}, await t.as('CITY_INTEGRATOR', ['79']));
    expect(officer.errors).toBeUndefined();
  });
});
