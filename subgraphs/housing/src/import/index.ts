/**
 * Bulk import of the housing subgraph's records: its reference data (housing programmes: national ones by ADMIN, a
 * province's own by its integrators) and supports with their funding lines and lifecycle dates (upsert by household
 * and support code, a code being unique within its household; a changed support's funding lines are replaced). The
 * household comes as its code, resolved by the orchestrator through the households subgraph (`refs`: only
 * households of the caller's area). Checked and written a chunk at a time in the import's one transaction (`runImport`).
 */
import { randomUUID } from 'node:crypto';
import { bulkInsert, bulkUpdate, jsonUuids, type Db, inUuids } from '@ansinh/db';
import { sql } from 'drizzle-orm';
import {
  cell, emptyCounts,
  type CellParser, type ChunkImporter, type Column, type ImportContext, type ImportCounts, type ImportIssue, type Progress, type Row, sameFields } from '@ansinh/server';
import type { HousingDb } from '../context.js';
import { fundingSource, housingSupportKind, housingSupportStatus } from '../db/enums.js';
import type { HousingSupportStatus } from '../generated/graphql.js';
import { fundingLines, programmes, supports, type FundingLineModel, type HousingProgrammeModel, type HousingSupportModel } from '../db/schema.js';

export const HOUSING_KINDS = ['housing_programmes', 'housing_supports'] as const;
export type HousingKind = (typeof HOUSING_KINDS)[number];

// the values a file may hold are the GraphQL enums' (src/db/enums.ts): one list, checked against the schema
const KINDS = housingSupportKind.values;
const STATUSES = housingSupportStatus.values;
const SOURCES = fundingSource.values;

type Funding = { source: string; amount: number };
/** "SOURCE:amount;SOURCE:amount", each source once. */
const funding: CellParser<Funding[]> = (text) => {
  const out: Funding[] = [];
  for (const part of text.split(';').map((p) => p.trim())) {
    const m = /^([A-Z_]+):(\d+)$/.exec(part);
    if (!m) return { ok: false, reason: `"${part}" is not SOURCE:amount (e.g. DONATION:20000000)` };
    if (!(SOURCES as readonly string[]).includes(m[1]!)) return { ok: false, reason: `"${m[1]}" is not a funding source (${SOURCES.join(', ')})` };
    if (out.some((f) => f.source === m[1])) return { ok: false, reason: `${m[1]} is listed twice` };
    const amount = Number(m[2]);
    if (!Number.isSafeInteger(amount) || amount <= 0) return { ok: false, reason: `the amount of ${m[1]} must be a positive whole number of VND` };
    out.push({ source: m[1]!, amount });
  }
  return { ok: true, value: out };
};

interface ProgrammeIn { programme_code: string; name: string; kind: string; jurisdiction: string | null }
interface SupportIn {
  support_code: string; household_code: string; kind: string; programme: string; beneficiary_status: string; status: HousingSupportStatus; proposed_on: string;
  approved_on: string | null; construction_started_on: string | null; completed_on: string | null; handed_over_on: string | null; funding: Funding[] | null;
}

const PROGRAMME_KINDS = ['NATIONAL_TARGET_PROGRAMME', 'MAKESHIFT_HOUSE_REPLACEMENT', 'GREAT_SOLIDARITY_HOUSE', 'CITY_PROGRAMME', 'OTHER'] as const;

export const PROGRAMME_COLUMNS: Column[] = [
  { name: 'programme_code', parse: cell.code() },
  { name: 'name', parse: cell.text(200) },
  { name: 'kind', parse: cell.oneOf(PROGRAMME_KINDS) },
  // empty: national; otherwise the province code of a city's programme
  { name: 'jurisdiction', optional: true, parse: cell.pattern(/^\d{2}$/, 'a province code (2 digits)') },
];

/** The date column of each lifecycle step, in order. */
const STEP_DATES = [['PROPOSED', 'proposed_on'], ['APPROVED', 'approved_on'], ['UNDER_CONSTRUCTION', 'construction_started_on'], ['COMPLETED', 'completed_on'], ['HANDED_OVER', 'handed_over_on']] as const;

