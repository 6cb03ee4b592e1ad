/** Resolver types of the housing subgraph: `pnpm codegen` (graphql-codegen --config codegen.ts) writes src/generated/graphql.ts. */
import { subgraphCodegen } from '../../scripts/codegen-config.js';

export default subgraphCodegen({
  contextType: '../context.js#Context',
  mappers: {
    HousingSupport: '../db/schema.js#HousingSupportModel',
    HousingProgramme: '../db/schema.js#HousingProgrammeModel',
    FundingLine: '../db/schema.js#FundingLineModel',
    FundingTotal: '../context.js#FundingLineView',
    Household: '../context.js#HouseholdRef',
    GapStatistics: '../context.js#GapRef',
    HousingStatistics: '../resolvers/statistics.js#HousingStatisticsView',
    AccessLog: '@ansinh/server#AccessLogRef',
  },
});
