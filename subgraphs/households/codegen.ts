/** Resolver types of the households subgraph: `pnpm codegen` (graphql-codegen --config codegen.ts) writes src/generated/graphql.ts. */
import { subgraphCodegen } from '../../scripts/codegen-config.js';

export default subgraphCodegen({
  contextType: '../context.js#Context',
  mappers: {
    Household: '../db/schema.js#HouseholdModel',
    Member: '../db/schema.js#MemberModel',
    AdministrativeUnit: '../db/units.js#UnitView',
    PovertyStandard: '../db/schema.js#PovertyStandardModel',
    HouseholdStatus: '../db/schema.js#AssessmentModel',
    AreaStatistics: '../resolvers/statistics.js#AreaStatisticsRef',
    Assessment: '../db/schema.js#AssessmentModel',
    Classification: '../domain/classify.js#ClassificationModel',
    StatusTransition: '../domain/transitions.js#Transition',
    UnitChange: '../db/schema.js#UnitChangeModel',
    PovertyIndicator: '../db/schema.js#PovertyIndicatorModel',
    AccessLog: '@ansinh/server#AccessLogRef',
  },
});
