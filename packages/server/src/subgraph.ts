/** Starting a subgraph: the same few steps for every domain, so each subgraph only describes its domain. */
import { readFileSync } from 'node:fs';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import { scalarResolvers } from '@ansinh/scalars';
import { HttpError, recordOf, requestRecordPlugin, serveHttp, sendJson, type RunningHttp } from './http.js';
import { log, safeError } from './log.js';
import { ServiceMetrics } from './metrics.js';
import { traceResolvers } from './tracing.js';
import { INTERNAL_HEADER, verifyInternalToken, type Caller } from './identity.js';
import type { AccessRecorder } from './access-log.js';
import { isStatementCancelled } from '@ansinh/db';
import { admissionFromEnv, type AdmissionSettings } from './overload.js';
import { writeFailureCause, writeHealth } from './write-health.js';

/** Codes a client can cause and act on; anything else is an internal error and is masked. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND',
  'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE',
  'CONFLICT', 'QUERY_TOO_COMPLEX', 'DOWNSTREAM_SERVICE_ERROR', 'SUBGRAPH_UNAVAILABLE', 'IDEMPOTENCY_KEY_REUSED', 'DATABASE_UNAVAILABLE', 'DATABASE_WRITE_FAILED',
  'SERVER_OVERLOADED', 'DEADLINE_EXCEEDED',
]);

/** Error codes of postgres.js, Node and PostgreSQL (class 08, 57P0x) meaning "the database cannot be reached now". */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03',
]);

/** Whether an error (or one of its causes) says the database is unreachable (restarting, down, connection lost). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE.has(e.code)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * Keeps client errors as they are, replaces internal ones (SQL, stack, paths) with a request id to quote. A subgraph
 * passes its name: a database fault then says whose database it is (the gateway passes such errors through).
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown, subgraph?: string): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // the request's deadline passed (or its client left) and its SQL was cancelled: overload.ts
  if (isStatementCancelled(error)) {
    return {
      message: 'The request ran out of time: its deadline passed or its caller stopped waiting, and its work was cancelled.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'DEADLINE_EXCEEDED' },
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      message: subgraph
        ? `The ${subgraph} subgraph cannot reach its database (restarting or unreachable); retry in a moment.`
        : 'The database is unavailable (restarting or unreachable); retry in a moment.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'DATABASE_UNAVAILABLE', ...(subgraph ? { subgraph } : {}) },
    };
  }
  // a full disk or a read-only database: said as such, and /ready turns not-ready until a write succeeds
  const writeCause = writeFailureCause(error);
  if (writeCause) {
    writeHealth.failed(writeCause);
    log.error({ service: subgraph, path: formatted.path?.join('.'), cause: writeCause }, 'database write failed');
    return {
      message: `${subgraph ? `The ${subgraph} subgraph` : 'The server'} could not write to its database: ${writeCause}. Nothing was written; retry when the operators have fixed it.`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'DATABASE_WRITE_FAILED', cause: writeCause, ...(subgraph ? { subgraph } : {}) },
    };
  }
  log.error({ err: safeError((error as { originalError?: unknown })?.originalError ?? error), path: formatted.path?.join('.') }, 'internal error (masked for the client)');
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

export function loadSchema(schemaFile: URL): ReturnType<typeof gql> {
  return gql(readFileSync(schemaFile, 'utf8'));
}

export interface SubgraphDefinition<Ctx extends BaseContext> {
  name: string;
  /** URL of the subgraph's schema.graphql */
  schemaFile: URL;
  resolvers: Record<string, unknown>;
  /** A fresh context per request (DataLoaders live here), for the caller the gateway vouched for. */
  context: (caller: Caller) => Ctx | Promise<Ctx>;
  /** Readiness: resolves when the subgraph can serve (its database answers), throws with the reason otherwise. */
  ready?: () => Promise<void>;
  /** the subgraph's metrics (its SQL is counted into them); default: fresh ones */
  metrics?: ServiceMetrics;
}

export function buildSchema<Ctx extends BaseContext>(definition: SubgraphDefinition<Ctx>): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: loadSchema(definition.schemaFile),
    // a span per resolver when tracing is on (tracing.ts)
    resolvers: { ...scalarResolvers, ...traceResolvers(definition.resolvers) } as any,
  });
}

export interface RunningSubgraph extends RunningHttp {
  name: string;
  metrics: ServiceMetrics;
  apollo: ApolloServer<BaseContext>;
}

