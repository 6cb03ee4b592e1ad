/**
 * Who may read and write what, as one table (issue 10, item 6): role × entry path × unit, each cell the outcome a
 * user gets through the gateway. Units: a Quận 6 household with a Quận 6 token (in-area), the same household with a
 * token for the post-2025 ward or city that the crosswalk links its pre-2025 ward to (other-period: Phường 14 went
 * whole into Phường Phú Lâm, 27349; old Hồ Chí Minh City into the new one, 79), and a Quận Hải An household with the
 * Quận 6 token (out-of-area). Below the table: the issue's write attacks one by one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import type { Role } from '@ansinh/server';
import { testSystem, type TestSystem } from './harness.js';
import { inHaiAn } from './support/demo.js';
import { token, upload } from './support/import.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const d = demoData();
/**
 * Reads: households of the registry with a loan. Writes (dated 2040 and later, so no report of another test moves):
 * a household with no loan or housing support, outside the registry where there is one (codes from 20001).
 */
const outsideRegistry = (code: string) => Number(code.slice(6)) > 20_000;
const noRecords = (id: string) => !d.loans.some((l) => l.householdId === id) && !d.housingSupports.some((x) => x.householdId === id);
const subject = (where: (unitId: string) => boolean) => {
  const read = d.households.find((h) => where(h.unitId) && !outsideRegistry(h.code) && d.loans.some((l) => l.householdId === h.id))!;
  const candidates = d.households.filter((h) => where(h.unitId) && noRecords(h.id) && d.members.some((m) => m.householdId === h.id));
  const write = candidates.find((h) => outsideRegistry(h.code)) ?? candidates.at(-1)!;
  return {
    read, loan: d.loans.find((l) => l.householdId === read.id)!,
    write, member: d.members.find((m) => m.householdId === write.id)!,
  };
};
const Q6 = subject((u) => u === '27346@origin');
const HA = subject(inHaiAn);

/** The tokens of each role: for Quận 6, and for the post-2025 unit the crosswalk links Quận 6's Phường 14 to. */
const AREAS: Record<Role, { q6: string[]; otherPeriod: string[] }> = {
  WARD_OFFICER: { q6: ['27346'], otherPeriod: ['27349'] },
  CITY_INTEGRATOR: { q6: ['775'], otherPeriod: ['79'] },
  CREDIT_OFFICER: { q6: ['775'], otherPeriod: ['27349'] },
  HEALTH_OFFICER: { q6: ['775'], otherPeriod: ['27349'] },
  HOUSING_OFFICER: { q6: ['775'], otherPeriod: ['27349'] },
  ANALYST: { q6: [], otherPeriod: [] },
  ADMIN: { q6: [], otherPeriod: [] },
};
type Unit = 'in-area' | 'other-period' | 'out-of-area';

/**
 * SEES: the record comes back. NOTHING: null, as for a record that does not exist. FORBIDDEN: the role may not.
 * WRITES: the change is made. NOT_FOUND: refused exactly as for an id that does not exist (same code, same message).
 * ACCEPTED: the import's dry run takes the row. For an ANALYST and ADMIN the token is the same in every column.
 */
