/** Resolver types of the health subgraph: `pnpm codegen` (graphql-codegen --config codegen.ts) writes src/generated/graphql.ts. */
import { subgraphCodegen } from '../../scripts/codegen-config.js';

export default subgraphCodegen({
  contextType: '../context.js#Context',
  mappers: {
    InsuranceCard: '../db/schema.js#CardModel',
    VoluntaryContribution: '../db/schema.js#ContributionModel',
    SupportLayer: '../db/schema.js#SupportLayerModel',
    SupportRule: '../db/schema.js#SupportRuleModel',
    Member: '../context.js#MemberRef',
    Household: '../context.js#HouseholdRef',
    GapStatistics: '../context.js#GapRef',
    HealthStatistics: '../resolvers/statistics.js#HealthStatisticsView',
    GroupCards: '../resolvers/statistics.js#GroupCardsView',
    GroupCoverage: '../resolvers/statistics.js#GroupCoverageView',
    AccessLog: '@ansinh/server#AccessLogRef',
  },
});
