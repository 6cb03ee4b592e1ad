/** The housing subgraph's database strings as its GraphQL enums (packages/db/src/enums.ts): one mapper per enum. */
import { enumMapper } from '@ansinh/db';
import type { FundingSource, HousingProgrammeKind, HousingSupportKind, HousingSupportStatus } from '../generated/graphql.js';

export const housingProgrammeKind = enumMapper<HousingProgrammeKind>()('programmes.kind', [
  'NATIONAL_TARGET_PROGRAMME', 'MAKESHIFT_HOUSE_REPLACEMENT', 'GREAT_SOLIDARITY_HOUSE', 'CITY_PROGRAMME',
]);
export const housingSupportKind = enumMapper<HousingSupportKind>()('supports.kind', ['NEW_BUILD', 'REPAIR']);
export const housingSupportStatus = enumMapper<HousingSupportStatus>()('supports.status', [
  'PROPOSED', 'APPROVED', 'UNDER_CONSTRUCTION', 'COMPLETED', 'HANDED_OVER',
]);
export const fundingSource = enumMapper<FundingSource>()('funding_lines.source', [
  'CENTRAL_BUDGET', 'PROVINCE_BUDGET', 'DISTRICT_BUDGET', 'POLICY_BANK_LOAN', 'FUND_FOR_THE_POOR', 'DONATION', 'HOUSEHOLD',
]);
