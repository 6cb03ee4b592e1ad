/**
 * The published programme figures (DESIGN.md, Figures), each returned by one query at the gateway and computed
 * from the stored records, and the support-gaps report checked against the demo data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
// the demo data is built before the first request (building it takes seconds; an idle keep-alive socket would close)
beforeAll(async () => { demoData(); t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

const million = (vnd: number) => Math.round(vnd / 1_000_000);

/**
 * BHYT coverage from the demo records directly (the rule of docs/programmes.md): a household's group on a day is
 * its latest review up to then, recorded in the unit or below; newly escaped while its last step off the lists is
 * under 36 months old; covered members hold a card valid that day.
 */
function expectedCoverage(unitCode: string, on: string) {
  const d = demoData();
  const inUnit = new Set<string>();
  const walk = (id: string) => { inUnit.add(id); for (const u of d.units) if (u.parentId === id) walk(u.id); };
  for (const u of d.units) if (u.code === unitCode) walk(u.id);
  const listed = (s: string | null | undefined) => s === 'POOR' || s === 'NEAR_POOR';
  const persons = { POOR_HOUSEHOLD: 0, NEAR_POOR_HOUSEHOLD: 0, NEWLY_ESCAPED_HOUSEHOLD: 0 } as Record<string, number>;
  const covered = { ...persons };
  const byHousehold = new Map<string, typeof d.assessments>();
  for (const a of d.assessments) if (a.assessedOn <= on) (byHousehold.get(a.householdId) ?? byHousehold.set(a.householdId, []).get(a.householdId)!).push(a);
  const holders = new Set(d.cards.filter((c) => c.validFrom <= on && on <= c.validTo).map((c) => c.memberId));
  const membersOf = new Map<string, string[]>();
  for (const m of d.members) (membersOf.get(m.householdId) ?? membersOf.set(m.householdId, []).get(m.householdId)!).push(m.id);
  for (const [householdId, all] of byHousehold) {
    // the latest review of each year, oldest year first
    const years = [...new Map(all.sort((a, b) => a.assessedOn.localeCompare(b.assessedOn)).map((a) => [a.reviewYear, a])).values()].sort((a, b) => a.reviewYear - b.reviewYear);
    const latest = years[years.length - 1]!;
    if (!inUnit.has(latest.unitId)) continue;
    let group: string | null = latest.status === 'POOR' ? 'POOR_HOUSEHOLD' : latest.status === 'NEAR_POOR' ? 'NEAR_POOR_HOUSEHOLD' : null;
    if (!group) {
      const escapes = years.filter((a, i) => i > 0 && listed(years[i - 1]!.status) && !listed(a.status)).map((a) => a.assessedOn);
      const last = escapes.sort().pop();
      if (last) {
        const end = new Date(`${last}T00:00:00Z`);
        end.setUTCMonth(end.getUTCMonth() + 36);
        if (end.toISOString().slice(0, 10) > on) group = 'NEWLY_ESCAPED_HOUSEHOLD';
      }
    }
    if (!group) continue;
    const members = membersOf.get(householdId) ?? [];
    persons[group]! += members.length;
    covered[group]! += members.filter((m) => holders.has(m)).length;
  }
  return Object.keys(persons).map((g) => ({
    beneficiaryGroup: g, persons: persons[g]!, covered: covered[g]!, rate: persons[g] ? Math.round((covered[g]! / persons[g]!) * 10_000) / 100 : null,
  }));
}

