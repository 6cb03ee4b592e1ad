/**
 * Bulk import of the credit subgraph's records: its reference data (lenders, interest rates: national, ADMIN only)
 * and loans. A loan is upserted by its household and code (a code is unique within its household: an import
 * matches only loans of households the caller may write). The household and borrower come as business keys
 * (household code, member position), resolved by the orchestrator through the households subgraph (`refs`, which
 * holds only households of the caller's area), so this subgraph reads only its own tables.
 *
 * A loan's balance as imported (outstanding, overdue, status) is what every report counts: the import writes the
 * loan's movements so that its history gives that balance from `balance_on` (default: the disbursement date) on.
 * Checked and written a chunk at a time in the import's one transaction (the scaffold in packages/server, `runImport`).
 */
import { randomUUID } from 'node:crypto';
import { bulkInsert, bulkUpdate, jsonUuids, type Db, inUuids } from '@ansinh/db';
import { sql } from 'drizzle-orm';
import {
  cell, emptyCounts, sameFields,
  type ChunkImporter, type Column, type ImportContext, type ImportCounts, type ImportIssue, type Progress, type Row } from '@ansinh/server';
import type { CreditDb } from '../context.js';
import { interestRates, lenders, loans, loanTransactions, type InterestRateModel, type LenderModel, type LoanModel } from '../db/schema.js';
import { PROGRAMMES } from '../resolvers/statistics.js';

