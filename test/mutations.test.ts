/**
 * The officers' day-to-day mutations: validated (BAD_USER_INPUT naming the field), all-or-nothing, and idempotent
 * on the client's key (the same key twice changes nothing and returns the first result; the same key with another
 * input is IDEMPOTENCY_KEY_REUSED).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { demoData(); t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const LOAN = 'loan { id code status principal outstanding programme entrustingOrganisation area transactions { kind on amount } }';
const DISBURSE = `mutation ($input: DisburseLoanInput!) { disburseLoan(input: $input) { replayed ${LOAN} } }`;
const REPAY = `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { replayed ${LOAN} } }`;
const WRITE_OFF = `mutation ($input: WriteOffLoanInput!) { writeOffLoan(input: $input) { replayed ${LOAN} } }`;

/**
 * A demo household of a ward to change. On PostgreSQL the test files share one database: card changes go to
 * households outside the registry (codes from 20001), whose records no other test reads.
 */
function household(wardCode: string, outsideRegistry = false) {
  const d = demoData();
  const h = d.households.find((x) => x.unitId === `${wardCode}@origin` && (!outsideRegistry || Number(x.code.slice(6)) > 20_000))!;
  const m = d.members.find((x) => x.householdId === h.id)!;
  return { h, m };
}

async function statementsIn(schema: string, table: string): Promise<number> {
  const c = t.connection;
  const q = `select count(*)::int as n from ${schema}.${table}`;
  if (c.kind === 'pglite') return ((await c.pglite.query<{ n: number }>(q)).rows[0]!).n;
  return ((await c.sql.unsafe(q))[0] as unknown as { n: number }).n;
}

describe('loans', () => {
  it('disburses, repays and writes off; a replay changes nothing and returns the first result', async () => {
    const { h, m } = household('11410');
    const input = {
      idempotencyKey: randomUUID(), householdId: h.id, borrowerMemberId: m.id, programme: 'JOB_CREATION',
      savingsGroupCode: demoData().savingsGroups.find((g) => g.unitId === '11410@origin')!.code,
      principal: 50_000_000, disbursedOn: '2025-03-01', maturityOn: '2030-03-01',
    };
    const first = await t.query(DISBURSE, { input });
    expect(first.errors).toBeUndefined();
    const loan = first.data.disburseLoan.loan;
    expect(loan).toMatchObject({ status: 'ACTIVE', principal: 50_000_000, outstanding: 50_000_000, area: ['31@origin', '306@origin', '11410@origin'] });
    expect(first.data.disburseLoan.replayed).toBe(false);
    const loansBefore = await statementsIn('credit', 'loans');
    const again = await t.query(DISBURSE, { input });
    expect(again.data.disburseLoan).toEqual({ ...first.data.disburseLoan, replayed: true });
    expect(await statementsIn('credit', 'loans')).toBe(loansBefore);

    const repayKey = randomUUID();
    const repaid = await t.query(REPAY, { input: { idempotencyKey: repayKey, loanId: loan.id, amount: 20_000_000, paidOn: '2025-06-01' } });
    expect(repaid.data.repayLoan.loan).toMatchObject({ outstanding: 30_000_000, status: 'ACTIVE' });
    const replay = await t.query(REPAY, { input: { idempotencyKey: repayKey, loanId: loan.id, amount: 20_000_000, paidOn: '2025-06-01' } });
    expect(replay.data.repayLoan).toMatchObject({ replayed: true, loan: { outstanding: 30_000_000 } });

    const off = await t.query(WRITE_OFF, { input: { idempotencyKey: randomUUID(), loanId: loan.id, writtenOffOn: '2025-09-01' } });
    expect(off.data.writeOffLoan.loan).toMatchObject({ outstanding: 0, status: 'WRITTEN_OFF' });
    expect(off.data.writeOffLoan.loan.transactions).toEqual([
      { kind: 'DISBURSEMENT', on: '2025-03-01', amount: 50_000_000 },
      { kind: 'REPAYMENT', on: '2025-06-01', amount: 20_000_000 },
      { kind: 'WRITE_OFF', on: '2025-09-01', amount: 30_000_000 },
    ]);
    // the loan is in the ward's figures from its disbursement on
    const stats = await t.query(`{ creditStatistics(unitCode: "11410", on: "2025-06-30", since: "2025-03-01") { programmes { programme disbursedLoans disbursedAmount } } }`);
    expect(stats.data.creditStatistics.programmes.find((p: any) => p.programme === 'JOB_CREATION')).toEqual({ programme: 'JOB_CREATION', disbursedLoans: 1, disbursedAmount: 50_000_000 });
  });

  it('the same key with another input is IDEMPOTENCY_KEY_REUSED, and nothing is written', async () => {
    const { h, m } = household('11419');
    const input = { idempotencyKey: randomUUID(), householdId: h.id, borrowerMemberId: m.id, programme: 'STUDENT', principal: 30_000_000, disbursedOn: '2025-03-01', maturityOn: '2033-03-01' };
    expect((await t.query(DISBURSE, { input })).errors).toBeUndefined();
    const count = await statementsIn('credit', 'loans');
    const res = await t.query(DISBURSE, { input: { ...input, principal: 40_000_000 } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await statementsIn('credit', 'loans')).toBe(count);
  });

  const { h, m } = household('27373');
  const other = household('27376');
  const base = { householdId: h.id, borrowerMemberId: m.id, programme: 'JOB_CREATION', principal: 10_000_000, disbursedOn: '2025-01-01', maturityOn: '2027-01-01' };
  it.each([
    ['a maturity before disbursement', { maturityOn: '2024-01-01' }, 'BAD_USER_INPUT', 'maturityOn'],
    ['a principal of 0', { principal: 0 }, 'BAD_USER_INPUT', 'principal'],
    ['an unknown lender', { lender: 'XYZ' }, 'BAD_USER_INPUT', 'lender'],
    ['a savings group of another ward', { savingsGroupCode: 'TK-11410-1' }, 'BAD_USER_INPUT', 'savingsGroupCode'],
    ['a household id that is not an id', { householdId: 'abc' }, 'NOT_FOUND', 'householdId'],
    ['a household that does not exist', { householdId: '00000000-0000-4000-8000-000000000001' }, 'NOT_FOUND', 'householdId'],
    ['a borrower of another household', { borrowerMemberId: other.m.id }, 'NOT_FOUND', 'borrowerMemberId'],
    ['a borrower that does not exist', { borrowerMemberId: '00000000-0000-4000-8000-000000000002' }, 'NOT_FOUND', 'borrowerMemberId'],
    ['a key too short to be a key', { idempotencyKey: 'k' }, 'BAD_USER_INPUT', 'idempotencyKey'],
  ])('rejects %s, naming the field, and writes nothing', async (_, change, code, field) => {
    const count = await statementsIn('credit', 'loans');
    const res = await t.query(DISBURSE, { input: { idempotencyKey: randomUUID(), ...base, ...change } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code, argument: field });
    expect(await statementsIn('credit', 'loans')).toBe(count);
  });

  it('rejects repaying more than is owed, or a repaid loan', async () => {
    const repaid = demoData().loans.find((l) => l.status === 'REPAID')!;
    const open = demoData().loans.find((l) => l.status === 'ACTIVE')!;
    const a = await t.query(REPAY, { input: { idempotencyKey: randomUUID(), loanId: repaid.id, amount: 1_000, paidOn: '2025-06-01' } });
    const none = await t.query(REPAY, { input: { idempotencyKey: randomUUID(), loanId: '00000000-0000-4000-8000-000000000003', amount: 1_000, paidOn: '2025-06-01' } });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'loanId' });
    expect(a.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'loanId' });
    const b = await t.query(REPAY, { input: { idempotencyKey: randomUUID(), loanId: open.id, amount: open.outstanding + 1, paidOn: '2025-06-01' } });
    expect(b.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'amount' });
    expect(b.errors?.[0]?.message).toContain(String(open.outstanding));
  });
});