describe('credit', () => {
  it('Hải Phòng, end of 2023: job creation 20,104 loans / 1,208,044 million outstanding; students 2,754 / 112,862 million', async () => {
    const res = await t.query(`{ creditStatistics(unitCode: "31", on: "2023-12-31") {
      on programmes { programme loans outstanding borrowers overdue overdueRatio averagePerBorrower } } }`);
    expect(res.errors).toBeUndefined();
    const by = Object.fromEntries(res.data.creditStatistics.programmes.map((p: any) => [p.programme, p]));
    expect([by.JOB_CREATION.loans, by.JOB_CREATION.outstanding]).toEqual([20_104, 1_208_044_000_000]);
    expect([by.STUDENT.loans, by.STUDENT.outstanding]).toEqual([2_754, 112_862_000_000]);
    expect(by.JOB_CREATION.averagePerBorrower).toBe(Math.round(1_208_044_000_000 / by.JOB_CREATION.borrowers));
    expect(by.JOB_CREATION.overdue).toBeGreaterThan(0);
    expect(by.JOB_CREATION.overdueRatio).toBe(Math.round((by.JOB_CREATION.overdue * 10_000) / 1_208_044_000_000) / 100);
  });

  it('Quận 6, 2022: poverty-reduction loans to 1,293 households, job creation to 4,607, students to 579', async () => {
    const res = await t.query(`{ creditStatistics(unitCode: "775", on: "2022-12-31", since: "2022-01-01") {
      povertyReduction { disbursedHouseholds } programmes { programme disbursedHouseholds } } }`);
    expect(res.errors).toBeUndefined();
    const s = res.data.creditStatistics;
    const by = Object.fromEntries(s.programmes.map((p: any) => [p.programme, p.disbursedHouseholds]));
    expect([s.povertyReduction.disbursedHouseholds, by.JOB_CREATION, by.STUDENT]).toEqual([1_293, 4_607, 579]);
  });

  it('outstanding on a date follows the loans\' history: the same programme counts differently a year later', async () => {
    const res = await t.query(`{ a: creditStatistics(unitCode: "31", on: "2023-12-31") { programmes { programme outstanding } }
      b: creditStatistics(unitCode: "31", on: "2024-12-31") { programmes { programme outstanding } } }`);
    const jc = (s: any) => s.programmes.find((p: any) => p.programme === 'JOB_CREATION').outstanding;
    expect(jc(res.data.b)).not.toBe(jc(res.data.a));
  });

  it('a ward adds up to its district: the area column rolls records up', async () => {
    const wards = ['11410', '11411', '11413', '11414', '11416', '11419', '11422', '11425'];
    const q = wards.map((w, i) => `w${i}: creditStatistics(unitCode: "${w}", on: "2024-06-30") { programmes { loans outstanding } }`).join(' ');
    const res = await t.query(`{ d: creditStatistics(unitCode: "306", on: "2024-06-30") { programmes { loans outstanding } } ${q} }`);
    expect(res.errors).toBeUndefined();
    const total = (s: any) => s.programmes.reduce((acc: number, p: any) => acc + p.outstanding, 0);
    expect(wards.reduce((acc, _, i) => acc + total(res.data[`w${i}`]), 0)).toBe(total(res.data.d));
  });

  it('a loan shows its rate in force, its group and its history', async () => {
    const loan = demoData().loans.find((l) => l.programme === 'STUDENT' && l.disbursedOn >= '2023-01-01' && l.lender === 'VBSP')!;
    const res = await t.query(`query ($code: String!) { loanByCode(code: $code) { annualRate savingsGroup { code entrustingOrganisation }
      transactions { kind on amount } household { code } } }`, { code: loan.code });
    expect(res.errors).toBeUndefined();
    expect(res.data.loanByCode.annualRate).toBe(6.6);
    expect(res.data.loanByCode.savingsGroup.code).toMatch(/^TK-\d{5}-\d$/);
    expect(res.data.loanByCode.transactions[0]).toEqual({ kind: 'DISBURSEMENT', on: loan.disbursedOn, amount: loan.principal });
    expect(res.data.loanByCode.household.code).toBe(demoData().households.find((h) => h.id === loan.householdId)!.code);
  });
});

