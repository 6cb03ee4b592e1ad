/** The gateway: @apollo/gateway over the committed supergraph, served by Apollo Server on our HTTP front. */
process.env.APOLLO_TELEMETRY_DISABLED = '1'; // nothing may call out to the internet

import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginUsageReportingDisabled, ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { admissionFromEnv, currentRequestScope, DEADLINE_HEADER, remainingMs, type AdmissionSettings } from '@ansinh/server';
import { HttpError, INTERNAL_HEADER, injectTraceHeaders, log, maskError, recordOf, requestRecordPlugin, safeError, sendJson, serveHttp, ServiceMetrics, signInternalToken, type Caller, type PrepareInput, type Route, type RunningHttp } from '@ansinh/server';
import { authOptionsFromEnv, createAuthenticator, type AuthOptions, type Authenticator, type Identity } from './auth.js';
import { explorerPlugin } from './explorer.js';
import { exportRoutes } from './export.js';
import { GRAPHQL_RESPONSE_JSON, prefersHtml, wantsGraphQLResponseJson } from './media.js';
import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GraphQLSchema } from 'graphql';
import { apiSchemaRecorder, checkOperation, limitsFromEnv, type Limits } from './limits.js';
import { sha256, trustedDocuments, type TrustedDocument } from './trusted.js';
import { SUPERGRAPH_FILE, subgraphEnvName, supergraphSubgraphs } from './subgraphs.js';
import { retryPolicyFromEnv, subgraphFetcher, type RetryPolicy } from './fetch.js';
import { rateLimiter, rateLimitFromEnv, type RateLimit } from './ratelimit.js';

export interface GatewayOptions {
  port?: number;
  host?: string;
  /** Where each subgraph the supergraph names answers; defaults from `<NAME>_URL` (HOUSEHOLDS_URL, …), then the supergraph's URLs. */
  urls?: Record<string, string>;
  supergraphSdl?: string;
  /** the explorer page; default: on unless NODE_ENV=production (ANSINH_EXPLORER=on turns it on there) */
  explorer?: boolean;
  /** schema introspection; default: on unless NODE_ENV=production (ANSINH_INTROSPECTION=on) */
  introspection?: boolean;
  /** verifies client tokens (shared with routes such as /import); default: createAuthenticator(auth) */
  authenticate?: Authenticator;
  /** how client tokens are verified; default from JWKS_FILE / JWKS_URL / JWT_SECRET */
  auth?: AuthOptions;
  /** the secret shared with the subgraphs (internal tokens) */
  internalSecret: string;
  /** operation limits; default from the environment (ANSINH_MAX_*) */
  limits?: Partial<Limits>;
  /** accept only registered operations; default: on when NODE_ENV=production (ANSINH_TRUSTED_DOCUMENTS=on|off) */
  trustedDocuments?: boolean;
  /**
   * How long the gateway waits for each subgraph before answering without it (ms). Defaults from
   * `<NAME>_TIMEOUT_MS` (e.g. CREDIT_TIMEOUT_MS), then SUBGRAPH_TIMEOUT_MS, then 5,000.
   */
  timeouts?: Record<string, number>;
  /** Extra POST routes that read their request themselves (the import endpoint). */
  postRoutes?: Record<string, Route>;
  /** per-client rate limit (null: off); default from ANSINH_RATE_LIMIT (600 requests per 60 s) */
  rateLimit?: RateLimit | null;
  /** retries of idempotent subgraph fetches; default from SUBGRAPH_RETRIES, SUBGRAPH_RETRY_BASE_MS */
  retry?: RetryPolicy;
  /** the gateway's metrics (default: fresh ones) */
  metrics?: ServiceMetrics;
  /** origins a browser page may call the API from; default ANSINH_CORS_ORIGINS (comma-separated) */
  corsOrigins?: string[];
  /** requests in flight and queued (null: unbounded); default from ANSINH_MAX_IN_FLIGHT, … (packages/server overload.ts) */
  admission?: AdmissionSettings | null;
  /** the longest a client request may take, subgraph fetches included (ms); default ANSINH_REQUEST_TIMEOUT_MS, else none */
  requestTimeoutMs?: number;
}