export const SUPPORT_COLUMNS: Column[] = [
  { name: 'support_code', parse: cell.code() },
  { name: 'household_code', parse: cell.code() },
  { name: 'kind', parse: cell.oneOf(KINDS) },
  { name: 'programme', parse: cell.code() },
  // the household's status when the support was decided (hộ nghèo, hộ cận nghèo, …)
  { name: 'beneficiary_status', parse: cell.oneOf(['POOR', 'NEAR_POOR', 'NEWLY_ESCAPED', 'OTHER']) },
  { name: 'status', parse: cell.oneOf(STATUSES) },
  // the date of each step reached; the status's own step and every step before it need one
  { name: 'proposed_on', parse: cell.date() },
  { name: 'approved_on', optional: true, parse: cell.date() },
  { name: 'construction_started_on', optional: true, parse: cell.date() },
  { name: 'completed_on', optional: true, parse: cell.date() },
  { name: 'handed_over_on', optional: true, parse: cell.date() },
  { name: 'funding', optional: true, parse: funding },
];

export class HousingImport implements ChunkImporter<HousingKind> {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HousingKind, ImportCounts> = { housing_programmes: emptyCounts(), housing_supports: emptyCounts() };
  readonly kinds = HOUSING_KINDS;
  private storedProgrammes = new Map<string, HousingProgrammeModel>();
  private knownProgrammes = new Set<string>();
  private written = 0;

  constructor(private readonly db: HousingDb, private readonly progress: Progress = () => {}) {}

  columns(kind: HousingKind): Column[] {
    return kind === 'housing_programmes' ? PROGRAMME_COLUMNS : SUPPORT_COLUMNS;
  }

  async begin(tx: Db): Promise<void> {
    this.storedProgrammes = new Map((await tx.select().from(programmes)).map((p) => [p.code, p]));
    this.knownProgrammes = new Set(this.storedProgrammes.keys());
  }

  private issue(file: string, row: Row<any>, column: string, reason: string): void {
    this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
  }

  async chunk(tx: Db, kind: HousingKind, file: string, list: Row<any>[], context: ImportContext): Promise<void> {
    if (kind === 'housing_programmes') return this.programmesChunk(tx, file, list, context);
    return this.supportsChunk(tx, file, list, context);
  }

  /** Programmes: national ones by ADMIN, a province's own by whoever's area holds that province. */
  private async programmesChunk(tx: Db, file: string, list: Row<ProgrammeIn>[], { caller, ledger }: ImportContext): Promise<void> {
    const insert: HousingProgrammeModel[] = [];
    const update: HousingProgrammeModel[] = [];
    for (const row of await ledger.firstOfKey(`housing_programmes:${file}`, list, (v) => v.programme_code, file, 'programme_code', this.issues)) {
      const v = row.value;
      const old = this.storedProgrammes.get(v.programme_code);
      const owner = old ? old.jurisdiction : v.jurisdiction;
      const mayWrite = (j: string | null) => (j === null ? caller.units === null : caller.units === null || caller.units.includes(j));
      if (!mayWrite(owner) || !mayWrite(v.jurisdiction)) {
        this.issue(file, row, 'jurisdiction', v.jurisdiction === null ? 'national programmes are reference data: only ADMIN imports them' : `province ${v.jurisdiction} is not your area`);
        continue;
      }
      const next = { code: v.programme_code, name: v.name, kind: v.kind, jurisdiction: v.jurisdiction };
      this.knownProgrammes.add(v.programme_code);
      if (!old) { insert.push(next); this.counts.housing_programmes.added++; }
      else if (sameFields(old, next)) this.counts.housing_programmes.unchanged++;
      else { update.push(next); this.counts.housing_programmes.changed++; }
    }
    await bulkInsert(tx, programmes, insert);
    await bulkUpdate(tx, programmes, update, ['code']);
  }

