/**
 * Bulk import of the credit subgraph's loans (upsert by loan code). The household and borrower come as business
 * keys (household code, member position); the orchestrator asks the households subgraph for them (`refs`), so this
 * subgraph reads only its own tables. Applied in one transaction over `credit.loans`.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bulkInsert, type Db } from '@ansinh/db';
import { eq, inArray } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, inCallerArea, readRows,
  type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row, sameFields } from '@ansinh/server';
import type { CreditDb } from '../context.js';
import { loans, type LoanModel } from '../db/schema.js';

export const CREDIT_KINDS = ['loans'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

const PROGRAMMES = ['POOR_HOUSEHOLD', 'NEAR_POOR', 'NEWLY_ESCAPED', 'STUDENT', 'JOB_CREATION', 'HOUSING', 'CLEAN_WATER_SANITATION', 'LABOUR_EXPORT'] as const;
const STATUSES = ['ACTIVE', 'OVERDUE', 'REPAID', 'WRITTEN_OFF'] as const;

interface LoanIn { loan_code: string; household_code: string; borrower_position: number; programme: string; lender: string; principal: number; outstanding: number; disbursed_on: string; maturity_on: string | null; status: string }

export const LOAN_COLUMNS: Column[] = [
  { name: 'loan_code', parse: cell.code() },
  { name: 'household_code', parse: cell.code() },
  { name: 'borrower_position', parse: cell.int(1, 99) },
  { name: 'programme', parse: cell.oneOf(PROGRAMMES) },
  { name: 'lender', parse: cell.code() },
  { name: 'principal', parse: cell.money() },
  { name: 'outstanding', parse: cell.money() },
  { name: 'disbursed_on', parse: cell.date() },
  { name: 'maturity_on', optional: true, parse: cell.date({ future: true }) },
  { name: 'status', parse: cell.oneOf(STATUSES) },
];

export class CreditImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<CreditKind, ImportCounts> = { loans: emptyCounts() };
  private files: { file: string; rows: Row<LoanIn>[] }[] = [];
  private insert: LoanModel[] = [];
  private update: LoanModel[] = [];

  constructor(private readonly db: CreditDb, private readonly progress: Progress = () => {}) {}

  async readFile(_kind: CreditKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows<LoanIn>(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, LOAN_COLUMNS, this.issues, this.progress);
    this.files.push({ file, rows });
  }

  /** The household codes the rows refer to (the orchestrator resolves them with the households subgraph). */
  householdCodes(): string[] {
    return [...new Set(this.files.flatMap((f) => f.rows.map((r) => r.value.household_code)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const all = this.files.flatMap((f) => f.rows.map((row) => ({ file: f.file, row })));
    const stored = new Map<string, LoanModel>();
    for (const batch of chunks([...new Set(all.map((r) => r.row.value.loan_code))], 10_000)) {
      for (const l of await this.db.select().from(loans).where(inArray(loans.code, batch))) stored.set(l.code, l);
    }
    const seen = new Map<string, string>();
    for (const { file, rows } of this.files) {
      for (const row of firstOfKey(rows, (v) => v.loan_code, file, 'loan_code', this.issues)) {
        const v = row.value;
        const issue = (column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
        if (seen.has(v.loan_code)) { issue('loan_code', `also in ${seen.get(v.loan_code)}`); continue; }
        seen.set(v.loan_code, file);
        const ref = refs.get(v.household_code);
        if (!ref) { issue('household_code', `no household ${v.household_code}, stored or in the households file`); continue; }
        if (!inCallerArea(caller, ref.unitCodes)) { issue('household_code', `household ${v.household_code} is outside your area (${caller.units!.join(', ')})`); continue; }
        const borrower = ref.members.get(v.borrower_position);
        let bad = false;
        if (!borrower) { issue('borrower_position', `household ${v.household_code} has no member at position ${v.borrower_position}`); bad = true; }
        if (v.outstanding > v.principal) { issue('outstanding', `more than the principal (${v.principal})`); bad = true; }
        if (v.maturity_on && v.maturity_on <= v.disbursed_on) { issue('maturity_on', `not after disbursed_on (${v.disbursed_on})`); bad = true; }
        if (v.status === 'REPAID' && v.outstanding !== 0) { issue('status', `a REPAID loan has nothing outstanding (outstanding is ${v.outstanding})`); bad = true; }
        if ((v.status === 'ACTIVE' || v.status === 'OVERDUE') && v.outstanding === 0) { issue('status', `an ${v.status} loan has something outstanding (outstanding is 0)`); bad = true; }
        if (bad) continue;
        const old = stored.get(v.loan_code);
        // what the file says; savings group, entrusting organisation and overdue details stay as recorded
        const next: LoanModel = { id: old?.id ?? randomUUID(), code: v.loan_code, householdId: ref.id, borrowerMemberId: borrower!, programme: v.programme, lender: v.lender,
          savingsGroupId: old?.savingsGroupId ?? null, entrustingOrganisation: old?.entrustingOrganisation ?? null,
          principal: v.principal, outstanding: v.outstanding, overdue: old?.overdue ?? 0, overdueSince: old?.overdueSince ?? null,
          disbursedOn: v.disbursed_on, maturityOn: v.maturity_on, status: v.status, area: old?.area ?? ref.area };
        if (!old) { this.insert.push(next); this.counts.loans.added++; }
        else if (sameFields(old, next)) this.counts.loans.unchanged++;
        else { this.update.push(next); this.counts.loans.changed++; }
      }
    }
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    if (!this.insert.length && !this.update.length) return;
    await bulkInsert(tx as never, loans, this.insert);
    for (const l of this.update) await tx.update(loans).set(l).where(eq(loans.id, l.id));
    this.progress(`credit subgraph: ${this.insert.length + this.update.length} loans written`);
  }
}
