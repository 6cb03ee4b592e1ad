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

/**
 * The same attack on every programme report: the district's figure less each of its wards asked for alone. Each
 * report, as data: the root field for a unit (a closed year, as an ANALYST must ask), and its household (or card)
 * counts as `measure: value` (a breakdown row absent from a ward's list is a published 0).
 */
type Cells = Record<string, number | null>;
const rowsOf = (list: any[] | null | undefined, key: string, fields: string[], prefix = '') =>
  Object.fromEntries((list ?? []).flatMap((r) => fields.map((f) => [`${prefix}${r[key]}.${f}`, r[f]])));
const REPORTS: { report: string; field: (code: string, year: number) => string; cells: (r: any) => Cells }[] = [
  {
    report: 'creditStatistics',
    field: (code, year) => `creditStatistics(unitCode: "${code}", on: "${year}-12-31", since: "${year}-01-01") {
      programmes { programme borrowers disbursedHouseholds } povertyReduction { borrowers disbursedHouseholds } }`,
    cells: (r) => ({
      ...rowsOf(r.programmes, 'programme', ['borrowers', 'disbursedHouseholds']),
      'povertyReduction.borrowers': r.povertyReduction.borrowers, 'povertyReduction.disbursedHouseholds': r.povertyReduction.disbursedHouseholds,
    }),
  },
  {
    report: 'healthStatistics',
    field: (code, year) => `healthStatistics(unitCode: "${code}", on: "${year}-12-31") {
      total { cards holders } groups { beneficiaryGroup cards holders } coverage { beneficiaryGroup persons covered } }`,
    cells: (r) => ({
      'total.cards': r.total.cards, 'total.holders': r.total.holders, ...rowsOf(r.groups, 'beneficiaryGroup', ['cards', 'holders']),
      ...rowsOf(r.coverage, 'beneficiaryGroup', ['persons', 'covered'], 'coverage.'),
    }),
  },
  {
    report: 'housingStatistics',
    field: (code, year) => `housingStatistics(unitCode: "${code}", from: "${year}-01-01", to: "${year}-12-31") {
      houses byKind { kind houses } byBeneficiary { beneficiaryStatus houses } byStatus { status supports } byWard { unit { code } houses } }`,
    cells: (r) => ({
      houses: r.houses, ...rowsOf(r.byKind, 'kind', ['houses']), ...rowsOf(r.byBeneficiary, 'beneficiaryStatus', ['houses']),
      ...rowsOf(r.byStatus, 'status', ['supports']),
    }),
  },
  {
    report: 'gapStatistics',
    field: (code, year) => `gapStatistics(unitCode: "${code}", on: "${year}-12-31") { households householdsWithGaps byKind { kind households } }`,
    cells: (r) => ({ households: r.households, householdsWithGaps: r.householdsWithGaps, ...rowsOf(r.byKind, 'kind', ['households']) }),
  },
];

/**
 * What the district's figure less its published wards gives away, measure by measure: `seen` as the ANALYST got it
 * (null: withheld), `exact` as an officer gets it. Subtraction gives the withheld wards' sum. The analyst is granted
 * more than the reports say: which withheld wards are small (0 to 4) and that the others hold 5 up to the smallest
 * published ward. A small ward is given away when that pins it to one value other than 0; the withheld wards are,
 * when they (or the households in no ward) hold 1 to 4 together. Returns each measure given away, with why.
 */
function givenAway(district: Cells, seen: Cells[], exact: Cells[]): string[] {
  const out: string[] = [];
  for (const [m, total] of Object.entries(district)) {
    if (total === null) continue;
    const value = (w: Cells) => (m in w ? w[m]! : 0);
    const shown = seen.map(value).filter((v): v is number => v !== null);
    const withheld = seen.flatMap((w, i) => (value(w) === null ? [value(exact[i]!)!] : []));
    const rest = total - shown.reduce((s, v) => s + v, 0);
    if (rest > 0 && rest < 5) { out.push(`${m}: the withheld wards and the households in no ward hold ${rest}`); continue; }
    const ceiling = shown.length ? Math.min(...shown) : rest;
    const bounds = withheld.map((v): [number, number] => (v < 5 ? [0, 4] : [5, Math.max(ceiling, v)]));
    withheld.forEach((v, i) => {
      if (v === 0 || v >= 5) return;
      const others = bounds.filter((_, j) => j !== i);
      const low = Math.max(0, rest - others.reduce((s, b) => s + b[1], 0));
      const high = Math.min(4, rest - others.reduce((s, b) => s + b[0], 0));
      if (low === high) out.push(`${m}: a withheld ward of ${v} is worked out as ${low}`);
    });
  }
  return out;
}

describe('a district less its wards asked for one by one, in every programme report', () => {
  it.each(REPORTS.flatMap((r) => [['775', 2022], ['306', 2022], ['305', 2022], ['306', 2023]].map(([d, y]) => [r.report, d, y, r] as const)))(
    '%s of district %s, %s: no withheld ward can be worked out', async (_, district, year, r) => {
      const analyst = await t.as('ANALYST');
      const officer = await t.as('CITY_INTEGRATOR', ['79', '31']);
      const unit = (await t.query(`{ unit(code: "${district}", on: "${year}-12-31") { children(on: "${year}-12-31") { code } } }`)).data.unit;
      const codes: string[] = unit.children.map((c: any) => c.code);
      expect(codes.length).toBeGreaterThan(1);
      const q = `{ d: ${r.field(district as string, year as number)} ${codes.map((c) => `w${c}: ${r.field(c, year as number)}`).join('\n')} }`;
      const seen = await t.query(q, {}, analyst);
      expect(seen.errors).toBeUndefined();
      const exact = (await t.query(q, {}, officer)).data;
      const d = r.cells(seen.data.d);
      const wards = codes.map((c) => r.cells(seen.data[`w${c}`]));
      expect(givenAway(d, wards, codes.map((c) => r.cells(exact[`w${c}`])))).toEqual([]);
      // what the analyst sees is what the officer sees, or nothing
      for (const [k, v] of [['d', d], ...codes.map((c, i) => [`w${c}`, wards[i]!] as const)] as const) {
        const truth = r.cells(exact[k]);
        for (const [m, n] of Object.entries(v)) if (n !== null) expect(n).toBe(truth[m]);
      }
      // a breakdown by ward gives each ward's figure as the ward asked for alone gives it
      if (seen.data.d.byWard) {
        for (const w of seen.data.d.byWard) if (codes.includes(w.unit.code)) expect(w.houses).toBe(seen.data[`w${w.unit.code}`].houses);
      }
    });
});