export async function startSubgraph<Ctx extends BaseContext>(
  definition: SubgraphDefinition<Ctx>,
  options: {
    port: number; host?: string; /** the secret the gateway signs its internal tokens with */ internalSecret: string;
    /** requests in flight and queued (null: unbounded); default from SUBGRAPH_MAX_IN_FLIGHT, … (overload.ts) */
    admission?: AdmissionSettings | null;
  },
): Promise<RunningSubgraph> {
  const metrics = definition.metrics ?? new ServiceMetrics(definition.name);
  const apollo = new ApolloServer<Ctx>({
    schema: buildSchema(definition),
    formatError: (formatted, error) => maskError(formatted, error, definition.name),
    includeStacktraceInErrorResponses: false,
    // the process owns SIGINT/SIGTERM and stops servers in order (see start-all.ts, runSubgraph)
    stopOnTerminationSignals: false,
    // no usage reporting of any kind: the system runs on closed networks
    // no cache-control hints (nothing caches a subgraph's answers): without a plugin that watches every field, Apollo
    // Server does not wrap each resolver (its cache-control plugin, on by default, did, for every field of every row)
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), requestRecordPlugin(), {
      async requestDidStart() {
        return {
          async didEncounterErrors({ contextValue, errors }) {
            const record = recordOf(contextValue);
            for (const e of errors) {
              // a statement cancelled for its request's deadline is the request's fate, not a fault (DEADLINE_EXCEEDED)
              if ((!e.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR') && !isStatementCancelled(e.originalError ?? e)) {
                log.error({ service: definition.name, requestId: record?.requestId, operation: record?.operation ?? undefined, path: e.path?.join('.'), err: safeError(e.originalError ?? e) }, 'resolver error');
              }
            }
          },
          // the access log: what this request read, in one statement, before the answer leaves
          async willSendResponse({ contextValue, operation, response }) {
            const access = (contextValue as { access?: AccessRecorder }).access;
            if (access) await access.flush();
            // a mutation that wrote without error: writes work (again)
            if (operation?.operation === 'mutation' && response.body.kind === 'single' && !response.body.singleResult.errors?.length) writeHealth.succeeded();
          },
        };
      },
    }],
  });
  await apollo.start();
  const http = await serveHttp({
    apollo,
    port: options.port,
    host: options.host,
    service: definition.name,
    metrics,
    // the client's operation name, as the gateway vouched for it
    describe: (state) => {
      const caller = state as Caller | undefined;
      return caller ? { subject: caller.sub, role: caller.role, operation: caller.operationName } : undefined;
    },
    // nothing reaches a resolver without the gateway's internal token: a direct call reveals nothing
    prepare: async ({ req, body }) => {
      const token = req.headers[INTERNAL_HEADER];
      const caller = await verifyInternalToken(typeof token === 'string' ? token : undefined, options.internalSecret);
      if (!caller) throw new HttpError(401, 'UNAUTHENTICATED', 'This subgraph answers the gateway only (missing or invalid internal credential)');
      return { body, state: caller };
    },
    context: async (_req, _id, caller) => definition.context(caller as Caller),
    trustRequestId: true,
    admission: options.admission === undefined ? admissionFromEnv('SUBGRAPH') : options.admission,
    // the gateway says how long it still waits; the request's SQL is cancelled when that has passed or it hangs up
    deadline: { trustHeader: true },
    routes: {
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', subgraph: definition.name }),
      // readiness: the database answers within 2 s
      '/ready': async (_req, res) => {
        try {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            definition.ready?.(),
            new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the database did not answer within 2000 ms')), 2_000); }),
          ]).finally(() => clearTimeout(timer));
          const writes = writeHealth.problem();
          if (writes) return sendJson(res, 503, { status: 'not ready', subgraph: definition.name, reason: writes });
          sendJson(res, 200, { status: 'ready', subgraph: definition.name });
        } catch (error) {
          // ping's error names the database and the cause ("database unavailable: PostgreSQL at host:port/db (…)")
          const message = (error as Error).message ?? String(error);
          const reason = isDatabaseUnavailable(error) && !message.startsWith('database unavailable') ? 'database unavailable' : message;
          sendJson(res, 503, { status: 'not ready', subgraph: definition.name, reason });
        }
      },
    },
  });
  return {
    ...http,
    metrics,
    name: definition.name,
    apollo: apollo as unknown as ApolloServer<BaseContext>,
    close: async (graceMs?: number) => {
      await http.close(graceMs);
      await apollo.stop();
    },
  };
}
