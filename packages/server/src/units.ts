/**
 * Loading administrative units: the national lists and the crosswalk of a reform (data/admin-units/, shipped in
 * the repository), and any other units a dataset brings (a city's earlier ward lists). One loader for every
 * subgraph: each writes the same rows into its own `units` and `unit_links` tables (packages/db/src/units.ts).
 *
 * Files of a reform, found by name in a folder: units-before-<date>.csv, units-from-<date>.csv, crosswalk-<date>.csv.
 * A unit of the "before" list is `<code>@origin`, valid until <date>; a unit of the "from" list is `<code>@<date>`.
 * Idempotent: rows already as in the files are left alone; the report says what was added, changed, closed and
 * removed. All or nothing (one transaction).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { bulkInsert, rows, sql, unitId, type Db, type UnitLinkRow, type UnitRow, type unitTables } from '@ansinh/db';
import { cell, CSV_OPTIONS, emptyCounts, firstOfKey, readRows, type Column, type CsvRecord, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row } from './import.js';
import { unitsChanged } from './area.js';

export type UnitTables = ReturnType<typeof unitTables>;

/** The reference data shipped in the repository (ANSINH_REFERENCE_DIR overrides it, e.g. in a container). */
export function referenceDir(): string {
  return process.env.ANSINH_REFERENCE_DIR ?? fileURLToPath(new URL('../../../data', import.meta.url));
}

export const nationalUnitsDir = () => join(referenceDir(), 'admin-units');

export interface UnitsReport {
  reformDate: string | null;
  units: { inFiles: number; added: number; changed: number; closed: number; unchanged: number };
  links: { inFiles: number; added: number; changed: number; removed: number; unchanged: number };
}

export class UnitFileError extends Error {}

const KINDS = new Set(['city', 'province', 'urban_district', 'rural_district', 'town', 'ward', 'commune', 'township', 'special_zone']);

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
}

/** The three files of a reform in a folder, found by name. */
export function findUnitFiles(dir: string): { reformDate: string; before: string; after: string; crosswalk: string } {
  const names = readdirSync(dir);
  const dates = names.map((n) => /^units-from-(\d{4}-\d{2}-\d{2})\.csv$/.exec(n)?.[1]).filter((d): d is string => !!d);
  if (dates.length !== 1) throw new UnitFileError(`${dir}: expected one units-from-<date>.csv, found ${dates.length}`);
  const reformDate = dates[0]!;
  const need = (name: string) => {
    if (!names.includes(name)) throw new UnitFileError(`${dir}: ${name} is missing`);
    return join(dir, name);
  };
  return { reformDate, before: need(`units-before-${reformDate}.csv`), after: need(`units-from-${reformDate}.csv`), crosswalk: need(`crosswalk-${reformDate}.csv`) };
}

function unitsOf(file: string, validFrom: string | null, validTo: string | null): UnitRow[] {
  const found = readCsv(file);
  const codes = new Set(found.map((r) => r.code));
  const seen = new Set<string>();
  return found.map((r, i) => {
    const where = `${file}, row ${i + 2}`;
    if (!r.code || !/^\d{2,5}$/.test(r.code)) throw new UnitFileError(`${where}: bad code "${r.code ?? ''}"`);
    if (seen.has(r.code)) throw new UnitFileError(`${where}: code ${r.code} appears twice`);
    seen.add(r.code);
    if (!r.name) throw new UnitFileError(`${where}: the name is empty`);
    if (!KINDS.has(r.kind ?? '')) throw new UnitFileError(`${where}: unknown kind "${r.kind ?? ''}"`);
    const level = Number(r.level);
    if (![1, 2, 3].includes(level)) throw new UnitFileError(`${where}: bad level "${r.level ?? ''}"`);
    const parent = r.parent_code || null;
    if (parent && !codes.has(parent)) throw new UnitFileError(`${where}: parent ${parent} is not in the file`);
    return { id: unitId(r.code, validFrom), code: r.code, name: r.name.normalize('NFC'), kind: r.kind!, level, parentId: parent ? unitId(parent, validFrom) : null, validFrom, validTo };
  });
}

export interface UnitSet { reformDate: string | null; units: UnitRow[]; links: UnitLinkRow[] }

