/** Resolver types of the credit subgraph: `pnpm codegen` (graphql-codegen --config codegen.ts) writes src/generated/graphql.ts. */
import { subgraphCodegen } from '../../scripts/codegen-config.js';

export default subgraphCodegen({
  contextType: '../context.js#Context',
  mappers: {
    Loan: '../db/schema.js#LoanModel',
    LoanTransaction: '../db/schema.js#LoanTransactionModel',
    SavingsGroup: '../db/schema.js#SavingsGroupModel',
    Lender: '../db/schema.js#LenderModel',
    InterestRate: '../db/schema.js#InterestRateModel',
    Household: '../context.js#HouseholdRef',
    Member: '../context.js#MemberRef',
    GapStatistics: '../context.js#GapRef',
    SupportGap: '../context.js#SupportGapModel',
    CreditStatistics: '../resolvers/statistics.js#CreditStatisticsModel',
    ProgrammeCredit: '../resolvers/statistics.js#ProgrammeCreditModel',
    AccessLog: '@ansinh/server#AccessLogRef',
  },
});
