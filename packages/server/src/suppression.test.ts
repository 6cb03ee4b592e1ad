import { describe, expect, it } from 'vitest';
import { hiddenInTree, isSmall, primary, requireClosedReviewYear, requireClosedYear, SMALL_CELL, suppressGroup, treeOfRows, type Caller, type Hidden } from './index.js';

const ANALYST: Caller = { sub: 'a', role: 'ANALYST', units: [], requestId: 'test', operationName: null };
const OFFICER: Caller = { sub: 'o', role: 'WARD_OFFICER', units: ['27373'], requestId: 'test', operationName: null };

describe('primary suppression: the threshold line', () => {
  it.each([
    [5, false, 5], [4, true, null], [0, true, null], [6, false, 6], [1000, false, 1000], [null, false, null],
  ] as const)('%s households: small %s, published %s', (n, small, published) => {
    expect(isSmall(n)).toBe(small);
    expect(primary(n)).toBe(published);
  });
});

describe('complementary suppression in one group (total, parts)', () => {
  const parts = (values: (number | null)[]) => values.map((value, i) => ({ key: `w${i + 1}`, value }));
  const decide = (total: number | null, values: (number | null)[], totalHidden = false) =>
    Object.fromEntries([...suppressGroup(total, parts(values), totalHidden)].sort(([a], [b]) => a.localeCompare(b)));
  it.each<[string, number | null, (number | null)[], boolean, Record<string, Hidden>]>([
    ['every part at the line or over: nothing withheld', 30, [5, 10, 15], false, {}],
    ['one part one under the line: it, and the smallest other until 4 over the line', 29, [4, 10, 15], false, { w1: 'small', w2: 'complementary' }],
    ['the complement at the line adds no doubt: the next one too', 24, [4, 5, 15], false, { w1: 'small', w2: 'complementary', w3: 'complementary' }],
    ['a complement 4 over the line is enough', 43, [4, 9, 30], false, { w1: 'small', w2: 'complementary' }],
    ['two small parts still need a complement (their sum would be given)', 37, [2, 3, 12, 20], false, { w1: 'small', w2: 'small', w3: 'complementary' }],
    ['ties with the complement go with it (the smallest published would bound it)', 40, [1, 9, 9, 21], false, { w1: 'small', w2: 'complementary', w3: 'complementary' }],
    ['the district minus its wards: a residual of 3 households is a small cell too', 33, [10, 20], false, { w1: 'complementary' }],
    ['a residual of zero reveals nothing', 30, [10, 20], false, {}],
    ['a residual at the line reveals nothing', 35, [10, 20], false, {}],
    ['every part small: all withheld, nothing left to add', 6, [2, 4], false, { w1: 'small', w2: 'small' }],
    ['a zero is withheld, but needs no complement (worked out, it singles nobody out)', 30, [0, 10, 20], false, { w1: 'small' }],
    ['a zero beside a small part: the complement all the same', 33, [0, 3, 10, 20], false, { w1: 'small', w2: 'small', w3: 'complementary' }],
    ['a withheld total withholds every part', 40, [10, 30], true, { w1: 'parent', w2: 'parent' }],
    ['without a total there is no subtraction: primary only', null, [4, 10], false, { w1: 'small' }],
    ['a part with no figure is skipped', 20, [null, 3, 12], false, { w2: 'small', w3: 'complementary' }],
  ])('%s', (_, total, values, totalHidden, expected) => {
    expect(decide(total, values, totalHidden)).toEqual(expected);
  });

  // a part withheld in another group (a ward's group withheld in its district's list) is complemented here too: alone,
  // the unit's total less its other parts would give it back, and with it the small part of the other group
  it.each<[string, number, number[], Record<string, Hidden>, Record<string, Hidden>]>([
    ['a part withheld elsewhere is the only withheld part: the smallest other joins it', 60, [10, 20, 30], { w2: 'complementary' }, { w1: 'complementary', w2: 'complementary' }],
    ['a part withheld elsewhere beside a small part: one complement serves both', 44, [3, 11, 30], { w2: 'complementary' }, { w1: 'small', w2: 'complementary', w3: 'complementary' }],
    ['a zero withheld elsewhere needs nothing', 30, [0, 10, 20], { w1: 'small' }, { w1: 'small' }],
    ['withheld elsewhere as a parent: kept with its reason', 40, [15, 25], { w1: 'parent' }, { w1: 'parent', w2: 'complementary' }],
  ])('%s', (_, total, values, forced, expected) => {
    const hidden = suppressGroup(total, parts(values), false, SMALL_CELL, new Map(Object.entries(forced)));
    expect(Object.fromEntries([...hidden].sort(([a], [b]) => a.localeCompare(b)))).toEqual(expected);
  });

  it('after the rule, the total minus the published parts never pins a small part', () => {
    // brute force over small groups: for every group, every assignment of values consistent with what is published
    // (small parts 0..4, complements >= 5 and no larger than the smallest published part) leaves each small part
    // of 1 to 4 households at least two possible values
    for (const values of [[0, 5, 9], [1, 5, 9], [0, 1, 5, 5], [2, 5, 5], [4, 6, 7, 40], [1, 2, 9, 11], [3, 8, 8, 8]]) {
      const total = values.reduce((s, v) => s + v, 0);
      const hidden = suppressGroup(total, parts(values));
      const withheld = parts(values).filter((p) => hidden.has(p.key));
      const shown = parts(values).filter((p) => !hidden.has(p.key)).map((p) => p.value!);
      const ceiling = shown.length ? Math.min(...shown) : total;
      const sum = withheld.reduce((s, p) => s + p.value!, 0);
      for (const target of withheld.filter((p) => hidden.get(p.key) === 'small' && p.value! > 0)) {
        const possible = new Set<number>();
        const search = (i: number, acc: number, mine: number | null) => {
          if (i === withheld.length) { if (acc === sum && mine !== null) possible.add(mine); return; }
          const small = hidden.get(withheld[i]!.key) === 'small';
          for (let v = small ? 0 : 5; v <= (small ? 4 : ceiling); v++) search(i + 1, acc + v, withheld[i]!.key === target.key ? v : mine);
        };
        search(0, 0, null);
        expect(possible.size, `${values} ${target.key}`).toBeGreaterThan(1);
      }
    }
  });
});