/** What each request's context carries: the verified caller. */
export interface GatewayContext {
  identity?: Identity;
  requestId: string;
}

const envFlag = (name: string): boolean | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v === 'on' || v === 'true' || v === '1';
};

export interface RunningGateway extends RunningHttp {
  apollo: ApolloServer<GatewayContext>;
  urls: Record<string, string>;
  metrics: ServiceMetrics;
}

/**
 * A subgraph answers 400 when it rejects an argument value (say a Date that is no calendar date: the gateway
 * passes custom scalars through unchecked). Hand its own error and code to the client instead of a bare
 * "400: Bad Request".
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly timeoutMs: number;

  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource>[0] & { name?: string; timeoutMs?: number; retry?: RetryPolicy; metrics?: ServiceMetrics },
    private readonly internalSecret: string,
  ) {
    super(config);
    this.name = config?.name ?? 'unknown';
    this.timeoutMs = config?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // undici on a kept-alive pool per subgraph, bounded by the per-subgraph timeout, timed, and retried for queries only (fetch.ts)
    this.fetcher = subgraphFetcher({ name: this.name, timeoutMs: this.timeoutMs, retry: config?.retry ?? { retries: 0, baseDelayMs: 50 }, metrics: config?.metrics }) as any;
  }

  /** Every subgraph request carries the caller, signed by the gateway: subgraphs refuse requests without it. */
  override async willSendRequest(options: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    const context = options.context as GatewayContext | undefined;
    const identity = context?.identity;
    if (!identity) throw new GraphQLError('No verified caller for a subgraph request', { extensions: { code: 'UNAUTHENTICATED' } });
    const operationName = 'incomingRequestContext' in options ? options.incomingRequestContext.operationName ?? null : null;
    // signed once per client request, however many subgraph fetches its plan makes (the identity is the request's)
    let token = internalTokens.get(identity);
    if (!token) {
      const caller: Caller = { ...identity, requestId: context.requestId, operationName };
      internalTokens.set(identity, (token = signInternalToken(caller, this.internalSecret)));
    }
    options.request.http?.headers.set(INTERNAL_HEADER, await token);
    options.request.http?.headers.set('x-request-id', context.requestId);
    // how long the gateway still waits: the subgraph cancels the request's SQL when this has passed (overload.ts)
    options.request.http?.headers.set(DEADLINE_HEADER, String(Math.min(this.timeoutMs, remainingMs(currentRequestScope()?.deadline) ?? Infinity)));
    // W3C trace context: the subgraph's spans join this request's trace
    if (options.request.http) injectTraceHeaders(options.request.http.headers);
    recordOf(context)?.subgraphs.add(this.name);
  }

  /**
   * A subgraph that is down, slow or failing: the gateway keeps the other subgraphs' data and reports the missing
   * part with SUBGRAPH_UNAVAILABLE naming the subgraph; the next request tries again (recovery needs nothing).
   */
  override didEncounterError(error: Error): void {
    if (error instanceof GraphQLError && error.extensions?.code && error.extensions.code !== 'INTERNAL_SERVER_ERROR' && !error.extensions.response) throw error;
    const status = (error as GraphQLError).extensions?.response as { status?: number } | undefined;
    const cause = (error as { cause?: { code?: string } }).cause;
    const reason = error.name === 'TimeoutError' || error.name === 'AbortError'
      ? `no answer within ${this.timeoutMs} ms`
      : status?.status ? `it answered HTTP ${status.status}` : cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.code ?? error.message);
    throw new GraphQLError(`The ${this.name} subgraph is unavailable (${reason}): the fields it provides are missing from this answer.`, {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.name, reason },
    });
  }

  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]) {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: { errors?: { message: string; extensions?: { code?: string } }[] } }).body;
    const first = typeof body === 'object' ? body?.errors?.[0] : undefined;
    if (response.status === 400 && first?.extensions?.code) {
      return new GraphQLError(first.message, { extensions: { code: first.extensions.code } });
    }
    return error;
  }
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** The internal token of each client request in flight, by its verified identity (one object per request). */
const internalTokens = new WeakMap<Identity, Promise<string>>();

