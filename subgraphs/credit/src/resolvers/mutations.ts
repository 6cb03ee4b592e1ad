/**
 * Day-to-day changes officers make: disburse, repay, write off. Each is validated (BAD_USER_INPUT naming the
 * field), runs in one transaction, and is idempotent on the client's key (packages/server/src/mutations.ts, which
 * is also where the caller is checked: against the household as stored, never a unit the client sends).
 */
import { randomUUID } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { badInput, householdOfMember, isUuid, notFound, runIdempotent, inputHousehold } from '@ansinh/server';
import { rows, type Db } from '@ansinh/db';
import type { Context } from '../context.js';
import { lenders, loans, loanTransactions, savingsGroups, type LoanModel } from '../db/schema.js';
import type { MutationResolvers } from '../generated/graphql.js';

type Tx = Db<any>;

const noLoan = (loanId: string) => notFound(`No loan has the id "${loanId}"`, 'loanId');

async function lockLoan(tx: Tx, loanId: string): Promise<LoanModel | null> {
  if (!isUuid(loanId)) return null;
  const [loan] = await tx.select().from(loans).where(eq(loans.id, loanId)).for('update');
  return (loan as LoanModel | undefined) ?? null;
}

async function lastMovement(tx: Tx, loanId: string): Promise<string> {
  const [last] = await tx.select({ on: loanTransactions.occurredOn }).from(loanTransactions)
    .where(eq(loanTransactions.loanId, loanId)).orderBy(desc(loanTransactions.occurredOn)).limit(1);
  return last!.on;
}

function open(loan: LoanModel, field: string): void {
  if (loan.status === 'REPAID' || loan.status === 'WRITTEN_OFF') {
    throw badInput(`Loan ${loan.code} is ${loan.status}: nothing is owed on it`, field);
  }
}

export const mutations: MutationResolvers<Context> = {
  disburseLoan: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'credit', {
      key: idempotencyKey, operation: 'credit.disburseLoan', input: rest, context: ctx,
      ...inputHousehold(input.householdId),
      run: async (tx, unitId) => {
        // the borrower must be a member of that household (the registry's copy), never a made-up id
        if (!isUuid(input.borrowerMemberId) || (await householdOfMember(tx, 'credit', input.borrowerMemberId)) !== input.householdId) {
          throw notFound(`Household ${input.householdId} has no member with the id "${input.borrowerMemberId}"`, 'borrowerMemberId');
        }
        if (input.principal <= 0) throw badInput(`"principal" must be more than 0 VND, got ${input.principal}`, 'principal');
        if (input.maturityOn <= input.disbursedOn) throw badInput(`"maturityOn" (${input.maturityOn}) must come after "disbursedOn" (${input.disbursedOn})`, 'maturityOn');
        const lender = input.lender ?? 'VBSP';
        const [known] = await tx.select().from(lenders).where(eq(lenders.code, lender));
        if (!known) throw badInput(`No lender has the code "${lender}"`, 'lender');
        let group = null;
        if (input.savingsGroupCode) {
          [group] = await tx.select().from(savingsGroups).where(eq(savingsGroups.code, input.savingsGroupCode));
          if (!group) throw badInput(`No savings group has the code "${input.savingsGroupCode}"`, 'savingsGroupCode');
          // a group works in one ward: the household's, or one the 2025 crosswalk links it to
          const [linked] = group.unitId === unitId ? [true] : await rows(tx, sql`select 1 from credit.unit_links
            where (new_unit_id = ${unitId} and old_unit_id = ${group.unitId}) or (new_unit_id = ${group.unitId} and old_unit_id = ${unitId}) limit 1`);
          if (!linked) throw badInput(`Savings group ${group.code} works in ${group.unitId}, not in the household's ward ${unitId}`, 'savingsGroupCode');
        }
        const id = randomUUID();
        const ward = unitId.split('@')[0];
        const [loan] = await tx.insert(loans).values({
          id, code: `${lender}-${ward}-${id.slice(0, 8).toUpperCase()}`, householdId: input.householdId, borrowerMemberId: input.borrowerMemberId,
          programme: input.programme, lender, savingsGroupId: group?.id ?? null, entrustingOrganisation: group?.entrustingOrganisation ?? null,
          principal: input.principal, outstanding: input.principal, overdue: 0, overdueSince: null,
          disbursedOn: input.disbursedOn, maturityOn: input.maturityOn, status: 'ACTIVE',
        }).returning();
        await tx.insert(loanTransactions).values({ loanId: id, kind: 'DISBURSEMENT', occurredOn: input.disbursedOn, amount: input.principal });
        return loan as LoanModel;
      },
    });
    return { loan: result, replayed };
  },

  repayLoan: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'credit', {
      key: idempotencyKey, operation: 'credit.repayLoan', input: rest, context: ctx,
      household: async (tx) => (await lockLoan(tx, input.loanId))?.householdId ?? null,
      missing: noLoan(input.loanId),
      run: async (tx) => {
        const loan = (await lockLoan(tx, input.loanId))!;
        open(loan, 'loanId');
        if (input.amount <= 0) throw badInput(`"amount" must be more than 0 VND, got ${input.amount}`, 'amount');
        if (input.amount > loan.outstanding) throw badInput(`"amount" ${input.amount} is more than the ${loan.outstanding} VND still owed on ${loan.code}`, 'amount');
        const last = await lastMovement(tx, loan.id);
        if (input.paidOn < last) throw badInput(`"paidOn" (${input.paidOn}) is before the loan's last movement (${last})`, 'paidOn');
        const outstanding = loan.outstanding - input.amount;
        const overdue = Math.max(0, loan.overdue - input.amount);
        await tx.insert(loanTransactions).values({ loanId: loan.id, kind: 'REPAYMENT', occurredOn: input.paidOn, amount: input.amount });
        const [updated] = await tx.update(loans).set({
          outstanding, overdue, overdueSince: overdue > 0 ? loan.overdueSince : null,
          status: outstanding === 0 ? 'REPAID' : overdue > 0 ? 'OVERDUE' : 'ACTIVE',
        }).where(eq(loans.id, loan.id)).returning();
        return updated as LoanModel;
      },
    });
    return { loan: result, replayed };
  },

  writeOffLoan: async (_, { input }, ctx) => {
    const { idempotencyKey, ...rest } = input;
    const { result, replayed } = await runIdempotent(ctx.db, 'credit', {
      key: idempotencyKey, operation: 'credit.writeOffLoan', input: rest, context: ctx,
      household: async (tx) => (await lockLoan(tx, input.loanId))?.householdId ?? null,
      missing: noLoan(input.loanId),
      run: async (tx) => {
        const loan = (await lockLoan(tx, input.loanId))!;
        open(loan, 'loanId');
        const last = await lastMovement(tx, loan.id);
        if (input.writtenOffOn < last) throw badInput(`"writtenOffOn" (${input.writtenOffOn}) is before the loan's last movement (${last})`, 'writtenOffOn');
        await tx.insert(loanTransactions).values({ loanId: loan.id, kind: 'WRITE_OFF', occurredOn: input.writtenOffOn, amount: loan.outstanding });
        const [updated] = await tx.update(loans).set({ outstanding: 0, overdue: 0, overdueSince: null, status: 'WRITTEN_OFF' })
          .where(eq(loans.id, loan.id)).returning();
        return updated as LoanModel;
      },
    });
    return { loan: result, replayed };
  },
};
