/** The `area` of a household's programme records: the unit ids of its ward and of every unit above it. */
import type { DemoData } from './index.js';

export function householdAreas(data: Pick<DemoData, 'units' | 'households'>): Map<string, string[]> {
  const parent = new Map(data.units.map((u) => [u.id, u.parentId]));
  const areaOfUnit = new Map<string, string[]>();
  const ancestry = (unitId: string): string[] => {
    let area = areaOfUnit.get(unitId);
    if (!area) {
      area = [];
      for (let id: string | null | undefined = unitId; id; id = parent.get(id)) area.unshift(id);
      areaOfUnit.set(unitId, area);
    }
    return area;
  };
  return new Map(data.households.map((h) => [h.id, ancestry(h.unitId)]));
}