const TABLE = `
  role             path                   in-area    other-period  out-of-area
  WARD_OFFICER     query                  SEES       SEES          NOTHING
  WARD_OFFICER     entities               SEES       SEES          NOTHING
  WARD_OFFICER     disburseLoan           WRITES     WRITES        NOT_FOUND
  WARD_OFFICER     issueCard              WRITES     WRITES        NOT_FOUND
  WARD_OFFICER     proposeHousingSupport  WRITES     WRITES        NOT_FOUND
  WARD_OFFICER     importRow              FORBIDDEN  FORBIDDEN     FORBIDDEN
  CITY_INTEGRATOR  query                  SEES       SEES          NOTHING
  CITY_INTEGRATOR  entities               SEES       SEES          NOTHING
  CITY_INTEGRATOR  disburseLoan           FORBIDDEN  FORBIDDEN     FORBIDDEN
  CITY_INTEGRATOR  issueCard              FORBIDDEN  FORBIDDEN     FORBIDDEN
  CITY_INTEGRATOR  proposeHousingSupport  FORBIDDEN  FORBIDDEN     FORBIDDEN
  CITY_INTEGRATOR  importRow              ACCEPTED   ACCEPTED      NOT_FOUND
  CREDIT_OFFICER   query                  SEES       SEES          NOTHING
  CREDIT_OFFICER   entities               SEES       SEES          NOTHING
  CREDIT_OFFICER   disburseLoan           WRITES     WRITES        NOT_FOUND
  CREDIT_OFFICER   issueCard              FORBIDDEN  FORBIDDEN     FORBIDDEN
  CREDIT_OFFICER   proposeHousingSupport  FORBIDDEN  FORBIDDEN     FORBIDDEN
  CREDIT_OFFICER   importRow              FORBIDDEN  FORBIDDEN     FORBIDDEN
  HEALTH_OFFICER   query                  SEES       SEES          NOTHING
  HEALTH_OFFICER   entities               SEES       SEES          NOTHING
  HEALTH_OFFICER   disburseLoan           FORBIDDEN  FORBIDDEN     FORBIDDEN
  HEALTH_OFFICER   issueCard              WRITES     WRITES        NOT_FOUND
  HEALTH_OFFICER   proposeHousingSupport  FORBIDDEN  FORBIDDEN     FORBIDDEN
  HEALTH_OFFICER   importRow              FORBIDDEN  FORBIDDEN     FORBIDDEN
  HOUSING_OFFICER  query                  SEES       SEES          NOTHING
  HOUSING_OFFICER  entities               SEES       SEES          NOTHING
  HOUSING_OFFICER  disburseLoan           FORBIDDEN  FORBIDDEN     FORBIDDEN
  HOUSING_OFFICER  issueCard              FORBIDDEN  FORBIDDEN     FORBIDDEN
  HOUSING_OFFICER  proposeHousingSupport  WRITES     WRITES        NOT_FOUND
  HOUSING_OFFICER  importRow              FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          query                  FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          entities               FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          disburseLoan           FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          issueCard              FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          proposeHousingSupport  FORBIDDEN  FORBIDDEN     FORBIDDEN
  ANALYST          importRow              FORBIDDEN  FORBIDDEN     FORBIDDEN
  ADMIN            query                  SEES       SEES          SEES
  ADMIN            entities               SEES       SEES          SEES
  ADMIN            disburseLoan           WRITES     WRITES        WRITES
  ADMIN            issueCard              WRITES     WRITES        WRITES
  ADMIN            proposeHousingSupport  WRITES     WRITES        WRITES
  ADMIN            importRow              ACCEPTED   ACCEPTED      ACCEPTED
`;
const UNITS: Unit[] = ['in-area', 'other-period', 'out-of-area'];
const cells = TABLE.trim().split('\n').slice(1).flatMap((line) => {
  const [role, path, ...outcomes] = line.trim().split(/\s+/);
  return UNITS.map((unit, i) => [role as Role, path!, unit, outcomes[i]!] as const);
});

let cardNumber = 0;
let cardYear = 2040;
const NOBODY = '00000000-0000-4000-8000-00000000dead';

