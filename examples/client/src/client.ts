/**
 * A typed client of An Sinh Graph: Apollo Client with a normalised cache (every entity is stored once under
 * `__typename:id`, so a loan seen in a household's picture and in a list is one object), operations typed by the
 * generated documents in src/gql/ (`pnpm codegen`). Errors a GraphQL request makes (a page too large, a bad
 * argument) come as GraphQL errors with `extensions.code` in a 200, which Apollo Client hands over as they are.
 */
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { AreaReportDocument, HouseholdPictureDocument, HouseholdsOfUnitDocument, type PovertyStatus } from './gql/graphql.js';

export function createClient(url: string, token: string, fetchImpl: typeof fetch = fetch): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: fetchImpl }),
    cache: new InMemoryCache({
      typePolicies: {
        // one list per unit and status, grown page by page (Relay cursors); `first`/`after` are not part of its key
        Query: { fields: { households: relayStylePagination(['unitCode', 'status']) } },
      },
    }),
  });
}

/** A household's support picture (hộ gia đình: members, cards, loans, housing) by its code. */
export async function householdPicture(client: ApolloClient, code: string) {
  const { data } = await client.query({ query: HouseholdPictureDocument, variables: { code } });
  return data?.householdByCode ?? null;
}

/** Every household of a unit, `pageSize` at a time: each page is fetched with the last page's cursor. */
export async function allHouseholds(client: ApolloClient, unitCode: string, pageSize: number, status?: PovertyStatus) {
  const variables = { unitCode, status, first: pageSize };
  let after: string | null | undefined;
  let data;
  let pages = 0;
  do {
    // each page is merged into the cached list (relayStylePagination), and the answer is the list so far
    ({ data } = await client.query({ query: HouseholdsOfUnitDocument, variables: { ...variables, after }, fetchPolicy: 'network-only' }));
    pages++;
    after = data?.households.pageInfo.endCursor;
  } while (data?.households.pageInfo.hasNextPage);
  return { totalCount: data?.households.totalCount ?? 0, pages, households: data?.households.edges.map((e) => e.node) ?? [] };
}

/** A unit's area report for a review year: figures, what was withheld, and whether every unit has its totals. */
export async function areaReport(client: ApolloClient, unitCode: string, year: number) {
  const { data } = await client.query({ query: AreaReportDocument, variables: { unitCode, year } });
  return data?.areaStatistics ?? null;
}