describe('a unit decided in its parent\'s group, wherever it is asked for', () => {
  // a district D of three wards, in a province P with D and a larger district E
  const tree = {
    P: { parent: null, children: ['D', 'E'], n: 140 },
    D: { parent: 'P', children: ['d1', 'd2', 'd3'], n: 40 },
    E: { parent: 'P', children: ['e1', 'e2'], n: 100 },
    d1: { parent: 'D', children: [], n: 3 }, d2: { parent: 'D', children: [], n: 12 }, d3: { parent: 'D', children: [], n: 25 },
    e1: { parent: 'E', children: [], n: 50 }, e2: { parent: 'E', children: [], n: 50 },
  } as Record<string, { parent: string | null; children: string[]; n: number }>;
  const unitTree = {
    parentOf: async (id: string) => tree[id]!.parent,
    childrenOf: async (id: string) => tree[id]!.children,
    figures: async (id: string) => ({ n: tree[id]!.n }),
  };
  it.each([
    ['P', {}], ['D', {}], ['E', {}], ['d1', { n: 'small' }], ['d2', { n: 'complementary' }], ['d3', {}], ['e1', {}],
  ])('%s: %j', async (id, expected) => {
    expect(await hiddenInTree(unitTree, ['n'], id)).toEqual(expected);
  });

  it('a withheld district withholds its wards, so it does not come back as their sum', async () => {
    const small: typeof tree = { ...tree, D: { ...tree.D!, n: 4 }, d1: { ...tree.d1!, n: 1 }, d2: { ...tree.d2!, n: 1 }, d3: { ...tree.d3!, n: 2 }, P: { ...tree.P!, n: 104 } };
    const t2 = { ...unitTree, figures: async (id: string) => ({ n: small[id]!.n }) };
    const memo = new Map();
    expect(await hiddenInTree(t2, ['n'], 'D', memo)).toEqual({ n: 'small' });
    expect(await hiddenInTree(t2, ['n'], 'E', memo)).toEqual({ n: 'complementary' });
    expect(await hiddenInTree(t2, ['n'], 'e1', memo)).toEqual({ n: 'parent' });
  });
});