describe('health', () => {
  it('Hải Phòng 2023: 5,753 free BHYT cards for poor-household members, 4,628 million VND', async () => {
    const res = await t.query(`{ healthStatistics(unitCode: "31", on: "2023-12-31") { groups { beneficiaryGroup cards holders cost byFunder { funder amount } } } }`);
    expect(res.errors).toBeUndefined();
    const poor = res.data.healthStatistics.groups.find((g: any) => g.beneficiaryGroup === 'POOR_HOUSEHOLD');
    expect(poor.cards).toBe(5_753);
    expect(million(poor.cost)).toBe(4_628);
    expect(poor.byFunder).toEqual([{ funder: 'CENTRAL_BUDGET', amount: poor.cost }]);
  });

  it('Quận 6 2022: 6,145 BHYT cards for members of poor, near-poor and newly-escaped households', async () => {
    const res = await t.query(`{ healthStatistics(unitCode: "775", on: "2022-12-31") { total { cards } groups { beneficiaryGroup cards } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.healthStatistics.total.cards).toBe(6_145);
    expect(res.data.healthStatistics.groups.map((g: any) => g.beneficiaryGroup).sort())
      .toEqual(['NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'POOR_HOUSEHOLD']);
  });

  it('stacks the near-poor support: 70% central budget, topped up 30% by the city', async () => {
    const card = demoData().cards.find((c) => c.beneficiaryGroup === 'NEAR_POOR_HOUSEHOLD' && c.area[0] === '79@origin')!;
    const res = await t.query(`query ($id: ID!) { insuranceCard(id: $id) { premium ownContribution supportLayers { funder percent amount } } }`, { id: card.id });
    expect(res.data.insuranceCard.supportLayers).toEqual([
      { funder: 'CENTRAL_BUDGET', percent: 70, amount: Math.round(card.premium * 0.7) },
      { funder: 'PROVINCE_BUDGET', percent: 30, amount: Math.round(card.premium * 0.3) },
    ]);
    expect(res.data.insuranceCard.ownContribution).toBe(card.premium - Math.round(card.premium * 0.7) - Math.round(card.premium * 0.3));
  });

  const COVERAGE = (unit: string, on: string) => `{ healthStatistics(unitCode: "${unit}", on: "${on}") { total { holders } coverage { beneficiaryGroup persons covered rate } } }`;

  it('coverage of Quận 6 at the end of 2022: the registry\'s persons (5,945 poor, 4,482 near-poor), and who of them holds a card', async () => {
    const res = await t.query(COVERAGE('775', '2022-12-31'));
    expect(res.errors).toBeUndefined();
    const { total, coverage } = res.data.healthStatistics;
    // the same persons as the district report (areaStatistics), and every one of the 6,145 holders is in a group
    expect(coverage.map((c: any) => [c.beneficiaryGroup, c.persons])).toEqual([
      ['POOR_HOUSEHOLD', 5_945], ['NEAR_POOR_HOUSEHOLD', 4_482], ['NEWLY_ESCAPED_HOUSEHOLD', expectedCoverage('775', '2022-12-31')[2]!.persons],
    ]);
    expect(coverage.reduce((sum: number, c: any) => sum + c.covered, 0)).toBe(total.holders);
    expect(coverage).toEqual(expectedCoverage('775', '2022-12-31'));
  });

  it('coverage in Hải Phòng at the end of 2023: every poor-household member holds a free card (5,753 of 5,753)', async () => {
    const res = await t.query(COVERAGE('31', '2023-12-31'));
    expect(res.data.healthStatistics.coverage[0]).toEqual({ beneficiaryGroup: 'POOR_HOUSEHOLD', persons: 5_753, covered: 5_753, rate: 100 });
    expect(res.data.healthStatistics.coverage).toEqual(expectedCoverage('31', '2023-12-31'));
  });

  it('coverage in Quận Hải An at the end of 2022: no poor household left (rate null); the analyst gets no group under 5 households', async () => {
    const officer = (await t.query(COVERAGE('306', '2022-12-31'))).data.healthStatistics.coverage;
    expect(officer[0]).toEqual({ beneficiaryGroup: 'POOR_HOUSEHOLD', persons: 0, covered: 0, rate: null });
    expect(officer).toEqual(expectedCoverage('306', '2022-12-31'));
    const analyst = (await t.query(COVERAGE('306', '2022-12-31'), {}, await t.as('ANALYST'))).data.healthStatistics.coverage;
    expect(analyst[0]).toEqual({ beneficiaryGroup: 'POOR_HOUSEHOLD', persons: null, covered: null, rate: null });
    expect(analyst.slice(1)).toEqual(officer.slice(1));
  });

  it('Member.activeCard(on) is the card valid that day', async () => {
    const card = demoData().cards.find((c) => c.validFrom === '2023-01-01' && c.validTo === '2024-12-31')!;
    const res = await t.query(`query ($id: ID!) { insuranceCard(id: $id) { member { in: activeCard(on: "2024-02-29") { cardNumber } out: activeCard(on: "2020-01-01") { cardNumber } } } }`, { id: card.id });
    expect(res.data.insuranceCard.member).toEqual({ in: { cardNumber: card.cardNumber }, out: null });
  });
});

describe('housing', () => {
  it('Hà Đông 2021–2024: 34 houses for near-poor households, 400 million district budget, 3,077 million donations', async () => {
    const res = await t.query(`{ housingStatistics(unitCode: "268", from: "2021-01-01", to: "2024-12-31") {
      houses byBeneficiary { beneficiaryStatus houses } funding { source amount } byStatus { status supports } } }`);
    expect(res.errors).toBeUndefined();
    const s = res.data.housingStatistics;
    expect(s.houses).toBe(34);
    expect(s.byBeneficiary).toEqual([{ beneficiaryStatus: 'NEAR_POOR', houses: 34 }]);
    const by = Object.fromEntries(s.funding.map((f: any) => [f.source, f.amount]));
    expect([by.DISTRICT_BUDGET, by.DONATION]).toEqual([400_000_000, 3_077_000_000]);
  });

  it('Hải An 2022: 7 houses for poor households in Đông Hải 1, Nam Hải, Tràng Cát, Thành Tô, Đông Hải 2 and Đằng Hải', async () => {
    const res = await t.query(`{ housingStatistics(unitCode: "306", from: "2022-01-01", to: "2022-12-31") {
      houses byBeneficiary { beneficiaryStatus houses } byWard { unit { name } houses } } }`);
    expect(res.errors).toBeUndefined();
    const s = res.data.housingStatistics;
    expect(s.houses).toBe(7);
    expect(s.byBeneficiary).toEqual([{ beneficiaryStatus: 'POOR', houses: 7 }]);
    expect(s.byWard.map((w: any) => w.unit.name).sort()).toEqual(
      ['Phường Đông Hải 1', 'Phường Nam Hải', 'Phường Tràng Cát', 'Phường Thành Tô', 'Phường Đông Hải 2', 'Phường Đằng Hải'].sort());
  });
});

describe('support gaps', () => {
  /** The demo records indexed by household, built once. */
  let index: ReturnType<typeof buildIndex> | undefined;
  function buildIndex() {
    const d = demoData();
    const group = <T extends { householdId: string }>(rows: T[]) => {
      const m = new Map<string, T[]>();
      for (const r of rows) (m.get(r.householdId) ?? m.set(r.householdId, []).get(r.householdId)!).push(r);
      return m;
    };
    return { assessments: group(d.assessments), members: group(d.members), cards: group(d.cards), loans: group(d.loans), supports: group(d.housingSupports) };
  }
  /**
   * The gaps of a household on a day, from the demo records directly (the rule of docs/gaps.md): against its
   * current status (Household.supportGaps), or against its latest review up to that day (gapStatistics).
   */
  function expectedGaps(householdId: string, day: string, reviewsUpToDay = false): string[] {
    const x = (index ??= buildIndex());
    const latest = (x.assessments.get(householdId) ?? []).filter((a) => !reviewsUpToDay || a.assessedOn <= day)
      .sort((a, b) => b.reviewYear - a.reviewYear)[0];
    if (!latest || !['POOR', 'NEAR_POOR'].includes(latest.status)) return [];
    const gaps: string[] = [];
    const cards = x.cards.get(householdId) ?? [];
    for (const m of x.members.get(householdId) ?? []) {
      if (!cards.some((c) => c.memberId === m.id && c.validFrom <= day && day <= c.validTo)) gaps.push(`HEALTH_INSURANCE:${m.id}`);
    }
    const loans = (x.loans.get(householdId) ?? []).filter((l) => l.disbursedOn <= day).map((l) => l.programme);
    const housed = (x.supports.get(householdId) ?? []).some((s) => s.proposedOn <= day);
    for (const i of latest.deprivedIndicators) {
      if ((i === 'HOUSING_QUALITY' || i === 'FLOOR_AREA_PER_PERSON') && !housed) gaps.push(`HOUSING:${i}`);
      if ((i === 'DOMESTIC_WATER' || i === 'HYGIENIC_LATRINE') && !loans.includes('CLEAN_WATER_SANITATION')) gaps.push(`CLEAN_WATER_SANITATION:${i}`);
      if (i === 'EMPLOYMENT' && !loans.includes('JOB_CREATION')) gaps.push(`EMPLOYMENT:${i}`);
    }
    return gaps.sort();
  }

  it('lists each household\'s gaps as the records say, across the four subgraphs', async () => {
    const res = await t.query(`{ households(unitCode: "306", first: 100) { edges { node { id supportGaps(on: "2024-06-30") { kind deprivation programme member { id } } } } } }`);
    expect(res.errors).toBeUndefined();
    let seen = 0;
    for (const { node } of res.data.households.edges) {
      const got = node.supportGaps.map((g: any) => (g.member ? `${g.kind}:${g.member.id}` : `${g.kind}:${g.deprivation}`)).sort();
      expect(got).toEqual(expectedGaps(node.id, '2024-06-30'));
      seen += got.length;
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('gapStatistics counts the households with each kind of gap', async () => {
    const d = demoData();
    const day = '2024-06-30';
    const res = await t.query(`{ gapStatistics(unitCode: "306", on: "${day}") { unit { name } households householdsWithGaps byKind { kind households } } }`);
    expect(JSON.stringify(res.errors)).toBeUndefined();
    const wards = new Set(d.units.filter((u) => u.parentId === '306@origin').map((u) => u.id));
    const kinds = { HEALTH_INSURANCE: 0, HOUSING: 0, CLEAN_WATER_SANITATION: 0, EMPLOYMENT: 0 } as Record<string, number>;
    let households = 0;
    let withGaps = 0;
    const x = (index ??= buildIndex());
    for (const h of d.households) {
      // the latest review on that day, counted in the ward it was recorded in
      const latest = (x.assessments.get(h.id) ?? []).filter((a) => a.assessedOn <= day).sort((a, b) => b.reviewYear - a.reviewYear)[0];
      if (!latest || !wards.has(latest.unitId) || !['POOR', 'NEAR_POOR'].includes(latest.status)) continue;
      households += 1;
      const gaps = new Set(expectedGaps(h.id, day, true).map((g) => g.split(':')[0]!));
      for (const k of gaps) kinds[k]! += 1;
      if (gaps.size) withGaps += 1;
    }
    expect(res.data.gapStatistics).toEqual({
      unit: { name: 'Quận Hải An' }, households, householdsWithGaps: withGaps,
      byKind: Object.entries(kinds).map(([kind, n]) => ({ kind, households: n })),
    });
    expect(households).toBe(140);
  });
});