/** Reads and checks a reform's files; throws UnitFileError naming the file and row. */
export function readUnitFiles(dir: string): UnitSet {
  const files = findUnitFiles(dir);
  const date = files.reformDate;
  const units = [...unitsOf(files.before, null, date), ...unitsOf(files.after, date, null)];
  const ids = new Set(units.map((u) => u.id));
  const links = readCsv(files.crosswalk).map((r, i) => {
    const where = `${files.crosswalk}, row ${i + 2}`;
    const link = { newUnitId: unitId(r.new_code ?? '', date), oldUnitId: unitId(r.old_code ?? '', null), coverage: r.coverage ?? '' };
    if (!ids.has(link.newUnitId)) throw new UnitFileError(`${where}: new unit ${r.new_code} is not in units-from-${date}.csv`);
    if (!ids.has(link.oldUnitId)) throw new UnitFileError(`${where}: old unit ${r.old_code} is not in units-before-${date}.csv`);
    if (link.coverage !== 'full' && link.coverage !== 'partial') throw new UnitFileError(`${where}: coverage must be full or partial, got "${link.coverage}"`);
    return link;
  });
  return { reformDate: date, units, links };
}

const same = (a: UnitRow, b: UnitRow) => a.name === b.name && a.kind === b.kind && a.level === b.level && a.parentId === b.parentId
  && a.validFrom === b.validFrom && a.validTo === b.validTo;

/**
 * Writes units and links into one subgraph's tables (inside `db`'s transaction if it is one). Units are upserted by
 * id; links by (new, old); links of the reform's new units that the set no longer lists are removed.
 */
export async function upsertUnits(db: Db<any>, tables: UnitTables, set: UnitSet): Promise<UnitsReport> {
  // the areas cached from the old lists are computed afresh (area.ts)
  unitsChanged();
  const { units, unitLinks } = tables;
  const existing = new Map((await db.select().from(units)).map((u) => [u.id, u as UnitRow]));
  const added: UnitRow[] = [];
  const changed: UnitRow[] = [];
  let closed = 0;
  for (const u of set.units) {
    const old = existing.get(u.id);
    if (!old) added.push(u);
    else if (!same(old, u)) {
      changed.push(u);
      if (old.validTo === null && u.validTo !== null && old.name === u.name && old.parentId === u.parentId) closed += 1;
    }
  }
  await bulkInsert(db, units, added);
  const target = sql.raw(`"${tableSchema(tables)}"."units"`);
  for (let i = 0; i < changed.length; i += 2000) {
    await db.execute(sql`
      update ${target} u set name = v.name, kind = v.kind, level = v.level, parent_id = v.parent_id, valid_from = v.valid_from, valid_to = v.valid_to
      from json_to_recordset(${JSON.stringify(changed.slice(i, i + 2000).map((c) => ({ id: c.id, name: c.name, kind: c.kind, level: c.level, parent_id: c.parentId, valid_from: c.validFrom, valid_to: c.validTo })))}::json)
        as v(id text, name text, kind text, level smallint, parent_id text, valid_from date, valid_to date)
      where u.id = v.id`);
  }

  const key = (l: UnitLinkRow) => `${l.newUnitId}|${l.oldUnitId}`;
  const existingLinks = new Map((await db.select().from(unitLinks)).map((l) => [key(l), l as UnitLinkRow]));
  const wanted = new Map(set.links.map((l) => [key(l), l]));
  const newIds = new Set(set.reformDate ? set.units.filter((u) => u.validFrom === set.reformDate).map((u) => u.id) : []);
  const addLinks = set.links.filter((l) => !existingLinks.has(key(l)));
  const changeLinks = set.links.filter((l) => { const o = existingLinks.get(key(l)); return o && o.coverage !== l.coverage; });
  const removeLinks = [...existingLinks.values()].filter((l) => newIds.has(l.newUnitId) && !wanted.has(key(l)));
  await bulkInsert(db, unitLinks, addLinks);
  const links = sql.raw(`"${tableSchema(tables)}"."unit_links"`);
  for (const l of changeLinks) await db.execute(sql`update ${links} set coverage = ${l.coverage} where new_unit_id = ${l.newUnitId} and old_unit_id = ${l.oldUnitId}`);
  for (const l of removeLinks) await db.execute(sql`delete from ${links} where new_unit_id = ${l.newUnitId} and old_unit_id = ${l.oldUnitId}`);
  return {
    reformDate: set.reformDate,
    units: { inFiles: set.units.length, added: added.length, changed: changed.length - closed, closed, unchanged: set.units.length - added.length - changed.length },
    links: { inFiles: set.links.length, added: addLinks.length, changed: changeLinks.length, removed: removeLinks.length, unchanged: set.links.length - addLinks.length - changeLinks.length },
  };
}

