/**
 * Every mutation is idempotent under concurrency: five identical calls (same idempotency key, same input) sent at
 * once store exactly one record and all five get the same answer (one of them `replayed: false`, where the payload
 * says so). And the assessment's business key: the same review (household, year, kind, date) under another key is
 * a CONFLICT, not a second review.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { demoData(); t = await testSystem(); });
afterAll(async () => { await t?.close(); });

async function count(table: string): Promise<number> {
  const c = t.connection;
  const q = `select count(*)::int as n from ${table}`;
  if (c.kind === 'pglite') return ((await c.pglite.query<{ n: number }>(q)).rows[0]!).n;
  return ((await c.sql.unsafe(q))[0] as unknown as { n: number }).n;
}

/** Demo households no other test file changes (PostgreSQL runs share one database): the ward's last ones. */
function household(wardCode: string, nth = 0) {
  const d = demoData();
  const h = d.households.filter((x) => x.unitId === `${wardCode}@origin`).at(-1 - nth)!;
  const m = d.members.find((x) => x.householdId === h.id)!;
  return { h, m };
}

/** Five identical calls at once: the answers (without `replayed`), and how many said `replayed: false`. */
async function fiveAtOnce(mutation: string, field: string, input: Record<string, unknown>) {
  const answers = await Promise.all(Array.from({ length: 5 }, () => t.query(mutation, { input })));
  for (const a of answers) expect(a.errors).toBeUndefined();
  const payloads = answers.map((a) => a.data[field]);
  const fresh = payloads.filter((p) => p.replayed === false).length;
  return { payloads: payloads.map(({ replayed: _r, ...rest }) => rest), fresh, first: payloads[0] };
}

const LOAN = 'loan { id status outstanding transactions { kind on amount } }';
const CARD = 'card { id cardNumber validFrom validTo }';
const SUPPORT = 'housingSupport { id status approvedOn }';

describe('five identical calls at once', () => {
  const state: Record<string, string> = {};
  const cases: [string, string, () => Record<string, unknown>, string, string][] = [
    ['credit.disburseLoan', `mutation ($input: DisburseLoanInput!) { disburseLoan(input: $input) { replayed ${LOAN} } }`, () => {
      const { h, m } = household('11410');
      return { householdId: h.id, borrowerMemberId: m.id, programme: 'STUDENT', principal: 20_000_000, disbursedOn: '2025-03-01', maturityOn: '2031-03-01' };
    }, 'credit.loans', 'disburseLoan'],
    ['credit.repayLoan', `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { replayed ${LOAN} } }`,
      () => ({ loanId: state.loan, amount: 5_000_000, paidOn: '2025-06-01' }), 'credit.loan_transactions', 'repayLoan'],
    ['credit.writeOffLoan', `mutation ($input: WriteOffLoanInput!) { writeOffLoan(input: $input) { replayed ${LOAN} } }`,
      () => ({ loanId: state.loan, writtenOffOn: '2025-09-01' }), 'credit.loan_transactions', 'writeOffLoan'],
    ['health.issueCard', `mutation ($input: IssueCardInput!) { issueCard(input: $input) { replayed ${CARD} } }`, () => {
      const { m } = household('27373', 1);
      return { memberId: m.id, cardNumber: 'CN3799990000077', beneficiaryGroup: 'NEAR_POOR_HOUSEHOLD', validFrom: '2030-01-01', validTo: '2030-12-31' };
    }, 'health.insurance_cards', 'issueCard'],
    ['health.renewCard', `mutation ($input: RenewCardInput!) { renewCard(input: $input) { replayed ${CARD} } }`,
      () => ({ cardId: state.card, cardNumber: 'CN3799990000078' }), 'health.insurance_cards', 'renewCard'],
    ['housing.proposeHousingSupport', `mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { replayed ${SUPPORT} } }`, () => {
      const { h } = household('11425');
      return { householdId: h.id, kind: 'REPAIR', programme: 'HAIPHONG_CITY_HOUSING', beneficiaryStatus: 'NEAR_POOR', proposedOn: '2025-02-01', fundingLines: [{ source: 'PROVINCE_BUDGET', amount: 30_000_000 }] };
    }, 'housing.supports', 'proposeHousingSupport'],
    ['housing.advanceHousingSupport', `mutation ($input: AdvanceHousingSupportInput!) { advanceHousingSupport(input: $input) { replayed ${SUPPORT} } }`,
      () => ({ supportId: state.support, to: 'APPROVED', on: '2025-03-01' }), 'housing.supports', 'advanceHousingSupport'],
    ['households.recordAssessment', `mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) { id reviewYear kind assessedOn status } }`, () => {
      const { h } = household('27376');
      return { householdCode: h.code, reviewYear: 2025, kind: 'PERIODIC', assessedOn: '2025-10-06', incomePerCapita: 60_000_000, incomePeriod: 'YEAR', recordedBy: 'canbo.27376' };
    }, 'households.assessments', 'recordAssessment'],
    ['households.reassignHousehold', `mutation ($input: ReassignHouseholdInput!) { reassignHousehold(input: $input) { code unit { code } unitChanges { effectiveOn } } }`, () => {
      const d = demoData();
      const h = d.households.find((x) => x.unitId === '09538@origin' && Number(x.code.slice(6)) > 20_000) ?? d.households.filter((x) => x.unitId === '09538@origin').at(-1)!;
      return { householdCode: h.code, unitCode: '09556', effectiveOn: '2025-09-02', recordedBy: 'canbo.09556' };
    }, 'households.household_unit_changes', 'reassignHousehold'],
  ];

  it.each(cases)('%s: one record, five equal answers', async (_name, mutation, makeInput, table, field) => {
    const before = await count(table);
    const input = { idempotencyKey: randomUUID(), ...makeInput() };
    const { payloads, fresh, first } = await fiveAtOnce(mutation, field, input);
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    // payloads with `replayed`: exactly one call did the change
    if ('replayed' in first) expect(fresh).toBe(1);
    // a creation adds one row; a write-off and an advance change a row in place (no row added)
    const added = field === 'writeOffLoan' || field === 'advanceHousingSupport' ? [0, 1] : [1];
    expect(added).toContain((await count(table)) - before);
    if (first.loan) state.loan = first.loan.id;
    if (first.card) state.card = first.card.id;
    if (first.housingSupport) state.support = first.housingSupport.id;
  });

  it('the same review under another key is a CONFLICT and stores nothing', async () => {
    const { h } = household('27376');
    const input = { householdCode: h.code, reviewYear: 2025, kind: 'PERIODIC', assessedOn: '2025-10-06', incomePerCapita: 60_000_000, incomePeriod: 'YEAR', recordedBy: 'canbo.27376' };
    const before = await count('households.assessments');
    const res = await t.query('mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) { id } }', { input: { ...input, idempotencyKey: randomUUID() } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'input.assessedOn' });
    expect(res.errors?.[0]?.message).toBe(`Household ${h.code} already has a PERIODIC review dated 2025-10-06 (review year 2025); correct that review instead of recording a second one`);
    expect(await count('households.assessments')).toBe(before);
  });
});
