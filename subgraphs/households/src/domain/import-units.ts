/**
 * Imports national lists of administrative units and the crosswalk of a reform, in the shape of
 * data/admin-units/: units-before-<date>.csv, units-from-<date>.csv, crosswalk-<date>.csv.
 * Units are keyed by code and period: a unit of the "before" list is `<code>@origin`, valid until <date>; a unit
 * of the "from" list is `<code>@<date>`, valid from it. Idempotent: rows that are already as in the files are left
 * alone; the report says what was added, changed, closed and removed. All or nothing (one transaction).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { insertInBatches } from '@ansinh/db';
import type { HouseholdsDb } from '../context.js';
import { unitLinks, units, type UnitModel } from '../db/schema.js';

export const unitId = (code: string, validFrom: string | null) => `${code}@${validFrom ?? 'origin'}`;

const KINDS = new Set(['city', 'province', 'urban_district', 'rural_district', 'town', 'ward', 'commune', 'township', 'special_zone']);

export interface ImportReport {
  reformDate: string;
  units: { inFiles: number; added: number; changed: number; closed: number; unchanged: number };
  links: { inFiles: number; added: number; changed: number; removed: number; unchanged: number };
}

export class ImportError extends Error {}

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
}

/** The three files of a reform in a folder, found by name. */
export function findFiles(dir: string): { reformDate: string; before: string; after: string; crosswalk: string } {
  const names = readdirSync(dir);
  const dates = names.map((n) => /^units-from-(\d{4}-\d{2}-\d{2})\.csv$/.exec(n)?.[1]).filter((d): d is string => !!d);
  if (dates.length !== 1) throw new ImportError(`${dir}: expected one units-from-<date>.csv, found ${dates.length}`);
  const reformDate = dates[0]!;
  const need = (name: string) => {
    if (!names.includes(name)) throw new ImportError(`${dir}: ${name} is missing`);
    return join(dir, name);
  };
  return { reformDate, before: need(`units-before-${reformDate}.csv`), after: need(`units-from-${reformDate}.csv`), crosswalk: need(`crosswalk-${reformDate}.csv`) };
}

type UnitRow = Omit<UnitModel, never>;

function unitsOf(file: string, validFrom: string | null, validTo: string | null): UnitRow[] {
  const rows = readCsv(file);
  const codes = new Set(rows.map((r) => r.code));
  const out: UnitRow[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const where = `${file}, row ${i + 2}`;
    if (!r.code || !/^\d{2,5}$/.test(r.code)) throw new ImportError(`${where}: bad code "${r.code ?? ''}"`);
    if (seen.has(r.code)) throw new ImportError(`${where}: code ${r.code} appears twice`);
    seen.add(r.code);
    if (!r.name) throw new ImportError(`${where}: the name is empty`);
    if (!KINDS.has(r.kind ?? '')) throw new ImportError(`${where}: unknown kind "${r.kind ?? ''}"`);
    const level = Number(r.level);
    if (![1, 2, 3].includes(level)) throw new ImportError(`${where}: bad level "${r.level ?? ''}"`);
    const parent = r.parent_code || null;
    if (parent && !codes.has(parent)) throw new ImportError(`${where}: parent ${parent} is not in the file`);
    out.push({
      id: unitId(r.code, validFrom), code: r.code, name: r.name.normalize('NFC'), kind: r.kind!, level,
      parentId: parent ? unitId(parent, validFrom) : null, validFrom, validTo,
    });
  });
  return out;
}

const same = (a: UnitRow, b: UnitRow) => a.name === b.name && a.kind === b.kind && a.level === b.level && a.parentId === b.parentId
  && a.validFrom === b.validFrom && a.validTo === b.validTo;

