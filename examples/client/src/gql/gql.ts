/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "# A unit's poverty figures for a review year, with what was withheld (small cells) and which units have no totals.\nquery AreaReport($unitCode: String!, $year: Int!) {\n  areaStatistics(unitCode: $unitCode, year: $year) {\n    unit { id code name }\n    year\n    totalHouseholds\n    poorHouseholds\n    poorRate\n    nearPoorHouseholds\n    nearPoorRate\n    totalsComplete\n    unitsWithoutTotals { id code name }\n    suppressed { field reason }\n  }\n}\n": typeof types.AreaReportDocument,
    "# A household's support picture from all four subgraphs: every object with an id is stored once in the cache.\nquery HouseholdPicture($code: String!) {\n  householdByCode(code: $code) {\n    id\n    code\n    address\n    currentStatus { status year standard { id code } }\n    unit { id name }\n    members {\n      id\n      fullName\n      relationToHead\n      insuranceCards { id cardNumber validTo supportLayers { id funder amount } }\n    }\n    loans { id code programme outstanding disbursedOn status }\n    housingSupports { id kind status fundingLines { id source amount } }\n  }\n}\n": typeof types.HouseholdPictureDocument,
    "# A unit's households a page at a time (Relay connection: `after` is the last page's endCursor).\nquery HouseholdsOfUnit($unitCode: String!, $status: PovertyStatus, $first: Int!, $after: String) {\n  households(unitCode: $unitCode, status: $status, first: $first, after: $after) {\n    totalCount\n    pageInfo { hasNextPage endCursor }\n    edges { cursor node { id code head { id fullName } currentStatus { status year } } }\n  }\n}\n": typeof types.HouseholdsOfUnitDocument,
};
const documents: Documents = {
    "# A unit's poverty figures for a review year, with what was withheld (small cells) and which units have no totals.\nquery AreaReport($unitCode: String!, $year: Int!) {\n  areaStatistics(unitCode: $unitCode, year: $year) {\n    unit { id code name }\n    year\n    totalHouseholds\n    poorHouseholds\n    poorRate\n    nearPoorHouseholds\n    nearPoorRate\n    totalsComplete\n    unitsWithoutTotals { id code name }\n    suppressed { field reason }\n  }\n}\n": types.AreaReportDocument,
    "# A household's support picture from all four subgraphs: every object with an id is stored once in the cache.\nquery HouseholdPicture($code: String!) {\n  householdByCode(code: $code) {\n    id\n    code\n    address\n    currentStatus { status year standard { id code } }\n    unit { id name }\n    members {\n      id\n      fullName\n      relationToHead\n      insuranceCards { id cardNumber validTo supportLayers { id funder amount } }\n    }\n    loans { id code programme outstanding disbursedOn status }\n    housingSupports { id kind status fundingLines { id source amount } }\n  }\n}\n": types.HouseholdPictureDocument,
    "# A unit's households a page at a time (Relay connection: `after` is the last page's endCursor).\nquery HouseholdsOfUnit($unitCode: String!, $status: PovertyStatus, $first: Int!, $after: String) {\n  households(unitCode: $unitCode, status: $status, first: $first, after: $after) {\n    totalCount\n    pageInfo { hasNextPage endCursor }\n    edges { cursor node { id code head { id fullName } currentStatus { status year } } }\n  }\n}\n": types.HouseholdsOfUnitDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "# A unit's poverty figures for a review year, with what was withheld (small cells) and which units have no totals.\nquery AreaReport($unitCode: String!, $year: Int!) {\n  areaStatistics(unitCode: $unitCode, year: $year) {\n    unit { id code name }\n    year\n    totalHouseholds\n    poorHouseholds\n    poorRate\n    nearPoorHouseholds\n    nearPoorRate\n    totalsComplete\n    unitsWithoutTotals { id code name }\n    suppressed { field reason }\n  }\n}\n"): (typeof documents)["# A unit's poverty figures for a review year, with what was withheld (small cells) and which units have no totals.\nquery AreaReport($unitCode: String!, $year: Int!) {\n  areaStatistics(unitCode: $unitCode, year: $year) {\n    unit { id code name }\n    year\n    totalHouseholds\n    poorHouseholds\n    poorRate\n    nearPoorHouseholds\n    nearPoorRate\n    totalsComplete\n    unitsWithoutTotals { id code name }\n    suppressed { field reason }\n  }\n}\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "# A household's support picture from all four subgraphs: every object with an id is stored once in the cache.\nquery HouseholdPicture($code: String!) {\n  householdByCode(code: $code) {\n    id\n    code\n    address\n    currentStatus { status year standard { id code } }\n    unit { id name }\n    members {\n      id\n      fullName\n      relationToHead\n      insuranceCards { id cardNumber validTo supportLayers { id funder amount } }\n    }\n    loans { id code programme outstanding disbursedOn status }\n    housingSupports { id kind status fundingLines { id source amount } }\n  }\n}\n"): (typeof documents)["# A household's support picture from all four subgraphs: every object with an id is stored once in the cache.\nquery HouseholdPicture($code: String!) {\n  householdByCode(code: $code) {\n    id\n    code\n    address\n    currentStatus { status year standard { id code } }\n    unit { id name }\n    members {\n      id\n      fullName\n      relationToHead\n      insuranceCards { id cardNumber validTo supportLayers { id funder amount } }\n    }\n    loans { id code programme outstanding disbursedOn status }\n    housingSupports { id kind status fundingLines { id source amount } }\n  }\n}\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "# A unit's households a page at a time (Relay connection: `after` is the last page's endCursor).\nquery HouseholdsOfUnit($unitCode: String!, $status: PovertyStatus, $first: Int!, $after: String) {\n  households(unitCode: $unitCode, status: $status, first: $first, after: $after) {\n    totalCount\n    pageInfo { hasNextPage endCursor }\n    edges { cursor node { id code head { id fullName } currentStatus { status year } } }\n  }\n}\n"): (typeof documents)["# A unit's households a page at a time (Relay connection: `after` is the last page's endCursor).\nquery HouseholdsOfUnit($unitCode: String!, $status: PovertyStatus, $first: Int!, $after: String) {\n  households(unitCode: $unitCode, status: $status, first: $first, after: $after) {\n    totalCount\n    pageInfo { hasNextPage endCursor }\n    edges { cursor node { id code head { id fullName } currentStatus { status year } } }\n  }\n}\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;