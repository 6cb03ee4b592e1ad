/** The credit subgraph's database strings as its GraphQL enums (packages/db/src/enums.ts): one mapper per enum. */
import { enumMapper } from '@ansinh/db';
import type { EntrustingOrganisation, LoanProgramme, LoanStatus, LoanTransactionKind } from '../generated/graphql.js';

export const entrustingOrganisation = enumMapper<EntrustingOrganisation>()('entrusting_organisation', [
  'WOMENS_UNION', 'FARMERS_UNION', 'VETERANS_ASSOCIATION', 'YOUTH_UNION',
]);
export const loanProgramme = enumMapper<LoanProgramme>()('programme', [
  'POOR_HOUSEHOLD', 'NEAR_POOR', 'NEWLY_ESCAPED', 'STUDENT', 'JOB_CREATION', 'HOUSING', 'CLEAN_WATER_SANITATION', 'LABOUR_EXPORT',
]);
export const loanStatus = enumMapper<LoanStatus>()('loans.status', ['ACTIVE', 'OVERDUE', 'REPAID', 'WRITTEN_OFF']);
export const loanTransactionKind = enumMapper<LoanTransactionKind>()('loan_transactions.kind', [
  'DISBURSEMENT', 'REPAYMENT', 'WRITE_OFF',
]);
