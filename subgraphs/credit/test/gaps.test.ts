/**
 * The support-gap rules (packages/server/src/gaps.ts GAP_RULES) as credit applies them: one household's own gaps
 * on a date (a plain function of its representation and loans) and an area's counts (SQL on this subgraph's copy
 * of the registry, with the flags health and housing send).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, placeInFixtureWard, scratchDatabase, type ScratchDatabase } from '@ansinh/db';
import { packFlags, unitCandidatesChecksum } from '@ansinh/server';
import * as tables from '../src/db/schema.js';
import type { HouseholdRef } from '../src/context.js';
import { gapCounts, householdGaps } from '../src/resolvers/gaps.js';
import type { LoanModel } from '../src/db/schema.js';

const ON = '2025-06-30';
const DAY_AFTER = '2025-07-01';
const DAY_BEFORE = '2025-06-29';

const loan = (programme: string, disbursedOn: string): LoanModel => ({
  id: 'l', code: 'L', householdId: 'h', borrowerMemberId: 'm', programme, lender: 'VBSP', savingsGroupId: null, entrustingOrganisation: null,
  principal: 1, outstanding: 1, overdue: 0, overdueSince: null, disbursedOn, maturityOn: null, status: 'ACTIVE',
});
const household = (over: Partial<HouseholdRef> = {}): HouseholdRef => ({
  id: 'h', currentStatus: { status: 'POOR', deprivedIndicators: [] }, members: [], housingSupports: [], ...over,
});
const card = (validFrom: string, validTo: string) => ({ validFrom, validTo });
const gapsOf = (h: HouseholdRef, loans: LoanModel[] = []) => householdGaps(h, loans, ON).map((g) => `${g.kind}:${g.deprivation}${g.member ? `:${g.member.id}` : ''}`);

describe('householdGaps(): one household on a date', () => {
  it.each([
    ['a card ending on the date covers the member', [card('2024-07-01', ON)], []],
    ['a card starting on the date covers the member', [card(ON, '2026-06-30')], []],
    ['a card starting the day after leaves a gap', [card(DAY_AFTER, '2026-06-30')], ['HEALTH_INSURANCE:HEALTH_INSURANCE:m1']],
    ['a card that ended the day before leaves a gap', [card('2024-06-30', DAY_BEFORE)], ['HEALTH_INSURANCE:HEALTH_INSURANCE:m1']],
    ['no card at all', [], ['HEALTH_INSURANCE:HEALTH_INSURANCE:m1']],
  ])('%s', (_, cards, expected) => {
    expect(gapsOf(household({ members: [{ id: 'm1', insuranceCards: cards }] }))).toEqual(expected);
  });

  it.each([
    ['a clean-water loan disbursed on the date closes the gap', ['DOMESTIC_WATER'], [loan('CLEAN_WATER_SANITATION', ON)], []],
    ['one disbursed the day after does not', ['DOMESTIC_WATER'], [loan('CLEAN_WATER_SANITATION', DAY_AFTER)], ['CLEAN_WATER_SANITATION:DOMESTIC_WATER']],
    ['both deprivations of the kind are listed', ['DOMESTIC_WATER', 'HYGIENIC_LATRINE'], [], ['CLEAN_WATER_SANITATION:DOMESTIC_WATER', 'CLEAN_WATER_SANITATION:HYGIENIC_LATRINE']],
    ['a loan of another programme does not close it', ['HYGIENIC_LATRINE'], [loan('JOB_CREATION', DAY_BEFORE)], ['CLEAN_WATER_SANITATION:HYGIENIC_LATRINE']],
    ['a job-creation loan disbursed on the date closes the employment gap', ['EMPLOYMENT'], [loan('JOB_CREATION', ON)], []],
    ['one disbursed the day after does not', ['EMPLOYMENT'], [loan('JOB_CREATION', DAY_AFTER)], ['EMPLOYMENT:EMPLOYMENT']],
    ['an indicator no programme addresses is no gap', ['NUTRITION', 'TELECOM_SERVICES'], [], []],
  ])('%s', (_, deprived, loans, expected) => {
    expect(gapsOf(household({ currentStatus: { status: 'NEAR_POOR', deprivedIndicators: deprived } }), loans)).toEqual(expected);
  });

  it.each([
    ['housing support proposed on the date closes the housing gap', [{ proposedOn: ON }], []],
    ['proposed the day after does not', [{ proposedOn: DAY_AFTER }], ['HOUSING:HOUSING_QUALITY', 'HOUSING:FLOOR_AREA_PER_PERSON']],
  ])('%s', (_, housingSupports, expected) => {
    expect(gapsOf(household({ currentStatus: { status: 'POOR', deprivedIndicators: ['HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON'] }, housingSupports }))).toEqual(expected);
  });

  it.each(['AVERAGE_LIVING_STANDARD', 'NONE'])('a %s household has no gaps', (status) => {
    expect(gapsOf(household({ currentStatus: { status, deprivedIndicators: ['EMPLOYMENT'] }, members: [{ id: 'm1', insuranceCards: [] }] }))).toEqual([]);
  });

  it('refuses a representation without what it @requires', () => {
    expect(() => householdGaps({ id: 'h' }, [], ON)).toThrow(/@requires/);
  });
});

// the area's counts: five households in one ward of a province (three levels), on ON
let scratch: ScratchDatabase<typeof tables>;
const W = FIXTURE.ward;
const hh = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const [A, B, C, D, E] = [1, 2, 3, 4, 5].map(hh) as [string, string, string, string, string];

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'credit');
  const { db } = scratch;
  await placeInFixtureWard(db, tables, [A, B, C, D, E]);
  const review = (householdId: string, reviewYear: number, assessedOn: string, status: string, deprivedIndicators: string[]) =>
    ({ householdId, reviewYear, assessedOn, status, deprivedIndicators, persons: 3 });
  await db.insert(tables.registryReviews).values([
    review(A, 2024, '2024-11-01', 'POOR', ['DOMESTIC_WATER', 'EMPLOYMENT']),
    // reviewed on the report date itself: its review counts
    review(B, 2024, ON, 'NEAR_POOR', ['HYGIENIC_LATRINE']),
    review(C, 2024, '2024-11-01', 'NONE', ['EMPLOYMENT']),
    // its 2024 review comes the day after the date: on the date its latest review is 2023's
    review(D, 2023, '2023-11-01', 'POOR', ['EMPLOYMENT']),
    review(D, 2024, DAY_AFTER, 'NONE', []),
    // its latest review on the date (2024) is no longer poor, whatever 2023 said
    review(E, 2023, '2023-11-01', 'POOR', ['EMPLOYMENT']),
    review(E, 2024, '2024-11-01', 'AVERAGE_LIVING_STANDARD', ['EMPLOYMENT']),
  ]);
  await db.insert(tables.lenders).values({ code: 'VBSP', name: 'NHCSXH', kind: 'POLICY_BANK' }).onConflictDoNothing();
  const l = (n: number, householdId: string, programme: string, disbursedOn: string) => ({
    id: `20000000-0000-4000-8000-00000000000${n}`, code: `L${n}`, householdId, borrowerMemberId: householdId, programme, lender: 'VBSP',
    principal: 1_000_000, outstanding: 1_000_000, disbursedOn, status: 'ACTIVE',
  });
  await db.insert(tables.loans).values([
    l(1, A, 'CLEAN_WATER_SANITATION', ON),
    l(2, A, 'JOB_CREATION', DAY_AFTER),
  ]);
});
afterAll(() => scratch?.close());

describe('gapCounts(): an area on a date', () => {
  // flags come unit by unit over the asked unit's counting units (sorted ids): every candidate is in the ward
  const below: Record<string, string[]> = { [FIXTURE.province]: [FIXTURE.province, FIXTURE.district, W], [FIXTURE.district]: [FIXTURE.district, W], [W]: [W] };
  const checksum = (unit: string, ids: string[]) => unitCandidatesChecksum([...below[unit]!].sort().map((u) => [u, u === W ? ids : []] as const));
  const flags = (bits: string, unit = FIXTURE.province) => packFlags(bits, checksum(unit, [A, B, D]));

  it('counts the candidates whose latest review on the date is poor or near-poor, and each kind once per household', async () => {
    const counts = await gapCounts(scratch.db, { unitId: FIXTURE.province, on: ON, healthGaps: flags('010'), housingGaps: flags('100') });
    expect(counts.households).toBe(3);
    expect(counts.withGaps).toBe(3);
    expect(Object.fromEntries(counts.byKind.map((k) => [k.kind, k.households]))).toEqual({
      // A: job-creation loan only the day after; D: poor on the date, no loan
      EMPLOYMENT: 2,
      // B: latrine, no loan; A's clean-water loan on the date closes A's
      CLEAN_WATER_SANITATION: 1,
      HEALTH_INSURANCE: 1,
      HOUSING: 1,
    });
  });

  it('the same at the ward itself and at the district: three levels roll up the same', async () => {
    for (const unit of [W, FIXTURE.district]) {
      const counts = await gapCounts(scratch.db, { unitId: unit, on: ON, healthGaps: flags('000', unit), housingGaps: flags('000', unit) });
      expect([unit, counts.households, counts.withGaps]).toEqual([unit, 3, 3]);
    }
  });

  it('refuses flags counted over another list of households', async () => {
    const other = packFlags('00', checksum(W, [A, B]));
    await expect(gapCounts(scratch.db, { unitId: W, on: ON, healthGaps: other, housingGaps: flags('000', W) })).rejects.toThrow(/another list/);
  });
});
