import { describe, expect, it } from 'vitest';
import { toIsoDate, toVnd } from './index.js';

describe('VND', () => {
  it.each([
    [0, 0], [1_500_000, 1_500_000], [12n, 12], ['2000000', 2_000_000], [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('accepts %s', (input, expected) => expect(toVnd(input)).toBe(expected));
  it.each([[1.5, 'whole'], [-1, 'negative'], [2 ** 53, 'too large'], ['12abc', 'whole'], [9007199254740993n, 'too large']])(
    'rejects %s', (input, msg) => expect(() => toVnd(input)).toThrow(msg));
});

describe('Date', () => {
  it('accepts calendar dates', () => expect(toIsoDate('2024-02-29')).toBe('2024-02-29'));
  it.each(['2023-02-29', '2022-13-01', '22-01-01', '2022-1-1'])('rejects %s', (d) => expect(() => toIsoDate(d)).toThrow());
});
