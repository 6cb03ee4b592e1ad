/**
 * Health's rules on a date against one shared database: a card covers [validFrom, validTo] both days included;
 * a household is newly escaped while its last escape is less than 36 months old (packages/db reviewedOn); the
 * HEALTH_INSURANCE gap of each poor or near-poor household.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, placeInFixtureWard, scratchDatabase, type ScratchDatabase } from '@ansinh/db';
import { unitCandidatesChecksum, unpackFlags, type Caller } from '@ansinh/server';
import * as tables from '../src/db/schema.js';
import { healthGaps } from '../src/resolvers/gaps.js';
import { coverage, healthStatistics } from '../src/resolvers/statistics.js';

const ON = '2025-06-30';
const DAY_AFTER = '2025-07-01';
const ADMIN: Caller = { sub: 'test', role: 'ADMIN', units: [], requestId: 'test', operationName: null };
const W = FIXTURE.ward;
const P = FIXTURE.province;
let scratch: ScratchDatabase<typeof tables>;
const id = (prefix: number, n: number) => `${prefix}0000000-0000-4000-8000-00000000000${n}`;
const [POOR, NEAR, POOR_COVERED, ESCAPED_IN_WINDOW, ESCAPED_36_MONTHS_AGO] = [1, 2, 3, 4, 5].map((n) => id(0, n)) as string[] as [string, string, string, string, string];

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'health');
  const { db } = scratch;
  await placeInFixtureWard(db, tables, [POOR, NEAR, POOR_COVERED, ESCAPED_IN_WINDOW, ESCAPED_36_MONTHS_AGO]);
  const review = (householdId: string, reviewYear: number, assessedOn: string, status: string, persons: number) =>
    ({ householdId, reviewYear, assessedOn, status, deprivedIndicators: [], persons });
  await db.insert(tables.registryReviews).values([
    review(POOR, 2024, '2024-11-01', 'POOR', 2),
    review(NEAR, 2024, '2024-11-01', 'NEAR_POOR', 1),
    review(POOR_COVERED, 2024, '2024-11-01', 'POOR', 1),
    // escaped one day less than 36 months before the date: its window's last day is the date
    review(ESCAPED_IN_WINDOW, 2021, '2021-11-01', 'POOR', 3),
    review(ESCAPED_IN_WINDOW, 2022, '2022-07-01', 'NONE', 3),
    // escaped exactly 36 months before the date: its window ended the day before
    review(ESCAPED_36_MONTHS_AGO, 2021, '2021-11-01', 'NEAR_POOR', 2),
    review(ESCAPED_36_MONTHS_AGO, 2022, '2022-06-30', 'AVERAGE_LIVING_STANDARD', 2),
  ]);
  let n = 0;
  const card = (householdId: string, member: number, validFrom: string, validTo: string, beneficiaryGroup = 'POOR_HOUSEHOLD') => {
    n += 1;
    return { id: id(3, n), cardNumber: `HN27900000000${String(n).padStart(2, '0')}`, memberId: id(2, member), householdId, beneficiaryGroup, validFrom, validTo, premium: 1_000_000 };
  };
  await db.insert(tables.insuranceCards).values([
    // POOR: one member's card ends on the date (covers), the other's starts the day after (does not)
    card(POOR, 1, '2024-07-01', ON),
    card(POOR, 2, DAY_AFTER, '2026-06-30'),
    card(POOR_COVERED, 3, ON, '2026-06-29'),
    card(ESCAPED_IN_WINDOW, 4, '2025-01-01', '2025-12-31', 'NEWLY_ESCAPED_HOUSEHOLD'),
  ]);
});
afterAll(() => scratch?.close());

describe('BHYT coverage of the registry groups on a date', () => {
  it.each([
    [ON, { POOR_HOUSEHOLD: [3, 2], NEAR_POOR_HOUSEHOLD: [1, 0], NEWLY_ESCAPED_HOUSEHOLD: [3, 1] }],
    // the day after: POOR's first card has ended and its second begun; ESCAPED_IN_WINDOW's window is over
    [DAY_AFTER, { POOR_HOUSEHOLD: [3, 2], NEAR_POOR_HOUSEHOLD: [1, 0], NEWLY_ESCAPED_HOUSEHOLD: [0, 0] }],
    // the day before: the card starting on ON does not cover yet; ESCAPED_36_MONTHS_AGO's window's last day
    ['2025-06-29', { POOR_HOUSEHOLD: [3, 1], NEAR_POOR_HOUSEHOLD: [1, 0], NEWLY_ESCAPED_HOUSEHOLD: [5, 1] }],
  ] as const)('on %s: [persons, covered] per group', async (on, expected) => {
    const groups = await coverage(scratch.db, ADMIN, P, on);
    expect(Object.fromEntries(groups.map((g) => [g.beneficiaryGroup, [g.persons, g.covered]]))).toEqual(expected);
  });

  it('cards valid on the date, counted per group (both ends of a card included)', async () => {
    const s = await healthStatistics(scratch.db, W, ON);
    expect(s.total).toMatchObject({ cards: 3, holders: 3 });
    expect(Object.fromEntries(s.groups.map((g) => [g.beneficiaryGroup, g.cards]))).toEqual({ POOR_HOUSEHOLD: 2, NEWLY_ESCAPED_HOUSEHOLD: 1 });
  });
});

describe('the HEALTH_INSURANCE gap: fewer members with a card valid on the date than persons at the review', () => {
  it.each([
    [ON, { [POOR]: true, [NEAR]: true, [POOR_COVERED]: false }],
    ['2025-06-29', { [POOR]: true, [NEAR]: true, [POOR_COVERED]: true }],
  ] as const)('on %s', async (on, expected) => {
    const f = await healthGaps(scratch.db, P, on);
    const candidates = [POOR, NEAR, POOR_COVERED].sort();
    // unit by unit (sorted ids): the province and district hold no candidate, the ward all of them
    expect(f.checksum).toBe(unitCandidatesChecksum([FIXTURE.district, FIXTURE.province, FIXTURE.ward].sort().map((u) => [u, u === W ? candidates : []] as const)));
    const flags = unpackFlags(f);
    expect(Object.fromEntries(candidates.map((c, i) => [c, flags[i]]))).toEqual(expected);
  });
});
