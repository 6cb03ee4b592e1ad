/**
 * Report summaries per unit (packages/db summaries.ts): a report sums the stored figures of its units and counts
 * again only the units a write has touched since. What a user checks: every write shows in the next report of the
 * ward, its district and its province (a repayment, a reassignment, an import), a report asked again counts nothing
 * again, and the summed figures equal the ones counted from scratch (the summaries dropped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, hierarchy, rollForward, rows, sql, type Connection } from '@ansinh/db';
import { testSystem, type TestSystem } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const CREDIT = `query ($unit: String!, $on: Date!) { creditStatistics(unitCode: $unit, on: $on) {
  programmes { programme borrowers loans outstanding overdue } povertyReduction { borrowers outstanding } } }`;

async function credit(unit: string, on = '2025-12-31') {
  const res = await t.query(CREDIT, { unit, on });
  expect(res.errors).toBeUndefined();
  return res.data.creditStatistics as { programmes: { programme: string; borrowers: number; loans: number; outstanding: number; overdue: number }[]; povertyReduction: { borrowers: number; outstanding: number } };
}
const programme = (r: Awaited<ReturnType<typeof credit>>, p: string) => r.programmes.find((x) => x.programme === p) ?? { programme: p, borrowers: 0, loans: 0, outstanding: 0, overdue: 0 };

/** A loan with more than 10M outstanding, its household and where it is placed now (an old ward, its district, its province). */
async function aLoan() {
  const [loan] = await rows<{ id: string; household: string; code: string; unit: string; programme: string; ward: string; district: string; province: string }>(t.system.services.credit.db, sql`
    select l.id, l.household_id as household, h.code, p.unit_id as unit, l.programme, u.code as ward, d.code as district, pr.code as province
    from credit.loans l
    join credit.registry_placements p on p.household_id = l.household_id and p.valid_to is null
    join credit.units u on u.id = p.unit_id join credit.units d on d.id = u.parent_id join credit.units pr on pr.id = d.parent_id
    join households.households h on h.id = l.household_id
    where pr.code = '31' and d.kind like '%district' and l.disbursed_on <= '2025-01-01'
      and l.principal - coalesce((select sum(x.amount) from credit.loan_transactions x where x.loan_id = l.id and x.kind in ('REPAYMENT', 'WRITE_OFF')), 0) > 10000000
    order by l.id limit 1`);
  expect(loan).toBeDefined();
  return loan!;
}

