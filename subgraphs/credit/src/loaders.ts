/** Per-request DataLoaders: one SQL statement per kind of lookup, however many parents ask. */
import DataLoader from 'dataloader';
import { and, asc, desc, inArray, lte, sql } from 'drizzle-orm';
import { byKey, groupBy, householdAreas, isUuid, type AreaIds, type Caller } from '@ansinh/server';
import { recordReadable } from './access.js';
import type { CreditDb } from './context.js';
import {
  interestRates, loans, loanTransactions, savingsGroups,
  type InterestRateModel, type LoanModel, type LoanTransactionModel, type SavingsGroupModel,
} from './db/schema.js';

/** Loaders for one request and one caller: records outside the caller's area are not found. */
export function createLoaders(db: CreditDb, caller: Caller, area: AreaIds) {
  const readable = () => recordReadable(caller, area, loans.householdId);
  return {
    loan: new DataLoader<string, LoanModel | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.select().from(loans).where(and(inArray(loans.id, valid), await readable())) : [];
      return byKey(ids, rows, (r) => r.id);
    }),
    loanByCode: new DataLoader<string, LoanModel | null>(async (codes) => {
      // a code is unique within its household: of the caller's loans with a code, the latest disbursed
      const rows = await db.select().from(loans).where(and(inArray(loans.code, [...codes]), await readable())).orderBy(asc(loans.disbursedOn), asc(loans.id));
      return byKey(codes, rows, (r) => r.code);
    }),
    /** All loans of each household, newest disbursement first (loans, creditSummary and supportGaps share it). */
    loansOfHousehold: new DataLoader<string, LoanModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(loans).where(and(inArray(loans.householdId, valid), await readable()))
          .orderBy(asc(loans.householdId), desc(loans.disbursedOn), asc(loans.code))
        : [];
      return groupBy(ids, rows, (r) => r.householdId);
    }),
    /** Loans each member signed for, newest first. */
    loansOfBorrower: new DataLoader<string, LoanModel[]>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await db.select().from(loans).where(and(inArray(loans.borrowerMemberId, valid), await readable()))
          .orderBy(asc(loans.borrowerMemberId), desc(loans.disbursedOn), asc(loans.code))
        : [];
      return groupBy(ids, rows, (r) => r.borrowerMemberId);
    }),
    transactionsOfLoan: new DataLoader<string, LoanTransactionModel[]>(async (ids) => {
      const rows = await db.select().from(loanTransactions).where(and(inArray(loanTransactions.loanId, [...ids]),
        inArray(loanTransactions.loanId, db.select({ id: loans.id }).from(loans).where(and(inArray(loans.id, [...ids]), await readable())))))
        .orderBy(asc(loanTransactions.loanId), asc(loanTransactions.occurredOn), asc(loanTransactions.kind));
      return groupBy(ids, rows, (r) => r.loanId);
    }),
    /** The unit each household is placed in now, and that unit's ancestors, province first (Loan.area). */
    householdArea: new DataLoader<string, string[]>((ids) => householdAreas(db, 'credit', ids)),
    savingsGroup: new DataLoader<string, SavingsGroupModel | null>(async (ids) => {
      const rows = await db.select().from(savingsGroups).where(inArray(savingsGroups.id, [...ids]));
      return byKey(ids, rows, (r) => r.id);
    }),
    /** The rate in force per `programme|lender|date` key: one statement for all loans of a request. */
    rateOn: new DataLoader<string, InterestRateModel | null>(async (keys) => {
      const parsed = keys.map((k) => k.split('|') as [string, string, string]);
      const latest = parsed.reduce((max, [, , d]) => (d > max ? d : max), '0000-01-01');
      const rows = await db.select().from(interestRates)
        .where(and(inArray(interestRates.programme, [...new Set(parsed.map((p) => p[0]))]), lte(interestRates.validFrom, latest)))
        .orderBy(desc(interestRates.validFrom));
      return parsed.map(([programme, lender, d]) => rows.find((r) => r.programme === programme && r.lender === lender && r.validFrom <= d) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
