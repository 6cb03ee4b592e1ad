/** Housing's rules on a date against one shared database: the HOUSING gap and the period's figures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, placeInFixtureWard, scratchDatabase, type ScratchDatabase } from '@ansinh/db';
import { unitCandidatesChecksum, unpackFlags } from '@ansinh/server';
import * as tables from '../src/db/schema.js';
import { housingGaps } from '../src/resolvers/gaps.js';
import { housingStatistics } from '../src/resolvers/statistics.js';

const ON = '2025-06-30';
const DAY_AFTER = '2025-07-01';
const W = FIXTURE.ward;
const P = FIXTURE.province;
let scratch: ScratchDatabase<typeof tables>;
const id = (prefix: number, n: number) => `${prefix}0000000-0000-4000-8000-00000000000${n}`;
const [PROPOSED_ON_DATE, PROPOSED_AFTER, NOT_HOUSING, NO_SUPPORT, NOT_POOR] = [1, 2, 3, 4, 5].map((n) => id(0, n)) as [string, string, string, string, string];

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'housing');
  const { db } = scratch;
  await placeInFixtureWard(db, tables, [PROPOSED_ON_DATE, PROPOSED_AFTER, NOT_HOUSING, NO_SUPPORT, NOT_POOR]);
  const review = (householdId: string, status: string, deprivedIndicators: string[]) =>
    ({ householdId, reviewYear: 2024, assessedOn: '2024-11-01', status, deprivedIndicators, persons: 3 });
  await db.insert(tables.registryReviews).values([
    review(PROPOSED_ON_DATE, 'POOR', ['HOUSING_QUALITY']),
    review(PROPOSED_AFTER, 'NEAR_POOR', ['FLOOR_AREA_PER_PERSON']),
    review(NOT_HOUSING, 'POOR', ['EMPLOYMENT']),
    review(NO_SUPPORT, 'POOR', ['HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON']),
    review(NOT_POOR, 'NONE', ['HOUSING_QUALITY']),
  ]);
  await db.insert(tables.programmes).values({ code: 'TEST', name: 'Test programme', kind: 'NATIONAL_TARGET', jurisdiction: null }).onConflictDoNothing();
  const support = (n: number, householdId: string, dates: { proposedOn: string; approvedOn?: string; constructionStartedOn?: string; completedOn?: string; handedOverOn?: string }) => ({
    id: id(1, n), code: `S${n}`, householdId, kind: 'NEW_BUILD', programme: 'TEST', beneficiaryStatus: 'POOR', status: 'PROPOSED', ...dates,
  });
  await db.insert(tables.supports).values([
    support(1, PROPOSED_ON_DATE, { proposedOn: ON }),
    support(2, PROPOSED_AFTER, { proposedOn: DAY_AFTER }),
    // completed on the period's last day: counted; completed the day after: not yet
    support(3, NOT_HOUSING, { proposedOn: '2025-01-01', approvedOn: '2025-02-01', constructionStartedOn: '2025-03-01', completedOn: ON }),
    support(4, NOT_POOR, { proposedOn: '2025-01-01', approvedOn: '2025-02-01', constructionStartedOn: '2025-03-01', completedOn: DAY_AFTER }),
  ]);
});
afterAll(() => scratch?.close());

describe('the HOUSING gap: deprived in housing with no support proposed on or before the date', () => {
  it.each([
    [ON, { [PROPOSED_ON_DATE]: false, [PROPOSED_AFTER]: true, [NOT_HOUSING]: false, [NO_SUPPORT]: true }],
    [DAY_AFTER, { [PROPOSED_ON_DATE]: false, [PROPOSED_AFTER]: false, [NOT_HOUSING]: false, [NO_SUPPORT]: true }],
  ] as const)('on %s', async (on, expected) => {
    const f = await housingGaps(scratch.db, P, on);
    const candidates = [PROPOSED_ON_DATE, PROPOSED_AFTER, NOT_HOUSING, NO_SUPPORT].sort();
    // unit by unit (sorted ids): the province and district hold no candidate, the ward all of them
    expect(f.checksum).toBe(unitCandidatesChecksum([FIXTURE.district, FIXTURE.province, FIXTURE.ward].sort().map((u) => [u, u === W ? candidates : []] as const)));
    const flags = unpackFlags(f);
    expect(Object.fromEntries(candidates.map((c, i) => [c, flags[i]]))).toEqual(expected);
  });
});

describe('housingStatistics over a period', () => {
  it.each([
    [ON, 1, { PROPOSED: 1, APPROVED: 0, UNDER_CONSTRUCTION: 1, COMPLETED: 1, HANDED_OVER: 0 }],
    [DAY_AFTER, 2, { PROPOSED: 2, APPROVED: 0, UNDER_CONSTRUCTION: 0, COMPLETED: 2, HANDED_OVER: 0 }],
  ] as const)('up to %s: %d houses completed', async (to, houses, byStatus) => {
    for (const unit of [W, P]) {
      const s = await housingStatistics(scratch.db, unit, '2025-01-01', to);
      expect(s.houses).toBe(houses);
      expect(Object.fromEntries(s.byStatus.map((r) => [r.status, r.supports]))).toEqual(byStatus);
    }
  });
});