export const CREDIT_KINDS = ['lenders', 'interest_rates', 'loans'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

const STATUSES = ['ACTIVE', 'OVERDUE', 'REPAID', 'WRITTEN_OFF'] as const;
const LENDER_KINDS = ['POLICY_BANK', 'MICROFINANCE', 'COMMERCIAL_BANK', 'OTHER'] as const;

interface LenderIn { lender_code: string; name: string; kind: string }
interface RateIn { programme: string; lender_code: string; valid_from: string; annual_rate: string }
interface LoanIn {
  loan_code: string; household_code: string; borrower_position: number; programme: string; lender: string; principal: number; outstanding: number;
  disbursed_on: string; maturity_on: string | null; status: string; overdue: number | null; overdue_since: string | null; written_off: number | null; balance_on: string | null;
}

/** A percent a year with at most two decimals, e.g. 6.6 or 15.00. */
const rate = cell.pattern(/^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/, 'a rate in percent a year with at most two decimals (e.g. 6.60)');

export const COLUMNS: Record<CreditKind, Column[]> = {
  lenders: [
    { name: 'lender_code', parse: cell.code() },
    { name: 'name', parse: cell.text(200) },
    { name: 'kind', parse: cell.oneOf(LENDER_KINDS) },
  ],
  interest_rates: [
    { name: 'programme', parse: cell.oneOf(PROGRAMMES) },
    { name: 'lender_code', parse: cell.code() },
    { name: 'valid_from', parse: cell.date({ future: true }) },
    { name: 'annual_rate', parse: rate },
  ],
  loans: [
    { name: 'loan_code', parse: cell.code() },
    { name: 'household_code', parse: cell.code() },
    { name: 'borrower_position', parse: cell.int(1, 99) },
    { name: 'programme', parse: cell.oneOf(PROGRAMMES) },
    { name: 'lender', parse: cell.code() },
    { name: 'principal', parse: cell.money() },
    // dư nợ, nợ quá hạn and the status as of `balance_on`
    { name: 'outstanding', parse: cell.money() },
    { name: 'disbursed_on', parse: cell.date() },
    { name: 'maturity_on', optional: true, parse: cell.date({ future: true }) },
    { name: 'status', parse: cell.oneOf(STATUSES) },
    { name: 'overdue', optional: true, parse: cell.money() },
    { name: 'overdue_since', optional: true, parse: cell.date() },
    { name: 'written_off', optional: true, parse: cell.money() },
    { name: 'balance_on', optional: true, parse: cell.date() },
  ],
};

type Movement = { id: string; loanId: string; kind: 'DISBURSEMENT' | 'REPAYMENT' | 'WRITE_OFF'; occurredOn: string; amount: number };

/** The movements that give an imported loan its balance: paid out, then repaid and written off on `balanceOn`. */
function movements(loan: LoanModel, writtenOff: number, balanceOn: string): Movement[] {
  const out: Movement[] = [{ id: randomUUID(), loanId: loan.id, kind: 'DISBURSEMENT', occurredOn: loan.disbursedOn, amount: loan.principal }];
  const repaid = loan.principal - loan.outstanding - writtenOff;
  if (repaid > 0) out.push({ id: randomUUID(), loanId: loan.id, kind: 'REPAYMENT', occurredOn: balanceOn, amount: repaid });
  if (writtenOff > 0) out.push({ id: randomUUID(), loanId: loan.id, kind: 'WRITE_OFF', occurredOn: balanceOn, amount: writtenOff });
  return out;
}

export class CreditImport implements ChunkImporter<CreditKind> {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<CreditKind, ImportCounts> = { lenders: emptyCounts(), interest_rates: emptyCounts(), loans: emptyCounts() };
  readonly kinds = CREDIT_KINDS;
  private storedLenders = new Map<string, LenderModel>();
  private knownLenders = new Set<string>();
  private storedRates = new Map<string, InterestRateModel>();
  private written = 0;

  constructor(private readonly db: CreditDb, private readonly progress: Progress = () => {}) {}

  columns(kind: CreditKind): Column[] {
    return COLUMNS[kind];
  }

  async begin(tx: Db): Promise<void> {
    this.storedLenders = new Map((await tx.select().from(lenders)).map((l) => [l.code, l]));
    this.knownLenders = new Set(this.storedLenders.keys());
    this.storedRates = new Map((await tx.select().from(interestRates)).map((r) => [`${r.programme}|${r.lender}|${r.validFrom}`, r]));
  }

  private issue(file: string, row: Row<any>, column: string, reason: string): void {
    this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
  }

  private lenderCode(file: string, row: Row<any>, column: string, code: string): boolean {
    if (this.knownLenders.has(code)) return true;
    this.issue(file, row, column, `no lender ${code} (known: ${[...this.knownLenders].sort().join(', ') || 'none: import lenders first'})`);
    return false;
  }

  async chunk(tx: Db, kind: CreditKind, file: string, list: Row<any>[], context: ImportContext): Promise<void> {
    const national = context.caller.units === null;
    if (kind === 'lenders') {
      // lenders: national reference data
      const insert: LenderModel[] = [];
      const update: LenderModel[] = [];
      for (const row of await context.ledger.firstOfKey(`lenders:${file}`, list as Row<LenderIn>[], (v) => v.lender_code, file, 'lender_code', this.issues)) {
        const v = row.value;
        if (!national) { this.issue(file, row, 'lender_code', 'lenders are national reference data: only ADMIN imports them'); continue; }
        const next = { code: v.lender_code, name: v.name, kind: v.kind };
        const old = this.storedLenders.get(v.lender_code);
        this.knownLenders.add(v.lender_code);
        if (!old) { insert.push(next); this.counts.lenders.added++; }
        else if (sameFields(old, next)) this.counts.lenders.unchanged++;
        else { update.push(next); this.counts.lenders.changed++; }
      }
      await bulkInsert(tx, lenders, insert);
      await bulkUpdate(tx, lenders, update, ['code']);
      return;
    }
    if (kind === 'interest_rates') {
      // interest rates: national, per programme and lender from a date
      const insert: InterestRateModel[] = [];
      const update: InterestRateModel[] = [];
      for (const row of await context.ledger.firstOfKey(`interest_rates:${file}`, list as Row<RateIn>[], (v) => `${v.programme}|${v.lender_code}|${v.valid_from}`, file, 'valid_from', this.issues)) {
        const v = row.value;
        if (!national) { this.issue(file, row, 'programme', 'interest rates are national reference data: only ADMIN imports them'); continue; }
        if (!this.lenderCode(file, row, 'lender_code', v.lender_code)) continue;
        const next = { programme: v.programme, lender: v.lender_code, validFrom: v.valid_from, annualRate: Number(v.annual_rate).toFixed(2) };
        const old = this.storedRates.get(`${v.programme}|${v.lender_code}|${v.valid_from}`);
        if (!old) { insert.push(next); this.counts.interest_rates.added++; }
        else if (Number(old.annualRate) === Number(next.annualRate)) this.counts.interest_rates.unchanged++;
        else { update.push(next); this.counts.interest_rates.changed++; }
      }
      await bulkInsert(tx, interestRates, insert);
      await bulkUpdate(tx, interestRates, update, ['programme', 'lender', 'validFrom']);
      return;
    }
    await this.loansChunk(tx, file, list as Row<LoanIn>[], context);
  }

  /** Loans, matched within their household (stored loans of households outside the area are never looked at). */
  private async loansChunk(tx: Db, file: string, list: Row<LoanIn>[], context: ImportContext): Promise<void> {
    const first = await context.ledger.firstOfKey('loans', list, (v) => `${v.household_code}|${v.loan_code}`, file, 'loan_code', this.issues,
      (earlier) => (earlier.file === file ? undefined : `also in ${earlier.file}`));
    const refs = await context.households(tx, [...new Set(first.map((r) => r.value.household_code))]);
    const householdIds = [...new Set([...refs.values()].map((r) => r.id))];
    const stored = new Map<string, LoanModel>();
    if (householdIds.length) for (const l of await tx.select().from(loans).where(inUuids(loans.householdId, householdIds))) stored.set(`${l.householdId}|${l.code}`, l);
    const insert: { loan: LoanModel; moves: Movement[] }[] = [];
    const update: { loan: LoanModel; moves: Movement[] }[] = [];
    for (const row of first) {
      const v = row.value;
      const ref = refs.get(v.household_code);
      if (!ref) { this.issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
      const borrower = ref.members.get(v.borrower_position);
      const overdue = v.overdue ?? 0;
      const writtenOff = v.written_off ?? 0;
      const balanceOn = v.balance_on ?? v.disbursed_on;
      let bad = !this.lenderCode(file, row, 'lender', v.lender);
      const check = (ok: boolean, column: string, reason: string) => { if (!ok) { this.issue(file, row, column, reason); bad = true; } };
      check(!!borrower, 'borrower_position', `household ${v.household_code} has no member at position ${v.borrower_position}`);
      check(v.principal > 0, 'principal', 'must be more than 0');
      check(v.outstanding <= v.principal, 'outstanding', `more than the principal (${v.principal})`);
      check(!v.maturity_on || v.maturity_on > v.disbursed_on, 'maturity_on', `not after disbursed_on (${v.disbursed_on})`);
      check(balanceOn >= v.disbursed_on, 'balance_on', `before disbursed_on (${v.disbursed_on})`);
      check(v.status !== 'REPAID' || v.outstanding === 0, 'status', `a REPAID loan has nothing outstanding (outstanding is ${v.outstanding})`);
      check(v.status !== 'WRITTEN_OFF' || v.outstanding === 0, 'status', `a WRITTEN_OFF loan has nothing outstanding after the write-off (outstanding is ${v.outstanding}; give what was written off in written_off)`);
      check(!((v.status === 'ACTIVE' || v.status === 'OVERDUE') && v.outstanding === 0), 'status', `an ${v.status} loan has something outstanding (outstanding is 0)`);
      check(v.status === 'WRITTEN_OFF' || writtenOff === 0, 'written_off', `only a WRITTEN_OFF loan has an amount written off`);
      check(writtenOff === 0 || v.outstanding + writtenOff <= v.principal, 'written_off', `outstanding and written off (${v.outstanding + writtenOff}) are more than the principal (${v.principal})`);
      check(overdue <= v.outstanding, 'overdue', `more than the outstanding (${v.outstanding})`);
      check(v.status !== 'OVERDUE' || overdue > 0, 'overdue', 'an OVERDUE loan has an amount past due');
      check(v.status === 'OVERDUE' || overdue === 0, 'overdue', `a ${v.status} loan has nothing past due (give status OVERDUE)`);
      check(overdue === 0 || !!v.overdue_since, 'overdue_since', 'required when something is past due');
      check(!v.overdue_since || overdue > 0, 'overdue_since', 'only when something is past due');
      check(!v.overdue_since || v.overdue_since >= v.disbursed_on, 'overdue_since', `before disbursed_on (${v.disbursed_on})`);
      if (bad) continue;
      const old = stored.get(`${ref.id}|${v.loan_code}`);
      // what the file says; savings group and entrusting organisation stay as recorded
      const loan: LoanModel = { id: old?.id ?? randomUUID(), code: v.loan_code, householdId: ref.id, borrowerMemberId: borrower!, programme: v.programme, lender: v.lender,
        savingsGroupId: old?.savingsGroupId ?? null, entrustingOrganisation: old?.entrustingOrganisation ?? null,
        principal: v.principal, outstanding: v.outstanding, overdue, overdueSince: v.overdue_since,
        disbursedOn: v.disbursed_on, maturityOn: v.maturity_on, status: v.status };
      const planned = { loan, moves: movements(loan, writtenOff, balanceOn) };
      if (!old) { insert.push(planned); this.counts.loans.added++; }
      else if (sameFields(old, loan)) this.counts.loans.unchanged++;
      else { update.push(planned); this.counts.loans.changed++; }
    }
    await bulkInsert(tx, loans, insert.map((x) => x.loan));
    await bulkInsert(tx, loanTransactions, insert.flatMap((x) => x.moves));
    if (update.length) {
      // the city's balance replaces the loan's history
      await bulkUpdate(tx, loans, update.map((x) => x.loan), ['id']);
      await tx.execute(sql`delete from credit.loan_transactions where loan_id = any(${jsonUuids(update.map((x) => x.loan.id))})`);
      await bulkInsert(tx, loanTransactions, update.flatMap((x) => x.moves));
    }
    this.written += insert.length + update.length;
  }

  async end(): Promise<void> {
    if (this.written) this.progress(`credit subgraph: ${this.written.toLocaleString('en')} loans written`);
  }
}
