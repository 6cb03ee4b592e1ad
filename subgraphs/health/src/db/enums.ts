/** The health subgraph's database strings as its GraphQL enums (packages/db/src/enums.ts): one mapper per enum. */
import { enumMapper } from '@ansinh/db';
import type { BeneficiaryGroup, Funder, SupportScheme } from '../generated/graphql.js';

export const funder = enumMapper<Funder>()('funder', [
  'CENTRAL_BUDGET', 'PROVINCE_BUDGET', 'DISTRICT_BUDGET', 'FUND_FOR_THE_POOR', 'DONOR',
]);
export const beneficiaryGroup = enumMapper<BeneficiaryGroup>()('beneficiary_group', [
  'POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER',
]);
export const supportScheme = enumMapper<SupportScheme>()('support_rules.scheme', [
  'BHYT', 'VOLUNTARY_SOCIAL_INSURANCE',
]);