/** ANSINH_REQUEST_TIMEOUT_MS: the longest a client request may take (unset: only the subgraph timeouts bound it). */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.ANSINH_REQUEST_TIMEOUT_MS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ANSINH_REQUEST_TIMEOUT_MS must be a positive number of ms, got "${raw}"`);
  return n;
}

/** The APQ cache's size: least recently used texts are dropped beyond it (their clients send the text again). */
export const APQ_CACHE_BYTES = 16 * 1024 * 1024;

/** How long requests in flight may run after SIGTERM (SHUTDOWN_GRACE_MS, default 10,000). */
export function shutdownGraceMs(): number {
  return Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000);
}

export function subgraphTimeout(name: string, given?: number): number {
  const env = process.env[subgraphEnvName(name, 'TIMEOUT_MS')] ?? process.env.SUBGRAPH_TIMEOUT_MS;
  const value = given ?? (env ? Number(env) : DEFAULT_TIMEOUT_MS);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`timeout for the ${name} subgraph must be a positive number of ms, got ${env}`);
  return value;
}

/** A subgraph is up when its /ready says so (its database answers); a subgraph without /ready is asked `{ __typename }`. */
async function check(url: string, timeoutMs: number, internalSecret: string): Promise<{ state: 'up' | 'down'; reason?: string }> {
  try {
    const ready = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(timeoutMs) });
    if (ready.status !== 404) {
      if (ready.ok) return { state: 'up' };
      const body = (await ready.json().catch(() => ({}))) as { reason?: string };
      return { state: 'down', reason: body.reason ?? `its /ready answered HTTP ${ready.status}` };
    }
    // the readiness probe is a caller too: the least privileged one
    const token = await signInternalToken({ sub: 'gateway:ready', role: 'ANALYST', units: [], requestId: 'ready', operationName: null }, internalSecret);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_HEADER]: token },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok ? { state: 'up' } : { state: 'down', reason: `it answered HTTP ${res.status}` };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { state: 'down', reason: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message) };
  }
}

interface ClientRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown; version?: unknown } } & Record<string, unknown>;
  documentId?: unknown;
}

/** Apollo's answer to an APQ hash it does not know (clients then send the text with the hash). */
const persistedQueryNotFound = () => new HttpError(200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { 'cache-control': 'private, no-cache, must-revalidate' });

/**
 * Authentication, trusted documents and operation limits, before Apollo sees the request. The limits are checked on
 * the text that will run, whichever way it came: in the body or the URL (GET), by a registered document's id, or by
 * an APQ hash, looked up in the cache Apollo itself reads (`apq`).
 */
export function requestGuard(settings: {
  authenticate: Authenticator;
  limits: Limits;
  registry: Map<string, TrustedDocument> | null;
  /** the API schema served (the cost model reads its types) */
  schema: () => GraphQLSchema | undefined;
  /** Apollo's APQ cache: hash → text (unprefixed) */
  apq?: KeyValueCache<string>;
  /** the explorer page is served (Apollo answers a GET that prefers HTML with it, whatever its parameters) */
  explorer?: boolean;
}) {
  return async ({ req, requestId, method, url, body }: PrepareInput): Promise<{ body: unknown; state: GatewayContext }> => {
    let request: ClientRequest;
    if (method === 'POST') {
      if (Array.isArray(body)) throw new HttpError(400, 'BAD_REQUEST', 'Batched requests are not accepted: send one operation per request');
      if (body === null || typeof body !== 'object') throw new HttpError(400, 'BAD_REQUEST', 'The body must be a JSON object such as {"query": "…"} (content-type: application/json)');
      request = body as ClientRequest;
    } else {
      const p = url.searchParams;
      // the explorer page (GET without an operation) is open to everyone; so is the page reloaded with a tab's text in
      // the address (`/?query=…`), which Apollo answers with the page, not by running the text
      if (!p.has('query') && !p.has('extensions') && !p.has('documentId')) return { body, state: { requestId } };
      if (settings.explorer && prefersHtml(method, req.headers.accept)) return { body, state: { requestId } };
      const json = (name: string) => {
        const raw = p.get(name);
        if (raw === null) return undefined;
        try { return JSON.parse(raw); } catch { throw new HttpError(400, 'BAD_REQUEST', `The "${name}" parameter is not valid JSON`); }
      };
      request = { query: p.get('query') ?? undefined, operationName: p.get('operationName') ?? undefined, variables: json('variables'), extensions: json('extensions'), documentId: p.get('documentId') ?? undefined };
    }
    const identity = await settings.authenticate(req);
    const persistedHash = request.extensions?.persistedQuery?.sha256Hash;
    if (settings.registry) {
      const documentId = typeof request.documentId === 'string' ? request.documentId.replace(/^sha256:/, '') : typeof persistedHash === 'string' ? persistedHash : undefined;
      const hash = typeof request.query === 'string' ? sha256(request.query) : documentId;
      const known = hash === undefined ? undefined : settings.registry.get(hash);
      if (!known) {
        throw new HttpError(400, hash === undefined || typeof request.query === 'string' ? 'TRUSTED_DOCUMENT_REQUIRED' : 'PERSISTED_QUERY_NOT_FOUND',
          typeof request.query === 'string' || hash === undefined
            ? 'This server runs registered operations only (trusted documents): send {"documentId": "sha256:<hash>"} of a registered operation'
            : `No registered operation has the id sha256:${hash}`);
      }
      if (method !== 'POST') throw new HttpError(400, 'BAD_REQUEST', 'Send registered operations with POST');
      const { extensions, documentId: _id, ...rest } = request;
      const { persistedQuery: _pq, ...otherExtensions } = extensions ?? {};
      request = { ...rest, query: known.query, ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}) };
      body = request;
    }
    let query = typeof request.query === 'string' ? request.query : undefined;
    // (another version of the protocol: Apollo refuses it before looking anything up)
    if (query === undefined && typeof persistedHash === 'string' && settings.apq && request.extensions?.persistedQuery?.version === 1) {
      // a hash alone: check the text Apollo will run. One not in the cache is answered here as Apollo would, so that
      // a registration racing this request cannot slip an unchecked text in between.
      query = await settings.apq.get(persistedHash);
      if (query === undefined) throw persistedQueryNotFound();
    }
    if (query !== undefined) {
      const schema = settings.schema();
      // Apollo loads the schema before the server listens: no schema here is a fault of ours (500)
      if (!schema) throw new Error('the operation limits have no API schema to read');
      const variables = request.variables && typeof request.variables === 'object' && !Array.isArray(request.variables) ? request.variables as Record<string, unknown> : undefined;
      try {
        checkOperation(schema, { query, variables, operationName: typeof request.operationName === 'string' ? request.operationName : undefined }, settings.limits);
      } catch (error) {
        // a refused operation is a GraphQL request error of a well-formed request: 200 for application/json (media.ts)
        if (error instanceof HttpError && error.status === 400) {
          if (!wantsGraphQLResponseJson(req.headers.accept)) throw new HttpError(200, error.code, error.message, error.headers, error.extensions);
          // a 4xx in the media type asked for: clients parse its body only then (Apollo Client 4 does)
          throw new HttpError(error.status, error.code, error.message, { ...error.headers, 'content-type': `${GRAPHQL_RESPONSE_JSON}; charset=utf-8` }, error.extensions);
        }
        throw error;
      }
    }
    return { body, state: { identity, requestId } };
  };
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const production = process.env.NODE_ENV === 'production';
  const limits = { ...limitsFromEnv(), ...options.limits };
  const authenticate = options.authenticate ?? createAuthenticator(options.auth ?? authOptionsFromEnv());
  const trusted = options.trustedDocuments ?? envFlag('ANSINH_TRUSTED_DOCUMENTS') ?? production;
  const registry = trusted ? trustedDocuments() : null;
  const metrics = options.metrics ?? new ServiceMetrics('gateway');
  const supergraphSdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH_FILE, 'utf8');
  // whichever subgraphs the supergraph names, each at its configured URL
  const graphs = supergraphSubgraphs(supergraphSdl);
  const urls = Object.fromEntries(graphs.map((g) => [g.name, options.urls?.[g.name] ?? process.env[subgraphEnvName(g.name, 'URL')] ?? g.url]));
  for (const [name, url] of Object.entries(urls)) if (!url) throw new Error(`No URL for the ${name} subgraph: set ${subgraphEnvName(name, 'URL')}`);
  const retry = options.retry ?? retryPolicyFromEnv();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => new SubgraphDataSource({
      url: urls[name], name, timeoutMs: subgraphTimeout(name, options.timeouts?.[name]), retry, metrics,
    }, options.internalSecret),
  });
  const rateLimit = options.rateLimit === undefined ? rateLimitFromEnv() : options.rateLimit;
  const explorer = options.explorer ?? envFlag('ANSINH_EXPLORER') ?? !production;
  const introspection = options.introspection ?? envFlag('ANSINH_INTROSPECTION') ?? !production;
  const schema = apiSchemaRecorder();
  const apq = registry ? undefined : new InMemoryLRUCache<string>({ maxSize: APQ_CACHE_BYTES });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
    // the process owns SIGINT/SIGTERM and stops servers in order (see start-all.ts, runSubgraph)
    stopOnTerminationSignals: false,
    introspection,
    csrfPrevention: true,
    // APQ (automatic persisted queries) in development; with trusted documents the registry replaces it. The cache is
    // bounded (LRU, 16 MiB) and shared with the guard, which checks the text a hash stands for before Apollo runs it.
    persistedQueries: apq ? { cache: PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation(apq) } : false,
    plugins: [
      schema.plugin,
      {
        async requestDidStart() {
          return {
            async willSendResponse({ request, response }) {
              // parse, validation and variable errors (Apollo's 400s): 200 for application/json, as the spec asks (media.ts)
              if (response.http.status === 400 && !wantsGraphQLResponseJson(request.http?.headers.get('accept'))) response.http.status = 200;
            },
            async didEncounterErrors({ contextValue, errors }) {
              // the client gets a masked message; the log keeps the cause with the request id
              for (const e of errors) {
                const code = e.extensions?.code;
                if (!code || code === 'INTERNAL_SERVER_ERROR') log.error({ service: 'gateway', requestId: contextValue.requestId, err: safeError(e.originalError ?? e) }, 'internal error');
              }
            },
          };
        },
      },
      requestRecordPlugin(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(explorer ? [explorerPlugin()] : []),
    ],
  });
  await apollo.start();
  const http = await serveHttp({
    apollo,
    port: options.port ?? Number(process.env.PORT ?? 4000),
    host: options.host,
    maxBodyBytes: limits.maxBodyBytes,
    service: 'gateway',
    metrics,
    corsOrigins: options.corsOrigins ?? (process.env.ANSINH_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    describe: (state) => {
      const identity = (state as GatewayContext | undefined)?.identity;
      return identity ? { subject: identity.sub, role: identity.role } : undefined;
    },
    ...(rateLimit ? { admit: rateLimiter(rateLimit, metrics) } : {}),
    admission: options.admission === undefined ? admissionFromEnv('ANSINH') : options.admission,
    deadline: { trustHeader: false, timeoutMs: options.requestTimeoutMs ?? requestTimeoutFromEnv() },
    prepare: requestGuard({ authenticate, limits, registry, schema: schema.current, apq, explorer }),
    context: async (_req, requestId, state) => (state as GatewayContext | undefined) ?? { requestId },
    postRoutes: options.postRoutes,
    routes: {
      // the area reports as CSV, through this gateway with the caller's token (export.ts)
      ...exportRoutes(),
      // liveness: the process answers
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      // readiness: the supergraph is loaded and every subgraph answers
      '/ready': async (_req, res) => {
        const checks = await Promise.all(graphs.map(async (s) => [s.name, await check(urls[s.name]!, Math.min(2_000, subgraphTimeout(s.name, options.timeouts?.[s.name])), options.internalSecret)] as const));
        const subgraphs = Object.fromEntries(checks.map(([name, c]) => [name, c.state]));
        const down = checks.filter(([, c]) => c.state === 'down');
        const ready = down.length === 0;
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready', supergraph: 'loaded', subgraphs,
          ...(ready ? {} : { down: Object.fromEntries(down.map(([name, c]) => [name, c.reason])) }),
        });
      },
    },
  });
  return {
    ...http,
    apollo,
    urls,
    metrics,
    close: async () => {
      await http.close(shutdownGraceMs());
      await apollo.stop();
    },
  };
}
