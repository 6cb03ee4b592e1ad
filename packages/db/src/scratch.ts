/**
 * A subgraph's schema alone in an in-memory PGlite, migrated and empty: what the domain tests beside each subgraph
 * (subgraphs/<name>/test) run their SQL rules against, with a fixture of a few hand-written rows. No HTTP, no
 * gateway, no demo data: a file opens one and shares it between its cases.
 */
import { fileURLToPath } from 'node:url';
import { connect, database, migrate, type Connection, type Db } from './index.js';
import { registryTables } from './registry.js';
import { installSummaryTriggers, type SummarySource } from './summaries.js';
import { unitId, unitTables, type UnitRow } from './units.js';

export interface ScratchDatabase<T extends Record<string, unknown>> { db: Db<T>; connection: Connection; close(): Promise<void> }

export async function scratchDatabase<T extends Record<string, unknown>>(tables: T, migrations: URL, pgSchema: string): Promise<ScratchDatabase<T>> {
  const connection = await connect();
  const db = database(connection, tables);
  await migrate(connection, db, fileURLToPath(migrations), pgSchema);
  // the triggers that keep report summaries current (summaries.ts), as a subgraph's start installs them
  if (Array.isArray(tables.summarySources)) await installSummaryTriggers(db, pgSchema, tables.summarySources as SummarySource[]);
  return { db, connection, close: () => connection.close() };
}

/** The units of a fixture: a province, its district and its ward (three levels), all before the 2025 reform. */
export const FIXTURE = { province: unitId('01', null), district: unitId('001', null), ward: unitId('00001', null), reform: '2025-07-01' } as const;

export function fixtureUnits(): UnitRow[] {
  const unit = (id: string, code: string, kind: string, level: number, parentId: string | null): UnitRow =>
    ({ id, code, name: `${kind} ${code}`, kind, level, parentId, validFrom: null, validTo: FIXTURE.reform });
  return [
    unit(FIXTURE.province, '01', 'province', 1, null),
    unit(FIXTURE.district, '001', 'district', 2, FIXTURE.province),
    unit(FIXTURE.ward, '00001', 'ward', 3, FIXTURE.district),
  ];
}

/** A fixture's unit in force before the 2025 reform (`<code>@origin`, ended on FIXTURE.reform), under `parent`'s code. */
export const oldUnit = (code: string, level: number, parent: string | null, kind: string): UnitRow =>
  ({ id: unitId(code, null), code, name: `Old ${code}`, kind, level, parentId: parent && unitId(parent, null), validFrom: null, validTo: FIXTURE.reform });

/** A fixture's unit made by the 2025 reform (`<code>@2025-07-01`), under the new unit with `parent`'s code. */
export const newUnit = (code: string, level: number, parent: string | null, kind: string, name = `New ${code}`): UnitRow =>
  ({ id: unitId(code, FIXTURE.reform), code, name, kind, level, parentId: parent && unitId(parent, FIXTURE.reform), validFrom: FIXTURE.reform, validTo: null });

type FixtureTables = Pick<ReturnType<typeof unitTables>, 'units'> & Pick<ReturnType<typeof registryTables>, 'registryHouseholds' | 'registryPlacements'>;

/** A programme subgraph's fixture: the three units, and households placed in the ward for all time (its registry copy). */
export async function placeInFixtureWard(db: Db<any>, tables: FixtureTables, ids: readonly string[]): Promise<void> {
  await db.insert(tables.units).values(fixtureUnits());
  if (!ids.length) return;
  await db.insert(tables.registryHouseholds).values(ids.map((id) => ({ id, unitId: FIXTURE.ward })));
  await db.insert(tables.registryPlacements).values(ids.map((householdId) => ({ householdId, unitId: FIXTURE.ward, validFrom: null, validTo: null })));
}