/** Runs one cell: the request of `path` about the unit's household, with the role's token for that column. */
async function run(role: Role, path: string, unit: Unit): Promise<{ outcome: string; detail: unknown }> {
  const s = unit === 'out-of-area' ? HA : Q6;
  const units = unit === 'other-period' ? AREAS[role].otherPeriod : AREAS[role].q6;
  const headers = await t.as(role, units);
  const gql = async (query: string, variables: Record<string, unknown>, missing?: Record<string, unknown>) => {
    const res = await t.query(query, variables, headers);
    const code = res.errors?.[0]?.extensions?.code;
    if (code === 'NOT_FOUND' && missing) {
      // the same answer as for a record that does not exist: code, argument and message (ids aside)
      const none = await t.query(query, missing, headers);
      const strip = (m?: string) => m?.replace(/[0-9a-f-]{36}/g, '<id>');
      const same = none.errors?.[0]?.extensions?.code === 'NOT_FOUND' && strip(none.errors?.[0]?.message) === strip(res.errors?.[0]?.message)
        && none.errors?.[0]?.extensions?.argument === res.errors?.[0]?.extensions?.argument;
      return { outcome: same ? 'NOT_FOUND' : 'NOT_FOUND, unlike a missing record', detail: [res.errors, none.errors] };
    }
    if (code) return { outcome: String(code), detail: res.errors };
    return { outcome: 'OK', detail: res.data };
  };
  switch (path) {
    case 'query': {
      const r = await gql(`query ($code: String!) { householdByCode(code: $code) { code } }`, { code: s.read.code });
      return r.outcome !== 'OK' ? r : { outcome: (r.detail as any).householdByCode?.code === s.read.code ? 'SEES' : 'NOTHING', detail: r.detail };
    }
    case 'entities': {
      // credit answers the loan; the gateway fetches its household from the households subgraph through _entities
      const r = await gql(`query ($id: ID!) { loan(id: $id) { code household { code members { id } } } }`, { id: s.loan.id });
      const loan = (r.detail as any)?.loan;
      return r.outcome !== 'OK' ? r : { outcome: loan?.household?.code === s.read.code && loan.household.members.length > 0 ? 'SEES' : 'NOTHING', detail: r.detail };
    }
    case 'disburseLoan': {
      const input = { idempotencyKey: randomUUID(), householdId: s.write.id, borrowerMemberId: s.member.id, programme: 'JOB_CREATION', principal: 30_000_000, disbursedOn: '2040-03-01', maturityOn: '2045-03-01' };
      const r = await gql(`mutation ($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { id } } }`, { input }, { input: { ...input, idempotencyKey: randomUUID(), householdId: NOBODY } });
      return r.outcome === 'OK' ? { outcome: 'WRITES', detail: r.detail } : r;
    }
    case 'issueCard': {
      cardNumber += 1;
      cardYear += 1;
      const input = { idempotencyKey: randomUUID(), memberId: s.member.id, cardNumber: `HN279998${String(cardNumber).padStart(7, '0')}`, beneficiaryGroup: 'POOR_HOUSEHOLD', validFrom: `${cardYear}-01-01`, validTo: `${cardYear}-12-31` };
      const r = await gql(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { card { id } } }`, { input }, { input: { ...input, idempotencyKey: randomUUID(), memberId: NOBODY } });
      return r.outcome === 'OK' ? { outcome: 'WRITES', detail: r.detail } : r;
    }
    case 'proposeHousingSupport': {
      const input = { idempotencyKey: randomUUID(), householdId: s.write.id, kind: 'REPAIR', programme: 'NATIONAL_TARGET_PROGRAMME', beneficiaryStatus: 'POOR', proposedOn: '2040-02-01', fundingLines: [{ source: 'CENTRAL_BUDGET', amount: 30_000_000 }] };
      const r = await gql(`mutation ($input: ProposeHousingSupportInput!) { proposeHousingSupport(input: $input) { housingSupport { id } } }`, { input }, { input: { ...input, idempotencyKey: randomUUID(), householdId: NOBODY } });
      return r.outcome === 'OK' ? { outcome: 'WRITES', detail: r.detail } : r;
    }
    case 'importRow': {
      // a loan row for the household (disbursed in the past: the import refuses future dates), in a dry run (nothing is written): the HTTP route, with the same tokens
      const header = 'loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status,overdue,overdue_since,written_off,balance_on';
      const row = (code: string) => `VBSP-T-${randomUUID().slice(0, 8)},${code},1,JOB_CREATION,VBSP,30000000,30000000,2024-03-01,2029-03-01,ACTIVE,,,,`;
      const claims = { sub: `table-${role}`, role, ...(units.length ? { units } : {}) };
      const res = await upload(t.url, { loans: `${header}\n${row(s.read.code)}\n` }, { token: token(claims), dryRun: true });
      if (res.status === 200) return { outcome: 'ACCEPTED', detail: res.body };
      if (res.status === 422) {
        const none = await upload(t.url, { loans: `${header}\n${row('11410-99999')}\n` }, { token: token(claims), dryRun: true });
        const reason = (b: any) => b.issues?.map((i: any) => `${i.column}: ${String(i.reason).replace(/\d{5}-\d{5}/g, '<code>')}`);
        return { outcome: JSON.stringify(reason(res.body)) === JSON.stringify(reason(none.body)) ? 'NOT_FOUND' : 'NOT_FOUND, unlike a missing record', detail: [res.body, none.body] };
      }
      return { outcome: String(res.body.errors?.[0]?.extensions?.code ?? res.status), detail: res.body };
    }
  }
  throw new Error(`no path ${path}`);
}

describe('role × entry path × unit', () => {
  it.each(cells)('%s, %s, %s: %s', async (role, path, unit, expected) => {
    const { outcome, detail } = await run(role, path, unit);
    expect(outcome, JSON.stringify(detail)).toBe(expected);
  });
});

describe('the write attacks of issue 10', () => {
  it('a Quận 6 ward officer cannot move a household into Hải Phòng (Phường Đông Hải, in force in 2040), whose officers then cannot read its members', async () => {
    const q6 = await t.as('WARD_OFFICER', ['27346']);
    const res = await t.query(`mutation ($input: ReassignHouseholdInput!) { reassignHousehold(input: $input) { code } }`,
      { input: { idempotencyKey: randomUUID(), householdCode: Q6.write.code, unitCode: '11411', effectiveOn: '2040-01-15', recordedBy: 'attacker' } }, q6);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.message).toMatch(/outside your area/);
    const hp = await t.query(`query ($code: String!) { householdByCode(code: $code) { members { nationalId } } }`, { code: Q6.write.code }, await t.as('WARD_OFFICER', ['11411']));
    expect(hp.data.householdByCode).toBeNull();
    const still = await t.query(`query ($code: String!) { householdByCode(code: $code) { unit { code } } }`, { code: Q6.write.code }, q6);
    expect(still.data.householdByCode.unit.code).toBe('27346');
  });

  it('a card number held by a member of another area is not named in any error', async () => {
    const held = d.cards.find((c) => inHaiAn(d.households.find((h) => h.id === c.householdId)!.unitId))!;
    const res = await t.query(`mutation ($input: IssueCardInput!) { issueCard(input: $input) { card { id } } }`, { input: {
      idempotencyKey: randomUUID(), memberId: held.memberId, cardNumber: held.cardNumber, beneficiaryGroup: 'POOR_HOUSEHOLD', validFrom: '2041-01-01', validTo: '2041-12-31',
    } }, await t.as('HEALTH_OFFICER', ['775']));
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(res.errors)).not.toContain(held.cardNumber);
    expect(JSON.stringify(res.errors)).not.toContain(held.cardNumber.slice(2, 8));
  });

  it('a Hải Phòng integrator importing a Hồ Chí Minh City loan\'s code does not touch that loan, and the dry run does not tell it exists', async () => {
    const hcmLoan = Q6.loan;
    const hpHousehold = HA.read;
    const header = 'loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status,overdue,overdue_since,written_off,balance_on';
    const file = (code: string) => `${header}\n${code},${hpHousehold.code},1,NEAR_POOR,VBSP,99000000,99000000,2024-01-10,2029-01-10,ACTIVE,,,,\n`;
    const hp = token({ sub: 'hp', role: 'CITY_INTEGRATOR', units: ['31'] });
    const [existing, fresh] = [await upload(t.url, { loans: file(hcmLoan.code) }, { token: hp, dryRun: true }), await upload(t.url, { loans: file('VBSP-HP-2025-NEW0001') }, { token: hp, dryRun: true })];
    expect(existing.status).toBe(200);
    expect(existing.body.counts ?? existing.body).toEqual(fresh.body.counts ?? fresh.body);
    const applied = await upload(t.url, { loans: file(hcmLoan.code) }, { token: hp });
    expect(applied.status).toBe(200);
    const loan = (await t.query(`query ($id: ID!) { loan(id: $id) { principal household { code } } }`, { id: hcmLoan.id })).data.loan;
    expect(loan).toEqual({ principal: hcmLoan.principal, household: { code: Q6.read.code } });
  });
});
