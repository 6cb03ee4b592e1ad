/** A household's whole support picture, from all four subgraphs in one request, checked against the records. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { encodeCursor } from '@ansinh/server';
import { sharedSystem, type TestSystem } from './harness.js';

const PICTURE = `
  code address areaType
  currentStatus { status year standard { code } }
  unit { name parent { name } }
  members { fullName insuranceCards { cardNumber validTo } }
  loans { code programme outstanding }
  creditSummary { activeLoans outstanding }
  healthCoverage(on: "2025-01-01") { coveredMembers totalMembers }
  housingSupports { kind status fundingLines { source amount } }`;

/** The programme side in depth, and the cross-programme gaps: what the N+1 test adds to the picture. */
const DEPTH = `
  loans { annualRate savingsGroup { code } transactions { kind amount } borrower { fullName } }
  members { activeCard(on: "2024-06-30") { cardNumber supportLayers { funder amount } } voluntarySocialInsurance { contribution } loans { code } }
  housingSupports { programme { name } householdContribution }
  supportGaps(on: "2024-06-30") { kind deprivation programme member { fullName } }`;

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

/** A demo household that has records in every programme. */
function householdWithEverything() {
  const d = demoData();
  const housed = new Set(d.housingSupports.map((s) => s.householdId));
  const loaned = new Set(d.loans.map((l) => l.householdId));
  const carded = new Set(d.cards.map((c) => c.householdId));
  return d.households.find((h) => housed.has(h.id) && loaned.has(h.id) && carded.has(h.id) && h.unitId.startsWith('27'))!;
}

