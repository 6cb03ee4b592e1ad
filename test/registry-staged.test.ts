/**
 * The import hands the registry's facts to the programme subgraphs set-based (publishStagedRegistry: the extract
 * computed in SQL into temporary tables, copied by INSERT … SELECT). It must give every follower exactly what the
 * per-write path (registryExtract, used by mutations) gives: for a household that moved twice (three placements,
 * the last in its unit now), one that never moved, and a review year with two assessments (the later one counts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rows, sql, type Db } from '@ansinh/db';
import { publishStagedRegistry, registryExtract } from '@ansinh/households';
import { importDbs } from '@ansinh/gateway';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

class Done extends Error {}

it('the staged registry copy equals the per-household extract, moves and repeated reviews included', async () => {
  const dbs = importDbs(t.system.services);
  const db = dbs.households as Db<any>;
  const [moved, still] = await rows<{ id: string; unitId: string }>(db, sql`
    select id, unit_id as "unitId" from households.households h
    where exists (select 1 from households.assessments a where a.household_id = h.id)
      and not exists (select 1 from households.household_unit_changes c where c.household_id = h.id)
    order by code limit 2`);
  expect(moved && still).toBeTruthy();
  const [other] = await rows<{ id: string }>(db, sql`select id from households.units where kind = 'ward' and id <> ${moved!.unitId} order by id limit 1`);
  let staged: Record<string, unknown[]> = {};
  let expected: Awaited<ReturnType<typeof registryExtract>> | undefined;
  await db.transaction(async (tx) => {
    // two moves: away on 2024-03-01, back to a third unit on 2024-09-01, the household's unit now having the last word
    await tx.execute(sql`insert into households.household_unit_changes (household_id, from_unit_id, to_unit_id, effective_on, recorded_by) values
      (${moved!.id}, ${moved!.unitId}, ${other!.id}, '2024-03-01', 'test'), (${moved!.id}, ${other!.id}, ${other!.id}, '2024-09-01', 'test')`);
    await tx.execute(sql`insert into households.assessments (household_id, review_year, kind, assessed_on, standard_code, income_per_capita, income_period, deprived_indicators, status, recorded_by, unit_id, persons)
      select household_id, review_year, 'REGULAR', assessed_on + 1, standard_code, income_per_capita, income_period, deprived_indicators, status, 'test', unit_id, persons + 1
      from households.assessments where household_id = ${still!.id} order by assessed_on desc limit 1`);
    const ids = [moved!.id, still!.id];
    expected = await registryExtract(tx as never, ids);
    await publishStagedRegistry(tx as never, dbs.followers!, async (table) => {
      await tx.execute(sql`insert into ${sql.raw(table)} (id) select unnest(${sql.raw(`array['${ids.join("','")}']::uuid[]`)})`);
    });
    for (const s of ['credit', 'health', 'housing']) {
      const list = sql.raw(`array['${ids.join("','")}']::uuid[]`);
      staged[s] = [
        await rows(tx, sql`select id, unit_id as "unitId" from ${sql.raw(`${s}.registry_households`)} where id = any(${list}) order by id`),
        await rows(tx, sql`select household_id as "householdId", unit_id as "unitId", valid_from::text as "validFrom", valid_to::text as "validTo" from ${sql.raw(`${s}.registry_placements`)} where household_id = any(${list}) order by household_id, valid_from nulls first`),
        await rows(tx, sql`select id, household_id as "householdId" from ${sql.raw(`${s}.registry_members`)} where household_id = any(${list}) order by id`),
        await rows(tx, sql`select household_id as "householdId", review_year::int as "reviewYear", assessed_on::text as "assessedOn", status, deprived_indicators as "deprivedIndicators", persons::int as persons from ${sql.raw(`${s}.registry_reviews`)} where household_id = any(${list}) order by household_id, review_year`),
      ];
    }
    throw new Done(); // leaves the shared test database as it was
  }).catch((e) => { if (!(e instanceof Done)) throw e; });
  const sort = <T>(list: T[], key: (x: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
  const e = expected!;
  const want = [
    sort(e.households, (h) => h.id),
    sort(e.placements, (p) => `${p.householdId} ${p.validFrom ?? ''}`),
    sort(e.members, (m) => m.id),
    sort(e.reviews, (r) => `${r.householdId} ${r.reviewYear}`),
  ];
  expect(e.placements.filter((p) => p.householdId === moved!.id)).toEqual([
    { householdId: moved!.id, unitId: moved!.unitId, validFrom: null, validTo: '2024-03-01' },
    { householdId: moved!.id, unitId: other!.id, validFrom: '2024-03-01', validTo: '2024-09-01' },
    { householdId: moved!.id, unitId: moved!.unitId, validFrom: '2024-09-01', validTo: null },
  ]);
  for (const s of ['credit', 'health', 'housing']) expect(staged[s], s).toEqual(want);
});
