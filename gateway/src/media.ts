/**
 * GraphQL over HTTP's two response media types (graphql.github.io/graphql-over-http). A client that asks for
 * `application/json` (or for nothing, as most do) gets every answer to a well-formed request in a 200, errors and
 * their codes in the body: Apollo Client, urql and fetch wrappers read a 200's `errors`, but report a 400 only as
 * "Received status code 400". A client that prefers `application/graphql-response+json` gets the 4xx the spec asks
 * for there. Content negotiation is `negotiator`'s (the library Apollo Server itself negotiates with).
 */
import type { IncomingHttpHeaders } from 'node:http';
import Negotiator from 'negotiator';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/** Whether the answer will be `application/graphql-response+json` (4xx for request errors) rather than `application/json`. */
export function wantsGraphQLResponseJson(accept: string | string[] | undefined | null): boolean {
  if (!accept) return false;
  const headers: IncomingHttpHeaders = { accept: Array.isArray(accept) ? accept.join(', ') : accept };
  // Apollo Server offers these in this order; a tie goes to application/json, as there
  return new Negotiator({ headers }).mediaType(['application/json', GRAPHQL_RESPONSE_JSON]) === GRAPHQL_RESPONSE_JSON;
}

/**
 * Whether Apollo Server answers this GET with its landing page (our explorer) rather than running an operation:
 * the same negotiation as Apollo's `prefersHTML`, so the two never disagree. A browser reloading the explorer
 * after editing a tab asks for `/?query=…` (GraphiQL keeps the tab's text in the address) with `text/html` first.
 */
export function prefersHtml(method: string | undefined, accept: string | string[] | undefined | null): boolean {
  if (method !== 'GET' || !accept) return false;
  const headers: IncomingHttpHeaders = { accept: Array.isArray(accept) ? accept.join(', ') : accept };
  return new Negotiator({ headers }).mediaType([
    'application/json', GRAPHQL_RESPONSE_JSON, 'multipart/mixed; deferSpec=20220824', 'multipart/mixed; incrementalSpec=v0.2', 'multipart/mixed', 'text/html',
  ]) === 'text/html';
}
