/**
 * Bulk import of the housing subgraph's supports with their funding lines (upsert by support code; a changed
 * support's funding lines are replaced). The household comes as its code, resolved by the orchestrator through the
 * households subgraph. Applied in one transaction over `housing.supports` and `housing.funding_lines`.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bulkInsert, type Db } from '@ansinh/db';
import { eq, inArray } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, inCallerArea, readRows,
  type CellParser, type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row, sameFields } from '@ansinh/server';
import type { HousingDb } from '../context.js';
import { fundingLines, programmes, supports, type FundingLineModel, type HousingSupportModel } from '../db/schema.js';

export const HOUSING_KINDS = ['housing_supports'] as const;
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

interface SupportIn { support_code: string; household_code: string; kind: string; programme: string; beneficiary_status: string; status: string; proposed_on: string; completed_on: string | null; funding: Funding[] | null }

export const SUPPORT_COLUMNS: Column[] = [
  { name: 'support_code', parse: cell.code() },
  { name: 'household_code', parse: cell.code() },
  { name: 'kind', parse: cell.oneOf(KINDS) },
  { name: 'programme', parse: cell.code() },
  // the household's status when the support was decided (hộ nghèo, hộ cận nghèo, …)
  { name: 'beneficiary_status', parse: cell.oneOf(['POOR', 'NEAR_POOR', 'NEWLY_ESCAPED', 'OTHER']) },
  { name: 'status', parse: cell.oneOf(STATUSES) },
  { name: 'proposed_on', parse: cell.date() },
  { name: 'completed_on', optional: true, parse: cell.date() },
  { name: 'funding', optional: true, parse: funding },
];

export class HousingImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HousingKind, ImportCounts> = { housing_supports: emptyCounts() };
  private files: { file: string; rows: Row<SupportIn>[] }[] = [];
  private insert: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];
  private update: { support: HousingSupportModel; lines: FundingLineModel[] }[] = [];

  constructor(private readonly db: HousingDb, private readonly progress: Progress = () => {}) {}

  async readFile(_kind: HousingKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows<SupportIn>(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, SUPPORT_COLUMNS, this.issues, this.progress);
    this.files.push({ file, rows });
  }

  householdCodes(): string[] {
    return [...new Set(this.files.flatMap((f) => f.rows.map((r) => r.value.household_code)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const knownProgrammes = new Set((await this.db.select({ code: programmes.code }).from(programmes)).map((p) => p.code));
    const stored = new Map<string, HousingSupportModel>();
    const storedLines = new Map<string, FundingLineModel[]>();
    const codes = [...new Set(this.files.flatMap((f) => f.rows.map((r) => r.value.support_code)))];
    for (const batch of chunks(codes, 10_000)) {
      const found = await this.db.select().from(supports).where(inArray(supports.code, batch));
      for (const s of found) stored.set(s.code, s);
      if (found.length) for (const l of await this.db.select().from(fundingLines).where(inArray(fundingLines.supportId, found.map((s) => s.id)))) {
        storedLines.set(l.supportId, [...(storedLines.get(l.supportId) ?? []), l]);
      }
    }
    const seen = new Map<string, string>();
    for (const { file, rows } of this.files) {
      for (const row of firstOfKey(rows, (v) => v.support_code, file, 'support_code', this.issues)) {
        const v = row.value;
        const issue = (column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
        if (seen.has(v.support_code)) { issue('support_code', `also in ${seen.get(v.support_code)}`); continue; }
        seen.set(v.support_code, file);
        const ref = refs.get(v.household_code);
        if (!ref) { issue('household_code', `no household ${v.household_code}, stored or in the households file`); continue; }
        if (!knownProgrammes.has(v.programme)) { issue('programme', `no housing programme ${v.programme} (known: ${[...knownProgrammes].sort().join(', ')})`); continue; }
        if (!inCallerArea(caller, ref.unitCodes)) { issue('household_code', `household ${v.household_code} is outside your area (${caller.units!.join(', ')})`); continue; }
        const done = v.status === 'COMPLETED' || v.status === 'HANDED_OVER';
        let bad = false;
        if (done && !v.completed_on) { issue('completed_on', `required when the status is ${v.status}`); bad = true; }
        if (!done && v.completed_on) { issue('completed_on', `a support that is ${v.status} has no completion date`); bad = true; }
        if (v.completed_on && v.completed_on < v.proposed_on) { issue('completed_on', `before proposed_on (${v.proposed_on})`); bad = true; }
        if (bad) continue;
        const old = stored.get(v.support_code);
        // the lifecycle dates the file does not carry stay as recorded
        const support: HousingSupportModel = { id: old?.id ?? randomUUID(), code: v.support_code, householdId: ref.id, kind: v.kind, programme: v.programme,
          beneficiaryStatus: v.beneficiary_status, status: v.status, proposedOn: v.proposed_on,
          approvedOn: old?.approvedOn ?? null, constructionStartedOn: old?.constructionStartedOn ?? null, completedOn: v.completed_on,
          handedOverOn: old?.handedOverOn ?? (v.status === 'HANDED_OVER' ? v.completed_on : null), area: old?.area ?? ref.area };
        const lines = (v.funding ?? []).map((f) => ({ id: randomUUID(), supportId: support.id, source: f.source, amount: f.amount }));
        const key = (ls: { source: string; amount: number }[]) => JSON.stringify(ls.map((l) => [l.source, Number(l.amount)]).sort());
        if (!old) { this.insert.push({ support, lines }); this.counts.housing_supports.added++; }
        else if (sameFields(old, support) && key(storedLines.get(old.id) ?? []) === key(lines)) this.counts.housing_supports.unchanged++;
        else { this.update.push({ support, lines }); this.counts.housing_supports.changed++; }
      }
    }
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    if (!this.insert.length && !this.update.length) return;
    await bulkInsert(tx as never, supports, this.insert.map((b) => b.support));
    await bulkInsert(tx as never, fundingLines, this.insert.flatMap((b) => b.lines));
    for (const { support, lines } of this.update) {
      await tx.update(supports).set(support).where(eq(supports.id, support.id));
      await tx.delete(fundingLines).where(eq(fundingLines.supportId, support.id));
      if (lines.length) await tx.insert(fundingLines).values(lines);
    }
    this.progress(`housing subgraph: ${this.insert.length + this.update.length} housing supports written`);
  }
}