export async function importUnits(db: HouseholdsDb, dir: string): Promise<ImportReport> {
  const files = findFiles(dir);
  const date = files.reformDate;
  const wanted = [...unitsOf(files.before, null, date), ...unitsOf(files.after, date, null)];
  const wantedIds = new Set(wanted.map((u) => u.id));
  const links = readCsv(files.crosswalk).map((r, i) => {
    const where = `${files.crosswalk}, row ${i + 2}`;
    const link = { newUnitId: unitId(r.new_code ?? '', date), oldUnitId: unitId(r.old_code ?? '', null), coverage: r.coverage ?? '' };
    if (!wantedIds.has(link.newUnitId)) throw new ImportError(`${where}: new unit ${r.new_code} is not in units-from-${date}.csv`);
    if (!wantedIds.has(link.oldUnitId)) throw new ImportError(`${where}: old unit ${r.old_code} is not in units-before-${date}.csv`);
    if (link.coverage !== 'full' && link.coverage !== 'partial') throw new ImportError(`${where}: coverage must be full or partial, got "${link.coverage}"`);
    return link;
  });

  return db.transaction(async (tx) => {
    const existing = new Map((await tx.select().from(units)).map((u) => [u.id, u]));
    const added: UnitRow[] = [];
    const changed: UnitRow[] = [];
    let closed = 0;
    for (const u of wanted) {
      const old = existing.get(u.id);
      if (!old) added.push(u);
      else if (!same(old, u)) {
        changed.push(u);
        if (old.validTo === null && u.validTo !== null && old.name === u.name && old.parentId === u.parentId) closed += 1;
      }
    }
    await insertInBatches(added, (b) => tx.insert(units).values(b));
    for (let i = 0; i < changed.length; i += 2000) {
      const batch = changed.slice(i, i + 2000);
      await tx.execute(sql`
        update households.units u set name = v.name, kind = v.kind, level = v.level::smallint, parent_id = v.parent_id,
          valid_from = v.valid_from::date, valid_to = v.valid_to::date
        from (values ${sql.join(batch.map((c) => sql`(${c.id}, ${c.name}, ${c.kind}, ${c.level}, ${c.parentId}, ${c.validFrom}, ${c.validTo})`), sql`, `)})
          as v(id, name, kind, level, parent_id, valid_from, valid_to)
        where u.id = v.id`);
    }

    const newIds = new Set(wanted.filter((u) => u.validFrom === date).map((u) => u.id));
    const existingLinks = new Map((await tx.select().from(unitLinks)).map((l) => [`${l.newUnitId}|${l.oldUnitId}`, l]));
    const wantedLinks = new Map(links.map((l) => [`${l.newUnitId}|${l.oldUnitId}`, l]));
    const addLinks = links.filter((l) => !existingLinks.has(`${l.newUnitId}|${l.oldUnitId}`));
    const changeLinks = links.filter((l) => { const o = existingLinks.get(`${l.newUnitId}|${l.oldUnitId}`); return o && o.coverage !== l.coverage; });
    const removeLinks = [...existingLinks.values()].filter((l) => newIds.has(l.newUnitId) && !wantedLinks.has(`${l.newUnitId}|${l.oldUnitId}`));
    await insertInBatches(addLinks, (b) => tx.insert(unitLinks).values(b));
    for (const l of changeLinks) {
      await tx.execute(sql`update households.unit_links set coverage = ${l.coverage} where new_unit_id = ${l.newUnitId} and old_unit_id = ${l.oldUnitId}`);
    }
    for (const l of removeLinks) {
      await tx.execute(sql`delete from households.unit_links where new_unit_id = ${l.newUnitId} and old_unit_id = ${l.oldUnitId}`);
    }
    return {
      reformDate: date,
      units: { inFiles: wanted.length, added: added.length, changed: changed.length - closed, closed, unchanged: wanted.length - added.length - changed.length },
      links: { inFiles: links.length, added: addLinks.length, changed: changeLinks.length, removed: removeLinks.length, unchanged: links.length - addLinks.length - changeLinks.length },
    };
  });
}
