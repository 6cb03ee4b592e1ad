/**
 * Bulk import of the housing subgraph's records: its reference data (housing programmes: national ones by ADMIN, a
 * province's own by its integrators) and supports with their funding lines and lifecycle dates (upsert by household
 * and support code, a code being unique within its household; a changed support's funding lines are replaced). The
 * household comes as its code, resolved by the orchestrator through the households subgraph (`refs`: only
 * households of the caller's area). Applied in the orchestrator's one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bulkInsert, type Db } from '@ansinh/db';
import { eq, inArray } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, readRows,
  type CellParser, type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row, sameFields } from '@ansinh/server';
import type { HousingDb } from '../context.js';
import { fundingLines, programmes, supports, type FundingLineModel, type HousingProgrammeModel, type HousingSupportModel } from '../db/schema.js';

export const HOUSING_KINDS = ['housing_programmes', 'housing_supports'] as const;
export type HousingKind = (typeof HOUSING_KINDS)[number];

const KINDS = ['NEW_BUILD', 'REPAIR'] as const;
const STATUSES = ['PROPOSED', 'APPROVED', 'UNDER_CONSTRUCTION', 'COMPLETED', 'HANDED_OVER'] as const;
const SOURCES = ['CENTRAL_BUDGET', 'PROVINCE_BUDGET', 'DISTRICT_BUDGET', 'POLICY_BANK_LOAN', 'FUND_FOR_THE_POOR', 'DONATION', 'HOUSEHOLD'] as const;

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
  support_code: string; household_code: string; kind: string; programme: string; beneficiary_status: string; status: string; proposed_on: string;
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

export class HousingImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HousingKind, ImportCounts> = { housing_programmes: emptyCounts(), housing_supports: emptyCounts() };
  private files: { [K in HousingKind]: { file: string; rows: Row<any>[] }[] } = { housing_programmes: [], housing_supports: [] };
  private programmesPlan = { insert: [] as HousingProgrammeModel[], update: [] as HousingProgrammeModel[] };
  private insert: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];
  private update: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];

  constructor(private readonly db: HousingDb, private readonly progress: Progress = () => {}) {}

  async readFile(kind: HousingKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, kind === 'housing_programmes' ? PROGRAMME_COLUMNS : SUPPORT_COLUMNS, this.issues, this.progress);
    this.files[kind].push({ file, rows });
  }

  householdCodes(): string[] {
    return [...new Set(this.files.housing_supports.flatMap((f) => f.rows.map((r) => r.value.household_code as string)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const issue = (file: string, row: Row<any>, column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });

    // programmes: national ones by ADMIN, a province's own by whoever's area holds that province
    const storedProgrammes = new Map((await this.db.select().from(programmes)).map((p) => [p.code, p]));
    const knownProgrammes = new Set(storedProgrammes.keys());
    for (const { file, rows } of this.files.housing_programmes) {
      for (const row of firstOfKey(rows as Row<ProgrammeIn>[], (v) => v.programme_code, file, 'programme_code', this.issues)) {
        const v = row.value;
        const old = storedProgrammes.get(v.programme_code);
        const owner = old ? old.jurisdiction : v.jurisdiction;
        const mayWrite = (j: string | null) => (j === null ? caller.units === null : caller.units === null || caller.units.includes(j));
        if (!mayWrite(owner) || !mayWrite(v.jurisdiction)) {
          issue(file, row, 'jurisdiction', v.jurisdiction === null ? 'national programmes are reference data: only ADMIN imports them' : `province ${v.jurisdiction} is not your area`);
          continue;
        }
        const next = { code: v.programme_code, name: v.name, kind: v.kind, jurisdiction: v.jurisdiction };
        knownProgrammes.add(v.programme_code);
        if (!old) { this.programmesPlan.insert.push(next); this.counts.housing_programmes.added++; }
        else if (sameFields(old, next)) this.counts.housing_programmes.unchanged++;
        else { this.programmesPlan.update.push(next); this.counts.housing_programmes.changed++; }
      }
    }

    // supports, matched within their household (stored supports of households outside the area are never looked at)
    const supportRows = this.files.housing_supports.flatMap((f) => f.rows.map((row) => row as Row<SupportIn>));
    const householdIds = [...new Set(supportRows.map((r) => refs.get(r.value.household_code)?.id).filter((id): id is string => !!id))];
    const stored = new Map<string, HousingSupportModel>();
    const storedLines = new Map<string, FundingLineModel[]>();
    for (const batch of chunks(householdIds, 10_000)) {
      const found = await this.db.select().from(supports).where(inArray(supports.householdId, batch));
      for (const s of found) stored.set(`${s.householdId}|${s.code}`, s);
      if (found.length) for (const l of await this.db.select().from(fundingLines).where(inArray(fundingLines.supportId, found.map((s) => s.id)))) {
        storedLines.set(l.supportId, [...(storedLines.get(l.supportId) ?? []), l]);
      }
    }
    const seen = new Map<string, string>();
    for (const { file, rows } of this.files.housing_supports) {
      for (const row of firstOfKey(rows as Row<SupportIn>[], (v) => `${v.household_code}|${v.support_code}`, file, 'support_code', this.issues)) {
        const v = row.value;
        const key = `${v.household_code}|${v.support_code}`;
        if (seen.has(key)) { issue(file, row, 'support_code', `also in ${seen.get(key)}`); continue; }
        seen.set(key, file);
        const ref = refs.get(v.household_code);
        if (!ref) { issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
        if (!knownProgrammes.has(v.programme)) { issue(file, row, 'programme', `no housing programme ${v.programme} (known: ${[...knownProgrammes].sort().join(', ')})`); continue; }
        // every step up to the status has its date, none after it, and the dates run in order
        const reached = STATUSES.indexOf(v.status as never);
        let bad = false;
        let previous: string | null = null;
        STEP_DATES.forEach(([step, column], i) => {
          const date = v[column as keyof SupportIn] as string | null;
          if (i <= reached && !date) { issue(file, row, column, `required: the support is ${v.status}, so it was ${step.toLowerCase().replace(/_/g, ' ')}`); bad = true; }
          if (i > reached && date) { issue(file, row, column, `a support that is ${v.status} has not reached ${step} yet`); bad = true; }
          if (date && previous && date < previous) { issue(file, row, column, `before the previous step's date (${previous})`); bad = true; }
          if (date) previous = date;
        });
        if (bad) continue;
        const old = stored.get(`${ref.id}|${v.support_code}`);
        const support: HousingSupportModel = { id: old?.id ?? randomUUID(), code: v.support_code, householdId: ref.id, kind: v.kind, programme: v.programme,
          beneficiaryStatus: v.beneficiary_status, status: v.status, proposedOn: v.proposed_on,
          approvedOn: v.approved_on, constructionStartedOn: v.construction_started_on, completedOn: v.completed_on, handedOverOn: v.handed_over_on };
        const lines = (v.funding ?? []).map((f) => ({ id: randomUUID(), supportId: support.id, source: f.source, amount: f.amount }));
        const lineKey = (ls: { source: string; amount: number }[]) => JSON.stringify(ls.map((l) => [l.source, Number(l.amount)]).sort());
        if (!old) { this.insert.push({ support, lines }); this.counts.housing_supports.added++; }
        else if (sameFields(old, support) && lineKey(storedLines.get(old.id) ?? []) === lineKey(lines)) this.counts.housing_supports.unchanged++;
        else { this.update.push({ support, lines }); this.counts.housing_supports.changed++; }
      }
    }
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    await bulkInsert(tx as never, programmes, this.programmesPlan.insert);
    for (const p of this.programmesPlan.update) await tx.update(programmes).set(p).where(eq(programmes.code, p.code));
    if (!this.insert.length && !this.update.length) return;
    await bulkInsert(tx as never, supports, this.insert.map((b) => b.support));
    await bulkInsert(tx as never, fundingLines, this.insert.flatMap((b) => b.lines));
    for (const { support, lines } of this.update) {
      await tx.update(supports).set(support).where(eq(supports.id, support.id));
      await tx.delete(fundingLines).where(eq(fundingLines.supportId, support.id));
      if (lines.length) await tx.insert(fundingLines).values(lines);
    }
    this.progress(`housing subgraph: ${(this.insert.length + this.update.length).toLocaleString('en')} housing supports written`);
  }
}
