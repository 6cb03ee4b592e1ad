/**
 * Which units' records count for a unit, through the 2025 crosswalk:
 *  - direct: the unit and every unit below it;
 *  - rolled up: old units linked in FULL to any of those (and the units below them): their records count;
 *  - partial: old units linked only in PART to any of those: their households wait to be re-assigned one by one.
 */
import { sql } from 'drizzle-orm';
import { rows } from '@ansinh/db';
import type { HouseholdsDb } from '../context.js';

export interface AreaSets { direct: string[]; rolledUp: string[]; partial: string[] }

export async function areaSets(db: HouseholdsDb, unitId: string): Promise<AreaSets> {
  const found = await rows<{ id: string; how: 'direct' | 'full' | 'partial' }>(db, sql`
    with recursive direct(id) as (
      select id from households.units where id = ${unitId}
      union select u.id from households.units u join direct d on u.parent_id = d.id
    ),
    full_roots as (
      select l.old_unit_id as id from households.unit_links l join direct d on l.new_unit_id = d.id where l.coverage = 'full'
    ),
    rolled(id) as (
      select id from full_roots
      union select u.id from households.units u join rolled r on u.parent_id = r.id
    ),
    partial as (
      select distinct l.old_unit_id as id from households.unit_links l join direct d on l.new_unit_id = d.id where l.coverage = 'partial'
    )
    select id, 'direct' as how from direct
    union all select id, 'full' from rolled where id not in (select id from direct)
    union all select id, 'partial' from partial where id not in (select id from direct) and id not in (select id from rolled)`);
  return {
    direct: found.filter((r) => r.how === 'direct').map((r) => r.id),
    rolledUp: found.filter((r) => r.how === 'full').map((r) => r.id),
    partial: found.filter((r) => r.how === 'partial').map((r) => r.id),
  };
}
