/** The review-year rules as plain functions: the latest review of a year, transitions, the 36-month support window. */
import { describe, expect, it } from 'vitest';
import { statusHistory, transitions, windowEnd, SUPPORT_MONTHS } from '../src/domain/transitions.js';

describe('windowEnd(): the last day of a window of months', () => {
  it.each([
    ['2022-11-10', 36, '2025-11-09'],
    ['2022-01-01', 36, '2024-12-31'],
    ['2023-01-31', 1, '2023-02-27'],
    ['2023-01-31', 36, '2026-01-30'],
    ['2024-02-29', 36, '2027-02-27'],
    ['2024-02-29', 48, '2028-02-28'],
    ['2024-12-15', 1, '2025-01-14'],
  ])('%s + %d months → %s', (from, months, expected) => expect(windowEnd(from, months)).toBe(expected));
  it('support lasts 36 months', () => expect(SUPPORT_MONTHS).toBe(36));
});

const a = (id: string, reviewYear: number, assessedOn: string, status = 'POOR') => ({ id, reviewYear, assessedOn, status });

describe('statusHistory(): the latest review of each year', () => {
  it.each([
    ['two reviews in one year: the later date wins, whatever the order given', [a('b', 2024, '2024-10-01', 'NEAR_POOR'), a('a', 2024, '2024-03-01', 'POOR')], ['b']],
    ['the same, given in date order', [a('a', 2024, '2024-03-01', 'POOR'), a('b', 2024, '2024-10-01', 'NEAR_POOR')], ['b']],
    ['the same date: the larger id wins', [a('b', 2024, '2024-10-01'), a('c', 2024, '2024-10-01'), a('a', 2024, '2024-10-01')], ['c']],
    ['one per year, oldest year first', [a('x', 2025, '2025-11-01'), a('y', 2023, '2023-11-01'), a('z', 2024, '2024-11-01')], ['y', 'z', 'x']],
    ['a review of the year assessed early in the next year still belongs to its year', [a('p', 2024, '2025-01-10'), a('q', 2025, '2025-11-01')], ['p', 'q']],
  ])('%s', (_, given, ids) => expect(statusHistory(given).map((h) => h.id)).toEqual(ids));
});

const h = (...statuses: string[]) => statuses.map((status, i) => ({ reviewYear: 2020 + i, status, assessedOn: `${2020 + i}-11-10` }));

describe('transitions(): consecutive review years', () => {
  it.each([
    [['POOR'], ['NEWLY_POOR@2020']],
    [['NONE', 'POOR'], ['NEWLY_POOR@2021']],
    [['POOR', 'POOR'], ['NEWLY_POOR@2020']],
    [['POOR', 'NEAR_POOR'], ['NEWLY_POOR@2020', 'ESCAPED_POVERTY@2021']],
    [['POOR', 'NONE', 'POOR'], ['NEWLY_POOR@2020', 'ESCAPED_POVERTY@2021', 'RELAPSED_POOR@2022']],
    [['NEAR_POOR', 'NONE', 'NEAR_POOR'], ['NEWLY_NEAR_POOR@2020', 'ESCAPED_NEAR_POVERTY@2021', 'RELAPSED_NEAR_POOR@2022']],
    // poor → near-poor is an escape from poverty, not a new near-poor household
    [['POOR', 'NEAR_POOR', 'AVERAGE_LIVING_STANDARD'], ['NEWLY_POOR@2020', 'ESCAPED_POVERTY@2021', 'ESCAPED_NEAR_POVERTY@2022']],
    [['NEAR_POOR', 'POOR'], ['NEWLY_NEAR_POOR@2020', 'NEWLY_POOR@2021']],
    [['NONE', 'AVERAGE_LIVING_STANDARD'], []],
  ])('%j → %j', (statuses, expected) => {
    expect(transitions(h(...statuses)).map((t) => `${t.kind}@${t.year}`)).toEqual(expected);
  });

  it('an escape opens 36 months of support from the review that recorded it; nothing else does', () => {
    const t = transitions([
      { reviewYear: 2022, status: 'POOR', assessedOn: '2022-11-10' },
      { reviewYear: 2023, status: 'NONE', assessedOn: '2023-11-10' },
    ]);
    expect(t.map((x) => [x.kind, x.supportEndsOn])).toEqual([['NEWLY_POOR', null], ['ESCAPED_POVERTY', '2026-11-09']]);
  });
});
