/**
 * creditStatistics on a date against one shared database: what counts as outstanding and overdue on the date
 * (loans disbursed after it, repayments after it, overdue amounts from their date), and which households' loans
 * count (placed in the unit on the date).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, fixtureUnits, scratchDatabase, unitId, type ScratchDatabase } from '@ansinh/db';
import * as tables from '../src/db/schema.js';
import { creditStatistics } from '../src/resolvers/statistics.js';

const ON = '2025-06-30';
const DAY_AFTER = '2025-07-01';
let scratch: ScratchDatabase<typeof tables>;
const W = FIXTURE.ward;
const P = FIXTURE.province;
const hh = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const [A, B, MOVED_OUT, MOVED_IN] = [1, 2, 3, 4].map(hh) as [string, string, string, string];

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'credit');
  const { db } = scratch;
  await db.insert(tables.units).values([
    ...fixtureUnits(),
    { id: unitId('00002', null), code: '00002', name: 'Elsewhere', kind: 'ward', level: 3, parentId: null, validFrom: null, validTo: null },
  ]);
  await db.insert(tables.registryHouseholds).values([A, B, MOVED_OUT, MOVED_IN].map((id) => ({ id, unitId: W })));
  await db.insert(tables.registryPlacements).values([
    { householdId: A, unitId: W, validFrom: null, validTo: null },
    { householdId: B, unitId: W, validFrom: null, validTo: null },
    // placements are [validFrom, validTo): left the ward on the date, so not counted; came in on the date, counted
    { householdId: MOVED_OUT, unitId: W, validFrom: null, validTo: ON },
    { householdId: MOVED_OUT, unitId: unitId('00002', null), validFrom: ON, validTo: null },
    { householdId: MOVED_IN, unitId: unitId('00002', null), validFrom: null, validTo: ON },
    { householdId: MOVED_IN, unitId: W, validFrom: ON, validTo: null },
  ]);
  await db.insert(tables.lenders).values({ code: 'VBSP', name: 'NHCSXH', kind: 'POLICY_BANK' }).onConflictDoNothing();
  const l = (n: number, householdId: string, programme: string, principal: number, disbursedOn: string, overdue = 0, overdueSince: string | null = null) => ({
    id: `20000000-0000-4000-8000-00000000000${n}`, code: `L${n}`, householdId, borrowerMemberId: householdId, programme, lender: 'VBSP',
    principal, outstanding: principal, overdue, overdueSince, disbursedOn, status: overdue ? 'OVERDUE' : 'ACTIVE',
  });
  await db.insert(tables.loans).values([
    // overdue since the report date: counted as overdue on it
    l(1, A, 'POOR_HOUSEHOLD', 10_000_000, '2024-01-10', 2_000_000, ON),
    // overdue only from the day after: nothing overdue on the date
    l(2, B, 'POOR_HOUSEHOLD', 5_000_000, '2024-01-10', 1_000_000, DAY_AFTER),
    // disbursed the day after: not a loan yet on the date
    l(3, A, 'JOB_CREATION', 7_000_000, DAY_AFTER),
    // disbursed on the date: counts
    l(4, B, 'CLEAN_WATER_SANITATION', 3_000_000, ON),
    l(5, MOVED_OUT, 'NEAR_POOR', 4_000_000, '2024-01-10'),
    l(6, MOVED_IN, 'NEWLY_ESCAPED', 6_000_000, '2024-01-10'),
  ]);
  await db.insert(tables.loanTransactions).values([
    // a repayment on the date lowers what is outstanding on it, one the day after does not
    { loanId: '20000000-0000-4000-8000-000000000001', kind: 'REPAYMENT', occurredOn: ON, amount: 1_000_000 },
    { loanId: '20000000-0000-4000-8000-000000000002', kind: 'REPAYMENT', occurredOn: DAY_AFTER, amount: 500_000 },
  ]);
});
afterAll(() => scratch?.close());

describe('creditStatistics on a date', () => {
  it.each([P, W])('at %s', async (unit) => {
    const s = await creditStatistics(scratch.db, unit, ON, '2025-01-01', null);
    const by = Object.fromEntries(s.programmes.map((p) => [p.programme, p]));
    expect(Object.keys(by)).toEqual(['POOR_HOUSEHOLD', 'NEWLY_ESCAPED', 'CLEAN_WATER_SANITATION']);
    expect(by.POOR_HOUSEHOLD).toMatchObject({ loans: 2, borrowers: 2, outstanding: 9_000_000 + 5_000_000, overdue: 2_000_000, overdueRatio: 14.29, averagePerBorrower: 7_000_000 });
    expect(by.CLEAN_WATER_SANITATION).toMatchObject({ loans: 1, outstanding: 3_000_000, overdue: 0, disbursedLoans: 1, disbursedAmount: 3_000_000 });
    expect(by.NEWLY_ESCAPED).toMatchObject({ loans: 1, outstanding: 6_000_000 });
    expect(s.povertyReduction).toMatchObject({ loans: 3, borrowers: 3, outstanding: 20_000_000, overdue: 2_000_000, disbursedLoans: 0 });
  });

  it('the day after, the later loan, repayment and overdue amount count', async () => {
    const s = await creditStatistics(scratch.db, W, DAY_AFTER, null, null);
    const by = Object.fromEntries(s.programmes.map((p) => [p.programme, p]));
    expect(by.POOR_HOUSEHOLD).toMatchObject({ outstanding: 9_000_000 + 4_500_000, overdue: 3_000_000 });
    expect(by.JOB_CREATION).toMatchObject({ loans: 1, outstanding: 7_000_000 });
    expect(by.POOR_HOUSEHOLD!.disbursedLoans).toBeNull();
  });
});
