/**
 * The unit lists in memory (packages/db hierarchy.ts) against the recursive statements they replace (unitScope,
 * placedInTreeUnits), for every unit of a fixture with three levels, the 2025 reform (a new province and ward, an
 * old ward linked in full and one in part, an abolished district) and a date before, on and after the reform.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingUnits, FIXTURE, newUnit, oldUnit, placedInTreeUnits, rootUnit, rows, scratchDatabase, sql, treeUnits, unitId, unitListsChanged, unitScope, type ScratchDatabase } from '@ansinh/db';
import * as tables from '../src/db/schema.js';

let scratch: ScratchDatabase<typeof tables>;
const REFORM = FIXTURE.reform;
const UNITS = [
  oldUnit('01', 1, null, 'province'), oldUnit('001', 2, '01', 'district'), oldUnit('00001', 3, '001', 'ward'), oldUnit('00002', 3, '001', 'ward'),
  oldUnit('002', 2, '01', 'district'), oldUnit('00003', 3, '002', 'ward'),
  oldUnit('02', 1, null, 'province'), oldUnit('003', 2, '02', 'district'), oldUnit('00009', 3, '003', 'ward'),
  newUnit('01', 1, null, 'province'),
  newUnit('10001', 2, '01', 'ward', 'New ward'),
  newUnit('10002', 2, '01', 'ward', 'Other new ward'),
];
const LINKS = [
  { newUnitId: unitId('10001', REFORM), oldUnitId: unitId('00001', null), coverage: 'full' },
  { newUnitId: unitId('10001', REFORM), oldUnitId: unitId('00002', null), coverage: 'partial' },
  { newUnitId: unitId('10002', REFORM), oldUnitId: unitId('00002', null), coverage: 'partial' },
  { newUnitId: unitId('10002', REFORM), oldUnitId: unitId('002', null), coverage: 'full' },
];

beforeAll(async () => {
  scratch = await scratchDatabase(tables, new URL('../drizzle', import.meta.url), 'credit');
  await scratch.db.insert(tables.units).values(UNITS);
  await scratch.db.insert(tables.unitLinks).values(LINKS);
});
afterAll(() => scratch?.close());

const inSql = {
  counting: async (id: string) => (await rows<{ id: string }>(scratch.db, sql`with recursive ${unitScope('credit', id)} select id from scope where how <> 'partial'`)).map((r) => r.id).sort(),
  tree: async (id: string, on: string) => {
    const found = await rows<{ node_id: string; parent_id: string | null; units: string[] }>(scratch.db, sql`
      with recursive ${placedInTreeUnits('credit', id, on)}
      select t.id as node_id, t.parent_id, coalesce((select array_agg(distinct n.id) from node_scope n where n.node_id = t.id), '{}') as units from tree_nodes t`);
    return found.map((r) => ({ id: r.node_id, parentId: r.parent_id, units: [...r.units].sort() })).sort((a, b) => a.id.localeCompare(b.id));
  },
};
const inMemory = {
  tree: async (id: string, on: string) => {
    const t = await treeUnits(scratch.db, 'credit', id, on);
    return t.nodes.map((n) => ({ ...n, units: [...t.units.get(n.id)!].sort() })).sort((a, b) => a.id.localeCompare(b.id));
  },
};

describe('the unit lists in memory give what the recursive statements give', () => {
  it.each([...UNITS.map((u) => u.id), 'nowhere@origin'])('counting units of %s', async (id) => {
    expect(await countingUnits(scratch.db, 'credit', id)).toEqual(await inSql.counting(id));
  });

  it('the counting units of the new ward: itself and the old ward linked in full, not the one linked in part', async () => {
    expect(await countingUnits(scratch.db, 'credit', unitId('10001', REFORM))).toEqual([unitId('00001', null), unitId('10001', REFORM)].sort());
    // an abolished district linked in full rolls up with its wards
    expect(await countingUnits(scratch.db, 'credit', unitId('10002', REFORM))).toEqual([unitId('002', null), unitId('00003', null), unitId('10002', REFORM)].sort());
  });

  it.each(UNITS.flatMap((u) => ['2025-06-30', REFORM, '2025-12-31'].map((on) => [u.id, on] as const)))('the small-cell tree of %s on %s', async (id, on) => {
    expect(await inMemory.tree(id, on)).toEqual(await inSql.tree(id, on));
  });

  it('the root of a ward three levels down is its province; of a unit with no parent, itself', async () => {
    expect(await rootUnit(scratch.db, 'credit', unitId('00003', null))).toBe(unitId('01', null));
    expect(await rootUnit(scratch.db, 'credit', unitId('10001', REFORM))).toBe(unitId('01', REFORM));
    expect(await rootUnit(scratch.db, 'credit', unitId('02', null))).toBe(unitId('02', null));
  });

  it('a unit list written in this process is read afresh at once', async () => {
    const extra = { id: unitId('00004', null), code: '00004', name: 'Old 00004', kind: 'ward', level: 3, parentId: unitId('001', null), validFrom: null, validTo: REFORM };
    const before = await countingUnits(scratch.db, 'credit', unitId('001', null));
    await scratch.db.insert(tables.units).values(extra);
    try {
      // still the lists read before (up to HIERARCHY_CACHE_MS in another process), until this process says so
      expect(await countingUnits(scratch.db, 'credit', unitId('001', null))).toEqual(before);
      unitListsChanged();
      expect(await countingUnits(scratch.db, 'credit', unitId('001', null))).toEqual([...before, extra.id].sort());
    } finally {
      await scratch.db.delete(tables.units).where(sql`id = ${extra.id}`);
      unitListsChanged();
    }
  });
});