  /** Supports, matched within their household (stored supports of households outside the area are never looked at). */
  private async supportsChunk(tx: Db, file: string, list: Row<SupportIn>[], context: ImportContext): Promise<void> {
    const first = await context.ledger.firstOfKey('housing_supports', list, (v) => `${v.household_code}|${v.support_code}`, file, 'support_code', this.issues,
      (earlier) => (earlier.file === file ? undefined : `also in ${earlier.file}`));
    const refs = await context.households(tx, [...new Set(first.map((r) => r.value.household_code))]);
    const householdIds = [...new Set([...refs.values()].map((r) => r.id))];
    const stored = new Map<string, HousingSupportModel>();
    const storedLines = new Map<string, FundingLineModel[]>();
    if (householdIds.length) {
      const found = await tx.select().from(supports).where(inUuids(supports.householdId, householdIds));
      for (const s of found) stored.set(`${s.householdId}|${s.code}`, s);
      if (found.length) for (const l of await tx.select().from(fundingLines).where(inUuids(fundingLines.supportId, found.map((s) => s.id)))) {
        storedLines.set(l.supportId, [...(storedLines.get(l.supportId) ?? []), l]);
      }
    }
    const insert: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];
    const update: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];
    for (const row of first) {
      const v = row.value;
      const ref = refs.get(v.household_code);
      if (!ref) { this.issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
      if (!this.knownProgrammes.has(v.programme)) { this.issue(file, row, 'programme', `no housing programme ${v.programme} (known: ${[...this.knownProgrammes].sort().join(', ')})`); continue; }
      // every step up to the status has its date, none after it, and the dates run in order
      const reached = STATUSES.indexOf(v.status);
      let bad = false;
      let previous: string | null = null;
      STEP_DATES.forEach(([step, column], i) => {
        const date = v[column as keyof SupportIn] as string | null;
        if (i <= reached && !date) { this.issue(file, row, column, `required: the support is ${v.status}, so it was ${step.toLowerCase().replace(/_/g, ' ')}`); bad = true; }
        if (i > reached && date) { this.issue(file, row, column, `a support that is ${v.status} has not reached ${step} yet`); bad = true; }
        if (date && previous && date < previous) { this.issue(file, row, column, `before the previous step's date (${previous})`); bad = true; }
        if (date) previous = date;
      });
      if (bad) continue;
      const old = stored.get(`${ref.id}|${v.support_code}`);
      const support: HousingSupportModel = { id: old?.id ?? randomUUID(), code: v.support_code, householdId: ref.id, kind: v.kind, programme: v.programme,
        beneficiaryStatus: v.beneficiary_status, status: v.status, proposedOn: v.proposed_on,
        approvedOn: v.approved_on, constructionStartedOn: v.construction_started_on, completedOn: v.completed_on, handedOverOn: v.handed_over_on };
      const lines = (v.funding ?? []).map((f) => ({ id: randomUUID(), supportId: support.id, source: f.source, amount: f.amount }));
      const lineKey = (ls: { source: string; amount: number }[]) => JSON.stringify(ls.map((l) => [l.source, Number(l.amount)]).sort());
      if (!old) { insert.push({ support, lines }); this.counts.housing_supports.added++; }
      else if (sameFields(old, support) && lineKey(storedLines.get(old.id) ?? []) === lineKey(lines)) this.counts.housing_supports.unchanged++;
      else { update.push({ support, lines }); this.counts.housing_supports.changed++; }
    }

    await bulkInsert(tx, supports, insert.map((b) => b.support));
    await bulkInsert(tx, fundingLines, insert.flatMap((b) => b.lines));
    if (update.length) {
      await bulkUpdate(tx, supports, update.map((b) => b.support), ['id']);
      await tx.execute(sql`delete from housing.funding_lines where support_id = any(${jsonUuids(update.map((b) => b.support.id))})`);
      await bulkInsert(tx, fundingLines, update.flatMap((b) => b.lines));
    }
    this.written += insert.length + update.length;
  }

  async end(): Promise<void> {
    if (this.written) this.progress(`housing subgraph: ${this.written.toLocaleString('en')} housing supports written`);
  }
}
