/** The households subgraph's database strings as its GraphQL enums (packages/db/src/enums.ts): one mapper per enum. */
import { enumMapper } from '@ansinh/db';
import type { AreaType, AssessmentKind, Gender, IncomePeriod, LinkCoverage, PovertyStatus, RelationToHead, UnitKind } from '../generated/graphql.js';

export const areaType = enumMapper<AreaType>()('area_type', ['URBAN', 'RURAL']);
export const incomePeriod = enumMapper<IncomePeriod>()('income_period', ['MONTH', 'YEAR']);
export const assessmentKind = enumMapper<AssessmentKind>()('assessments.kind', ['PERIODIC', 'REGULAR']);
export const povertyStatus = enumMapper<PovertyStatus>()('assessments.status', [
  'POOR', 'NEAR_POOR', 'AVERAGE_LIVING_STANDARD', 'NONE',
]);
export const gender = enumMapper<Gender>()('members.gender', ['MALE', 'FEMALE']);
export const relationToHead = enumMapper<RelationToHead>()('members.relation_to_head', [
  'HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'SIBLING', 'OTHER',
]);
export const unitKind = enumMapper<UnitKind>()('units.kind (upper-cased)', [
  'CITY', 'PROVINCE', 'URBAN_DISTRICT', 'RURAL_DISTRICT', 'TOWN', 'WARD', 'COMMUNE', 'TOWNSHIP', 'SPECIAL_ZONE',
]);
export const linkCoverage = enumMapper<LinkCoverage>()('unit_links.coverage (upper-cased)', ['FULL', 'PARTIAL']);
