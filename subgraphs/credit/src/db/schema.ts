/** The credit subgraph's tables, in the PostgreSQL schema `credit`. */
import { sql } from 'drizzle-orm';
import { bigint, date, index, numeric, pgSchema, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessLogTable, idempotencyTable, placementsOf, registryTables, summaryTables, unitTables, type SummarySource } from '@ansinh/db';

export const creditSchema = pgSchema('credit');

/** Administrative units and the 2025 crosswalk, as every subgraph has them (packages/db/src/units.ts). */
export const { units, unitLinks } = unitTables(creditSchema);
/** The registry's households, placements, members and reviews, as this subgraph follows them (docs/areas.md). */
export const { registryHouseholds, registryPlacements, registryMembers, registryReviews } = registryTables(creditSchema);
/** Report figures kept per unit, valid while the unit's version is current (packages/db summaries.ts). */
export const { reportSummaries, summaryVersions, summaryEpoch } = summaryTables(creditSchema);
/**
 * What those figures count (creditStatistics; the gap flags): loans, their movements, where their households are
 * and their reviews; each write raises the versions of the units it touches (triggers installed at start).
 */
export const summarySources: SummarySource[] = [
  { table: 'loans', units: placementsOf('credit', 'select household_id from changed') },
  { table: 'loan_transactions', units: placementsOf('credit', 'select l.household_id from credit.loans l where l.id in (select loan_id from changed)') },
  { table: 'registry_placements', units: 'select unit_id from changed' },
  { table: 'registry_reviews', units: placementsOf('credit', 'select household_id from changed') },
];
/** Keys of the mutations already applied, with their first result. */
export const idempotencyKeys = idempotencyTable(creditSchema);

/** Tổ chức cho vay: the Vietnam Bank for Social Policies and other lenders (e.g. the TYM microfinance fund). */
export const lenders = creditSchema.table('lenders', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
});

/** Lãi suất cho vay: annual rate in percent per programme and lender, from a date until the next row's. */
export const interestRates = creditSchema.table('interest_rates', {
  programme: text('programme').notNull(),
  lender: text('lender').notNull().references(() => lenders.code),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  annualRate: numeric('annual_rate', { precision: 6, scale: 2 }).notNull(),
}, (t) => [primaryKey({ columns: [t.programme, t.lender, t.validFrom] })]);

/** Tổ tiết kiệm và vay vốn: a savings-and-loan group, run by an entrusting organisation in a ward. */
export const savingsGroups = creditSchema.table('savings_groups', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  name: text('name').notNull(),
  entrustingOrganisation: text('entrusting_organisation').notNull(),
  unitId: text('unit_id').notNull(),
}, (t) => [uniqueIndex('savings_groups_code_idx').on(t.code)]);

/** Policy loans (cho vay ưu đãi); household and borrower are ids owned by the households subgraph. */
export const loans = creditSchema.table('loans', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  householdId: uuid('household_id').notNull(),
  borrowerMemberId: uuid('borrower_member_id').notNull(),
  programme: text('programme').notNull(),
  lender: text('lender').notNull().references(() => lenders.code),
  savingsGroupId: uuid('savings_group_id').references(() => savingsGroups.id),
  entrustingOrganisation: text('entrusting_organisation'),
  principal: bigint('principal', { mode: 'number' }).notNull(),
  /** what is still owed today: principal less repayments and write-offs (loan_transactions has the history) */
  outstanding: bigint('outstanding', { mode: 'number' }).notNull(),
  /** the amount past due as last recorded, counted from overdue_since while the loan is outstanding */
  overdue: bigint('overdue', { mode: 'number' }).notNull().default(0),
  overdueSince: date('overdue_since', { mode: 'string' }),
  disbursedOn: date('disbursed_on', { mode: 'string' }).notNull(),
  maturityOn: date('maturity_on', { mode: 'string' }),
  status: text('status').notNull(),
}, (t) => [
  // a loan code is unique within its household: an import matches only the loans of a household the caller may
  // write, and a code taken elsewhere tells nobody anything (docs/security.md)
  uniqueIndex('loans_household_code_idx').on(t.householdId, t.code),
  index('loans_code_idx').on(t.code),
  index('loans_household_idx').on(t.householdId, t.disbursedOn),
  index('loans_borrower_idx').on(t.borrowerMemberId),
]);

/** Giải ngân, trả nợ, xử lý rủi ro: every movement of a loan, so figures can be taken on any date. */
export const loanTransactions = creditSchema.table('loan_transactions', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  loanId: uuid('loan_id').notNull().references(() => loans.id),
  kind: text('kind').notNull(),
  occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
}, (t) => [index('loan_transactions_loan_idx').on(t.loanId, t.occurredOn)]);

export type LoanModel = typeof loans.$inferSelect;
export type LoanTransactionModel = typeof loanTransactions.$inferSelect;
export type SavingsGroupModel = typeof savingsGroups.$inferSelect;
export type LenderModel = typeof lenders.$inferSelect;
export type InterestRateModel = typeof interestRates.$inferSelect;

/** Who read which individual's sensitive fields (append-only; docs/security.md). */
export const accessLog = accessLogTable(creditSchema);