describe('cards', () => {
  const CARD = 'card { id cardNumber beneficiaryGroup validFrom validTo premium supportLayers { funder percent amount } }';
  it('issues a card with the layers of the rules, renews it for the next period, and replays both', async () => {
    const { h, m } = household('27373', true);
    const input = { idempotencyKey: randomUUID(), memberId: m.id, cardNumber: 'CN3799990000001', beneficiaryGroup: 'NEAR_POOR_HOUSEHOLD', validFrom: '2027-01-01', validTo: '2027-12-31' };
    const issued = await t.query(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { replayed ${CARD} } }`, { input });
    expect(issued.errors).toBeUndefined();
    expect(issued.data.issueCard.card).toMatchObject({ premium: 804_600, supportLayers: [
      { funder: 'CENTRAL_BUDGET', percent: 70, amount: 563_220 }, { funder: 'PROVINCE_BUDGET', percent: 30, amount: 241_380 },
    ] });
    const replay = await t.query(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { replayed ${CARD} } }`, { input });
    expect(replay.data.issueCard).toEqual({ ...issued.data.issueCard, replayed: true });

    const renewInput = { idempotencyKey: randomUUID(), cardId: issued.data.issueCard.card.id, cardNumber: 'CN3799990000002' };
    const renewed = await t.query(`mutation ($input: RenewCardInput!) { renewCard(input: $input) { replayed ${CARD} } }`, { input: renewInput });
    expect(renewed.data.renewCard.card).toMatchObject({ validFrom: '2028-01-01', validTo: '2028-12-31', beneficiaryGroup: 'NEAR_POOR_HOUSEHOLD' });
    const cards = await statementsIn('health', 'insurance_cards');
    const again = await t.query(`mutation ($input: RenewCardInput!) { renewCard(input: $input) { replayed ${CARD} } }`, { input: renewInput });
    expect(again.data.renewCard).toEqual({ ...renewed.data.renewCard, replayed: true });
    expect(await statementsIn('health', 'insurance_cards')).toBe(cards);
    // a second renewal of the same card would overlap the first
    const twice = await t.query(`mutation ($input: RenewCardInput!) { renewCard(input: $input) { replayed } }`, { input: { ...renewInput, idempotencyKey: randomUUID(), cardNumber: 'CN3799990000003' } });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'validFrom' });
  });

  it.each([
    ['a malformed card number', { cardNumber: 'X1' }, 'cardNumber'],
    ['an end before the start', { validTo: '2026-12-31' }, 'validTo'],
    ['a card number the member already holds', { cardNumber: '__TAKEN__' }, 'cardNumber'],
  ])('rejects %s', async (_, change, field) => {
    const d = demoData();
    // a member of a Phường 8 household outside the registry who holds a card already
    const card = d.cards.find((c) => d.households.some((x) => x.id === c.householdId && x.unitId === '27376@origin'))!;
    const input = { idempotencyKey: randomUUID(), memberId: card.memberId, cardNumber: 'HN2799990000009', beneficiaryGroup: 'POOR_HOUSEHOLD', validFrom: '2029-01-01', validTo: '2029-12-31', ...change };
    if (input.cardNumber === '__TAKEN__') input.cardNumber = card.cardNumber;
    const res = await t.query(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { replayed } }`, { input });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: field });
  });
});

describe('housing supports', () => {
  const ADVANCE = 'mutation ($input: AdvanceHousingSupportInput!) { advanceHousingSupport(input: $input) { replayed housingSupport { status approvedOn constructionStartedOn completedOn handedOverOn } } }';
  it('moves PROPOSED → APPROVED → UNDER_CONSTRUCTION → COMPLETED → HANDED_OVER, one step at a time', async () => {
    const { h } = household('11425');
    const proposed = await t.query(`mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { housingSupport { id status area fundingLines { source amount } } } }`, { input: {
      idempotencyKey: randomUUID(), householdId: h.id, kind: 'REPAIR', programme: 'HAIPHONG_CITY_HOUSING', beneficiaryStatus: 'NEAR_POOR',
      proposedOn: '2025-02-01', fundingLines: [{ source: 'PROVINCE_BUDGET', amount: 30_000_000 }, { source: 'HOUSEHOLD', amount: 10_000_000 }],
    } });
    expect(proposed.errors).toBeUndefined();
    const id = proposed.data.proposeHousingSupport.housingSupport.id;
    expect(proposed.data.proposeHousingSupport.housingSupport).toMatchObject({ status: 'PROPOSED', area: ['31@origin', '306@origin', '11425@origin'] });

    // a step out of order is rejected
    const skip = await t.query(ADVANCE, { input: { idempotencyKey: randomUUID(), supportId: id, to: 'COMPLETED', on: '2025-03-01' } });
    expect(skip.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    expect(skip.errors?.[0]?.message).toContain('the next step is APPROVED, not COMPLETED');
    // a date before the previous step is rejected
    const early = await t.query(ADVANCE, { input: { idempotencyKey: randomUUID(), supportId: id, to: 'APPROVED', on: '2025-01-01' } });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'on' });

    const steps: [string, string][] = [['APPROVED', '2025-02-20'], ['UNDER_CONSTRUCTION', '2025-03-05'], ['COMPLETED', '2025-06-10'], ['HANDED_OVER', '2025-06-15']];
    let last: any;
    for (const [to, on] of steps) {
      const input = { idempotencyKey: randomUUID(), supportId: id, to, on };
      last = await t.query(ADVANCE, { input });
      expect(last.errors).toBeUndefined();
      const replay = await t.query(ADVANCE, { input });
      expect(replay.data.advanceHousingSupport).toEqual({ ...last.data.advanceHousingSupport, replayed: true });
    }
    expect(last.data.advanceHousingSupport.housingSupport).toEqual({
      status: 'HANDED_OVER', approvedOn: '2025-02-20', constructionStartedOn: '2025-03-05', completedOn: '2025-06-10', handedOverOn: '2025-06-15',
    });
    const done = await t.query(ADVANCE, { input: { idempotencyKey: randomUUID(), supportId: id, to: 'HANDED_OVER', on: '2025-07-01' } });
    expect(done.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
  });

  it('rejects an unknown programme and an empty funding list', async () => {
    const { h } = household('11425');
    const input = { idempotencyKey: randomUUID(), householdId: h.id, kind: 'REPAIR', programme: 'NOPE', beneficiaryStatus: 'POOR', proposedOn: '2025-02-01', fundingLines: [{ source: 'DONATION', amount: 1_000_000 }] };
    const a = await t.query(`mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { replayed } }`, { input });
    expect(a.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'programme' });
    const b = await t.query(`mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { replayed } }`, { input: { ...input, programme: 'GREAT_SOLIDARITY_HOUSE', fundingLines: [] } });
    expect(b.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'fundingLines' });
  });
});