function tableSchema(tables: UnitTables): string {
  return getTableConfig(tables.units).schema ?? 'public';
}

/** Whether a subgraph's units table is empty (a new database: load the national lists). */
export async function hasNoUnits(db: Db<any>, tables: UnitTables): Promise<boolean> {
  const target = sql.raw(`"${tableSchema(tables)}"."units"`);
  return (await rows<{ n: number }>(db, sql`select count(*)::int as n from (select 1 from ${target} limit 1) x`))[0]!.n === 0;
}

/** Loads the national lists shipped in the repository into one subgraph, in one transaction. */
export async function loadNationalUnits(db: Db<any>, tables: UnitTables, dir = nationalUnitsDir()): Promise<UnitsReport> {
  const set = readUnitFiles(dir);
  return db.transaction((tx) => upsertUnits(tx, tables, set));
}

/**
 * Units and crosswalk links as an import kind (units.csv, unit_links.csv): a dataset's own units beside the national
 * lists (a city's earlier ward lists, a later reform). Reference data for every subgraph: the orchestrator writes
 * them into each subgraph's tables with `upsertUnits`, in the import's transaction, and hands them to the households
 * importer's checks before anything is written. National reference data: ADMIN only.
 */
export const UNIT_KINDS = ['units', 'unit_links'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

interface UnitIn { code: string; name: string; level: number; kind: string; parent_code: string | null; valid_from: string | null; valid_to: string | null }
interface LinkIn { new_code: string; new_valid_from: string | null; old_code: string; old_valid_from: string | null; coverage: string }

const UNIT_CODE = cell.pattern(/^\d{2,5}$/, 'an administrative unit code (2 to 5 digits)');
export const UNIT_COLUMNS: Record<UnitKind, Column[]> = {
  units: [
    { name: 'code', parse: UNIT_CODE },
    { name: 'name', parse: cell.text(120) },
    { name: 'level', parse: cell.int(1, 3) },
    { name: 'kind', parse: cell.oneOf([...KINDS] as string[]) },
    { name: 'parent_code', optional: true, parse: UNIT_CODE },
    // empty: in force since before the records begin / still in force
    { name: 'valid_from', optional: true, parse: cell.date({ future: true }) },
    { name: 'valid_to', optional: true, parse: cell.date({ future: true }) },
  ],
  unit_links: [
    { name: 'new_code', parse: UNIT_CODE },
    { name: 'new_valid_from', optional: true, parse: cell.date({ future: true }) },
    { name: 'old_code', parse: UNIT_CODE },
    { name: 'old_valid_from', optional: true, parse: cell.date({ future: true }) },
    { name: 'coverage', parse: cell.oneOf(['full', 'partial']) },
  ],
};

export class UnitsImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<UnitKind, ImportCounts> = { units: emptyCounts(), unit_links: emptyCounts() };
  private files: { [K in UnitKind]: { file: string; rows: Row<any>[] }[] } = { units: [], unit_links: [] };
  /** the units and links this import brings, checked (after `validate`) */
  readonly set: UnitSet = { reformDate: null, units: [], links: [] };

  constructor(private readonly db: Db<any>, private readonly tables: UnitTables, private readonly progress: Progress = () => {}) {}

  async readFile(kind: UnitKind, input: Readable, file: string): Promise<void> {
    const records = input.pipe(parseCsv(CSV_OPTIONS)) as AsyncIterable<CsvRecord>;
    this.files[kind].push({ file, rows: await readRows(records, file, UNIT_COLUMNS[kind], this.issues, this.progress) });
  }

  get used(): boolean {
    return this.files.units.length + this.files.unit_links.length > 0;
  }

  async validate(caller: ImportCaller): Promise<void> {
    if (!this.used) return;
    const issue = (file: string, row: Row<any>, column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
    const stored = new Map((await this.db.select().from(this.tables.units)).map((u) => [u.id, u as UnitRow]));
    const all = new Map(stored);
    const planned: { file: string; row: Row<UnitIn>; unit: UnitRow }[] = [];
    for (const { file, rows: list } of this.files.units) {
      for (const row of firstOfKey(list as Row<UnitIn>[], (v) => unitId(v.code, v.valid_from), file, 'code', this.issues)) {
        const v = row.value;
        if (caller.units !== null) { issue(file, row, 'code', 'administrative units are national reference data: only ADMIN imports them'); continue; }
        if (v.valid_to && v.valid_from && v.valid_to <= v.valid_from) { issue(file, row, 'valid_to', `not after valid_from (${v.valid_from})`); continue; }
        const unit: UnitRow = { id: unitId(v.code, v.valid_from), code: v.code, name: v.name, kind: v.kind, level: v.level, parentId: null, validFrom: v.valid_from, validTo: v.valid_to };
        planned.push({ file, row, unit });
        all.set(unit.id, unit);
      }
    }
    // a parent is the unit with that code in force on the unit's first day (or, for one since the beginning, its last)
    const inForce = (u: UnitRow, on: string | null) => on === null ? u.validFrom === null : (u.validFrom === null || u.validFrom <= on) && (u.validTo === null || u.validTo > on);
    for (const p of planned) {
      const v = p.row.value;
      if (v.parent_code) {
        const day = v.valid_from ?? (v.valid_to ? new Date(Date.parse(v.valid_to) - 86_400_000).toISOString().slice(0, 10) : null);
        const parent = [...all.values()].find((u) => u.code === v.parent_code && inForce(u, day));
        if (!parent) { issue(p.file, p.row, 'parent_code', `no unit ${v.parent_code} in force ${day ? `on ${day}` : 'since the beginning'}`); continue; }
        p.unit.parentId = parent.id;
      }
      const old = stored.get(p.unit.id);
      if (!old) this.counts.units.added++;
      else if (same(old, p.unit)) this.counts.units.unchanged++;
      else this.counts.units.changed++;
      this.set.units.push(p.unit);
    }
    const storedLinks = new Map((await this.db.select().from(this.tables.unitLinks)).map((l) => [`${l.newUnitId}|${l.oldUnitId}`, l as UnitLinkRow]));
    for (const { file, rows: list } of this.files.unit_links) {
      for (const row of firstOfKey(list as Row<LinkIn>[], (v) => `${unitId(v.new_code, v.new_valid_from)}|${unitId(v.old_code, v.old_valid_from)}`, file, 'old_code', this.issues)) {
        const v = row.value;
        if (caller.units !== null) { issue(file, row, 'new_code', 'the crosswalk is national reference data: only ADMIN imports it'); continue; }
        const link = { newUnitId: unitId(v.new_code, v.new_valid_from), oldUnitId: unitId(v.old_code, v.old_valid_from), coverage: v.coverage };
        if (!all.has(link.newUnitId)) { issue(file, row, 'new_code', `no unit ${link.newUnitId}, stored or in the units file`); continue; }
        if (!all.has(link.oldUnitId)) { issue(file, row, 'old_code', `no unit ${link.oldUnitId}, stored or in the units file`); continue; }
        const old = storedLinks.get(`${link.newUnitId}|${link.oldUnitId}`);
        if (!old) this.counts.unit_links.added++;
        else if (old.coverage === link.coverage) this.counts.unit_links.unchanged++;
        else this.counts.unit_links.changed++;
        this.set.links.push(link);
      }
    }
  }

  /** Writes the units and links into every subgraph's tables (`each`: the subgraphs' unit tables), with `tx`. */
  async apply(tx: Db<any>, each: readonly UnitTables[]): Promise<void> {
    if (!this.set.units.length && !this.set.links.length) return;
    for (const tables of each) await upsertUnits(tx, tables, this.set);
    this.progress(`every subgraph: ${this.set.units.length} units and ${this.set.links.length} links written`);
  }
}