describe('a report\'s tree from the rows of one statement', () => {
  const found = [
    { node: true, node_id: 'D', parent_id: 'P', m: '', n: 0 }, { node: true, node_id: 'd1', parent_id: 'D', m: '', n: 0 },
    { node: true, node_id: 'd2', parent_id: 'D', m: '', n: 0 }, { node: true, node_id: 'd3', parent_id: 'D', m: '', n: 0 },
    { node: false, node_id: 'D', parent_id: null, m: 'a', n: 40 }, { node: false, node_id: 'd1', parent_id: null, m: 'a', n: 3 },
    { node: false, node_id: 'd2', parent_id: null, m: 'a', n: 12 }, { node: false, node_id: 'd3', parent_id: null, m: 'a', n: 25 },
    { node: false, node_id: 'd3', parent_id: null, m: 'b', n: 7 }, { node: false, node_id: 'D', parent_id: null, m: 'b', n: 7 }, { node: false, node_id: 'x', parent_id: null, m: 'a', n: 99 },
  ];
  const tree = treeOfRows(found, ['a', 'b'], (r) => [[r.m, r.n]]);
  it('the top node has no parent (its parent is outside the rows); children in id order; a measure without a row is 0', async () => {
    expect(await tree.parentOf('D')).toBeNull();
    expect(await tree.parentOf('d2')).toBe('D');
    expect(await tree.childrenOf('D')).toEqual(['d1', 'd2', 'd3']);
    expect(await tree.figures('d1')).toEqual({ a: 3, b: 0 });
    expect(await tree.figures('d3')).toEqual({ a: 25, b: 7 });
  });
  it('decides as the same tree asked unit by unit', async () => {
    expect(await hiddenInTree(tree, ['a', 'b'], 'd1')).toEqual({ a: 'small', b: 'small' });
    expect(await hiddenInTree(tree, ['a', 'b'], 'd2')).toEqual({ a: 'complementary', b: 'small' });
    expect(await hiddenInTree(tree, ['a', 'b'], 'd3')).toEqual({});
  });
});

describe('periods an analyst may ask for', () => {
  const today = '2026-12-02';
  it.each<[string, string | null, string | null]>([
    ['2025-12-31', '2025-01-01', null],
    ['2025-12-31', null, null],
    ['2024-12-31', '2024-01-01', null],
    ['2025-12-30', '2025-01-01', 'last day of a calendar year'],
    ['2025-06-30', '2025-01-01', 'last day of a calendar year'],
    ['2025-12-31', '2025-01-02', 'first day of the year'],
    ['2025-12-31', '2024-01-01', 'first day of the year'],
    ['2026-12-31', '2026-01-01', 'a year that is over'],
  ])('to %s from %s: %s', (to, from, refused) => {
    const check = () => requireClosedYear(ANALYST, today, { name: 'to', value: to }, { name: 'from', value: from });
    if (refused) expect(check).toThrow(refused); else expect(check).not.toThrow();
    expect(() => requireClosedYear(OFFICER, today, { name: 'to', value: to }, { name: 'from', value: from })).not.toThrow();
  });
  it.each([[2025, false], [2021, false], [2026, true], [2027, true]])('review year %s refused: %s', (year, refused) => {
    const check = () => requireClosedReviewYear(ANALYST, today, year);
    if (refused) expect(check).toThrow(/review year that is over/); else expect(check).not.toThrow();
  });
});