describe('the full picture', () => {
  it('returns one household from all four subgraphs, as the records say', async () => {
    const d = demoData();
    const h = householdWithEverything();
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) { ${PICTURE} } }`, { code: h.code });
    expect(res.errors).toBeUndefined();
    const p = res.data.householdByCode;

    const members = d.members.filter((m) => m.householdId === h.id).sort((a, b) => a.position - b.position);
    const loans = d.loans.filter((l) => l.householdId === h.id);
    const active = loans.filter((l) => l.status === 'ACTIVE' || l.status === 'OVERDUE');
    const covered = members.filter((m) => d.cards.some((c) => c.memberId === m.id && c.validFrom <= '2025-01-01' && c.validTo >= '2025-01-01'));
    const supports = d.housingSupports.filter((s) => s.householdId === h.id);
    const latest = d.assessments.filter((a) => a.householdId === h.id).sort((a, b) => b.reviewYear - a.reviewYear)[0]!;

    expect(p.code).toBe(h.code);
    expect(p.address).toBe(h.address);
    expect(p.areaType).toBe('URBAN');
    expect(p.currentStatus).toEqual({ status: latest.status, year: 2022, standard: { code: 'HCM-2021-2025' } });
    expect(p.unit.parent).toEqual({ name: 'Quận 6' });
    expect(p.unit.name).toMatch(/^Phường \d+$/);
    expect(p.members.map((m: { fullName: string }) => m.fullName)).toEqual(members.map((m) => m.fullName));
    expect(p.members.flatMap((m: { insuranceCards: { cardNumber: string }[] }) => m.insuranceCards.map((c) => c.cardNumber)).sort())
      .toEqual(d.cards.filter((c) => c.householdId === h.id).map((c) => c.cardNumber).sort());
    expect(p.loans.map((l: { code: string }) => l.code).sort()).toEqual(loans.map((l) => l.code).sort());
    expect(p.creditSummary).toEqual({ activeLoans: active.length, outstanding: active.reduce((s, l) => s + l.outstanding, 0) });
    expect(p.healthCoverage).toEqual({ coveredMembers: covered.length, totalMembers: members.length });
    expect(p.housingSupports).toHaveLength(supports.length);
    expect(p.housingSupports[0].fundingLines.length).toBeGreaterThan(0);
  });

  it('writes names in Vietnamese, NFC', async () => {
    const res = await t.query(`{ households(unitCode: "306", first: 20) { edges { node { address members { fullName } } } } }`);
    const text = JSON.stringify(res.data);
    expect(text).toBe(text.normalize('NFC'));
    expect(text).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i);
  });

  it('gives every object an id for client caches', async () => {
    const res = await t.query(`{ households(unitCode: "001", first: 3) { edges { node { id __typename members { id __typename } unit { id __typename } } } } }`);
    const node = res.data.households.edges[0].node;
    expect(node).toMatchObject({ __typename: 'Household', unit: { __typename: 'AdministrativeUnit' } });
    expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(node.unit.id).toMatch(/^\d{5}@origin$/);
  });
});

describe('pagination', () => {
  it('walks every household of Quận Hải An once, in code order, and the count agrees', async () => {
    const codes: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 20; page++) {
      const res: any = await t.query(`query ($after: String) { households(unitCode: "306", first: 50, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { code } } } }`, { after });
      const conn = res.data.households;
      total = conn.totalCount;
      codes.push(...conn.edges.map((e: { node: { code: string } }) => e.node.code));
      expect(conn.pageInfo.hasPreviousPage).toBe(page > 0);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    // households still assigned to the old wards (the demo re-assigns some to the new wards of 2025-07-01)
    const expected = demoData().households.filter((h) => ['11410', '11411', '11413', '11414', '11416', '11419', '11422', '11425'].includes(h.unitId.slice(0, 5)) && h.unitId.endsWith('@origin'));
    expect(total).toBe(expected.length);
    expect(codes).toEqual(expected.map((h) => h.code).sort());
  });

  it('filters on the current status', async () => {
    const res = await t.query(`{ poor: households(unitCode: "775", status: POOR) { totalCount edges { node { currentStatus { status } } } }
      nearPoor: households(unitCode: "775", status: NEAR_POOR) { totalCount } }`);
    expect(res.data.poor.totalCount).toBe(1_429);
    expect(res.data.nearPoor.totalCount).toBe(1_092);
    expect(new Set(res.data.poor.edges.map((e: any) => e.node.currentStatus.status))).toEqual(new Set(['POOR']));
  });
});

/** The cursor after which the next five Quận 6 households have loans through a group, cards, housing and gaps. */
function pageWhereFiveHaveEverything(): string {
  const d = demoData();
  const has = (rows: { householdId: string }[]) => new Set(rows.map((r) => r.householdId));
  const housed = has(d.housingSupports);
  const grouped = has(d.loans.filter((l) => l.savingsGroupId));
  const carded = has(d.cards.filter((c) => c.validFrom <= '2024-06-30' && c.validTo >= '2024-06-30'));
  const contributing = has(d.contributions);
  const covered = new Set(d.cards.filter((c) => c.validFrom <= '2024-06-30' && c.validTo >= '2024-06-30').map((c) => c.memberId));
  const uncovered = new Set(d.members.filter((m) => !covered.has(m.id)).map((m) => m.householdId));
  const poor = has(d.assessments.filter((a) => a.reviewYear === 2022 && (a.status === 'POOR' || a.status === 'NEAR_POOR')));
  const q6 = d.households.filter((h) => h.unitId.startsWith('27')).map((h) => h.code).sort();
  const byCode = new Map(d.households.map((h) => [h.code, h.id]));
  for (let i = 1; i + 5 <= q6.length; i++) {
    const ids = q6.slice(i, i + 5).map((c) => byCode.get(c)!);
    if ([housed, grouped, carded, contributing].every((s) => ids.some((id) => s.has(id))) && ids.some((id) => uncovered.has(id) && poor.has(id))) {
      return encodeCursor(q6[i - 1]!);
    }
  }
  throw new Error('no five Quận 6 households in a row use every kind of record');
}

describe('no N+1', () => {
  it('the full picture of 40 households, with loans, cards, housing and supportGaps, runs exactly as many SQL statements as that of 5', async () => {
    // start where the first five already use every kind of record (so both pages run every lookup at least once)
    const after = pageWhereFiveHaveEverything();
    const page = (n: number) => t.query(`query ($after: String) { households(unitCode: "775", first: ${n}, after: $after) { totalCount edges { node { ${PICTURE} ${DEPTH} head { fullName } } } } }`, { after });
    const five = await t.countStatements(async () => expect((await page(5)).errors).toBeUndefined());
    // 40: this picture is deeper than HouseholdPicture, so a page of 50 is over the cost limit (docs/security.md)
    const forty = await t.countStatements(async () => expect((await page(40)).errors).toBeUndefined());
    expect(forty).toEqual(five);
    // and it is a handful per subgraph, not one per household
    for (const n of Object.values(forty)) expect(n).toBeLessThanOrEqual(12);
    console.log('SQL statements per subgraph for a page of 5 and of 40:', JSON.stringify(forty));
  });
});