describe('creditStatistics from summaries per unit', () => {
  it('a report asked again counts nothing again: only the unit look-ups and one read of the summaries', async () => {
    const { district } = await aLoan();
    // the unit lists in memory (packages/db hierarchy.ts) read beforehand: they are read once per 30 s, not per report
    await hierarchy(t.system.services.credit.db, 'credit');
    const first = await t.countStatements(() => credit(district));
    const again = await t.countStatements(() => credit(district));
    // first: the unit, the summaries read (none), the count of every unit, stored
    expect(first.credit).toBe(again.credit + 1);
    expect(await credit(district)).toEqual(await credit(district));
  });

  it('a repayment shows at once in its district and province, and only its ward is counted again', async () => {
    const loan = await aLoan();
    // the old ward's code names a post-reform ward now: its district and province are asked by code
    const before = await Promise.all([credit(loan.district), credit(loan.province)]);
    const repaid = await t.query(`mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { loan { id } } }`,
      { input: { idempotencyKey: `summaries-repay-${loan.id}`, loanId: loan.id, amount: 5_000_000, paidOn: '2025-06-01' } });
    expect(repaid.errors).toBeUndefined();
    const db = t.system.services.credit.db;
    // the other units of the district keep their summaries: only the repaid loan's ward is out of date
    const [stale] = await rows<{ stale: string[] }>(db, sql`
      select coalesce(array_agg(distinct r.unit_id), '{}') as stale from credit.report_summaries r
      where r.report = 'creditStatistics' and r.version <> coalesce((select v.version from credit.summary_versions v where v.unit_id = r.unit_id), 0)`);
    expect(stale!.stale).toEqual([loan.unit]);
    const after = await Promise.all([credit(loan.district), credit(loan.province)]);
    after.forEach((a, i) => {
      expect(programme(a, loan.programme).outstanding).toBe(programme(before[i]!, loan.programme).outstanding - 5_000_000);
      expect(programme(a, loan.programme).loans).toBe(programme(before[i]!, loan.programme).loans);
    });
  });

  it('a reassignment moves the household\'s loans from the old district to the new ward from its date, not before', async () => {
    const loan = await aLoan();
    const [target] = await rows<{ code: string }>(t.system.services.credit.db, sql`
      select u.code from credit.units u join credit.units pr on pr.id = u.parent_id where pr.code = '31' and u.kind = 'ward' and u.valid_from = '2025-07-01' and u.id not in
        (select l.new_unit_id from credit.unit_links l join credit.units o on o.id = l.old_unit_id where o.code = ${loan.ward})
      order by u.code limit 1`);
    const before = { district: await credit(loan.district), target: await credit(target!.code), august: await credit(loan.district, '2025-08-31') };
    const moved = await t.query(`mutation ($input: ReassignHouseholdInput!) { reassignHousehold(input: $input) { code } }`,
      { input: { idempotencyKey: `summaries-move-${loan.id}`, householdCode: loan.code, unitCode: target!.code, effectiveOn: '2025-09-01', recordedBy: 'summaries-test' } });
    expect(moved.errors).toBeUndefined();
    const after = { district: await credit(loan.district), target: await credit(target!.code), august: await credit(loan.district, '2025-08-31') };
    expect(programme(after.district, loan.programme).borrowers).toBe(programme(before.district, loan.programme).borrowers - 1);
    expect(programme(after.target, loan.programme).borrowers).toBe(programme(before.target, loan.programme).borrowers + 1);
    expect(after.august).toEqual(before.august);
    // summed from summaries = counted from scratch
    const db = t.system.services.credit.db;
    await db.execute(sql`delete from credit.report_summaries`);
    expect(await credit(loan.district)).toEqual(after.district);
    expect(await credit(target!.code)).toEqual(after.target);
    expect(await credit(loan.district, '2025-08-31')).toEqual(after.august);
  });

  it('an import of loans shows in the next report (the import drops the summaries it makes out of date)', async () => {
    const [h] = await rows<{ code: string; ward: string }>(t.system.services.households.db, sql`
      select h.code, u.code as ward from households.households h join households.units u on u.id = h.unit_id
      join households.units d on d.id = u.parent_id join households.units pr on pr.id = d.parent_id
      where pr.code = '31' and exists (select 1 from households.members m where m.household_id = h.id) order by h.code limit 1`);
    const before = await credit(h!.ward);
    const csv = 'loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status,overdue,overdue_since,written_off,balance_on\n'
      + `VBSP-SUM-0001,${h!.code},1,CLEAN_WATER_SANITATION,VBSP,20000000,12000000,2024-02-01,2029-02-01,ACTIVE,,,,2025-06-30\n`;
    const res = await upload(t.url, { loans: csv }, { token: token(INTEGRATOR_HP) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await credit(h!.ward);
    expect(programme(after, 'CLEAN_WATER_SANITATION').outstanding).toBe(programme(before, 'CLEAN_WATER_SANITATION').outstanding + 12_000_000);
    expect(programme(after, 'CLEAN_WATER_SANITATION').loans).toBe(programme(before, 'CLEAN_WATER_SANITATION').loans + 1);
  });

  it('a write committed while a report counts leaves no stale summary (PostgreSQL: two connections)', async () => {
    if (t.connection.kind !== 'postgres') return;
    const loan = await aLoan();
    const other: Connection = await connect({ url: t.database.url!, max: 1 });
    try {
      if (other.kind !== 'postgres') throw new Error('a PostgreSQL copy');
      const before = await credit(loan.district);
      let during: Awaited<ReturnType<typeof credit>> | undefined;
      await other.sql.begin(async (tx) => {
        await tx`insert into credit.loan_transactions (loan_id, kind, amount, occurred_on) values (${loan.id}, 'REPAYMENT', 1000000, '2025-06-02')`;
        // a report counts (and stores) the district while the repayment is not yet committed: it cannot see it
        await t.system.services.credit.db.execute(sql`delete from credit.report_summaries`);
        during = await credit(loan.district);
      });
      expect(programme(during!, loan.programme).outstanding).toBe(programme(before, loan.programme).outstanding);
      expect(programme(await credit(loan.district), loan.programme).outstanding).toBe(programme(before, loan.programme).outstanding - 1_000_000);
    } finally {
      await other.close();
    }
  });
});

const HOUSING = `query ($unit: String!, $from: Date!, $to: Date!) { housingStatistics(unitCode: $unit, from: $from, to: $to) {
  houses byKind { kind houses } byBeneficiary { beneficiaryStatus houses } byWard { unit { id } houses }
  byStatus { status supports } funding { source amount } } }`;

interface HousingFigures {
  houses: number; byKind: { kind: string; houses: number }[]; byBeneficiary: { beneficiaryStatus: string; houses: number }[];
  byWard: { unit: { id: string }; houses: number }[]; byStatus: { status: string; supports: number }[]; funding: { source: string; amount: number }[];
}
async function housing(unit: string, to = '2025-12-31', from = '2025-01-01') {
  const res = await t.query(HOUSING, { unit, from, to });
  expect(res.errors).toBeUndefined();
  return res.data.housingStatistics as HousingFigures;
}
const kindOf = (r: HousingFigures, k: string) => r.byKind.find((x) => x.kind === k)?.houses ?? 0;
const statusOf = (r: HousingFigures, s: string) => r.byStatus.find((x) => x.status === s)!.supports;
const fundingOf = (r: HousingFigures, s: string) => r.funding.find((x) => x.source === s)?.amount ?? 0;
const wardOf = (r: HousingFigures, unitId: string) => r.byWard.find((x) => x.unit.id === unitId)?.houses ?? 0;

/** The `n`-th household placed since 2025 in an old ward of a district of Hải Phòng (31): its unit, and its ward's, district's and province's codes. */
async function aHousehold(n: number) {
  const [h] = await rows<{ id: string; code: string; unit: string; ward: string; district: string; province: string }>(t.system.services.housing.db, sql`
    select p.household_id as id, h.code, p.unit_id as unit, u.code as ward, d.code as district, pr.code as province
    from housing.registry_placements p
    join housing.units u on u.id = p.unit_id join housing.units d on d.id = u.parent_id join housing.units pr on pr.id = d.parent_id
    join households.households h on h.id = p.household_id
    where p.valid_to is null and (p.valid_from is null or p.valid_from <= '2025-01-01') and pr.code = '31' and d.kind like '%district'
    order by p.household_id offset ${n} limit 1`);
  expect(h).toBeDefined();
  return h!;
}

/** Proposes a new build for the household on 2025-03-01 (a donation of 20M) and moves it along `steps` ([status, date]). */
async function aSupport(householdId: string, key: string, steps: [string, string][]) {
  const proposed = await t.query(`mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { housingSupport { id } } }`,
    { input: { idempotencyKey: `summaries-${key}`, householdId, kind: 'NEW_BUILD', programme: 'NATIONAL_TARGET_PROGRAMME', beneficiaryStatus: 'POOR', proposedOn: '2025-03-01', fundingLines: [{ source: 'DONATION', amount: 20_000_000 }] } });
  expect(proposed.errors).toBeUndefined();
  const id = proposed.data.proposeHousingSupport.housingSupport.id as string;
  for (const [to, on] of steps) await advance(id, `${key}-${to}`, to, on);
  return id;
}
async function advance(supportId: string, key: string, to: string, on: string) {
  const res = await t.query(`mutation ($input: AdvanceHousingSupportInput!) { advanceHousingSupport(input: $input) { housingSupport { status } } }`,
    { input: { idempotencyKey: `summaries-${key}`, supportId, to, on } });
  expect(res.errors).toBeUndefined();
}
const TO_COMPLETED: [string, string][] = [['APPROVED', '2025-03-10'], ['UNDER_CONSTRUCTION', '2025-04-01'], ['COMPLETED', '2025-06-01']];

describe('housingStatistics from summaries per unit', () => {
  it('a report asked again counts nothing again: only the unit look-ups and one read of the summaries', async () => {
    const { district } = await aHousehold(0);
    // the unit lists in memory (packages/db hierarchy.ts) read beforehand: they are read once per 30 s, not per report
    await hierarchy(t.system.services.housing.db, 'housing');
    const first = await t.countStatements(() => housing(district));
    const again = await t.countStatements(() => housing(district));
    // first: the unit, the summaries read (none), the count of every unit, stored
    expect(first.housing).toBe(again.housing + 1);
    expect(await housing(district)).toEqual(await housing(district));
  });

  it('a support proposed and moved along its lifecycle shows at once in its ward, district and province, its funding too', async () => {
    const h = await aHousehold(1);
    const report = () => Promise.all([housing(h.district), housing(h.province)]);
    const before = await report();
    const beforeMay = await housing(h.district, '2025-05-31');
    const id = await aSupport(h.id, `lifecycle-${h.id}`, []);
    const proposed = await report();
    proposed.forEach((a, i) => {
      expect(statusOf(a, 'PROPOSED')).toBe(statusOf(before[i]!, 'PROPOSED') + 1);
      expect(a.houses).toBe(before[i]!.houses);
    });
    for (const [to, on] of TO_COMPLETED) await advance(id, `lifecycle-${h.id}-${to}`, to, on);
    const db = t.system.services.housing.db;
    // the other units of the district keep their summaries: only the household's unit is out of date
    const [stale] = await rows<{ stale: string[] }>(db, sql`
      select coalesce(array_agg(distinct r.unit_id), '{}') as stale from housing.report_summaries r
      where r.report = 'housingStatistics' and r.version <> coalesce((select v.version from housing.summary_versions v where v.unit_id = r.unit_id), 0)`);
    expect(stale!.stale).toEqual([h.unit]);
    const completed = await report();
    completed.forEach((a, i) => {
      const b = before[i]!;
      expect(a.houses).toBe(b.houses + 1);
      expect(kindOf(a, 'NEW_BUILD')).toBe(kindOf(b, 'NEW_BUILD') + 1);
      expect(a.byBeneficiary.find((x) => x.beneficiaryStatus === 'POOR')!.houses).toBe((b.byBeneficiary.find((x) => x.beneficiaryStatus === 'POOR')?.houses ?? 0) + 1);
      expect(wardOf(a, h.unit)).toBe(wardOf(b, h.unit) + 1);
      expect(statusOf(a, 'COMPLETED')).toBe(statusOf(b, 'COMPLETED') + 1);
      expect(statusOf(a, 'PROPOSED')).toBe(statusOf(b, 'PROPOSED'));
      expect(fundingOf(a, 'DONATION')).toBe(fundingOf(b, 'DONATION') + 20_000_000);
    });
    // a period that ends before the house was completed counts it under construction, not as a house
    const may = await housing(h.district, '2025-05-31');
    expect(may.houses).toBe(beforeMay.houses);
    expect(statusOf(may, 'UNDER_CONSTRUCTION')).toBe(statusOf(beforeMay, 'UNDER_CONSTRUCTION') + 1);
    // summed from summaries = counted from scratch
    await db.execute(sql`delete from housing.report_summaries`);
    expect(await report()).toEqual(completed);
    expect(await housing(h.district, '2025-05-31')).toEqual(may);
  });

  it('a reassignment moves the household\'s house and funding to the new ward from its date, not before', async () => {
    const h = await aHousehold(2);
    await aSupport(h.id, `move-${h.id}`, TO_COMPLETED);
    const [target] = await rows<{ id: string; code: string }>(t.system.services.housing.db, sql`
      select u.id, u.code from housing.units u join housing.units pr on pr.id = u.parent_id where pr.code = '31' and u.kind = 'ward' and u.valid_from = '2025-07-01' and u.id not in
        (select l.new_unit_id from housing.unit_links l join housing.units o on o.id = l.old_unit_id where o.code = ${h.ward})
      order by u.code limit 1`);
    const before = { district: await housing(h.district), target: await housing(target!.code), august: await housing(h.district, '2025-08-31') };
    const moved = await t.query(`mutation ($input: ReassignHouseholdInput!) { reassignHousehold(input: $input) { code } }`,
      { input: { idempotencyKey: `summaries-housing-move-${h.id}`, householdCode: h.code, unitCode: target!.code, effectiveOn: '2025-09-01', recordedBy: 'summaries-test' } });
    expect(moved.errors).toBeUndefined();
    const after = { district: await housing(h.district), target: await housing(target!.code), august: await housing(h.district, '2025-08-31') };
    expect(after.district.houses).toBe(before.district.houses - 1);
    expect(wardOf(after.district, h.unit)).toBe(wardOf(before.district, h.unit) - 1);
    expect(fundingOf(after.district, 'DONATION')).toBe(fundingOf(before.district, 'DONATION') - 20_000_000);
    expect(after.target.houses).toBe(before.target.houses + 1);
    expect(wardOf(after.target, target!.id)).toBe(wardOf(before.target, target!.id) + 1);
    expect(fundingOf(after.target, 'DONATION')).toBe(fundingOf(before.target, 'DONATION') + 20_000_000);
    expect(after.august).toEqual(before.august);
    // summed from summaries = counted from scratch
    await t.system.services.housing.db.execute(sql`delete from housing.report_summaries`);
    expect(await housing(h.district)).toEqual(after.district);
    expect(await housing(target!.code)).toEqual(after.target);
    expect(await housing(h.district, '2025-08-31')).toEqual(after.august);
  });

  it('an import of housing supports shows in the next report (the import drops the summaries it makes out of date)', async () => {
    const h = await aHousehold(3);
    const before = await Promise.all([housing(h.district), housing(h.province)]);
    const csv = 'support_code,household_code,kind,programme,beneficiary_status,status,proposed_on,approved_on,construction_started_on,completed_on,handed_over_on,funding\n'
      + `HT-SUM-0001,${h.code},REPAIR,NATIONAL_TARGET_PROGRAMME,NEAR_POOR,COMPLETED,2025-01-10,2025-01-20,2025-02-01,2025-05-01,,CENTRAL_BUDGET:30000000;HOUSEHOLD:5000000\n`;
    const res = await upload(t.url, { housing_supports: csv }, { token: token(INTEGRATOR_HP) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await Promise.all([housing(h.district), housing(h.province)]);
    after.forEach((a, i) => {
      const b = before[i]!;
      expect(a.houses).toBe(b.houses + 1);
      expect(kindOf(a, 'REPAIR')).toBe(kindOf(b, 'REPAIR') + 1);
      expect(statusOf(a, 'COMPLETED')).toBe(statusOf(b, 'COMPLETED') + 1);
      expect(fundingOf(a, 'CENTRAL_BUDGET')).toBe(fundingOf(b, 'CENTRAL_BUDGET') + 30_000_000);
      expect(fundingOf(a, 'HOUSEHOLD')).toBe(fundingOf(b, 'HOUSEHOLD') + 5_000_000);
    });
  });
});

const AREA = `query ($unit: String!, $year: Int!) { areaStatistics(unitCode: $unit, year: $year) {
  poorHouseholds poorPersons nearPoorHouseholds nearPoorPersons totalHouseholds
  start { poorHouseholds poorPersons nearPoorHouseholds nearPoorPersons }
  transitions { newlyPoor relapsedPoor newlyNearPoor relapsedNearPoor escapedPoverty escapedPovertyToNearPoor escapedNearPoverty }
  rolledUpHouseholds awaitingReassignment } }`;

interface Area {
  poorHouseholds: number; poorPersons: number; nearPoorHouseholds: number; nearPoorPersons: number; totalHouseholds: number | null;
  start: { poorHouseholds: number; poorPersons: number; nearPoorHouseholds: number; nearPoorPersons: number };
  transitions: Record<'newlyPoor' | 'relapsedPoor' | 'newlyNearPoor' | 'relapsedNearPoor' | 'escapedPoverty' | 'escapedPovertyToNearPoor' | 'escapedNearPoverty', number>;
  rolledUpHouseholds: number; awaitingReassignment: number;
}

async function area(unit: string, year: number): Promise<Area> {
  const res = await t.query(AREA, { unit, year });
  expect(res.errors).toBeUndefined();
  return res.data.areaStatistics as Area;
}

/**
 * A household of an old ward of Hải Phòng (before the 2025 reform) whose latest review (`year`, before 2025) and the
 * one of the year before were POOR, both in the ward it is registered in: its code, ward, district and province.
 */
async function aPoorHousehold(skip = 0) {
  const [h] = await rows<{ id: string; code: string; year: number; unit: string; ward: string; district: string; province: string; persons: number }>(t.system.services.households.db, sql`
    select h.id, h.code, a.review_year::int as year, a.unit_id as unit, u.code as ward, d.code as district, pr.code as province, a.persons::int as persons
    from households.households h
    join lateral (select * from households.assessments x where x.household_id = h.id order by x.review_year desc, x.assessed_on desc, x.id desc limit 1) a on true
    join households.units u on u.id = a.unit_id join households.units d on d.id = u.parent_id join households.units pr on pr.id = d.parent_id
    where pr.code = '31' and d.kind like '%district' and a.status = 'POOR' and a.unit_id = h.unit_id and a.review_year <= 2024
      and (select p.status from households.assessments p where p.household_id = h.id and p.review_year = a.review_year - 1
           order by p.assessed_on desc, p.id desc limit 1) = 'POOR'
    order by h.code offset ${skip} limit 1`);
  expect(h).toBeDefined();
  return h!;
}

const RECORD_REVIEW = `mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) { status unit { code } } }`;

describe('areaStatistics from summaries per unit', () => {
  it('a report asked again counts nothing again: one read of the summaries instead of the count', async () => {
    const h = await aPoorHousehold();
    const first = await t.countStatements(() => area(h.province, h.year));
    const again = await t.countStatements(() => area(h.province, h.year));
    // first: the summaries read (none current for some units), then those units counted in one statement and stored
    expect(first.households).toBe(again.households + 1);
    expect(await area(h.province, h.year)).toEqual(await area(h.province, h.year));
  });

  it('a review recorded through the API shows at once in its ward, district and province; only its ward is counted again', async () => {
    const h = await aPoorHousehold();
    const levels = [h.ward, h.district, h.province];
    const before = await Promise.all(levels.map((u) => area(u, h.year)));
    // a later review of the same year: income well above every line, no deprivation
    const res = await t.query(RECORD_REVIEW, { input: {
      idempotencyKey: `summaries-review-${h.id}`, householdCode: h.code, reviewYear: h.year, kind: 'REGULAR', assessedOn: `${h.year}-12-20`,
      incomePerCapita: 20_000_000, incomePeriod: 'MONTH', deprivedIndicators: [], recordedBy: 'summaries-test',
    } });
    expect(res.errors).toBeUndefined();
    expect(res.data.recordAssessment).toEqual({ status: 'NONE', unit: { code: h.ward } });
    const db = t.system.services.households.db;
    const [stale] = await rows<{ stale: string[] }>(db, sql`
      select coalesce(array_agg(distinct r.unit_id), '{}') as stale from households.report_summaries r
      where r.report = 'areaStatistics' and r.version <> coalesce((select v.version from households.summary_versions v where v.unit_id = r.unit_id), 0)`);
    expect(stale!.stale).toEqual([h.unit]);
    const after = await Promise.all(levels.map((u) => area(u, h.year)));
    after.forEach((a, i) => {
      const b = before[i]!;
      // poor last year and, until now, this year: it escapes poverty this year
      expect(a.poorHouseholds).toBe(b.poorHouseholds - 1);
      expect(a.poorPersons).toBe(b.poorPersons - h.persons);
      expect(a.transitions).toEqual({ ...b.transitions, escapedPoverty: b.transitions.escapedPoverty + 1 });
      expect(a.start).toEqual(b.start);
      expect(a.nearPoorHouseholds).toBe(b.nearPoorHouseholds);
    });
    // the next year's report: the household's previous review is now NONE (its transitions of the next year change)
    await db.execute(sql`delete from households.report_summaries`);
    expect(await Promise.all(levels.map((u) => area(u, h.year)))).toEqual(after);
  });

  it('a review in the unit a household moved to takes it out of its old ward\'s counts (both units counted again)', async () => {
    const h = await aPoorHousehold(1);
    const db = t.system.services.households.db;
    const [target] = await rows<{ id: string; code: string }>(db, sql`
      select u.id, u.code from households.units u join households.units d on d.id = u.parent_id
      where d.code = ${h.district} and u.kind <> 'district' and u.id <> ${h.unit} and (u.valid_from is null or u.valid_from <= ${`${h.year}-12-01`}::date)
        and (u.valid_to is null or u.valid_to > ${`${h.year}-12-31`}::date)
      order by u.code limit 1`);
    expect(target).toBeDefined();
    const before = { ward: await area(h.ward, h.year), target: await area(target!.code, h.year), district: await area(h.district, h.year) };
    const moved = await t.query(`mutation ($input: ReassignHouseholdInput!) { reassignHousehold(input: $input) { code } }`,
      { input: { idempotencyKey: `summaries-area-move-${h.id}`, householdCode: h.code, unitCode: target!.code, effectiveOn: `${h.year}-12-01`, recordedBy: 'summaries-test' } });
    expect(moved.errors).toBeUndefined();
    // a move alone changes no assessment: the year's figures stay
    expect(await area(h.ward, h.year)).toEqual(before.ward);
    const res = await t.query(RECORD_REVIEW, { input: {
      idempotencyKey: `summaries-area-review-${h.id}`, householdCode: h.code, reviewYear: h.year, kind: 'REGULAR', assessedOn: `${h.year}-12-21`,
      incomePerCapita: 20_000_000, incomePeriod: 'MONTH', deprivedIndicators: [], recordedBy: 'summaries-test',
    } });
    expect(res.errors).toBeUndefined();
    expect(res.data.recordAssessment).toEqual({ status: 'NONE', unit: { code: target!.code } });
    const after = { ward: await area(h.ward, h.year), target: await area(target!.code, h.year), district: await area(h.district, h.year) };
    // the year's review is the new one, in the new ward: the old ward no longer counts the household this year
    expect(after.ward.poorHouseholds).toBe(before.ward.poorHouseholds - 1);
    expect(after.ward.transitions.escapedPoverty).toBe(before.ward.transitions.escapedPoverty);
    expect(after.ward.start).toEqual(before.ward.start);
    // the new ward counts its escape (poor the year before, in the old ward)
    expect(after.target.transitions.escapedPoverty).toBe(before.target.transitions.escapedPoverty + 1);
    expect(after.target.poorHouseholds).toBe(before.target.poorHouseholds);
    expect(after.district.poorHouseholds).toBe(before.district.poorHouseholds - 1);
    await db.execute(sql`delete from households.report_summaries`);
    expect({ ward: await area(h.ward, h.year), target: await area(target!.code, h.year), district: await area(h.district, h.year) }).toEqual(after);
  });

  it('an import of reviews shows in the next report of the ward, district and province (the import drops the summaries)', async () => {
    const h = await aPoorHousehold(2);
    const levels = [h.ward, h.district, h.province];
    const before = await Promise.all(levels.map((u) => area(u, h.year)));
    const csv = 'household_code,review_year,kind,assessed_on,standard_code,income_per_capita,income_period,deprived_indicators,status,recorded_by,persons\n'
      + `${h.code},${h.year},REGULAR,${h.year}-12-22,VN-2022-2025,20000000,MONTH,,NONE,summaries-import,${h.persons}\n`;
    const res = await upload(t.url, { assessments: csv }, { token: token(INTEGRATOR_HP) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await Promise.all(levels.map((u) => area(u, h.year)));
    after.forEach((a, i) => {
      expect(a.poorHouseholds).toBe(before[i]!.poorHouseholds - 1);
      expect(a.poorPersons).toBe(before[i]!.poorPersons - h.persons);
      expect(a.transitions.escapedPoverty).toBe(before[i]!.transitions.escapedPoverty + 1);
    });
    await t.system.services.households.db.execute(sql`delete from households.report_summaries`);
    expect(await Promise.all(levels.map((u) => area(u, h.year)))).toEqual(after);
  });

  it('an analyst\'s small-cell tree sums the same summaries: the same figures counted afresh, each unit read once', async () => {
    const h = await aPoorHousehold();
    const analyst = await t.as('ANALYST');
    const ANALYST_AREA = `query ($unit: String!, $year: Int!) { areaStatistics(unitCode: $unit, year: $year) {
      poorHouseholds nearPoorHouseholds transitions { newlyPoor escapedPoverty } suppressed { field reason }
      children { unit { code } poorHouseholds nearPoorHouseholds transitions { newlyPoor escapedPoverty } suppressed { field } } } }`;
    const ask = async () => {
      const res = await t.query(ANALYST_AREA, { unit: h.district, year: h.year }, analyst);
      expect(res.errors).toBeUndefined();
      return res.data.areaStatistics;
    };
    const db = t.system.services.households.db;
    await db.execute(sql`delete from households.report_summaries`);
    // which summaries are stored, and by which transaction (xmin): a unit counted again is stored anew
    const stored = () => rows<{ unit_id: string; xmin: string }>(db, sql`
      select unit_id, xmin::text as xmin from households.report_summaries where report = 'areaStatistics' order by unit_id`);
    const fresh = await ask();
    const afterFirst = await stored();
    const summed = await ask();
    expect(summed).toEqual(fresh);
    // the tree's units (the district's, then its province's other units) were counted by the first request and only
    // read by the second (statement counts are no measure here: the tree's loaders batch by timing)
    expect(afterFirst.length).toBeGreaterThan(1);
    expect(await stored()).toEqual(afterFirst);
  });

  it('an analyst\'s ward: its tree (district, province, their siblings) in batches, not a few statements per node', async () => {
    const h = await aPoorHousehold();
    const analyst = await t.as('ANALYST');
    const WARD = `query ($unit: String!, $year: Int!) { areaStatistics(unitCode: $unit, year: $year) { poorHouseholds suppressed { field } } }`;
    const ask = async () => {
      const res = await t.query(WARD, { unit: h.ward, year: h.year }, analyst);
      expect(res.errors).toBeUndefined();
      return res.data.areaStatistics;
    };
    await ask();
    const tree = await rows<{ n: number }>(t.system.services.households.db, sql`
      select count(*)::int as n from households.units u where u.parent_id in (
        select d.id from households.units d join households.units w on w.parent_id = d.id where w.code = ${h.ward}
        union select p.parent_id from households.units p join households.units w on w.parent_id = p.id where w.code = ${h.ward})`);
    const counted = await t.countStatements(ask);
    // each node read alone took 4-5 statements (93 here, 159 for a ward at 1M); batched, the whole tree at once, however
    // many nodes (12 here)
    expect(tree[0]!.n).toBeGreaterThan(10);
    expect(counted.households).toBeLessThan(20);
  });
});

const HEALTH = `query ($unit: String!, $on: Date!) { healthStatistics(unitCode: $unit, on: $on) {
  groups { beneficiaryGroup cards holders premium cost byFunder { funder amount } } total { cards holders premium cost byFunder { funder amount } }
  coverage { beneficiaryGroup persons covered rate } } }`;
interface HealthFigures {
  groups: { beneficiaryGroup: string; cards: number; holders: number; premium: number; cost: number }[];
  total: { cards: number; holders: number; premium: number; cost: number };
  coverage: { beneficiaryGroup: string; persons: number; covered: number; rate: number | null }[];
}

async function health(unit: string, on = '2025-12-31') {
  const res = await t.query(HEALTH, { unit, on });
  expect(res.errors).toBeUndefined();
  return res.data.healthStatistics as HealthFigures;
}
const group = (r: HealthFigures, g: string) => r.groups.find((x) => x.beneficiaryGroup === g) ?? { beneficiaryGroup: g, cards: 0, holders: 0, premium: 0, cost: 0 };
const covered = (r: HealthFigures, g: string) => r.coverage.find((x) => x.beneficiaryGroup === g)!;

/**
 * A household of province 31 placed in an old ward of a district now, with a member holding no card valid in 2025
 * (its first member by position), and its latest review: where it is counted (ward, district, province).
 */
async function aHealthHousehold(status: string) {
  const [h] = await rows<{ id: string; code: string; unit: string; ward: string; district: string; province: string; member: string; position: number; persons: number }>(t.system.services.health.db, sql`
    select h.id, h.code, p.unit_id as unit, u.code as ward, d.code as district, pr.code as province, m.id as member, m.position, r.persons
    from health.registry_placements p
    join health.units u on u.id = p.unit_id join health.units d on d.id = u.parent_id join health.units pr on pr.id = d.parent_id
    join households.households h on h.id = p.household_id
    join households.members m on m.household_id = h.id
    join lateral (select r.status, r.persons, r.review_year from health.registry_reviews r where r.household_id = h.id order by r.review_year desc limit 1) r on true
    where p.valid_to is null and pr.code = '31' and d.kind like '%district' and r.status = ${status} and r.review_year < 2025
      and not exists (select 1 from health.insurance_cards c where c.member_id = m.id and c.valid_to >= '2025-01-01')
      -- fewer holders than persons reviewed: one more card is one more covered person
      and (select count(distinct c.member_id) from health.insurance_cards c where c.household_id = h.id and c.valid_from <= '2025-12-31' and c.valid_to >= '2025-12-31') < r.persons
    order by h.code, m.position limit 1`);
  expect(h).toBeDefined();
  return h!;
}

describe('healthStatistics and coverage from summaries per unit', () => {
  it('a report asked again counts nothing again: only the unit look-ups and the reads of the summaries', async () => {
    const { district } = await aHealthHousehold('POOR');
    // the unit lists in memory (packages/db hierarchy.ts) read beforehand: they are read once per 30 s, not per report
    await hierarchy(t.system.services.health.db, 'health');
    const first = await t.countStatements(() => health(district));
    const again = await t.countStatements(() => health(district));
    // first: each of the two reports' summaries are read (none), every unit counted, stored
    expect(again.health).toBeLessThan(first.health);
    expect(first.health - again.health).toBe(2);
    expect(await health(district)).toEqual(await health(district));
  });

  it('a card issued through the API shows at once in its ward, district and province, and in their coverage', async () => {
    const h = await aHealthHousehold('POOR');
    const units = [h.ward, h.district, h.province];
    const before = await Promise.all(units.map((u) => health(u)));
    const issued = await t.query(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { card { id premium supportLayers { amount } } } }`,
      { input: { idempotencyKey: `summaries-card-${h.member}`, memberId: h.member, cardNumber: 'HN2319990000001', beneficiaryGroup: 'POOR_HOUSEHOLD', validFrom: '2025-01-01', validTo: '2025-12-31' } });
    expect(issued.errors).toBeUndefined();
    const card = issued.data.issueCard.card as { premium: number; supportLayers: { amount: number }[] };
    const cost = card.supportLayers.reduce((s, l) => s + l.amount, 0);
    expect(cost).toBeGreaterThan(0);
    // only the household's ward (and any unit it was placed in before) is out of date: the others keep their summaries
    const [stale] = await rows<{ stale: string[]; placed: string[] }>(t.system.services.health.db, sql`
      select coalesce(array_agg(distinct r.unit_id), '{}') as stale,
             (select array_agg(p.unit_id) from health.registry_placements p where p.household_id = ${h.id}) as placed
      from health.report_summaries r
      where r.version <> coalesce((select v.version from health.summary_versions v where v.unit_id = r.unit_id), 0)`);
    expect(stale!.stale).toContain(h.unit);
    expect(stale!.stale.filter((u) => !stale!.placed.includes(u))).toEqual([]);
    const after = await Promise.all(units.map((u) => health(u)));
    after.forEach((a, i) => {
      const b = before[i]!;
      expect(a.total).toEqual({ ...a.total, cards: b.total.cards + 1, holders: b.total.holders + 1, premium: b.total.premium + card.premium, cost: b.total.cost + cost });
      expect(group(a, 'POOR_HOUSEHOLD').cards).toBe(group(b, 'POOR_HOUSEHOLD').cards + 1);
      // the member had no card: one more covered person among the poor (the household has more persons than cards)
      expect(covered(a, 'POOR_HOUSEHOLD').covered).toBe(covered(b, 'POOR_HOUSEHOLD').covered + 1);
      expect(covered(a, 'POOR_HOUSEHOLD').persons).toBe(covered(b, 'POOR_HOUSEHOLD').persons);
    });
  });

  it('a review that lifts a poor household out of poverty moves it to the newly escaped in its district and province', async () => {
    const h = await aHealthHousehold('POOR');
    const units = [h.district, h.province];
    const before = await Promise.all(units.map((u) => health(u)));
    const reviewed = await t.query(`mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) { status } }`,
      { input: { idempotencyKey: `summaries-review-${h.id}`, householdCode: h.code, reviewYear: 2025, kind: 'PERIODIC', assessedOn: '2025-10-01', incomePerCapita: 20_000_000, incomePeriod: 'MONTH', recordedBy: 'summaries-test' } });
    expect(reviewed.errors).toBeUndefined();
    expect(reviewed.data.recordAssessment.status).toBe('NONE');
    const [review] = await rows<{ persons: number }>(t.system.services.health.db, sql`
      select persons from health.registry_reviews where household_id = ${h.id} and review_year = 2025`);
    expect(review).toBeDefined();
    const after = await Promise.all(units.map((u) => health(u)));
    after.forEach((a, i) => {
      const b = before[i]!;
      expect(covered(a, 'POOR_HOUSEHOLD').persons).toBe(covered(b, 'POOR_HOUSEHOLD').persons - h.persons);
      expect(covered(a, 'NEWLY_ESCAPED_HOUSEHOLD').persons).toBe(covered(b, 'NEWLY_ESCAPED_HOUSEHOLD').persons + review!.persons);
      // the cards are the household's still: the card figures do not move
      expect(a.total).toEqual(b.total);
    });
    // before the review's date the household is still among the poor
    const september = await health(h.district, '2025-09-30');
    await t.system.services.health.db.execute(sql`delete from health.report_summaries`);
    expect(await health(h.district, '2025-09-30')).toEqual(september);
  });

  it('an import of cards shows in the next report, and the summed figures equal the ones counted from scratch', async () => {
    const h = await aHealthHousehold('NEAR_POOR');
    const before = await Promise.all([h.ward, h.district, h.province].map((u) => health(u)));
    const csv = 'card_number,household_code,member_position,beneficiary_group,valid_from,valid_to,premium\n'
      + `HN2319990000002,${h.code},${h.position},NEAR_POOR_HOUSEHOLD,2025-01-01,2025-12-31,1134000\n`;
    const res = await upload(t.url, { insurance_cards: csv }, { token: token(INTEGRATOR_HP) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await Promise.all([h.ward, h.district, h.province].map((u) => health(u)));
    after.forEach((a, i) => {
      expect(a.total.cards).toBe(before[i]!.total.cards + 1);
      expect(group(a, 'NEAR_POOR_HOUSEHOLD').cards).toBe(group(before[i]!, 'NEAR_POOR_HOUSEHOLD').cards + 1);
      expect(covered(a, 'NEAR_POOR_HOUSEHOLD').covered).toBe(covered(before[i]!, 'NEAR_POOR_HOUSEHOLD').covered + 1);
    });
    await t.system.services.health.db.execute(sql`delete from health.report_summaries`);
    expect(await Promise.all([h.ward, h.district, h.province].map((u) => health(u)))).toEqual(after);
  });
});

describe('an import counts again the reports asked before it (the first report after it counts nothing)', () => {
  const SCHEMAS = ['households', 'credit', 'health', 'housing'] as const;
  const dbOf = (s: (typeof SCHEMAS)[number]) => t.system.services[s].db;
  /** the stored summaries of a schema that a later write has made stale (epoch or unit version), by report */
  const stale = async (s: (typeof SCHEMAS)[number]) => (await rows<{ report: string; n: number }>(dbOf(s), sql.raw(`
    select r.report, count(*)::int as n from ${s}.report_summaries r
    where r.epoch <> coalesce((select e.epoch from ${s}.summary_epoch e where e.id = 1), 0)
       or r.version <> coalesce((select v.version from ${s}.summary_versions v where v.unit_id = r.unit_id), 0)
    group by r.report order by r.report`))).map((r) => `${r.report}:${r.n}`);
  /** each stored summary by transaction (xmin): a unit counted again is stored anew */
  const stored = async () => Promise.all(SCHEMAS.map((s) => rows<{ k: string }>(dbOf(s), sql.raw(`
    select report || ' ' || args || ' ' || unit_id || ' ' || xmin::text as k from ${s}.report_summaries order by 1`))));
  const ask = (h: Awaited<ReturnType<typeof aPoorHousehold>>) => Promise.all([
    area(h.district, h.year), credit(h.district), health(h.district), housing(h.district),
  ]);
  const reviewFile = (h: Awaited<ReturnType<typeof aPoorHousehold>>, day: string) =>
    'household_code,review_year,kind,assessed_on,standard_code,income_per_capita,income_period,deprived_indicators,status,recorded_by,persons\n'
    + `${h.code},${h.year},REGULAR,${h.year}-12-${day},VN-2022-2025,20000000,MONTH,,NONE,summaries-recount,${h.persons}\n`;

  it('counts every report and unit asked, so the next reports are read from summaries and equal a count from scratch', async () => {
    const h = await aPoorHousehold(4);
    for (const s of SCHEMAS) await dbOf(s).execute(sql.raw(`delete from ${s}.report_summaries`));
    const before = await ask(h);
    const res = await upload(t.url, { assessments: reviewFile(h, '23') }, { token: token(INTEGRATOR_HP) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('applied');
    // the import raised every schema's epoch (its review is copied to the three programme subgraphs) and counted again
    for (const s of SCHEMAS) expect(await stale(s), s).toEqual([]);
    const recounted = await stored();
    const after = await ask(h);
    expect(await stored()).toEqual(recounted);
    expect(after[0].poorHouseholds).toBe(before[0].poorHouseholds - 1);
    for (const s of SCHEMAS) await dbOf(s).execute(sql.raw(`delete from ${s}.report_summaries`));
    expect(await ask(h)).toEqual(after);
  });

  it('leaves a report nobody asked for in the last 30 days to the next who asks', async () => {
    const h = await aPoorHousehold(5);
    for (const s of SCHEMAS) await dbOf(s).execute(sql.raw(`delete from ${s}.report_summaries`));
    await ask(h);
    // credit's asked 31 days ago, health's 30 days ago (the last day it is still in use)
    await dbOf('credit').execute(sql`update credit.report_summaries set asked_on = current_date - 31`);
    await dbOf('health').execute(sql`update health.report_summaries set asked_on = current_date - 30`);
    const res = await upload(t.url, { assessments: reviewFile(h, '24') }, { token: token(INTEGRATOR_HP) });
    expect(res.body.status).toBe('applied');
    expect(await stale('health')).toEqual([]);
    expect((await stale('credit')).length).toBeGreaterThan(0);
    const after = await credit(h.district);
    expect(await stale('credit')).toEqual([]);
    await dbOf('credit').execute(sql`delete from credit.report_summaries`);
    expect(await credit(h.district)).toEqual(after);
  });
});

describe('pnpm recount: the reports stored for yesterday, counted for today before anyone asks', () => {
  // the test's "today" is 2025-12-31 (rollForward's `today`): the reports asked on 2025-12-30 for that day
  const [YESTERDAY, TODAY, TOMORROW] = ['2025-12-30', '2025-12-31', '2026-01-01'];
  const db = () => t.system.services.health.db;
  const storedFor = (on: string) => rows<{ k: string }>(db(), sql`
    select report || ' ' || unit_id || ' ' || asked_on::text || ' ' || xmin::text as k from health.report_summaries where args = ${JSON.stringify({ on })} order by 1`);
  const unitsFor = async (on: string) => (await rows<{ k: string }>(db(), sql`
    select report || ' ' || unit_id as k from health.report_summaries where args = ${JSON.stringify({ on })} order by 1`)).map((r) => r.k);

  it('stores today\'s figures of the units asked, keeping the day of the ask; today\'s report then counts nothing and equals a count from scratch', async () => {
    const { district } = await aHealthHousehold('POOR');
    await db().execute(sql`delete from health.report_summaries`);
    await health(district, YESTERDAY);
    await db().execute(sql`update health.report_summaries set asked_on = ${YESTERDAY}`);
    const done = await rollForward(db(), 'health', 60_000, TODAY);
    // healthStatistics and its coverage, for the same units as yesterday's
    expect(done).toMatchObject({ reports: 2, left: 0 });
    expect(await unitsFor(TODAY)).toEqual(await unitsFor(YESTERDAY));
    const rolled = await storedFor(TODAY);
    expect(rolled.every((r) => r.k.includes(` ${YESTERDAY} `))).toBe(true);
    const today = await health(district, TODAY);
    // read from what the recount stored: no row written anew
    expect(await storedFor(TODAY)).toEqual(rolled);
    await db().execute(sql`delete from health.report_summaries where args = ${JSON.stringify({ on: TODAY })}`);
    expect(await health(district, TODAY)).toEqual(today);
  });

  it('rolls a report forward for 30 days after its last ask, then leaves it', async () => {
    const { district } = await aHealthHousehold('POOR');
    await db().execute(sql`delete from health.report_summaries`);
    await health(district, TODAY);
    // asked 30 days before the day it is stored for: still rolled; 31 days: left to the next who asks
    await db().execute(sql`update health.report_summaries set asked_on = ${TODAY}::date - 30`);
    expect((await rollForward(db(), 'health', 60_000, TOMORROW)).reports).toBe(2);
    await db().execute(sql`delete from health.report_summaries where args = ${JSON.stringify({ on: TOMORROW })}`);
    await db().execute(sql`update health.report_summaries set asked_on = ${TODAY}::date - 31`);
    expect((await rollForward(db(), 'health', 60_000, TOMORROW)).reports).toBe(0);
    expect(await unitsFor(TOMORROW)).toEqual([]);
  });
});
