/**
 * Bulk import of the credit subgraph's records: its reference data (lenders, interest rates: national, ADMIN only)
 * and loans. A loan is upserted by its household and code (a code is unique within its household: an import
 * matches only loans of households the caller may write). The household and borrower come as business keys
 * (household code, member position), resolved by the orchestrator through the households subgraph (`refs`, which
 * holds only households of the caller's area), so this subgraph reads only its own tables.
 *
 * A loan's balance as imported (outstanding, overdue, status) is what every report counts: the import writes the
 * loan's movements so that its history gives that balance from `balance_on` (default: the disbursement date) on.
 * Applied in the orchestrator's one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bulkInsert, type Db } from '@ansinh/db';
import { and, eq, inArray } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, readRows, sameFields,
  type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row } from '@ansinh/server';
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

export class CreditImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<CreditKind, ImportCounts> = { lenders: emptyCounts(), interest_rates: emptyCounts(), loans: emptyCounts() };
  private files: { [K in CreditKind]: { file: string; rows: Row<any>[] }[] } = { lenders: [], interest_rates: [], loans: [] };
  private plan = {
    lenders: { insert: [] as LenderModel[], update: [] as LenderModel[] },
    rates: { insert: [] as InterestRateModel[], update: [] as InterestRateModel[] },
    loans: { insert: [] as { loan: LoanModel; moves: Movement[] }[], update: [] as { loan: LoanModel; moves: Movement[] }[] },
  };

  constructor(private readonly db: CreditDb, private readonly progress: Progress = () => {}) {}

  async readFile(kind: CreditKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, COLUMNS[kind], this.issues, this.progress);
    this.files[kind].push({ file, rows });
  }

  /** The household codes the rows refer to (the orchestrator resolves them with the households subgraph). */
  householdCodes(): string[] {
    return [...new Set(this.files.loans.flatMap((f) => f.rows.map((r) => r.value.household_code as string)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const issue = (file: string, row: Row<any>, column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
    const national = caller.units === null;

    // lenders: national reference data
    const storedLenders = new Map((await this.db.select().from(lenders)).map((l) => [l.code, l]));
    const knownLenders = new Set(storedLenders.keys());
    for (const { file, rows } of this.files.lenders) {
      for (const row of firstOfKey(rows as Row<LenderIn>[], (v) => v.lender_code, file, 'lender_code', this.issues)) {
        const v = row.value;
        if (!national) { issue(file, row, 'lender_code', 'lenders are national reference data: only ADMIN imports them'); continue; }
        const next = { code: v.lender_code, name: v.name, kind: v.kind };
        const old = storedLenders.get(v.lender_code);
        knownLenders.add(v.lender_code);
        if (!old) { this.plan.lenders.insert.push(next); this.counts.lenders.added++; }
        else if (sameFields(old, next)) this.counts.lenders.unchanged++;
        else { this.plan.lenders.update.push(next); this.counts.lenders.changed++; }
      }
    }
    const lenderCode = (file: string, row: Row<any>, column: string, code: string) => {
      if (knownLenders.has(code)) return true;
      issue(file, row, column, `no lender ${code} (known: ${[...knownLenders].sort().join(', ') || 'none: import lenders first'})`);
      return false;
    };

    // interest rates: national, per programme and lender from a date
    const storedRates = new Map((await this.db.select().from(interestRates)).map((r) => [`${r.programme}|${r.lender}|${r.validFrom}`, r]));
    for (const { file, rows } of this.files.interest_rates) {
      for (const row of firstOfKey(rows as Row<RateIn>[], (v) => `${v.programme}|${v.lender_code}|${v.valid_from}`, file, 'valid_from', this.issues)) {
        const v = row.value;
        if (!national) { issue(file, row, 'programme', 'interest rates are national reference data: only ADMIN imports them'); continue; }
        if (!lenderCode(file, row, 'lender_code', v.lender_code)) continue;
        const next = { programme: v.programme, lender: v.lender_code, validFrom: v.valid_from, annualRate: Number(v.annual_rate).toFixed(2) };
        const old = storedRates.get(`${v.programme}|${v.lender_code}|${v.valid_from}`);
        if (!old) { this.plan.rates.insert.push(next); this.counts.interest_rates.added++; }
        else if (Number(old.annualRate) === Number(next.annualRate)) this.counts.interest_rates.unchanged++;
        else { this.plan.rates.update.push(next); this.counts.interest_rates.changed++; }
      }
    }

    // loans, matched within their household (stored loans of households outside the area are never looked at)
    const loanRows = this.files.loans.flatMap((f) => f.rows.map((row) => ({ file: f.file, row: row as Row<LoanIn> })));
    const householdIds = [...new Set(loanRows.map((r) => refs.get(r.row.value.household_code)?.id).filter((id): id is string => !!id))];
    const stored = new Map<string, LoanModel>();
    for (const batch of chunks(householdIds, 10_000)) {
      for (const l of await this.db.select().from(loans).where(inArray(loans.householdId, batch))) stored.set(`${l.householdId}|${l.code}`, l);
    }
    const seen = new Map<string, string>();
    for (const { file, rows } of this.files.loans) {
      for (const row of firstOfKey(rows as Row<LoanIn>[], (v) => `${v.household_code}|${v.loan_code}`, file, 'loan_code', this.issues)) {
        const v = row.value;
        const key = `${v.household_code}|${v.loan_code}`;
        if (seen.has(key)) { issue(file, row, 'loan_code', `also in ${seen.get(key)}`); continue; }
        seen.set(key, file);
        const ref = refs.get(v.household_code);
        if (!ref) { issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
        const borrower = ref.members.get(v.borrower_position);
        const overdue = v.overdue ?? 0;
        const writtenOff = v.written_off ?? 0;
        const balanceOn = v.balance_on ?? v.disbursed_on;
        let bad = !lenderCode(file, row, 'lender', v.lender);
        const check = (ok: boolean, column: string, reason: string) => { if (!ok) { issue(file, row, column, reason); bad = true; } };
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
        if (!old) { this.plan.loans.insert.push(planned); this.counts.loans.added++; }
        else if (sameFields(old, loan)) this.counts.loans.unchanged++;
        else { this.plan.loans.update.push(planned); this.counts.loans.changed++; }
      }
    }
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    const p = this.plan;
    await bulkInsert(tx as never, lenders, p.lenders.insert);
    for (const l of p.lenders.update) await tx.update(lenders).set(l).where(eq(lenders.code, l.code));
    await bulkInsert(tx as never, interestRates, p.rates.insert);
    for (const r of p.rates.update) {
      await tx.update(interestRates).set({ annualRate: r.annualRate })
        .where(and(eq(interestRates.programme, r.programme), eq(interestRates.lender, r.lender), eq(interestRates.validFrom, r.validFrom)));
    }
    if (!p.loans.insert.length && !p.loans.update.length) return;
    await bulkInsert(tx as never, loans, p.loans.insert.map((x) => x.loan));
    await bulkInsert(tx as never, loanTransactions, p.loans.insert.flatMap((x) => x.moves));
    for (const { loan, moves } of p.loans.update) {
      // the city's balance replaces the loan's history
      await tx.update(loans).set(loan).where(eq(loans.id, loan.id));
      await tx.delete(loanTransactions).where(eq(loanTransactions.loanId, loan.id));
      await tx.insert(loanTransactions).values(moves);
    }
    this.progress(`credit subgraph: ${(p.loans.insert.length + p.loans.update.length).toLocaleString('en')} loans written`);
  }
}

